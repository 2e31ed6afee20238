"""A real three-node Ferry cluster for the integration tests.

Starts `.build/debug/ferryd` (built beforehand; this module builds nothing) three times with fresh data
directories in a temp dir and ports of its own, waits for a leader, and stops every process it started,
even when a test fails (fixtures call `stop()` in a `finally`, and an atexit hook catches the rest).
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FERRYD = os.environ.get("FERRYD", os.path.join(REPO, ".build", "debug", "ferryd"))
ACCOUNT = "000000000000"
REGION = "us-east-1"
# A cluster that has no leader this long after start is broken, not slow.
LEADER_WAIT_S = 30
# ferryd stops on SIGTERM; give it this long before SIGKILL.
STOP_WAIT_S = 5

_live_clusters = []


def admin_request(endpoint, method, path, key=None, secret=None, region=REGION, timeout=2):
    """One request to a node's /_ferry/ endpoint, signed with botocore's SigV4Auth (service sqs) when a key is
    given, unsigned otherwise. Returns (status, body as text); a 4xx/5xx is returned, not raised."""
    url = endpoint + path
    headers = {}
    if key is not None:
        signed = AWSRequest(method=method, url=url, data=b"")
        SigV4Auth(Credentials(key, secret), "sqs", region).add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(url, data=b"" if method == "POST" else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _free_ports(count):
    """Ports the kernel hands out for ephemeral binds: distinct from a developer's 9324-9326/7101-7103."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Cluster:
    def __init__(self, auth="off", credentials=(), nodes=3, extra_config="", metrics_listen=False):
        if not os.access(FERRYD, os.X_OK):
            raise RuntimeError(f"{FERRYD} is missing: run `swift build --product ferryd` first")
        self.auth = auth
        self.credentials = list(credentials)
        self.extra_config = extra_config  # more top-level `key = value` lines for every node
        self.ids = list(range(1, nodes + 1))
        ports = _free_ports(3 * nodes)
        self.client_ports = dict(zip(self.ids, ports[:nodes]))
        self.peer_ports = dict(zip(self.ids, ports[nodes:2 * nodes]))
        # metrics_listen: each node also serves GET /metrics, unauthenticated, on a port of its own.
        self.metrics_ports = dict(zip(self.ids, ports[2 * nodes:])) if metrics_listen else {}
        self.dir = tempfile.mkdtemp(prefix="ferry-it-")
        # One advertised base for every node: queue URLs must not depend on which node answered.
        self.advertised = f"http://127.0.0.1:{self.client_ports[1]}"
        self.procs = {}

    def peer_address(self, node):
        return ("127.0.0.1", self.peer_ports[node])

    def endpoint(self, node=1):
        return f"http://127.0.0.1:{self.client_ports[node]}"

    def queue_url(self, name):
        return f"{self.advertised}/{ACCOUNT}/{name}"

    def _config(self, n):
        peers = "\n".join(f'{i} = "127.0.0.1:{self.peer_ports[i]}"' for i in self.ids)
        creds = "".join(
            f'\n[[credentials]]\naccess_key = "{c["access_key"]}"\nsecret_key = "{c["secret_key"]}"\n'
            f'account_id = "{c.get("account_id", ACCOUNT)}"\n'
            f'admin = {"true" if c.get("admin") else "false"}\n'
            for c in self.credentials
        )
        return (
            f"node_id = {n}\n"
            f'data_dir = "{self.dir}/node{n}"\n'
            f'client_listen = "127.0.0.1:{self.client_ports[n]}"\n'
            f'advertised_url = "{self.advertised}"\n'
            'cluster_secret = "integration-test-cluster-secret"\n'
            f'region = "{REGION}"\n'
            f'auth = "{self.auth}"\n'
            f'account_id = "{ACCOUNT}"\n'
            f"{self.extra_config}\n"
            + (f'metrics_listen = "127.0.0.1:{self.metrics_ports[n]}"\n' if n in self.metrics_ports else "")
            + f"\n[peers]\n{peers}\n{creds}"
        )

    def start(self):
        _live_clusters.append(self)
        for n in self.ids:
            path = os.path.join(self.dir, f"node{n}.toml")
            with open(path, "w") as f:
                f.write(self._config(n))
            log = open(os.path.join(self.dir, f"node{n}.log"), "ab")
            self.procs[n] = subprocess.Popen(
                [FERRYD, "--config", path, "--node-id", str(n), "--data-dir", f"{self.dir}/node{n}",
                 "--auth", self.auth, "--log-level", "warning"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
        self.wait_for_leader()
        return self

    def status(self, n):
        """Node n's /_ferry/status; with auth = sigv4 signed by an admin credential (any key may read it)."""
        key = secret = None
        if self.auth == "sigv4" and self.credentials:
            c = next((c for c in self.credentials if c.get("admin")), self.credentials[0])
            key, secret = c["access_key"], c["secret_key"]
        code, body = admin_request(self.endpoint(n), "GET", "/_ferry/status", key, secret, timeout=1)
        if code != 200:
            raise OSError(f"/_ferry/status on node {n}: HTTP {code} {body}")
        return json.loads(body)

    def wait_for_leader(self, timeout_s=LEADER_WAIT_S):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for n, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"ferryd node {n} exited with {proc.returncode}:\n{self.logs()}")
            try:
                leaders = {self.status(n)["leader"] for n in self.ids}
                if len(leaders) == 1 and 0 not in leaders:
                    return leaders.pop()
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"no leader within {timeout_s} s:\n{self.logs()}")

    def logs(self):
        out = []
        for n in self.ids:
            path = os.path.join(self.dir, f"node{n}.log")
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    out.append(f"--- node {n} ---\n" + f.read()[-4000:])
        return "\n".join(out)

    def stop(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = {}
        if self in _live_clusters:
            _live_clusters.remove(self)
        if os.environ.get("FERRY_IT_KEEP") is None:
            shutil.rmtree(self.dir, ignore_errors=True)


@atexit.register
def _stop_all():
    for cluster in list(_live_clusters):
        cluster.stop()

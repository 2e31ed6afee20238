"""Clusters of real ferryd processes on loopback: the one harness of Tests/integration and Tests/cluster.

Every cluster gets its own free loopback ports (asked of the kernel, never the development cluster's
9324-9326 / 7101-7103) and its own data directories (under a root the caller gives, else a fresh temp dir).
Every process started here is killed on teardown, also when the test fails: `stop()` sends SIGTERM, then
SIGKILL after STOP_WAIT_S; `teardown()` and the atexit hook SIGKILL. Each process also asks the kernel to
SIGKILL it if the test process itself dies (PR_SET_PDEATHSIG). Every wait is bounded by a deadline.

Environment:
  FERRY_BIN   a directory holding ferryd and ferry, or the ferryd binary itself (ferry beside it);
              default <repo>/.build/debug. This module builds nothing: `swift build --product ferryd` first.
  FERRY_KEEP  set (to anything): keep the temp directories this module created (configs, node logs) for a
              post-mortem. Directories under a root the caller gave (pytest's tmp_path) are the caller's.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CLUSTER_SECRET = "cluster-test-secret-0123456789"
ACCOUNT = "000000000000"
REGION = "us-east-1"
# A cluster that has no leader this long after start is broken, not slow.
LEADER_WAIT_S = 30
# ferryd stops on SIGTERM; give it this long before SIGKILL.
STOP_WAIT_S = 5


def ferryd_binary() -> Path:
    """FERRY_BIN (a directory holding ferryd, or the binary itself), else the debug build."""
    configured = os.environ.get("FERRY_BIN")
    if configured:
        path = Path(configured)
        return path / "ferryd" if path.is_dir() else path
    return REPO_ROOT / ".build" / "debug" / "ferryd"


def ferry_cli_binary() -> Path:
    return ferryd_binary().parent / "ferry"


def admin_request(endpoint, method, path, key=None, secret=None, region=REGION, timeout=2):
    """One request to a node's /_ferry/ endpoint, signed with botocore's SigV4Auth (service sqs) when a key is
    given, unsigned otherwise. Returns (status, body as text); a 4xx/5xx is returned, not raised."""
    url = endpoint + path
    headers = {}
    if key is not None:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        signed = AWSRequest(method=method, url=url, data=b"")
        SigV4Auth(Credentials(key, secret), "sqs", region).add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(url, data=b"" if method == "POST" else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def free_ports(count: int) -> list[int]:
    """Distinct ports the kernel just handed out as free (ephemeral range, so never 9324 or 7101)."""
    sockets, ports = [], []
    try:
        while len(ports) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL me if the test process dies (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


_LIVE_PROCESSES: set[subprocess.Popen] = set()


def kill_every_started_process() -> None:
    kill_processes(list(_LIVE_PROCESSES))


def kill_processes(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGCONT)  # a stopped process still dies on SIGKILL; harmless
                proc.kill()
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        _LIVE_PROCESSES.discard(proc)


atexit.register(kill_every_started_process)


@dataclass
class Node:
    id: int
    client_port: int
    peer_port: int
    directory: Path
    secret: str = CLUSTER_SECRET
    join: bool = False
    proc: subprocess.Popen | None = None
    starts: int = 0
    stopped: bool = False  # SIGSTOPped: its sockets accept but nothing answers
    uid: int | None = None  # run as this user (the partition tests tell its packets apart by owner)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"

    @property
    def config_path(self) -> Path:
        return self.directory / "ferryd.toml"

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_path(self) -> Path:
        return self.directory / "ferryd.log"

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Cluster:
    """N ferryd nodes (ids 1..N) plus optional spares that may join later. `voters` bootstrap the cluster.

    root: the directory for the nodes' configs, data and logs (default: a fresh temp dir, removed by `stop()`
    unless FERRY_KEEP is set). auth: "off" or "sigv4", with `credentials` as dicts of access_key, secret_key
    and optional account_id and admin; `status()` and `http()` sign with the admin credential (else the first).
    metrics_listen: each node also serves GET /metrics, unauthenticated, on a port of its own.
    extra_config: more top-level settings, a dict `key: TOML value` or raw `key = value` lines.
    launcher: words run before ferryd (e.g. valgrind and its options); ferryd: another binary."""

    def __init__(self, root: Path | None = None, voters: int = 3, spares: int = 0,
                 snapshot_interval_entries: int | None = None, tick_ms: int | None = None, advertised_node: int = 1,
                 extra_config: dict[str, str] | str | None = None, unlisted: tuple[int, ...] = (),
                 auth: str = "off", credentials=(), metrics_listen: bool = False, log_level: str = "info",
                 ferryd: Path | None = None, launcher: tuple[str, ...] = ()):
        self.owns_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="ferry-cluster-")) if root is None else root
        self.auth = auth
        self.credentials = list(credentials)
        self.log_level = log_level
        self.ferryd = Path(ferryd) if ferryd is not None else ferryd_binary()
        self.launcher = tuple(launcher)
        # Nodes no other node's config file mentions: they are reached only through the replicated configuration.
        self.unlisted = set(unlisted)
        self.extra_config = extra_config or {}  # more top-level settings, `key: TOML value`
        self.snapshot_interval_entries = snapshot_interval_entries
        self.tick_ms = tick_ms
        self.initial_voters = list(range(1, voters + 1))
        total = voters + spares
        ports = free_ports(3 * total if metrics_listen else 2 * total)
        self.nodes: dict[int, Node] = {}
        for i in range(1, total + 1):
            directory = self.root / f"node{i}"
            directory.mkdir(parents=True, exist_ok=True)
            self.nodes[i] = Node(i, ports[2 * (i - 1)], ports[2 * (i - 1) + 1], directory, join=i > voters)
        self.metrics_ports = dict(zip(self.nodes, ports[2 * total:])) if metrics_listen else {}
        # One advertised base for every node: queue URLs must not depend on which node answered.
        self.advertised_url = self.nodes[advertised_node].url
        for node in self.nodes.values():
            self.write_config(node)

    # -- configuration and processes ------------------------------------------------------------

    def write_config(self, node: Node) -> None:
        lines = [
            f"node_id = {node.id}",
            f'data_dir = "{node.data_dir}"',
            f'client_listen = "127.0.0.1:{node.client_port}"',
            f'advertised_url = "{self.advertised_url}"',
            f'cluster_secret = "{node.secret}"',
            f'region = "{REGION}"',
            f'account_id = "{ACCOUNT}"',
            f'auth = "{self.auth}"',
            f"initial_voters = [{', '.join(str(v) for v in self.initial_voters)}]",
            f"join = {'true' if node.join else 'false'}",
        ]
        if self.snapshot_interval_entries:
            lines.append(f"snapshot_interval_entries = {self.snapshot_interval_entries}")
        if self.tick_ms:
            lines.append(f"tick_ms = {self.tick_ms}")
        if node.id in self.metrics_ports:
            lines.append(f'metrics_listen = "127.0.0.1:{self.metrics_ports[node.id]}"')
        if isinstance(self.extra_config, str):
            lines.append(self.extra_config)
        else:
            lines.extend(f"{key} = {value}" for key, value in self.extra_config.items())
        lines.append("")
        lines.append("[peers]")
        listed = [other for other in self.nodes.values() if other.id == node.id or other.id not in self.unlisted]
        for other in listed:
            lines.append(f'{other.id} = "127.0.0.1:{other.peer_port}"')
        # Each node's own URL, so the replicated member list of a new cluster names where to reach every voter.
        lines.append("")
        lines.append("[clients]")
        for other in listed:
            lines.append(f'{other.id} = "{other.url}"')
        for c in self.credentials:
            lines += ["", "[[credentials]]", f'access_key = "{c["access_key"]}"', f'secret_key = "{c["secret_key"]}"',
                      f'account_id = "{c.get("account_id", ACCOUNT)}"', f'admin = {"true" if c.get("admin") else "false"}']
        node.config_path.write_text("\n".join(lines) + "\n")

    def start(self, node_id: int) -> Node:
        node = self.nodes[node_id]
        assert not node.running, f"node {node_id} is already running"
        binary = self.ferryd
        assert binary.exists(), f"{binary} not found: build it (swift build --product ferryd) or set FERRY_BIN"
        with open(node.log_path, "ab") as log:
            log.write(f"---- start {node.starts + 1} at {time.time():.3f}\n".encode())
            log.flush()
            node.stopped = False
            node.proc = subprocess.Popen(
                [*self.launcher, str(binary), "--config", str(node.config_path), "--log-level", self.log_level],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=str(node.directory), preexec_fn=_die_with_parent,
                user=node.uid, group=node.uid)
        _LIVE_PROCESSES.add(node.proc)
        node.starts += 1
        return node

    def start_all(self, ids: list[int] | None = None) -> None:
        for i in ids or self.initial_voters:
            self.start(i)

    def signal(self, node_id: int, sig: signal.Signals) -> None:
        node = self.nodes[node_id]
        assert node.running, f"node {node_id} is not running"
        node.proc.send_signal(sig)

    def kill(self, node_id: int) -> None:
        """SIGKILL: no chance to flush or say goodbye."""
        node = self.nodes[node_id]
        self.signal(node_id, signal.SIGKILL)
        node.proc.wait(timeout=10)
        _LIVE_PROCESSES.discard(node.proc)

    def kill_reaped(self, node_id: int) -> None:
        """Waits for a node already sent SIGKILL (several killed at once) to be gone."""
        node = self.nodes[node_id]
        node.proc.wait(timeout=10)
        _LIVE_PROCESSES.discard(node.proc)

    def stop_process(self, node_id: int) -> None:
        self.signal(node_id, signal.SIGSTOP)
        self.nodes[node_id].stopped = True

    def continue_process(self, node_id: int) -> None:
        self.signal(node_id, signal.SIGCONT)
        self.nodes[node_id].stopped = False

    def start_cluster(self, timeout: float = LEADER_WAIT_S) -> Cluster:
        """Starts the initial voters and waits until every one of them names the same leader."""
        self.start_all()
        self.wait_for_agreed_leader(timeout)
        return self

    def teardown(self) -> None:
        """SIGKILL every process of this cluster (and only this one: a session-wide cluster may still run)."""
        kill_processes([node.proc for node in self.nodes.values() if node.proc is not None])

    def stop(self) -> None:
        """SIGTERM every running node, SIGKILL what is left after STOP_WAIT_S; then removes the temp root."""
        running = [node for node in self.nodes.values() if node.running]
        for node in running:
            node.proc.send_signal(signal.SIGCONT)  # a SIGSTOPped node could not act on SIGTERM
            node.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for node in running:
            try:
                node.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                node.proc.kill()
                node.proc.wait()
            _LIVE_PROCESSES.discard(node.proc)
        self.teardown()
        if self.owns_root and os.environ.get("FERRY_KEEP") is None:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- addresses --------------------------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        return list(self.nodes)

    @property
    def procs(self) -> dict[int, subprocess.Popen]:
        return {i: node.proc for i, node in self.nodes.items() if node.proc is not None}

    @property
    def client_ports(self) -> dict[int, int]:
        return {i: node.client_port for i, node in self.nodes.items()}

    def endpoint(self, node_id: int = 1) -> str:
        return self.nodes[node_id].url

    def peer_address(self, node_id: int) -> tuple[str, int]:
        return ("127.0.0.1", self.nodes[node_id].peer_port)

    def queue_url(self, name: str) -> str:
        return f"{self.advertised_url}/{ACCOUNT}/{name}"

    def logs(self, tail_chars: int = 4000) -> str:
        return "\n".join(f"--- node {i} ---\n" + node.log_text()[-tail_chars:] for i, node in self.nodes.items())

    # -- observation ----------------------------------------------------------------------------

    def http(self, node_id: int, method: str, path: str, timeout: float = 1.0) -> tuple[int, dict | str]:
        """One /_ferry/ request; JSON bodies parsed. With auth = sigv4 signed by the admin credential."""
        key = secret = None
        if self.auth == "sigv4" and self.credentials:
            c = next((c for c in self.credentials if c.get("admin")), self.credentials[0])
            key, secret = c["access_key"], c["secret_key"]
        code, text = admin_request(self.nodes[node_id].url, method, path, key, secret, timeout=timeout)
        try:
            return code, json.loads(text)
        except ValueError:
            return code, text

    def status(self, node_id: int, timeout: float = 0.5) -> dict | None:
        """The node's /_ferry/status, or None if it does not answer."""
        try:
            code, body = self.http(node_id, "GET", "/_ferry/status", timeout=timeout)
        except (OSError, urllib.error.URLError):
            return None
        return body if code == 200 and isinstance(body, dict) else None

    def require_status(self, node_id: int, timeout: float = 1.0) -> dict:
        """The node's /_ferry/status; fails the test if it does not answer."""
        code, body = self.http(node_id, "GET", "/_ferry/status", timeout=timeout)
        if code != 200 or not isinstance(body, dict):
            raise AssertionError(f"/_ferry/status on node {node_id}: HTTP {code} {body}")
        return body

    def statuses(self, ids=None) -> dict[int, dict]:
        out = {}
        for i in ids or self.nodes:
            if self.nodes[i].running and not self.nodes[i].stopped:
                s = self.status(i)
                if s is not None:
                    out[i] = s
        return out

    def wait_until(self, what: str, predicate, timeout: float = 20.0, interval: float = 0.02):
        """Polls `predicate` until it returns something truthy; fails the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; statuses: {self.statuses()}")

    def leader(self, ids=None) -> int | None:
        """The one node among `ids` (default: running ones) that reports itself leader in the highest term."""
        best = None
        for i, s in self.statuses(ids).items():
            if s["role"] == "leader" and (best is None or s["term"] > best[1]):
                best = (i, s["term"])
        return best[0] if best else None

    def wait_for_leader(self, ids=None, timeout: float = 20.0, not_node: int | None = None) -> int:
        def found():
            leader = self.leader(ids)
            return leader if leader is not None and leader != not_node else None
        return self.wait_until("a leader", found, timeout)

    def wait_for_agreed_leader(self, timeout: float = LEADER_WAIT_S) -> int:
        """Until every running node names the same leader; fails at once if a node's process exited."""
        def agreed():
            for i, node in self.nodes.items():
                if node.proc in _LIVE_PROCESSES and node.proc.poll() is not None:  # not killed on purpose
                    raise AssertionError(f"ferryd node {i} exited with {node.proc.returncode}:\n{self.logs()}")
            statuses = self.statuses()
            leaders = {s["leader"] for s in statuses.values()}
            if len(statuses) == len(self.running_ids()) and len(leaders) == 1 and 0 not in leaders:
                return leaders.pop()
            return None
        return self.wait_until("every node to name the same leader", agreed, timeout, interval=0.1)

    def wait_caught_up(self, ids, timeout: float = 30.0) -> dict[int, dict]:
        """Until every node in `ids` has applied everything the leader has committed (and one leader)."""
        def caught_up():
            leader = self.leader()
            if leader is None:
                return None
            target = self.status(leader)
            if target is None:
                return None
            statuses = self.statuses(ids)
            if len(statuses) < len(ids):
                return None
            if all(s["applied"] >= target["commit"] and s["commit"] >= target["commit"] for s in statuses.values()):
                return statuses
            return None
        return self.wait_until(f"nodes {ids} to catch up with the leader", caught_up, timeout)

    def running_ids(self) -> list[int]:
        return [i for i, n in self.nodes.items() if n.running and not n.stopped]

    # -- admin actions --------------------------------------------------------------------------

    def member_change(self, action: str, node_id: int, timeout: float = 20.0) -> dict:
        """Proposes a membership change at the leader (retrying on 503/409-pending), waits for its commit."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            leader = self.leader()
            if leader is not None:
                code, body = self.http(leader, "POST", f"/_ferry/members/{action}?id={node_id}")
                last = (code, body)
                if code == 200:
                    wait_committed_by(self, leader, body["index"], body["term"], deadline)
                    return body
                if code == 409 and body.get("error") == "invalid" and "behind" not in body.get("detail", ""):
                    raise AssertionError(f"{action} {node_id} refused: {body}")
            time.sleep(0.05)
        raise AssertionError(f"{action} {node_id} did not go through: {last}")


class BackgroundThread:
    """A context manager running `self._run` on a daemon thread until `stop()` (or the `with` block ends);
    `_run` loops until `self._stop` is set."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self):
        raise NotImplementedError


class StatusRecorder(BackgroundThread):
    """Polls every node's status in the background and checks that no term ever has two leaders."""

    def __init__(self, cluster: Cluster, interval: float = 0.01):
        super().__init__()
        self.cluster = cluster
        self.interval = interval
        self.leaders_by_term: dict[int, set[int]] = {}

    def _run(self):
        while not self._stop.is_set():
            for i in self.cluster.running_ids():
                s = self.cluster.status(i, timeout=0.2)
                if s and s["role"] == "leader":
                    self.leaders_by_term.setdefault(s["term"], set()).add(i)
            self._stop.wait(self.interval)

    def split_brains(self) -> dict[int, set[int]]:
        return {term: ids for term, ids in self.leaders_by_term.items() if len(ids) > 1}


def summarize_ms(label: str, samples_s: list[float]) -> str:
    if not samples_s:
        return f"{label}: no samples"
    ms = [s * 1000 for s in samples_s]
    return (f"{label}: median {statistics.median(ms):.0f} ms, min {min(ms):.0f} ms, max {max(ms):.0f} ms "
            f"over {len(ms)} ({', '.join(f'{m:.0f}' for m in ms)})")


@dataclass
class Report:
    """Figures the tests print at the end of the session (pytest -s is not needed: conftest prints them)."""
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)


REPORT = Report()


PHANTOM_ID = 99  # a node id listed nowhere: adding and removing it as a learner is a harmless write


def wait_committed_by(cluster: Cluster, leader: int, index: int, term: int, deadline: float) -> int:
    """Acknowledged once `leader`, still leading in `term`, reports `index` committed (a leader never
    overwrites its own term's entries). If it stops answering or leading first, the outcome is unknown:
    raises at once rather than waiting on a dead node."""
    while time.monotonic() < deadline:
        s = cluster.status(leader, timeout=0.15)
        if s is None or s["term"] != term or s["role"] != "leader":
            raise AssertionError(f"leader {leader} gone before entry {index} committed: outcome unknown")
        if s["commit"] >= index:
            return index
        time.sleep(0.005)
    raise AssertionError(f"entry {index} not committed in time")


def toggle_phantom(cluster: Cluster, timeout: float = 20.0) -> int:
    """Adds learner 99 if it is absent, else removes it, through the leader; waits for the commit and
    returns the entry's index. Reads the configuration first, so an earlier change whose outcome was
    unknown (a crash) never makes it propose a change that no longer makes sense."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        leader = cluster.leader()
        s = cluster.status(leader) if leader else None
        if s is None:
            time.sleep(0.05)
            continue
        action = "remove" if PHANTOM_ID in s["learners"] else "add-learner"
        code, body = cluster.http(leader, "POST", f"/_ferry/members/{action}?id={PHANTOM_ID}")
        last = (code, body)
        if code == 200:
            return wait_committed_by(cluster, leader, body["index"], body["term"], deadline)
        time.sleep(0.02)
    raise AssertionError(f"no configuration change went through: {last}")


def churn_configuration(cluster: Cluster, changes: int) -> int:
    """Commits at least `changes` configuration entries (learner 99 added, removed, ...) through the leader:
    a write workload that needs no SQS. Ends with 99 not a member. Returns the last committed index."""
    index = 0
    for _ in range(changes):
        index = toggle_phantom(cluster)
    if PHANTOM_ID in (cluster.status(cluster.wait_for_leader()) or {}).get("learners", []):
        index = toggle_phantom(cluster)
    return index


class ChurnWriter(BackgroundThread):
    """A background write load without SQS: configuration changes through whichever node leads, each
    acknowledged once the leader reports it committed. Same shape as sqsload.ProducerGroup."""

    def __init__(self, cluster: Cluster):
        super().__init__()
        self.cluster = cluster
        self.ack_times: list[tuple[float, float]] = []  # (started, acknowledged)
        self.acked_indexes: list[int] = []
        self.failures = 0

    def _run(self):
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                index = toggle_phantom(self.cluster, timeout=1.0)
            except (AssertionError, OSError):
                self.failures += 1
                continue
            self.acked_indexes.append(index)
            self.ack_times.append((started, time.monotonic()))

    def ack_count(self) -> int:
        return len(self.ack_times)

    def first_ack_after(self, moment: float, faulty_node: int | None = None) -> float | None:
        return next((acked for started, acked in list(self.ack_times) if started > moment), None)

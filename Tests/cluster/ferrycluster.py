"""A cluster of real ferryd processes on loopback, for tests.

Every cluster gets its own free loopback ports (asked of the kernel, never the development cluster's
9324-9326 / 7101-7103) and its own temporary data directories. Every process started here is SIGKILLed on
teardown, also when the test fails, and asks the kernel to SIGKILL it if the test process itself dies
(PR_SET_PDEATHSIG). Every wait is bounded by a deadline.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SECRET = "cluster-test-secret-0123456789"


def ferryd_binary() -> Path:
    """FERRY_BIN (a directory holding ferryd, or the binary itself), else the debug build."""
    configured = os.environ.get("FERRY_BIN")
    if configured:
        path = Path(configured)
        return path / "ferryd" if path.is_dir() else path
    return REPO_ROOT / ".build" / "debug" / "ferryd"


def ferry_cli_binary() -> Path:
    return ferryd_binary().parent / "ferry"


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
    for proc in list(_LIVE_PROCESSES):
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
    """N ferryd nodes (ids 1..N) plus optional spares that may join later. `voters` bootstrap the cluster."""

    def __init__(self, root: Path, voters: int = 3, spares: int = 0, snapshot_interval_entries: int | None = None,
                 tick_ms: int | None = None, advertised_node: int = 1, extra_config: dict[str, str] | None = None,
                 unlisted: tuple[int, ...] = ()):
        self.root = root
        # Nodes no other node's config file mentions: they are reached only through the replicated configuration.
        self.unlisted = set(unlisted)
        self.extra_config = extra_config or {}  # more top-level settings, `key: TOML value`
        self.snapshot_interval_entries = snapshot_interval_entries
        self.tick_ms = tick_ms
        self.initial_voters = list(range(1, voters + 1))
        total = voters + spares
        ports = free_ports(2 * total)
        self.nodes: dict[int, Node] = {}
        for i in range(1, total + 1):
            directory = root / f"node{i}"
            directory.mkdir(parents=True, exist_ok=True)
            self.nodes[i] = Node(i, ports[2 * (i - 1)], ports[2 * (i - 1) + 1], directory, join=i > voters)
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
            'auth = "off"',
            f"initial_voters = [{', '.join(str(v) for v in self.initial_voters)}]",
            f"join = {'true' if node.join else 'false'}",
        ]
        if self.snapshot_interval_entries:
            lines.append(f"snapshot_interval_entries = {self.snapshot_interval_entries}")
        if self.tick_ms:
            lines.append(f"tick_ms = {self.tick_ms}")
        for key, value in self.extra_config.items():
            lines.append(f"{key} = {value}")
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
        node.config_path.write_text("\n".join(lines) + "\n")

    def start(self, node_id: int) -> Node:
        node = self.nodes[node_id]
        assert not node.running, f"node {node_id} is already running"
        binary = ferryd_binary()
        assert binary.exists(), f"{binary} not found: build it (swift build --product ferryd) or set FERRY_BIN"
        with open(node.log_path, "ab") as log:
            log.write(f"---- start {node.starts + 1} at {time.time():.3f}\n".encode())
            log.flush()
            node.stopped = False
            node.proc = subprocess.Popen(
                [str(binary), "--config", str(node.config_path), "--log-level", "info"],
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

    def teardown(self) -> None:
        for node in self.nodes.values():
            if node.proc is not None:
                _LIVE_PROCESSES.add(node.proc)
        kill_every_started_process()

    # -- observation ----------------------------------------------------------------------------

    def http(self, node_id: int, method: str, path: str, timeout: float = 1.0) -> tuple[int, dict | str]:
        request = urllib.request.Request(self.nodes[node_id].url + path, method=method,
                                         data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                code, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            code, body = error.code, error.read()
        text = body.decode(errors="replace")
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


class StatusRecorder:
    """Polls every node's status in the background and checks that no term ever has two leaders."""

    def __init__(self, cluster: Cluster, interval: float = 0.01):
        self.cluster = cluster
        self.interval = interval
        self.leaders_by_term: dict[int, set[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

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


class ChurnWriter:
    """A background write load without SQS: configuration changes through whichever node leads, each
    acknowledged once the leader reports it committed. Same shape as sqsload.ProducerGroup."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.ack_times: list[tuple[float, float]] = []  # (started, acknowledged)
        self.acked_indexes: list[int] = []
        self.failures = 0
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

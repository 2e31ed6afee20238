"""The developer scripts work as documented: cluster-up, status, kill-node, start-node, chaos, cluster-down.
Run on their own ports (FERRY_PORT_OFFSET) and data directory, so a developer's cluster is never touched."""

import os
import random
import signal
import socket
import subprocess
import time

from ferry_cluster import REPO_ROOT, ferryd_binary

SCRIPTS = REPO_ROOT / "Scripts"


def free_offset() -> int:
    """A port offset whose six ports (SQS 9324-9326, peers 7101-7103, shifted) are all free now."""
    for _ in range(50):
        offset = random.randrange(10_000, 20_000)
        ports = [9323 + n + offset for n in (1, 2, 3)] + [7100 + n + offset for n in (1, 2, 3)]
        try:
            for port in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return offset
        except OSError:
            continue
    raise AssertionError("no free port offset")


def run(env, *args, timeout=120, check=True):
    result = subprocess.run([str(SCRIPTS / args[0]), *args[1:]], env=env, capture_output=True, text=True,
                            timeout=timeout, cwd=str(REPO_ROOT))
    if check:
        assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def pids(directory):
    out = {}
    for n in (1, 2, 3):
        f = directory / f"node{n}.pid"
        if f.exists():
            out[n] = int(f.read_text())
    return out


def alive(pid):
    try:
        state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    except OSError:
        return False
    return bool(state) and not state.startswith("Z")


def test_cluster_scripts(tmp_path):
    env = dict(os.environ, FERRY_BIN=str(ferryd_binary().parent), FERRY_CLUSTER_DIR=str(tmp_path / "cluster"),
               FERRY_PORT_OFFSET=str(free_offset()))
    try:
        out = run(env, "cluster-up")
        assert "Ferry is up" in out, out
        out = run(env, "status")
        assert out.count('"role"') == 3, out
        leader = next(int(line.split('"node": ')[1].split(",")[0]) for line in out.splitlines() if '"leader"' in line
                      and '"role": "leader"' in line)

        out = run(env, "kill-node", str(leader))
        assert f"node {leader} killed" in out
        assert not alive(pids(tmp_path / "cluster")[leader])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            out = run(env, "status")
            if f"node {leader}: down" in out and '"role": "leader"' in out:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"no new leader after kill-node:\n{out}")

        out = run(env, "start-node", str(leader))
        assert f"node {leader} started" in out
        out = run(env, "chaos", "--rounds", "3", "--seed", "7", timeout=180)
        assert "nothing acknowledged was lost" in out, out

        running = pids(tmp_path / "cluster")
        out = run(env, "cluster-down")
        assert all(not alive(pid) for pid in running.values()), out
    finally:
        for pid in pids(tmp_path / "cluster").values():
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

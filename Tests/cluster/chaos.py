"""Scripts/chaos: kills and restarts random nodes of the local cluster (through Scripts/kill-node and
Scripts/start-node) under a write load, for a bounded number of rounds, then checks that nothing
acknowledged was lost. At most one node is down at a time, so a majority always serves.

Write load: boto3 producers on every node once the SQS operations are wired; until then, configuration
changes through the leader (a phantom learner added and removed), each acknowledged once committed."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # Tests/ferry_cluster.py, the shared harness
ROOT = Path(__file__).resolve().parents[2]
OFFSET = int(os.environ.get("FERRY_PORT_OFFSET", "0"))
URLS = {n: f"http://127.0.0.1:{9323 + n + OFFSET}" for n in (1, 2, 3)}


def http(url: str, method: str = "GET", timeout: float = 0.5):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
    except (OSError, ValueError):
        return None, None


def status(n: int):
    code, body = http(URLS[n] + "/_ferry/status")
    return body if code == 200 else None


def leader():
    for n in URLS:
        s = status(n)
        if s and s["role"] == "leader":
            return n, s
    return None, None


def wait(what: str, predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    sys.exit(f"chaos: timed out waiting for {what}")


def script(name: str, n: int) -> None:
    subprocess.run([str(ROOT / "Scripts" / name), str(n)], check=True, stdout=subprocess.DEVNULL)


class ChurnLoad(threading.Thread):
    """Configuration changes through the leader; `acked_index` is the last one seen committed."""

    def __init__(self):
        super().__init__(daemon=True)
        self.acked_index = 0
        self.acked = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            n, s = leader()
            if n is None:
                time.sleep(0.05)
                continue
            action = "remove" if 99 in s["learners"] else "add-learner"
            code, body = http(f"{URLS[n]}/_ferry/members/{action}?id=99", "POST")
            if code != 200:
                time.sleep(0.05)
                continue
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and not self.stop.is_set():
                s = status(n)
                if s and s["commit"] >= body["index"] and s["role"] == "leader":
                    self.acked_index = body["index"]
                    self.acked += 1
                    break
                time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="kill/restart rounds (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the choice of nodes and pauses")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"chaos: seed {seed}, {args.rounds} rounds, nodes {URLS}")
    wait("a leader", lambda: leader()[0])

    from sqsload import ProducerGroup, check_nothing_lost, drain, sqs_client  # boto3 only when needed

    sqs_ok = True
    try:
        sqs_client(URLS[1], attempts=1).list_queues()
    except Exception as error:  # noqa: BLE001
        sqs_ok = False
        print(f"chaos: the SQS API is not serving ({str(error)[:120]}); load = configuration changes")

    class Endpoints:  # the shape ProducerGroup wants
        nodes = {n: type("N", (), {"url": u}) for n, u in URLS.items()}

    producers = churn = queue_url = None
    if sqs_ok:
        queue_url = sqs_client(URLS[1], attempts=8).create_queue(QueueName=f"chaos-{seed}")["QueueUrl"]
        producers = ProducerGroup(Endpoints, queue_url, [1, 2, 3]).__enter__()
    else:
        churn = ChurnLoad()
        churn.start()

    for r in range(args.rounds):
        victim = leader()[0] if rng.random() < 0.4 else rng.choice(list(URLS))
        victim = victim or rng.choice(list(URLS))
        down_s = rng.uniform(0.1, 1.5)
        print(f"chaos: round {r + 1}: kill node {victim}, down {down_s:.2f} s")
        script("kill-node", victim)
        time.sleep(down_s)
        script("start-node", victim)
        time.sleep(rng.uniform(0.3, 1.5))

    # Heal: every node up and caught up with the leader.
    def caught_up():
        n, s = leader()
        if n is None:
            return None
        all_s = [status(m) for m in URLS]
        return all(x and x["applied"] >= s["commit"] for x in all_s)
    wait("every node to catch up", caught_up, timeout=60)

    if producers:
        producers.stop()
        acked = producers.acked()
        received = drain(URLS[2], queue_url)
        lost = check_nothing_lost(acked, received)
        print(f"chaos: {len(acked)} sends acknowledged, {len(producers.failed())} failed (unknown outcome), "
              f"{len(received)} received, lost {len(lost)}")
        if lost:
            print(f"chaos: LOST {lost[:20]} (seed {seed})")
            return 1
    else:
        churn.stop.set()
        churn.join(timeout=5)
        commits = {n: (status(n) or {}).get("commit", 0) for n in URLS}
        print(f"chaos: {churn.acked} configuration changes acknowledged, last at {churn.acked_index}; commits {commits}")
        if min(commits.values()) < churn.acked_index:
            print(f"chaos: a node's commit is behind an acknowledged entry (seed {seed})")
            return 1
    print("chaos: nothing acknowledged was lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())

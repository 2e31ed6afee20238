"""Coordinated crash: SIGKILL all three nodes at once in the middle of writes, restart them: everything
acknowledged before the crash is still there (it was fsynced on a majority before the acknowledgement)."""

import os
import signal
import threading
import time

from ferry_cluster import REPORT, toggle_phantom
from sqsload import ProducerGroup, check_nothing_lost, create_queue, drain, sqs_unavailable_reason


def kill_all_at_once(cluster):
    procs = [cluster.nodes[i].proc for i in (1, 2, 3)]
    for p in procs:
        os.kill(p.pid, signal.SIGKILL)
    for i in (1, 2, 3):
        cluster.kill_reaped(i)


def test_kill_all_three_during_writes_loses_nothing_acknowledged(cluster3):
    cluster = cluster3
    reason = sqs_unavailable_reason(cluster, 1)
    if reason is None:
        queue_url = create_queue(cluster, 1)
        with ProducerGroup(cluster, queue_url, [1, 2, 3]) as producers:
            cluster.wait_until("a steady load", lambda: producers.ack_count() >= 50, timeout=30)
            kill_all_at_once(cluster)
            producers.stop()
        acked = producers.acked()
        cluster.start_all()
        cluster.wait_for_leader(timeout=30)
        received = drain(cluster.nodes[3].url, queue_url)
        lost = check_nothing_lost(acked, received)
        REPORT.add(f"crash of all three: {len(acked)} acknowledged before the crash, lost {len(lost)}")
        assert not lost, lost[:20]
        return

    # Without SQS: configuration changes through the leader are the acknowledged writes.
    acked_index = [0]
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            try:
                acked_index[0] = toggle_phantom(cluster, timeout=2)
            except Exception:  # noqa: BLE001 -- the crash interrupts the last change: outcome unknown
                return

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    cluster.wait_until("some committed changes", lambda: acked_index[0] > 20, timeout=30)
    kill_all_at_once(cluster)
    stop.set()
    worker.join(timeout=10)
    last_acked = acked_index[0]
    cluster.start_all()
    cluster.wait_for_leader(timeout=30)
    statuses = cluster.wait_caught_up([1, 2, 3])
    REPORT.add(f"crash of all three (no SQS yet: {reason}): last acknowledged entry {last_acked}, "
               f"commit after restart {min(s['commit'] for s in statuses.values())}")
    for s in statuses.values():
        assert s["commit"] >= last_acked and s["applied"] >= last_acked, s
        assert s["voters"] == [1, 2, 3]

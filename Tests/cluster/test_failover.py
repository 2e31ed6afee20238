"""Leader failure under a steady write load: SIGKILL (the process is gone, its connections close) and
SIGSTOP (frozen: nothing gives it away but silence), several times each. Prints the time from the fault to
a new leader in /_ferry/status and to the first acknowledged send afterwards; asserts correctness only
(never wall-clock time): no term with two leaders, no acknowledged send lost, the old leader rejoins."""

import contextlib
import os
import time

import pytest

from ferry_cluster import REPORT, ChurnWriter, StatusRecorder, summarize_ms
from sqsload import ProducerGroup, check_nothing_lost, create_queue, drain, sqs_unavailable_reason

ROUNDS = int(os.environ.get("FERRY_FAILOVER_ROUNDS", "5"))


def new_leader_among(cluster, survivors, old_term):
    """A survivor that reports itself leader in a term after `old_term` (polling only survivors)."""
    for i in survivors:
        s = cluster.status(i, timeout=0.3)
        if s and s["role"] == "leader" and s["term"] > old_term:
            return i
    return None


def wait_steady_load(cluster, producers, acks=5, timeout=20.0):
    if producers is None:
        return
    start = producers.ack_count()
    cluster.wait_until(f"{acks} acknowledged sends", lambda: producers.ack_count() >= start + acks, timeout)


@pytest.mark.parametrize("fault", ["SIGKILL", "SIGSTOP"])
def test_leader_failover(cluster3, fault):
    cluster = cluster3
    reason = sqs_unavailable_reason(cluster, 1)
    queue_url = create_queue(cluster, 1) if reason is None else None
    election_s, first_send_s = [], []
    write_kind = "send" if queue_url else "configuration change"
    with contextlib.ExitStack() as stack:
        recorder = stack.enter_context(StatusRecorder(cluster))
        if queue_url:
            producers = stack.enter_context(ProducerGroup(cluster, queue_url, [1, 2, 3]))
        else:
            # Until SQS sends work: configuration changes through the leader are the write load.
            producers = stack.enter_context(ChurnWriter(cluster))
        for round_number in range(ROUNDS):
            cluster.wait_caught_up([1, 2, 3])
            old = cluster.wait_for_leader()
            old_term = cluster.status(old)["term"]
            survivors = [i for i in (1, 2, 3) if i != old]
            wait_steady_load(cluster, producers)

            fault_at = time.monotonic()
            if fault == "SIGKILL":
                cluster.kill(old)
            else:
                cluster.stop_process(old)
            new = cluster.wait_until(f"a new leader after {fault} of node {old}",
                                     lambda: new_leader_among(cluster, survivors, old_term), timeout=20, interval=0.005)
            election_s.append(time.monotonic() - fault_at)
            first = cluster.wait_until(f"an acknowledged {write_kind} after the fault",
                                       lambda: producers.first_ack_after(fault_at, faulty_node=old), timeout=30, interval=0.005)
            first_send_s.append(first - fault_at)

            if fault == "SIGKILL":
                cluster.start(old)
            else:
                time.sleep(0.3)  # the frozen leader misses more heartbeats; the new one keeps serving
                new_term = cluster.status(new)["term"]
                cluster.continue_process(old)
                # The old leader must step down (it hears the newer term) and must not disrupt the new one.
                cluster.wait_until(f"node {old} to step down after SIGCONT",
                                   lambda: (s := cluster.status(old)) and s["role"] != "leader" and s["term"] >= new_term,
                                   timeout=10)
                after = cluster.status(new)
                assert after["role"] == "leader" and after["term"] == new_term, \
                    f"the resumed old leader {old} disrupted leader {new}: {after}"
            cluster.wait_caught_up([1, 2, 3])
            REPORT.add(f"{fault} round {round_number + 1}: leader {old} -> {new}, new leader after "
                       f"{election_s[-1] * 1000:.0f} ms, first acknowledged {write_kind} after "
                       f"{first_send_s[-1] * 1000:.0f} ms")
        producers.stop()
    assert not recorder.split_brains(), f"two leaders in one term: {recorder.split_brains()}"
    REPORT.add(summarize_ms(f"{fault} of the leader -> new leader in /_ferry/status", election_s))
    REPORT.add(summarize_ms(f"{fault} of the leader -> first acknowledged {write_kind}", first_send_s))
    if queue_url:
        acked = producers.acked()
        received = drain(cluster.nodes[2].url, queue_url)
        lost = check_nothing_lost(acked, received)
        REPORT.add(f"{fault}: {len(acked)} sends acknowledged, {len(producers.failed())} failed (unknown outcome), "
                   f"{len(received)} distinct received, lost {len(lost)}")
        assert not lost, f"acknowledged sends lost: {lost[:20]}"
    else:
        # Every acknowledged change is committed on every node (none was lost by a failover).
        statuses = cluster.wait_caught_up([1, 2, 3])
        last = max(producers.acked_indexes)
        REPORT.add(f"{fault}: no SQS yet ({reason}); {len(producers.acked_indexes)} configuration changes "
                   f"acknowledged, the last at {last}, all committed on every node")
        for s in statuses.values():
            assert s["commit"] >= last and s["voters"] == [1, 2, 3], s

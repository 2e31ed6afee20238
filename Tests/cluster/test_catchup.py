"""A node killed while the cluster keeps writing catches up when it restarts: from the leader's log, and,
once the log was compacted past what it holds, from a snapshot."""

import time

from ferry_cluster import REPORT, churn_configuration
from sqsload import create_queue, drain, sqs_client, sqs_unavailable_reason, check_nothing_lost


def write_while_down(cluster, entries, queue_url):
    """Commits at least `entries` entries with the cluster's best available workload; returns acked bodies."""
    acked = {}
    if queue_url:
        leader = cluster.wait_for_leader()
        client = sqs_client(cluster.nodes[leader].url)
        for k in range(entries):
            body = f"while-down-{time.monotonic_ns()}-{k}"
            acked[body] = client.send_message(QueueUrl=queue_url, MessageBody=body)["MessageId"]
    else:
        churn_configuration(cluster, entries)
    return acked


def kill_write_restart(cluster, entries, expect_snapshot):
    reason = sqs_unavailable_reason(cluster, 1)
    queue_url = create_queue(cluster, 1) if reason is None else None
    leader = cluster.wait_for_leader()
    victim = next(i for i in (1, 2, 3) if i != leader)
    before = cluster.wait_caught_up([1, 2, 3])[victim]
    cluster.kill(victim)
    acked = write_while_down(cluster, entries, queue_url)
    survivors = [i for i in (1, 2, 3) if i != victim]
    leader_status = cluster.wait_caught_up(survivors)[cluster.wait_for_leader()]
    assert leader_status["commit"] >= before["last_index"] + entries
    if expect_snapshot:
        # The leader's log no longer holds what the victim needs next: only a snapshot can bring it back.
        assert leader_status["snapshot_index"] > before["last_index"] + 1, leader_status

    started_at = time.monotonic()
    cluster.start(victim)
    caught = cluster.wait_caught_up([1, 2, 3], timeout=60)
    catch_up_s = time.monotonic() - started_at
    behind = leader_status["commit"] - before["applied"]
    log = cluster.nodes[victim].log_text()
    installed = "snapshot installed" in log
    REPORT.add(f"catch-up{' via snapshot' if expect_snapshot else ''}: node {victim} restarted {behind} entries behind, "
               f"applied the leader's commit {caught[victim]['applied']} after {catch_up_s * 1000:.0f} ms "
               f"(snapshot installed: {installed})")
    if expect_snapshot:
        assert installed, "the restarted node caught up without installing a snapshot"
        assert caught[victim]["snapshot_index"] > before["last_index"]
    if queue_url:
        received = drain(cluster.nodes[victim].url, queue_url)
        assert not check_nothing_lost(acked, received)
    assert caught[victim]["voters"] == [1, 2, 3]


def test_restarted_node_catches_up_from_the_log(cluster3):
    kill_write_restart(cluster3, entries=30, expect_snapshot=False)


def test_restarted_node_catches_up_via_snapshot_after_compaction(make_cluster):
    cluster = make_cluster(snapshot_interval_entries=50)
    cluster.wait_for_leader()
    kill_write_restart(cluster, entries=160, expect_snapshot=True)

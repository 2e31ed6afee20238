"""Membership from the CLI: grow 3 -> 4 (learner, catch up, promote), move leadership to the new node,
remove an original node; the cluster keeps serving throughout."""

import subprocess

import pytest

from ferry_cluster import REPORT, churn_configuration, ferry_cli_binary
from sqsload import ProducerGroup, check_nothing_lost, create_queue, drain, sqs_unavailable_reason


def ferry(cluster, *args, timeout=90):
    binary = ferry_cli_binary()
    endpoints = ",".join(n.url for n in cluster.nodes.values())
    result = subprocess.run([str(binary), *args, "--endpoints", endpoints, "--timeout-seconds", "60"],
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"ferry {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_grow_to_four_then_remove_one(make_cluster):
    if not ferry_cli_binary().exists():
        pytest.fail(f"{ferry_cli_binary()} not found: run `swift build --product ferry`")
    cluster = make_cluster(voters=3, spares=1, snapshot_interval_entries=50)
    cluster.wait_for_leader()
    reason = sqs_unavailable_reason(cluster, 1)
    queue_url = create_queue(cluster, 1) if reason is None else None
    producers = ProducerGroup(cluster, queue_url, [2, 3]).__enter__() if queue_url else None
    try:
        # History past a compaction: the new learner can only catch up by installing a snapshot.
        churn_configuration(cluster, 120)
        cluster.start(4)
        out = ferry(cluster, "members", "add", "4")
        REPORT.add("ferry members add 4: " + " | ".join(out.strip().splitlines()))
        statuses = cluster.wait_caught_up([1, 2, 3, 4])
        assert "snapshot installed" in cluster.nodes[4].log_text()
        for s in statuses.values():
            assert s["voters"] == [1, 2, 3, 4] and s["learners"] == [], s

        out = ferry(cluster, "transfer-leadership", "4")
        assert cluster.wait_for_leader() == 4, out
        out = ferry(cluster, "members", "remove", "1")
        REPORT.add("ferry members remove 1: " + out.strip())
        cluster.wait_until("every remaining node to drop node 1",
                           lambda: all(s["voters"] == [2, 3, 4] for s in cluster.statuses([2, 3, 4]).values()))
        cluster.kill(1)
        # Still serving with three voters, one of them the new node.
        churn_configuration(cluster, 6)
        statuses = cluster.wait_caught_up([2, 3, 4])
        assert all(s["voters"] == [2, 3, 4] for s in statuses.values()), statuses
        print(ferry(cluster, "members", "list"))
    finally:
        if producers:
            producers.stop()
    if producers:
        acked = producers.acked()
        received = drain(cluster.nodes[4].url, queue_url)
        assert not check_nothing_lost(acked, received)
        REPORT.add(f"membership: {len(acked)} sends acknowledged during the changes, none lost")


def test_a_node_that_never_answered_is_not_promoted(make_cluster):
    """On a young log (fewer entries than the promotion lag bound) a learner at match 0 once counted as caught
    up: `ferry members add 99` promoted a node that never ran, and 3 of 4 became the majority."""
    if not ferry_cli_binary().exists():
        pytest.fail(f"{ferry_cli_binary()} not found: run `swift build --product ferry`")
    cluster = make_cluster(voters=3)
    leader = cluster.wait_for_leader()
    endpoints = ",".join(n.url for n in cluster.nodes.values())
    result = subprocess.run([str(ferry_cli_binary()), "members", "add", "99", "--endpoints", endpoints,
                             "--timeout-seconds", "3"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "node 99 has not answered the leader" in result.stdout + result.stderr, result.stdout + result.stderr
    status = cluster.status(cluster.wait_for_leader())
    assert status["voters"] == [1, 2, 3] and status["learners"] == [99], (leader, status)
    code, body = cluster.http(cluster.wait_for_leader(), "POST", "/_ferry/members/promote?id=99")
    assert code == 409 and body["detail"] == "learner 99 has not answered the leader yet", (code, body)

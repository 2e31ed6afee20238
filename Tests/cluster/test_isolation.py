"""A node cut off from its peers (iptables on loopback) answers its SQS clients within documented bounds:
- a write that finds no leader is answered 503 after `leader_wait_ms` (it was never proposed: safe to retry);
- a write already sent to a leader that then vanished is answered 503 at `command_timeout_seconds` (it
  may have been applied, so the node cannot say "not applied" sooner).
Without them, writes on a cut-off node waited 14-23 s, long past SDKs' read timeouts.
"""
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import netfault
from ferry_cluster import REPORT

LEADER_WAIT_MS = 1500
COMMAND_TIMEOUT_S = 5
# The node reviews waiters every 100 ms, and its timeouts are counted in ticks of its event loop: on a
# starved machine (CI's two cores running three nodes, pytest and boto3) ticks fall behind the wall clock.
SLACK_S = 2.5


def sqs(cluster, node_id):
    return boto3.client("sqs", endpoint_url=cluster.nodes[node_id].url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=60))


def timed_send_failure(client, url, body):
    start = time.monotonic()
    with pytest.raises(ClientError) as e:
        client.send_message(QueueUrl=url, MessageBody=body)
    return time.monotonic() - start, e.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def isolatable(make_cluster):
    reason = netfault.available()
    if reason:
        pytest.skip(reason)
    cluster = make_cluster(start=False, extra_config={
        "leader_wait_ms": LEADER_WAIT_MS, "command_timeout_seconds": COMMAND_TIMEOUT_S})
    netfault.prepare_isolatable(cluster, 3)
    cluster.start_all()
    leader = cluster.wait_for_leader()
    if leader == 3:
        cluster.http(3, "POST", "/_ferry/transfer-leadership?to=1")
        cluster.wait_for_leader(not_node=3)
    return cluster


def test_a_cut_off_node_answers_new_writes_503_within_the_leader_wait(isolatable):
    cluster = isolatable
    client = sqs(cluster, 3)
    url = sqs(cluster, 1).create_queue(QueueName="isolation")["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody="before")  # node 3 forwards it to the leader
    with netfault.Isolation(cluster, 3):
        cluster.wait_until("node 3 to know it has no leader", lambda: (cluster.status(3) or {}).get("leader") == 0)
        elapsed = []
        for i in range(3):
            seconds, status = timed_send_failure(client, url, f"cut off {i}")
            assert status == 503
            elapsed.append(seconds)
        REPORT.add("cut-off node, new write: 503 after " + ", ".join(f"{s:.2f}" for s in elapsed)
                   + f" s (leader_wait_ms = {LEADER_WAIT_MS})")
        assert all(LEADER_WAIT_MS / 1000 - 0.2 <= s <= LEADER_WAIT_MS / 1000 + SLACK_S for s in elapsed), elapsed
        # Reads fail fast too: the node cannot confirm a leader.
        start = time.monotonic()
        with pytest.raises(ClientError):
            client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        assert time.monotonic() - start <= COMMAND_TIMEOUT_S + SLACK_S
    # Healed: the node serves again.
    cluster.wait_until("node 3 to rejoin", lambda: (cluster.status(3) or {}).get("leader") not in (None, 0))
    client.send_message(QueueUrl=url, MessageBody="after")


def test_a_write_sent_to_a_leader_that_vanished_is_answered_at_the_command_timeout(isolatable):
    cluster = isolatable
    client = sqs(cluster, 3)
    url = sqs(cluster, 1).create_queue(QueueName="isolation-inflight")["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody="before")
    with netfault.Isolation(cluster, 3):
        # At once, before node 3's election timer fires: it still names the old leader and forwards there.
        assert (cluster.status(3) or {}).get("leader") not in (None, 0)
        seconds, status = timed_send_failure(client, url, "in flight")
        REPORT.add(f"cut-off node, write forwarded to a vanished leader: 503 after {seconds:.2f} s "
                   f"(command_timeout_seconds = {COMMAND_TIMEOUT_S})")
        assert status == 503
        assert COMMAND_TIMEOUT_S - 0.2 <= seconds <= COMMAND_TIMEOUT_S + SLACK_S, seconds

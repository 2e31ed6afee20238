"""SQS clients for the cluster tests: boto3 producers that record every acknowledged send, and a drain that
receives everything at the end, so a test can check that no acknowledged message was lost (Jepsen's
total-queue terms: lost = acknowledged and never received)."""

from __future__ import annotations

import contextlib
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

from ferry_cluster import Cluster

QUEUE_NAME = "clustertest"


def sqs_client(url: str, attempts: int = 3, read_timeout: float = 15.0):
    """A boto3 SQS client for one node, with botocore's standard retries (what an SDK user gets)."""
    config = botocore.config.Config(
        region_name="us-east-1",
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=1, read_timeout=read_timeout, tcp_keepalive=True,
    )
    return boto3.client("sqs", endpoint_url=url, aws_access_key_id="test", aws_secret_access_key="test",
                        config=config)


def sqs_unavailable_reason(cluster: Cluster, node_id: int) -> str | None:
    """None when the SQS API serves requests; else why not (until the `service` branch lands, every SQS
    operation answers 503 'not wired')."""
    client = sqs_client(cluster.nodes[node_id].url, attempts=1)
    try:
        client.list_queues()
        return None
    except botocore.exceptions.ClientError as error:
        return f"SQS answers {error.response.get('Error', {})}"
    except botocore.exceptions.BotoCoreError as error:
        return f"SQS unreachable: {error}"


def create_queue(cluster: Cluster, node_id: int, name: str = QUEUE_NAME) -> str:
    client = sqs_client(cluster.nodes[node_id].url, attempts=8)
    return client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "600"})["QueueUrl"]


class Producer(threading.Thread):
    """Sends numbered messages one at a time to one node until stopped; records which were acknowledged
    (and when) and which failed (outcome unknown: they may or may not be in the queue)."""

    def __init__(self, url: str, queue_url: str, prefix: str, node_id: int | None = None):
        super().__init__(daemon=True)
        self.node_id = node_id
        self.client = sqs_client(url)
        self.queue_url = queue_url
        self.prefix = prefix
        self.acked: dict[str, str] = {}       # body -> MessageId
        self.ack_times: list[tuple[float, float]] = []  # (sent, acknowledged), time.monotonic()
        self.failed: list[tuple[str, str]] = []
        self.paused = threading.Event()
        self._halt = threading.Event()
        self.sequence = 0

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        while not self._halt.is_set():
            if self.paused.is_set():
                time.sleep(0.01)
                continue
            self.sequence += 1
            body = f"{self.prefix}-{self.sequence}"
            sent = time.monotonic()
            try:
                answer = self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)
                self.acked[body] = answer["MessageId"]
                self.ack_times.append((sent, time.monotonic()))
            except Exception as error:  # noqa: BLE001 -- any failure is an unknown outcome
                self.failed.append((body, repr(error)[:200]))
                time.sleep(0.01)

    def first_ack_after(self, moment: float) -> float | None:
        """When the first send begun after `moment` was acknowledged (a send begun before it may have
        been committed before the fault, which would measure nothing)."""
        return next((acked for sent, acked in list(self.ack_times) if sent > moment), None)

    def acked_between(self, start: float, end: float) -> bool:
        return any(start <= acked <= end for _, acked in list(self.ack_times))


class ProducerGroup:
    """One producer per node given; the first acknowledgement after a fault across all of them is what a
    client behind a load balancer would see."""

    def __init__(self, cluster: Cluster, queue_url: str, node_ids: list[int], per_node: int = 1):
        self.producers = [Producer(cluster.nodes[i].url, queue_url, f"n{i}p{k}", node_id=i)
                          for i in node_ids for k in range(per_node)]

    def __enter__(self):
        for p in self.producers:
            p.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for p in self.producers:
            p.stop()
        for p in self.producers:
            p.join(timeout=30)

    def acked(self) -> dict[str, str]:
        out = {}
        for p in self.producers:
            out.update(p.acked)
        return out

    def failed(self) -> list[tuple[str, str]]:
        return [f for p in self.producers for f in p.failed]

    def ack_count(self) -> int:
        return sum(len(p.acked) for p in self.producers)

    def first_ack_after(self, moment: float, faulty_node: int | None = None, steady_s: float = 0.2) -> float | None:
        """The first acknowledgement of a send begun after `moment`, across the producers of the nodes other
        than `faulty_node` that were being acknowledged in the `steady_s` before it (all producers if none
        were). A producer whose node was killed in an earlier round may still be inside botocore's retry
        backoff, whose sleeps grow to seconds: measured through it, a failover measures the SDK's sleep, not
        the cluster (with rounds half a second apart, both survivors' producers were sometimes backing off)."""
        steady = [p for p in self.producers
                  if p.node_id != faulty_node and p.acked_between(moment - steady_s, moment)] or self.producers
        times = [t for t in (p.first_ack_after(moment) for p in steady) if t is not None]
        return min(times) if times else None


def drain(url: str, queue_url: str, idle_rounds: int = 3, rounds_max: int = 100_000) -> dict[str, int]:
    """Receives (and deletes) every message until the queue answers empty `idle_rounds` times in a row;
    returns how often each body was received."""
    client = sqs_client(url, attempts=8)
    seen: dict[str, int] = {}
    idle = 0
    for _ in range(rounds_max):
        answer = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                        VisibilityTimeout=600)
        messages = answer.get("Messages", [])
        if not messages:
            idle += 1
            if idle >= idle_rounds:
                return seen
            continue
        idle = 0
        for m in messages:
            seen[m["Body"]] = seen.get(m["Body"], 0) + 1
        client.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(messages)])
    raise AssertionError("drain did not finish")


def check_nothing_lost(acked: dict[str, str], received: dict[str, int]) -> list[str]:
    """Acknowledged bodies never received (Jepsen 'lost'); must be empty."""
    return sorted(set(acked) - set(received))


@contextlib.contextmanager
def sends_under_load(cluster: Cluster, producer_nodes: list[int], what: str):
    """Producers send to `producer_nodes` for the block's duration (when SQS is up on node 1); afterwards every
    acknowledged send is drained from a node still running and none may be lost. Yields the ProducerGroup or None."""
    from ferry_cluster import REPORT
    queue_url = create_queue(cluster, 1) if sqs_unavailable_reason(cluster, 1) is None else None
    producers = ProducerGroup(cluster, queue_url, producer_nodes).__enter__() if queue_url else None
    try:
        yield producers
    finally:
        if producers:
            producers.stop()
    if producers:
        acked = producers.acked()
        reader = next(i for i in cluster.running_ids())
        assert not check_nothing_lost(acked, drain(cluster.nodes[reader].url, queue_url))
        REPORT.add(f"{what}: {len(acked)} sends acknowledged under load, none lost")

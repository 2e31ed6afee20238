"""SNS fan-out under leader failure: a publisher on one node publishes numbered messages to a standard topic
and a FIFO topic, each with 5 subscribed queues (one filtered), while the leader is SIGKILLed. A publish is one
replicated command (docs/design.md, "Topics and fan-out"), so every acknowledged publish must be in every
matching queue, none in a queue whose filter refuses it, and the FIFO queues hold each exactly once in order."""

import json
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

from sqsload import drain, sqs_client

SUBSCRIBERS = 5


def sns_client(url: str):
    config = botocore.config.Config(region_name="us-east-1", retries={"mode": "standard", "max_attempts": 8},
                                    connect_timeout=1, read_timeout=15)
    return boto3.client("sns", endpoint_url=url, aws_access_key_id="test", aws_secret_access_key="test", config=config)


class Publisher(threading.Thread):
    """Publishes n = 0, 1, ... to both topics from one node. A FIFO publish that fails is retried with the same
    deduplication id until acknowledged (what an SDK user does), so each number is acknowledged once."""

    def __init__(self, url, standard_arn, fifo_arn):
        super().__init__(daemon=True)
        self.sns = sns_client(url)
        self.standard_arn, self.fifo_arn = standard_arn, fifo_arn
        self.acked_standard, self.unknown_standard, self.acked_fifo = [], [], []
        self.stopping = threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            attributes = {"parity": {"DataType": "String", "StringValue": "even" if n % 2 == 0 else "odd"}}
            try:
                self.sns.publish(TopicArn=self.standard_arn, Message=str(n), MessageAttributes=attributes)
                self.acked_standard.append(n)
            except botocore.exceptions.BotoCoreError | botocore.exceptions.ClientError:
                self.unknown_standard.append(n)
            while not self.stopping.is_set():
                try:
                    self.sns.publish(TopicArn=self.fifo_arn, Message=str(n), MessageGroupId="g",
                                     MessageDeduplicationId=f"n-{n}", MessageAttributes=attributes)
                    self.acked_fifo.append(n)
                    break
                except botocore.exceptions.BotoCoreError | botocore.exceptions.ClientError:
                    time.sleep(0.05)
            n += 1


def test_publish_reaches_every_matching_queue_across_a_leader_kill(cluster3):
    cluster = cluster3
    leader = cluster.wait_for_leader()
    publisher_node = next(i for i in (1, 2, 3) if i != leader)
    url = cluster.nodes[publisher_node].url
    sqs = sqs_client(url, attempts=8)
    sns = sns_client(url)
    standard_arn = sns.create_topic(Name="fanout")["TopicArn"]
    fifo_arn = sns.create_topic(Name="fanout.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    queues = []  # (queue url, is fifo, even only)
    for i in range(SUBSCRIBERS):
        for fifo in (False, True):
            name = f"sub{i}" + (".fifo" if fifo else "")
            attributes = {"FifoQueue": "true"} if fifo else {}
            queue_url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            even_only = i == 0
            sub_attributes = {"RawMessageDelivery": "true" if fifo else "false"}
            if even_only:
                sub_attributes["FilterPolicy"] = json.dumps({"parity": ["even"]})
            sns.subscribe(TopicArn=fifo_arn if fifo else standard_arn, Protocol="sqs", Endpoint=arn, Attributes=sub_attributes)
            queues.append((queue_url, fifo, even_only))

    publisher = Publisher(url, standard_arn, fifo_arn)
    publisher.start()
    try:
        cluster.wait_until("50 acknowledged publishes", lambda: len(publisher.acked_fifo) >= 50, timeout=60)
        cluster.kill(leader)
        acked_at_kill = len(publisher.acked_fifo)
        cluster.wait_for_leader(ids=[i for i in (1, 2, 3) if i != leader])
        cluster.wait_until("50 more acknowledged publishes after the kill",
                           lambda: len(publisher.acked_fifo) >= acked_at_kill + 50, timeout=60)
        cluster.start(leader)
        cluster.wait_until("25 more with the old leader back", lambda: len(publisher.acked_fifo) >= acked_at_kill + 75,
                           timeout=60)
    finally:
        publisher.stopping.set()
        publisher.join(timeout=30)
    cluster.wait_caught_up([1, 2, 3])

    acked_standard, unknown = set(publisher.acked_standard), set(publisher.unknown_standard)
    for queue_url, fifo, even_only in queues:
        if fifo:
            received = drain_in_order(url, queue_url)
            expected = [n for n in publisher.acked_fifo if not even_only or n % 2 == 0]
            assert received == expected, f"{queue_url}: FIFO delivery not exactly once in order"
        else:
            counts = drain(url, queue_url)
            got = {int(json.loads(body)["Message"]): c for body, c in counts.items()}
            expected = {n for n in acked_standard if not even_only or n % 2 == 0}
            lost = sorted(expected - set(got))
            assert not lost, f"{queue_url}: acknowledged publishes missing: {lost[:20]}"
            extra = sorted(set(got) - expected - unknown)
            assert not extra, f"{queue_url}: never published: {extra[:20]}"
            if even_only:
                assert all(n % 2 == 0 for n in got), f"{queue_url}: the filter let an odd number through"


def drain_in_order(url: str, queue_url: str) -> list[int]:
    """Every body of a FIFO queue in receive order (one group: the order it was published in)."""
    client = sqs_client(url, attempts=8)
    out, idle = [], 0
    while idle < 3:
        messages = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            idle += 1
            continue
        idle = 0
        out += [int(m["Body"]) for m in messages]
        client.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(messages)])
    return out

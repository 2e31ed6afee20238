"""FIFO deduplication and group order, dead-letter queues, redrive move tasks
(docs/sqs-wire.md, "FIFO queues", "Dead-letter queues")."""
import hashlib
import json
import time

import pytest
from botocore.exceptions import ClientError

# Move tasks advance on the leader's 1 s housekeeping tick; generous for a loaded CI machine.
MOVE_TASK_WAIT_S = 30


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_fifo_dedup_returns_original_message_id(sqs_nodes, name):
    url = sqs_nodes[1].create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    first = sqs_nodes[1].send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g",
                                      MessageDeduplicationId="d-1")
    again = sqs_nodes[2].send_message(QueueUrl=url, MessageBody="once, resent", MessageGroupId="g",
                                      MessageDeduplicationId="d-1")
    assert again["MessageId"] == first["MessageId"]
    assert "SequenceNumber" in first
    got = sqs_nodes[3].receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["once"]
    sqs_nodes[3].delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    # The id keeps counting after the original was deleted (5-minute window).
    third = sqs_nodes[1].send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d-1")
    assert third["MessageId"] == first["MessageId"]
    assert sqs_nodes[1].receive_message(QueueUrl=url).get("Messages", []) == []


def test_receive_md5_is_of_the_stored_body_after_a_deduplicated_send_with_another_body(sqs_nodes, name):
    # The MD5 answered to a deduplicated send is of that send's body; a receive's is of the body stored by the
    # original send. (Guards any reuse of send-time digests at receive time, e.g. a per-node cache keyed by
    # message id: the original goes through node 2, the duplicate and the receive through node 1.)
    url = sqs_nodes[1].create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    first = sqs_nodes[2].send_message(QueueUrl=url, MessageBody="original", MessageGroupId="g",
                                      MessageDeduplicationId="d")
    again = sqs_nodes[1].send_message(QueueUrl=url, MessageBody="different", MessageGroupId="g",
                                      MessageDeduplicationId="d")
    assert again["MessageId"] == first["MessageId"]
    assert again["MD5OfMessageBody"] == hashlib.md5(b"different").hexdigest()
    got = sqs_nodes[1].receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in got] == ["original"]
    assert got[0]["MD5OfBody"] == hashlib.md5(b"original").hexdigest()


def test_fifo_content_based_dedup(sqs, name):
    url = sqs.create_queue(QueueName=f"{name}.fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    a = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    b = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    c = sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g")
    assert a["MessageId"] == b["MessageId"] != c["MessageId"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                              MessageSystemAttributeNames=["MessageDeduplicationId"])["Messages"]
    assert [m["Body"] for m in got] == ["same body", "other body"]
    assert got[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same body").hexdigest()


def test_fifo_group_order_and_lock(sqs, name):
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    entries = [{"Id": f"e{i}", "MessageBody": f"a{i}", "MessageGroupId": "A", "MessageDeduplicationId": f"a{i}"}
               for i in range(5)]
    assert len(sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]) == 5
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"b{i}", MessageGroupId="B", MessageDeduplicationId=f"b{i}")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2,
                                MessageSystemAttributeNames=["MessageGroupId", "SequenceNumber"])["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1"]
    assert int(first[0]["Attributes"]["SequenceNumber"]) < int(first[1]["Attributes"]["SequenceNumber"])
    # Group A is locked while a0/a1 are in flight: only group B comes out.
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b0", "b1", "b2"]
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []) == []
    for m in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in third] == ["a2", "a3", "a4"]


def test_fifo_requires_group_id(sqs, name):
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_code(e) == "MissingParameter"


def make_dlq_pair(sqs, name, max_receive_count=1):
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})
    src = sqs.create_queue(QueueName=f"{name}-src", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return src, dlq, dlq_arn


def test_dead_letter_after_max_receive_count(sqs_nodes, name):
    sqs = sqs_nodes[1]
    src, dlq, dlq_arn = make_dlq_pair(sqs, name, max_receive_count=2)
    sent = sqs.send_message(QueueUrl=src, MessageBody="poison")["MessageId"]
    for _ in range(2):
        got = sqs_nodes[2].receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]
        assert got[0]["MessageId"] == sent
    # The third receive would exceed maxReceiveCount: the message moves to the DLQ instead.
    assert sqs_nodes[2].receive_message(QueueUrl=src).get("Messages", []) == []
    moved = sqs_nodes[3].receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in moved] == ["poison"]
    src_arn = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert moved[0]["Attributes"]["DeadLetterQueueSourceArn"] == src_arn
    sources = sqs_nodes[3].list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
    assert sources == [src]


def wait_for_task(sqs, arn, status):
    deadline = time.monotonic() + MOVE_TASK_WAIT_S
    while time.monotonic() < deadline:
        results = sqs.list_message_move_tasks(SourceArn=arn)["Results"]
        if results and results[0]["Status"] == status:
            return results[0]
        time.sleep(0.3)
    raise AssertionError(f"move task not {status} within {MOVE_TASK_WAIT_S} s: {results}")


def test_redrive_move_task_and_cancel(sqs, name):
    src, dlq, dlq_arn = make_dlq_pair(sqs, name)
    for i in range(3):
        sqs.send_message(QueueUrl=src, MessageBody=f"m{i}")
    for _ in range(6):  # one receive each (count 1), then the next receive moves them
        sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0)
    count = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert count["ApproximateNumberOfMessages"] == "3"

    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    done = wait_for_task(sqs, dlq_arn, "COMPLETED")
    assert done["ApproximateNumberOfMessagesMoved"] == 3 and "TaskHandle" not in done
    back = sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in back) == ["m0", "m1", "m2"]

    # A slow task can be cancelled while RUNNING.
    other = sqs.create_queue(QueueName=f"{name}-dest")["QueueUrl"]
    other_arn = sqs.get_queue_attributes(QueueUrl=other, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for m in back:
        sqs.change_message_visibility(QueueUrl=src, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    for _ in range(4):
        sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0)
    slow = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=other_arn, MaxNumberOfMessagesPerSecond=1)
    with pytest.raises(ClientError) as e:  # one active task per source (AWS: InvalidParameterValue, recorded)
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert error_code(e) == "InvalidParameterValue"
    cancelled = sqs.cancel_message_move_task(TaskHandle=slow["TaskHandle"])
    assert 0 <= cancelled["ApproximateNumberOfMessagesMoved"] <= 3
    assert sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]["Status"] == "CANCELLED"
    with pytest.raises(ClientError) as e:
        sqs.cancel_message_move_task(TaskHandle=slow["TaskHandle"])
    assert error_code(e) == "ResourceNotFoundException"


def test_fifo_dedup_scope_message_group(sqs, name):
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={
        "FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    a = sqs.send_message(QueueUrl=url, MessageBody="1", MessageGroupId="g1", MessageDeduplicationId="d")
    b = sqs.send_message(QueueUrl=url, MessageBody="2", MessageGroupId="g2", MessageDeduplicationId="d")
    c = sqs.send_message(QueueUrl=url, MessageBody="3", MessageGroupId="g1", MessageDeduplicationId="d")
    assert a["MessageId"] != b["MessageId"] and c["MessageId"] == a["MessageId"]


def test_fifo_receive_request_attempt_id_retry(sqs_nodes, name):
    url = sqs_nodes[1].create_queue(QueueName=f"{name}.fifo",
                                    Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("x", "y"):
        sqs_nodes[1].send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    first = sqs_nodes[2].receive_message(QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1")["Messages"]
    retry = sqs_nodes[3].receive_message(QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert [m["ReceiptHandle"] for m in retry] == [m["ReceiptHandle"] for m in first]
    assert [m["Body"] for m in first] == ["x", "y"]


def test_standard_queue_accepts_message_group_id(sqs, name):
    """Fair queues (July 2025): a group id on a standard queue is a tenant key, returned on request."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="tenant-a")
    m = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["MessageGroupId"])["Messages"][0]
    assert m["Attributes"] == {"MessageGroupId": "tenant-a"}

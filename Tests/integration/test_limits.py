"""Messages at SQS's size limits, through a follower of a signed cluster (issue: hostile and careless clients).

One SendMessage of MaximumMessageSize bytes used to crash every leader it reached: the command built from
it did not fit in a Raft log entry. These requests must be accepted and come back byte-exact, one byte more
must be refused with SQS's error, and every node must still be running afterwards.
"""
import hashlib
import random
import string

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, running_cluster

KEY, SECRET = "AKIDLIMITS", "limits-secret-key"
MESSAGE_BYTES_MAX = 1_048_576
BATCH_BYTES_MAX = 1_048_576


@pytest.fixture(scope="module")
def signed_cluster():
    with running_cluster(auth="sigv4", credentials=[{"access_key": KEY, "secret_key": SECRET}]) as c:
        yield c


@pytest.fixture(scope="module")
def via_follower(signed_cluster):
    leader = signed_cluster.wait_for_agreed_leader()
    follower = next(n for n in signed_cluster.ids if n != leader)
    other = next(n for n in signed_cluster.ids if n not in (leader, follower))
    return (make_client(signed_cluster.endpoint(follower), key=KEY, secret=SECRET),
            make_client(signed_cluster.endpoint(other), key=KEY, secret=SECRET))


def text(size, seed):
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_letters + string.digits, k=size))


def receive_all(client, url, count):
    got = {}
    for _ in range(30):
        for m in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                        MessageAttributeNames=["All"]).get("Messages", []):
            got[m["MessageId"]] = m
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(got) >= count:
            break
    return list(got.values())


def assert_all_nodes_running(cluster):
    for n, proc in cluster.procs.items():
        assert proc.poll() is None, f"node {n} exited with {proc.returncode}:\n{cluster.logs()}"
    assert cluster.wait_for_agreed_leader(5)


def error_of(call):
    """The SQS error code (without the query-compatible `AWS.SimpleQueueService.` prefix) and HTTP status."""
    with pytest.raises(ClientError) as e:
        call()
    code = e.value.response["Error"]["Code"].removeprefix("AWS.SimpleQueueService.")
    return code, e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_maximum_size_message_through_a_follower_comes_back_byte_exact(signed_cluster, via_follower):
    sender, receiver = via_follower
    url = sender.create_queue(QueueName="limits-max-message")["QueueUrl"]
    body = text(MESSAGE_BYTES_MAX, seed=1)
    sent = sender.send_message(QueueUrl=url, MessageBody=body)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    [message] = receive_all(receiver, url, 1)
    assert message["Body"] == body
    assert_all_nodes_running(signed_cluster)


def test_a_maximum_size_message_with_ten_maximum_attributes(signed_cluster, via_follower):
    sender, receiver = via_follower
    url = sender.create_queue(QueueName="limits-max-attributes")["QueueUrl"]
    names = [("a" * 254) + f"{i:02d}" for i in range(10)]
    data_type = "String." + "t" * 249
    value_bytes = 20_000
    attributes = {name: {"DataType": data_type, "StringValue": text(value_bytes, seed=i)} for i, name in enumerate(names)}
    counted = sum(len(n) + len(data_type) + value_bytes for n in names)
    body = text(MESSAGE_BYTES_MAX - counted, seed=2)
    sender.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    [message] = receive_all(receiver, url, 1)
    assert message["Body"] == body
    assert {n: a["StringValue"] for n, a in message["MessageAttributes"].items()} == \
        {n: a["StringValue"] for n, a in attributes.items()}
    assert_all_nodes_running(signed_cluster)


def test_a_full_batch_of_ten_through_a_follower_comes_back_byte_exact(signed_cluster, via_follower):
    sender, receiver = via_follower
    url = sender.create_queue(QueueName="limits-max-batch")["QueueUrl"]
    bodies = {f"e{i}": text(104_857, seed=100 + i) for i in range(10)}
    answer = sender.send_message_batch(QueueUrl=url, Entries=[{"Id": k, "MessageBody": v} for k, v in bodies.items()])
    assert len(answer["Successful"]) == 10 and not answer.get("Failed")
    got = receive_all(receiver, url, 10)
    assert sorted(m["Body"] for m in got) == sorted(bodies.values())
    assert_all_nodes_running(signed_cluster)


def test_one_byte_over_the_queues_maximum_message_size_is_refused(signed_cluster, via_follower):
    sender, _ = via_follower
    url = sender.create_queue(QueueName="limits-over")["QueueUrl"]
    assert error_of(lambda: sender.send_message(QueueUrl=url, MessageBody=text(MESSAGE_BYTES_MAX + 1, seed=3))) == \
        ("InvalidParameterValue", 400)
    small = sender.create_queue(QueueName="limits-small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    sender.send_message(QueueUrl=small, MessageBody="x" * 1024)
    assert error_of(lambda: sender.send_message(QueueUrl=small, MessageBody="x" * 1025)) == ("InvalidParameterValue", 400)
    assert_all_nodes_running(signed_cluster)


def test_a_batch_one_byte_over_a_mebibyte_is_refused_whole(signed_cluster, via_follower):
    sender, receiver = via_follower
    url = sender.create_queue(QueueName="limits-batch-over")["QueueUrl"]
    sizes = [BATCH_BYTES_MAX // 10] * 9 + [BATCH_BYTES_MAX - 9 * (BATCH_BYTES_MAX // 10) + 1]
    entries = [{"Id": f"e{i}", "MessageBody": text(size, seed=200 + i)} for i, size in enumerate(sizes)]
    assert error_of(lambda: sender.send_message_batch(QueueUrl=url, Entries=entries)) == ("BatchRequestTooLong", 400)
    # One oversized entry among small ones fails the whole request too, as on AWS.
    mixed = [{"Id": "small", "MessageBody": "x"}, {"Id": "huge", "MessageBody": text(MESSAGE_BYTES_MAX + 1, seed=4)}]
    assert error_of(lambda: sender.send_message_batch(QueueUrl=url, Entries=mixed)) == ("BatchRequestTooLong", 400)
    assert receiver.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []
    assert_all_nodes_running(signed_cluster)

"""Send, receive, delete, change visibility, their batches, MD5s and request errors
(docs/sqs-wire.md, "Operations", "Message limits", "Message checksums")."""
import hashlib
import struct

import pytest
from botocore.exceptions import ClientError


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def md5_of_attributes(attributes):
    """docs/sqs-wire.md, "Message checksums", independently of the server's code."""
    out = b""
    for name in sorted(attributes, key=lambda n: n.encode()):
        value = attributes[name]
        out += struct.pack(">I", len(name.encode())) + name.encode()
        out += struct.pack(">I", len(value["DataType"].encode())) + value["DataType"].encode()
        if "BinaryValue" in value:
            out += b"\x02" + struct.pack(">I", len(value["BinaryValue"])) + value["BinaryValue"]
        else:
            data = value["StringValue"].encode()
            out += b"\x01" + struct.pack(">I", len(data)) + data
    return hashlib.md5(out).hexdigest()


ATTRIBUTES = {
    "Name": {"DataType": "String", "StringValue": "Bob"},
    "Ref": {"DataType": "Binary", "BinaryValue": b"ID-1234"},
    "Pi": {"DataType": "Number", "StringValue": "3.14"},
    "test": {"DataType": "String.短发", "StringValue": "短发"},
}


def test_md5_reference_vector():
    # The vector from docs/sqs-wire.md, "Message checksums", to prove the helper above before trusting it.
    assert md5_of_attributes({"Name": {"DataType": "String", "StringValue": "Bob"}}) == "0408bb33aa149494a6a4683d58a7133f"


def test_send_receive_delete_with_md5s(sqs_nodes, name):
    a, b, c = sqs_nodes[1], sqs_nodes[2], sqs_nodes[3]
    url = a.create_queue(QueueName=name)["QueueUrl"]
    body = "héllo wörld \U0001F600\n\t trailing  "
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    sent = b.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES,
                          MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": trace}})
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    assert sent["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    plain = b.send_message(QueueUrl=url, MessageBody="plain")
    assert "MD5OfMessageAttributes" not in plain and "MD5OfMessageSystemAttributes" not in plain

    got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                            MessageSystemAttributeNames=["All"])["Messages"]
    by_id = {m["MessageId"]: m for m in got}
    assert set(by_id) == {sent["MessageId"], plain["MessageId"]}
    m = by_id[sent["MessageId"]]
    assert m["Body"] == body
    assert m["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert m["MessageAttributes"] == ATTRIBUTES
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    assert m["Attributes"]["ApproximateReceiveCount"] == "1"
    assert m["Attributes"]["AWSTraceHeader"] == trace
    assert int(m["Attributes"]["SentTimestamp"]) > 1_600_000_000_000
    p = by_id[plain["MessageId"]]
    assert "MD5OfMessageAttributes" not in p and "MessageAttributes" not in p

    for message in got:
        a.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    attrs = a.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_attribute_filter_and_md5_of_returned(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    m = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["Name", "Pi"], VisibilityTimeout=0,
                            MessageSystemAttributeNames=["SentTimestamp"])["Messages"][0]
    expected = {k: ATTRIBUTES[k] for k in ("Name", "Pi")}
    assert m["MessageAttributes"] == expected
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(expected)
    assert set(m["Attributes"]) == {"SentTimestamp"}
    m = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "MessageAttributes" not in m and "MD5OfMessageAttributes" not in m


def test_batches_with_per_entry_errors(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    result = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok1", "MessageBody": "one", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
        {"Id": "bad", "MessageBody": "nul \x00 not allowed"},
        {"Id": "ok2", "MessageBody": "two"},
    ])
    assert sorted(e["Id"] for e in result["Successful"]) == ["ok1", "ok2"]
    ok1 = next(e for e in result["Successful"] if e["Id"] == "ok1")
    assert ok1["MD5OfMessageBody"] == hashlib.md5(b"one").hexdigest()
    assert ok1["MD5OfMessageAttributes"] == md5_of_attributes({"k": {"DataType": "String", "StringValue": "v"}})
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [("bad", "InvalidMessageContents", True)]

    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
    assert sorted(m["Body"] for m in got) == ["one", "two"]

    # ChangeMessageVisibilityBatch: one good handle, one malformed.
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "b", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0},
    ])
    assert [e["Id"] for e in changed["Successful"]] == ["a"]
    assert [(f["Id"], f["Code"]) for f in changed["Failed"]] == [("b", "ReceiptHandleIsInvalid")]
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in again] == [got[0]["Body"]]

    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "x", "ReceiptHandle": again[0]["ReceiptHandle"]},
        {"Id": "y", "ReceiptHandle": got[1]["ReceiptHandle"]},
        {"Id": "z", "ReceiptHandle": "garbage"},
    ])
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["x", "y"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in deleted["Failed"]] == [("z", "ReceiptHandleIsInvalid", True)]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_change_visibility(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="v")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"][0]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    second = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    with pytest.raises(ClientError) as e:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=43201)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert error_code(e) == "ReceiptHandleIsInvalid"


def test_delay(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=2)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    # A long poll picks the message up when its delay ends (a timer, not a send, wakes it).
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    assert [m["Body"] for m in got] == ["later"]


def test_request_errors(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 2000)  # over the queue's MaximumMessageSize
    assert error_code(e) == "InvalidParameterValue"
    big = sqs.create_queue(QueueName=name + "-big")["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=big, MessageBody="x" * (1_048_576 + 1))  # over 1 MiB
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=43201)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={"AWS.bad": {"DataType": "String", "StringValue": "v"}})
    assert error_code(e) == "InvalidParameterValue"


def test_bad_batch_ids(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    cases = [
        ([{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}],
         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
        ([{"Id": "has space", "MessageBody": "a"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        ([{"Id": f"e{i}", "MessageBody": "a"} for i in range(11)], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
        ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
    ]
    for entries, code in cases:
        with pytest.raises(ClientError) as e:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert error_code(e) == code
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as e:
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "d", "ReceiptHandle": "h"}, {"Id": "d", "ReceiptHandle": "h"}])
    assert error_code(e) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_writes_through_one_node_visible_through_another(sqs_nodes, name):
    url = sqs_nodes[1].create_queue(QueueName=name)["QueueUrl"]
    ids = {sqs_nodes[n].send_message(QueueUrl=url, MessageBody=f"from node {n}")["MessageId"] for n in (1, 2, 3)}
    seen = set()
    for n in (3, 2, 1):
        for m in sqs_nodes[n].receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            seen.add(m["MessageId"])
            sqs_nodes[(n % 3) + 1].delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert seen == ids
    for n in (1, 2, 3):
        attrs = sqs_nodes[n].get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"

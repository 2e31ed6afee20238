"""Receipt handles carry a MAC keyed from the cluster secret (issue 17): a handle built from a real one,
with its message slot changed, is ReceiptHandleIsInvalid on every operation that takes one and changes
nothing; the real handle works through any node of the cluster."""
import pytest
from botocore.exceptions import ClientError

# The layout the queue machine mints (Sources/FerryQueue/Identifiers.swift): "FR1", queue id (8 hex),
# slot (16 hex), receive count (8 hex), FNV-1a check (8 hex); the edge appends 32 hex digits of MAC.
SEQ = slice(11, 27)
MACHINE_BYTES = 43
MAC_HEX = 32


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def with_slot(handle, seq, recompute_check):
    """`handle` naming slot `seq` instead; the old unkeyed check recomputed as a forger of that format
    would, or left as it was. The MAC is kept either way: nobody without the secret can recompute it."""
    machine = handle[:SEQ.start] + f"{seq:016x}" + handle[SEQ.stop:MACHINE_BYTES]
    if recompute_check:
        queue, epoch = int(machine[3:11], 16), int(machine[27:35], 16)
        check = fnv1a32(queue.to_bytes(4, "big") + seq.to_bytes(8, "big") + epoch.to_bytes(4, "big"))
        machine = machine[:35] + f"{check:08x}"
    return machine + handle[MACHINE_BYTES:]


def invalid(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    assert excinfo.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"
    assert "is not a valid receipt handle" in excinfo.value.response["Error"]["Message"]


def receive_both(client, url):
    got = {}
    for _ in range(20):
        for m in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=120,
                                        MessageSystemAttributeNames=["ApproximateReceiveCount"]).get("Messages", []):
            got[m["Body"]] = m
        if len(got) == 2:
            return got
    raise AssertionError(f"received {sorted(got)} only")


def test_forged_handles_are_refused_and_change_nothing(sqs_nodes, name):
    a, b, c = sqs_nodes[1], sqs_nodes[2], sqs_nodes[3]
    url = a.create_queue(QueueName=name)["QueueUrl"]
    other_url = a.create_queue(QueueName=name + "-other")["QueueUrl"]
    a.send_message(QueueUrl=url, MessageBody="mine")
    a.send_message(QueueUrl=url, MessageBody="theirs")
    got = receive_both(a, url)
    mine, theirs = got["mine"]["ReceiptHandle"], got["theirs"]["ReceiptHandle"]
    assert len(mine) == MACHINE_BYTES + MAC_HEX <= 1024
    their_seq = int(theirs[SEQ], 16)

    forgeries = [
        with_slot(mine, their_seq, recompute_check=False),  # the sequence digits changed, nothing recomputed
        with_slot(mine, their_seq, recompute_check=True),   # what the unkeyed format accepted
        theirs[:MACHINE_BYTES],                             # the unkeyed format itself
        theirs[:-1] + ("0" if theirs[-1] != "0" else "1"),  # the MAC altered
        theirs[:-1], theirs + "0",                          # truncated, extended
    ]
    for forged in forgeries:
        invalid(lambda: a.delete_message(QueueUrl=url, ReceiptHandle=forged))
        invalid(lambda: a.change_message_visibility(QueueUrl=url, ReceiptHandle=forged, VisibilityTimeout=0))
        for op, extra in ((a.delete_message_batch, {}), (a.change_message_visibility_batch, {"VisibilityTimeout": 0})):
            result = op(QueueUrl=url, Entries=[{"Id": "forged", "ReceiptHandle": forged, **extra}])
            assert result.get("Successful", []) == []
            assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == \
                [("forged", "ReceiptHandleIsInvalid", True)]
    # A real handle is bound to its queue.
    invalid(lambda: a.delete_message(QueueUrl=other_url, ReceiptHandle=theirs))

    # "theirs" is still there and still in flight: nothing above deleted it or made it visible.
    attributes = c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "2"
    assert c.receive_message(QueueUrl=url).get("Messages", []) == []

    # The real handles work through the other nodes: a handle minted via node 1 opens on nodes 2 and 3.
    b.change_message_visibility(QueueUrl=url, ReceiptHandle=theirs, VisibilityTimeout=0)
    again = c.receive_message(QueueUrl=url, VisibilityTimeout=120,
                              MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in again] == [("theirs", "2")]
    b.delete_message(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"])
    result = c.delete_message_batch(QueueUrl=url, Entries=[{"Id": "m", "ReceiptHandle": mine}])
    assert [e["Id"] for e in result["Successful"]] == ["m"] and result.get("Failed", []) == []
    attributes = b.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")

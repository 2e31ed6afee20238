"""Long polling waits at the node the client talks to and answers as soon as a message lands
(docs/sqs-wire.md, "Long poll").

Timing assertions are one-sided and generous: "returned before the deadline", "did wait a while", never a
tight wall-clock bound.
"""
import threading
import time

WAIT_S = 5


def receive_in_thread(client, **kwargs):
    box = {}

    def run():
        started = time.monotonic()
        try:
            box["result"] = client.receive_message(**kwargs)
        except Exception as error:  # reported by the caller's assertion
            box["error"] = error
        box["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def test_long_poll_returns_when_a_send_lands_on_another_node(sqs_nodes, name):
    url = sqs_nodes[1].create_queue(QueueName=name)["QueueUrl"]
    thread, box = receive_in_thread(sqs_nodes[2], QueueUrl=url, WaitTimeSeconds=WAIT_S)
    time.sleep(1)
    assert thread.is_alive(), "an empty long poll must wait, not answer at once"
    sqs_nodes[3].send_message(QueueUrl=url, MessageBody="wake up")
    thread.join(timeout=WAIT_S + 10)
    assert not thread.is_alive()
    assert "error" not in box, box.get("error")
    assert [m["Body"] for m in box["result"]["Messages"]] == ["wake up"]
    assert box["elapsed"] < WAIT_S - 0.5, f"answered at {box['elapsed']:.2f} s, not when the message landed"


def test_long_poll_times_out_empty(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    started = time.monotonic()
    result = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
    elapsed = time.monotonic() - started
    assert result.get("Messages", []) == []
    assert 1.5 <= elapsed < 10


def test_queue_default_wait_time(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"ReceiveMessageWaitTimeSeconds": "2"})["QueueUrl"]
    started = time.monotonic()
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    assert time.monotonic() - started >= 1.5
    started = time.monotonic()
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)  # the request's 0 wins over the queue's default
    assert time.monotonic() - started < 1.5


def test_many_waiters_each_get_a_message(sqs_nodes, name):
    url = sqs_nodes[1].create_queue(QueueName=name)["QueueUrl"]
    polls = [receive_in_thread(sqs_nodes[n], QueueUrl=url, WaitTimeSeconds=WAIT_S + 5) for n in (1, 2, 3, 1, 2, 3)]
    time.sleep(1)
    sqs_nodes[1].send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": f"m{i}"} for i in range(6)])
    bodies = []
    for thread, box in polls:
        thread.join(timeout=WAIT_S + 15)
        assert not thread.is_alive() and "error" not in box, box
        bodies += [m["Body"] for m in box["result"].get("Messages", [])]
    # Every message is delivered exactly once across the waiters (visibility 30 s keeps them in flight).
    assert sorted(bodies) == [f"m{i}" for i in range(6)]


def test_parked_long_polls_do_not_spin_the_log(cluster, sqs_nodes, name):
    """LocalStack #4386: waiting must not poll. Six parked receives for 3 s may cost their own receive
    commands and the leader's 1/s housekeeping ticks, nothing like a retry loop."""
    url = sqs_nodes[1].create_queue(QueueName=name)["QueueUrl"]
    before = cluster.require_status(1)["applied"]
    polls = [receive_in_thread(sqs_nodes[n], QueueUrl=url, WaitTimeSeconds=3) for n in (1, 2, 3, 1, 2, 3)]
    for thread, box in polls:
        thread.join(timeout=20)
        assert not thread.is_alive() and box["result"].get("Messages", []) == []
    assert cluster.require_status(1)["applied"] - before < 6 + 20


def test_long_poll_on_a_deleted_queue_answers(sqs, sqs_nodes, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    thread, box = receive_in_thread(sqs_nodes[2], QueueUrl=url, WaitTimeSeconds=WAIT_S)
    time.sleep(1)
    sqs.delete_queue(QueueUrl=url)
    thread.join(timeout=WAIT_S + 10)
    assert box.get("elapsed", WAIT_S) < WAIT_S - 0.5
    assert "error" in box and box["error"].response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_long_poll_wakes_when_a_visibility_timeout_ends(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="comes back")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=2)["Messages"][0]
    started = time.monotonic()
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    assert [m["MessageId"] for m in again] == [first["MessageId"]]
    assert time.monotonic() - started < 8


def test_fifo_long_poll_wakes_when_the_group_head_is_deleted(sqs, sqs_nodes, name):
    url = sqs.create_queue(QueueName=f"{name}.fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("head", "next"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    head = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert head["Body"] == "head"
    thread, box = receive_in_thread(sqs_nodes[3], QueueUrl=url, WaitTimeSeconds=WAIT_S)
    time.sleep(1)
    assert thread.is_alive(), "the group is locked while its head is in flight"
    sqs_nodes[2].delete_message(QueueUrl=url, ReceiptHandle=head["ReceiptHandle"])
    thread.join(timeout=WAIT_S + 10)
    assert [m["Body"] for m in box["result"]["Messages"]] == ["next"]
    assert box["elapsed"] < WAIT_S - 0.5


def test_a_hung_up_long_poll_does_not_take_messages(cluster, sqs, name):
    from botocore.exceptions import ReadTimeoutError
    from conftest import make_client
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    impatient = make_client(cluster.endpoint(2), read_timeout=1, retries={"total_max_attempts": 1})
    try:
        impatient.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    except ReadTimeoutError:
        pass
    time.sleep(1.5)  # the client has closed its connection; the node notices within its 1 s sweep
    sqs.send_message(QueueUrl=url, MessageBody="for the patient")
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
    assert [m["Body"] for m in got] == ["for the patient"]


def test_deleted_messages_timers_do_not_wake_parked_polls(cluster, sqs_nodes, name):
    """A received and deleted message's visibility timeout ends later; it must not make parked polls send
    receive commands through the log (each came back empty and paused its poll 50 ms). Five messages
    received 150 ms apart give five distinct timeouts, under one parked poll per node."""
    url = sqs_nodes[1].create_queue(QueueName=name, Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
    for i in range(5):
        sqs_nodes[1].send_message(QueueUrl=url, MessageBody=f"m{i}")
        message = sqs_nodes[1].receive_message(QueueUrl=url)["Messages"][0]
        sqs_nodes[1].delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        time.sleep(0.15)
    before = cluster.require_status(1)["applied"]
    polls = [receive_in_thread(sqs_nodes[n], QueueUrl=url, WaitTimeSeconds=4) for n in (1, 2, 3)]
    for thread, box in polls:
        thread.join(timeout=20)
        assert not thread.is_alive() and "error" not in box, box
        assert box["result"].get("Messages", []) == []
    # Each poll's own receive on arrival and the leader's housekeeping ticks (1/s); a wake per stale timer
    # per node would add up to fifteen more.
    applied = cluster.require_status(1)["applied"] - before
    assert applied < 3 + 8, f"{applied} entries applied while three polls waited on an empty queue"


def test_polls_at_one_node_queue_behind_the_oldest(cluster, sqs_nodes, name):
    """A ReceiveMessage arriving while others wait at the same node for the same queue parks behind them
    without a receive command of its own, and the oldest waiter is answered first."""
    url = sqs_nodes[1].create_queue(QueueName=name)["QueueUrl"]
    before = cluster.require_status(1)["applied"]
    oldest = receive_in_thread(sqs_nodes[1], QueueUrl=url, WaitTimeSeconds=4)
    time.sleep(0.5)
    others = [receive_in_thread(sqs_nodes[1], QueueUrl=url, WaitTimeSeconds=3) for _ in range(9)]
    time.sleep(0.5)
    sqs_nodes[1].send_message(QueueUrl=url, MessageBody="first come")
    for thread, box in [oldest] + others:
        thread.join(timeout=20)
        assert not thread.is_alive() and "error" not in box, box
    assert [m["Body"] for m in oldest[1]["result"].get("Messages", [])] == ["first come"]
    assert all(box["result"].get("Messages", []) == [] for _, box in others)
    # The oldest's receive on arrival, the send, the woken receive and the leader's housekeeping ticks
    # (1/s); a receive per arriving request would add nine more.
    applied = cluster.require_status(1)["applied"] - before
    assert applied < 3 + 8, f"{applied} entries applied for ten polls and one send"


def test_long_poll_on_a_dead_letter_queue_wakes_when_a_receive_moves_a_message_in(sqs, name):
    # Only the queues an applied receive touched are re-checked: its own and its RedrivePolicy's target.
    # Without the target the poll would wake at the next housekeeping tick instead (within a second).
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": "1"}}'
    source = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    assert len(sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]) == 1
    started = time.monotonic()
    thread, box = receive_in_thread(sqs, QueueUrl=dlq, WaitTimeSeconds=WAIT_S)
    time.sleep(1)
    assert thread.is_alive(), "an empty long poll must wait, not answer at once"
    assert sqs.receive_message(QueueUrl=source).get("Messages", []) == []  # received twice: moved to the DLQ
    moved_s = time.monotonic() - started
    thread.join(timeout=WAIT_S + 10)
    assert "error" not in box, box.get("error")
    assert [m["Body"] for m in box["result"]["Messages"]] == ["poison"]
    late_s = box["elapsed"] - moved_s
    assert late_s < 0.4, f"answered {late_s:.2f} s after the message moved, not when it moved"

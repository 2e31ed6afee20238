"""Long polls at a node that has lost the cluster: a new request still ends in the 503 that SDKs retry
(once no leader appears within the node's command timeout), even while older polls are parked there and a
request would otherwise queue behind them for an empty answer."""

import signal
import threading
import time

import botocore.exceptions

from sqsload import create_queue, sqs_client


def test_a_node_without_a_leader_answers_new_long_polls_503_not_empty(cluster3):
    leader = cluster3.wait_for_leader()
    alone = next(i for i in (1, 2, 3) if i != leader)
    queue_url = create_queue(cluster3, alone, name="lonely")
    parked = sqs_client(cluster3.nodes[alone].url, attempts=1, read_timeout=40)
    threading.Thread(target=lambda: _ignore_errors(parked.receive_message, QueueUrl=queue_url, WaitTimeSeconds=20),
                     daemon=True).start()
    time.sleep(1)  # the first poll has made its receive and parked
    for other in (1, 2, 3):
        if other != alone:
            cluster3.signal(other, signal.SIGKILL)
    cluster3.wait_until(f"node {alone} to lose its leader",
                        lambda: cluster3.http(alone, "GET", "/_ferry/health")[0] == 503, timeout=15)

    client = sqs_client(cluster3.nodes[alone].url, attempts=1, read_timeout=40)
    try:
        answer = client.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)
        raise AssertionError(f"answered {answer.get('Messages', [])}: a cut-off node looked like an empty queue")
    except botocore.exceptions.ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503, error.response


def _ignore_errors(call, **kwargs):
    try:
        call(**kwargs)
    except Exception:  # the node is killed under it at teardown
        pass

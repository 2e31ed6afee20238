"""`ferry bench` as users load it (issue 19), against a cluster with auth = "sigv4": every request signed as
the SDKs sign it, one message per SendMessage, producers and consumers apart (a backlog filled by one run and
drained by another), several queues, parked long polls; and the delivery ledger's verdict each time."""
import os
import re
import subprocess

import pytest

from conftest import make_client, running_cluster
from ferry_cluster import REGION, ferry_cli_binary

KEY, SECRET = "AKIDBENCHTEST", "bench-secret-key"
FERRY = str(ferry_cli_binary())
# A debug build on a loaded machine: runs are short, the bound is generous.
BENCH_TIMEOUT_S = 120

pytestmark = pytest.mark.skipif(not os.access(FERRY, os.X_OK), reason="run `swift build --product ferry` first")


@pytest.fixture(scope="module")
def signed_cluster():
    with running_cluster(auth="sigv4", credentials=[{"access_key": KEY, "secret_key": SECRET}]) as c:
        yield c


def bench(cluster, *args, signed=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if signed:
        env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION=REGION)
    return subprocess.run([FERRY, "bench", "--endpoint", cluster.endpoint(1), "--quiet", "--warmup", "0",
                           *(["--sign"] if signed else []), *args],
                          env=env, capture_output=True, text=True, timeout=BENCH_TIMEOUT_S)


def count(pattern, text):
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return int(match.group(1).replace(",", ""))


def test_one_message_per_call_signed_is_delivered_exactly_once(signed_cluster):
    out = bench(signed_cluster, "--batch", "1", "--receive-batch", "1", "--messages", "200", "--connections", "2")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ONE message per SendMessage" in out.stdout and "SigV4-signed" in out.stdout
    assert "send latency per SendMessage " in out.stdout
    assert count(r"sent \(acknowledged\) ([\d,]+)", out.stdout) == 200
    assert count(r"consumed ([\d,]+)   duplicates", out.stdout) == 200
    assert count(r"duplicates ([\d,]+)", out.stdout) == 0
    assert count(r"missing ([\d,]+)", out.stdout) == 0
    assert count(r"delete ([\d,]+) \(", out.stdout) == 200  # one DeleteMessage per message
    assert "errors       none" in out.stdout


def test_without_signing_a_sigv4_cluster_refuses_the_run(signed_cluster):
    out = bench(signed_cluster, "--messages", "10", signed=False)
    assert out.returncode != 0
    assert "MissingAuthenticationToken" in out.stdout + out.stderr


def test_sign_without_credentials_is_a_usage_error(signed_cluster):
    out = subprocess.run([FERRY, "bench", "--endpoint", signed_cluster.endpoint(1), "--sign", "--messages", "1"],
                         env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                         capture_output=True, text=True, timeout=BENCH_TIMEOUT_S)
    assert out.returncode != 0 and "--sign needs credentials" in out.stdout + out.stderr


def test_a_backlog_filled_by_one_run_is_drained_by_another(signed_cluster):
    fill = bench(signed_cluster, "--consumers", "0", "--messages", "300", "--queue", "bench-backlog")
    assert fill.returncode == 0, fill.stdout + fill.stderr
    assert count(r"left queued ([\d,]+) messages", fill.stdout) == 300
    sqs = make_client(signed_cluster.endpoint(1), key=KEY, secret=SECRET)
    url = sqs.get_queue_url(QueueName="bench-backlog")["QueueUrl"]  # kept: no consumers
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "300"

    drain = bench(signed_cluster, "--producers", "0", "--queue", "bench-backlog", "--wait", "0")
    assert drain.returncode == 0, drain.stdout + drain.stderr
    assert count(r"drained ([\d,]+) messages", drain.stdout) == 300
    assert count(r"duplicates ([\d,]+)", drain.stdout) == 0
    assert count(r"not from ferry bench ([\d,]+)", drain.stdout) == 0
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_draining_needs_a_named_queue(signed_cluster):
    out = bench(signed_cluster, "--producers", "0")
    assert out.returncode != 0 and "--producers 0 drains a backlog" in out.stdout + out.stderr


def test_several_queues_and_parked_long_polls_deliver_everything(signed_cluster):
    out = bench(signed_cluster, "--queues", "3", "--long-polls", "4", "--long-poll-wait", "2", "--wait", "0",
                "--batch", "5", "--messages", "300", "--connections", "1")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 queue(s), consumers receive where acknowledged messages wait, 4 parked long polls" in out.stdout
    assert count(r"consumed ([\d,]+)   duplicates", out.stdout) == 300
    assert count(r"missing ([\d,]+)", out.stdout) == 0
    names = make_client(signed_cluster.endpoint(1), key=KEY, secret=SECRET).list_queues().get("QueueUrls", [])
    assert not [n for n in names if "ferry-bench-" in n], names  # its queues are deleted afterwards


def test_fifo_queues_with_content_based_dedup_deliver_each_message_once(signed_cluster):
    out = bench(signed_cluster, "--fifo-groups", "4", "--batch", "1", "--messages", "200", "--connections", "2",
                "--queue", "bench-fifo.fifo", "--keep-queue")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "FIFO over 4 groups, content-based dedup" in out.stdout
    assert count(r"sent \(acknowledged\) ([\d,]+)", out.stdout) == 200
    assert count(r"consumed ([\d,]+)   duplicates", out.stdout) == 200
    assert count(r"duplicates ([\d,]+)", out.stdout) == 0
    sqs = make_client(signed_cluster.endpoint(1), key=KEY, secret=SECRET)
    url = sqs.get_queue_url(QueueName="bench-fifo.fifo")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true" and attributes["ContentBasedDeduplication"] == "true"


@pytest.mark.parametrize("args, message", [
    (["--fifo-groups", "10001"], "--fifo-groups must be 0-10000"),
    (["--fifo-groups", "2", "--queue", "plain"], "--fifo-groups needs a --queue name ending in .fifo"),
    (["--receive-batch", "11"], "--receive-batch must be 1-10"),
    (["--receive-batch", "0"], "--receive-batch must be 1-10"),
    (["--queues", "0"], "--queues must be 1-100000"),
    (["--queues", "100001"], "--queues must be 1-100000"),
    (["--long-poll-wait", "21"], "--long-poll-wait must be 1-20"),
    (["--consumers=-1"], "must not be negative"),
    (["--producers", "0", "--consumers", "0", "--queue", "q"], "nothing to run"),
])
def test_limits_are_refused_before_anything_is_sent(signed_cluster, args, message):
    out = bench(signed_cluster, *args)
    assert out.returncode != 0 and message in out.stdout + out.stderr, out.stdout + out.stderr

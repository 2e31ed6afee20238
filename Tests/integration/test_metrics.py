"""GET /metrics on a live three-node cluster under load (issue 22): parsed by prometheus_client's own text
parser, the families are there and move, the queue gauges are GetQueueAttributes' counts, and the exposure
rules hold (metrics_listen; with sigv4 a bearer token or metrics_public, never open by accident)."""
import os
import threading
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import make_client, running_cluster, wait_until

ACCOUNT = "000000000000"
TOKEN = "integration-scrape-token-0123456789"
KEY, SECRET = "AKIDMETRICS", "metrics-secret-key"

# What every node must expose (docs/metrics.md lists them all; these are the ones the issue names).
REQUIRED_FAMILIES = {
    "ferry_raft_term", "ferry_raft_role", "ferry_raft_leader_id", "ferry_raft_commit_index", "ferry_raft_applied_index",
    "ferry_raft_last_log_index", "ferry_raft_leader_changes", "ferry_raft_elections", "ferry_raft_pre_votes",
    "ferry_raft_snapshots_taken", "ferry_raft_snapshots_sent", "ferry_raft_snapshots_installed", "ferry_peer_connected",
    "ferry_storage_durable_write_seconds", "ferry_storage_durable_write_bytes", "ferry_storage_durable_write_entries",
    "ferry_storage_log_bytes", "ferry_storage_log_segments", "ferry_storage_slow_writes", "ferry_storage_witness_writes",
    "ferry_sqs_requests", "ferry_sqs_request_duration_seconds", "ferry_http_received_bytes", "ferry_http_sent_bytes",
    "ferry_sqs_long_polls_parked", "ferry_http_connections_open",
    "ferry_queue_messages_visible", "ferry_queue_messages_in_flight", "ferry_queue_messages_delayed",
    "ferry_queue_oldest_message_age_seconds", "ferry_queue_messages_sent", "ferry_queue_messages_received",
    "ferry_queue_messages_deleted", "ferry_queue_messages_moved_to_dlq",
    "ferry_event_loop_stalls", "ferry_event_loop_idle_seconds", "ferry_process_resident_memory_bytes",
    "ferry_process_open_fds",
    "ferry_sns_topics", "ferry_sns_subscriptions", "ferry_sns_publishes", "ferry_sns_deliveries",
    "ferry_sns_deliveries_filtered_out",
}


def get(url, headers=None, timeout=5):
    """(status, body, headers) of a GET; 4xx/5xx returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


class Scrape:
    """One /metrics answer, parsed by prometheus_client: samples by (sample name, labels)."""

    def __init__(self, text):
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = {}
        for family in self.families.values():
            for s in family.samples:
                self.samples[(s.name, tuple(sorted(s.labels.items())))] = s.value

    def value(self, name, **labels):
        return self.samples.get((name, tuple(sorted(labels.items()))))

    def total(self, name, **match):
        return sum(v for (n, labels), v in self.samples.items()
                   if n == name and all(dict(labels).get(k) == w for k, w in match.items()))


def scrape(url, headers=None):
    status, body, response_headers = get(url, headers)
    assert status == 200, body
    assert response_headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return Scrape(body)


@pytest.fixture(scope="module")
def metrics_cluster():
    with running_cluster(auth="off", metrics_listen=True) as c:
        yield c


def load(client, url, seconds, stop):
    """Sends batches, receives and deletes until `stop` or `seconds`: what the cluster serves meanwhile."""
    sent = 0
    deadline = threading.Event()
    timer = threading.Timer(seconds, deadline.set)
    timer.start()
    while not deadline.is_set() and not stop.is_set():
        entries = [{"Id": str(i), "MessageBody": f"load {sent + i}"} for i in range(10)]
        client.send_message_batch(QueueUrl=url, Entries=entries)
        sent += 10
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages", [])
        if got:
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got[:5])])
    timer.cancel()
    return sent


def test_families_are_present_and_move_under_load(metrics_cluster):
    c = metrics_cluster
    clients = {n: make_client(c.endpoint(n)) for n in c.ids}
    url = clients[1].create_queue(QueueName="metered")["QueueUrl"]
    before = {n: scrape(f"{c.endpoint(n)}/metrics") for n in c.ids}
    for n in c.ids:
        assert REQUIRED_FAMILIES <= set(before[n].families), REQUIRED_FAMILIES - set(before[n].families)

    stop = threading.Event()
    results = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, load(clients[n], url, 4, stop))) for n in c.ids]
    for t in threads:
        t.start()
    # A scrape in the middle of the load answers like any other.
    mid = scrape(f"{c.endpoint(2)}/metrics")
    assert mid.value("ferry_raft_role", role="leader") in (0.0, 1.0)
    for t in threads:
        t.join()
    assert sum(results.values()) > 0

    after = {n: scrape(f"{c.endpoint(n)}/metrics") for n in c.ids}
    for n in c.ids:
        b, a = before[n], after[n]
        batches = results[n] // 10
        # Every batch this node's client sent was counted on this node, with its latency observed.
        counted = a.value("ferry_sqs_requests_total", operation="SendMessageBatch", outcome="ok") or 0
        assert counted - (b.value("ferry_sqs_requests_total", operation="SendMessageBatch", outcome="ok") or 0) >= batches
        observed = a.value("ferry_sqs_request_duration_seconds_count", operation="SendMessageBatch")
        assert observed - b.value("ferry_sqs_request_duration_seconds_count", operation="SendMessageBatch") >= batches
        assert a.value("ferry_sqs_request_duration_seconds_sum", operation="SendMessageBatch") > 0
        assert a.value("ferry_http_received_bytes_total") > b.value("ferry_http_received_bytes_total")
        assert a.value("ferry_http_sent_bytes_total") > b.value("ferry_http_sent_bytes_total")
        assert a.value("ferry_raft_commit_index") > b.value("ferry_raft_commit_index")
        assert a.value("ferry_storage_durable_write_seconds_count") > b.value("ferry_storage_durable_write_seconds_count")
        # Every replica applies every command: each counts every node's sends to the queue.
        assert a.value("ferry_queue_messages_sent_total", queue="metered") >= sum(results.values()) - 0
        assert a.value("ferry_queue_messages_deleted_total", queue="metered") > 0
        assert a.total("ferry_peer_connected") == 2

    leader = c.status(1)["leader"]
    lead = after[leader]
    assert lead.value("ferry_raft_role", role="leader") == 1
    followers = {dict(labels)["peer"] for (name, labels) in lead.samples if name == "ferry_raft_follower_lag_entries"}
    assert followers == {str(n) for n in c.ids if n != leader}
    for n in c.ids:
        assert after[n].value("ferry_raft_leader_id") == leader
        assert after[n].value("ferry_raft_term") == lead.value("ferry_raft_term")

    # The queue gauges are GetQueueAttributes' counts (each node's once it has applied what the leader has).
    attrs = clients[1].get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    expected = (float(attrs["ApproximateNumberOfMessages"]), float(attrs["ApproximateNumberOfMessagesNotVisible"]),
                float(attrs["ApproximateNumberOfMessagesDelayed"]))

    def gauges(n):
        s = scrape(f"{c.endpoint(n)}/metrics")
        return (s.value("ferry_queue_messages_visible", queue="metered"),
                s.value("ferry_queue_messages_in_flight", queue="metered"),
                s.value("ferry_queue_messages_delayed", queue="metered"))

    for n in c.ids:
        wait_until(lambda n=n: gauges(n) == expected, 5, f"node {n}'s queue gauges equal {expected}: {gauges(n)}")
    assert scrape(f"{c.endpoint(1)}/metrics").value("ferry_queue_oldest_message_age_seconds", queue="metered") > 0


def test_metrics_listen_serves_only_metrics(metrics_cluster):
    c = metrics_cluster
    for n in c.ids:
        base = f"http://127.0.0.1:{c.metrics_ports[n]}"
        s = scrape(f"{base}/metrics")
        assert s.value("ferry_raft_node_id") == n
        assert get(f"{base}/_ferry/status")[0] == 404
        assert get(f"{base}/")[0] == 404


@pytest.fixture(scope="module")
def signed_cluster(tmp_path_factory):
    token_file = tmp_path_factory.mktemp("metrics") / "token"
    token_file.write_text(TOKEN + "\n")
    with running_cluster(auth="sigv4", credentials=[{"access_key": KEY, "secret_key": SECRET, "admin": True}],
                         extra_config=f'metrics_bearer_token_file = "{token_file}"') as c:
        yield c


def test_sigv4_metrics_need_the_bearer_token(signed_cluster):
    url = f"{signed_cluster.endpoint(2)}/metrics"
    status, body, headers = get(url)
    assert status == 401 and "MissingAuthenticationToken" in body
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert get(url, {"Authorization": "Bearer " + TOKEN[:-1]})[0] == 401
    assert get(url, {"Authorization": "Bearer " + TOKEN + "0"})[0] == 401
    assert get(url, {"Authorization": "Basic " + TOKEN})[0] == 401
    s = scrape(url, {"Authorization": "Bearer " + TOKEN})
    assert "ferry_raft_term" in s.families
    # The token opens /metrics only.
    assert get(f"{signed_cluster.endpoint(2)}/_ferry/status", {"Authorization": "Bearer " + TOKEN})[0] == 403
    # A signed client's requests are counted like any other.
    make_client(signed_cluster.endpoint(2), key=KEY, secret=SECRET).list_queues()
    s = scrape(url, {"Authorization": "Bearer " + TOKEN})
    assert s.value("ferry_sqs_requests_total", operation="ListQueues", outcome="ok") >= 1


def test_sigv4_without_token_or_public_never_opens_metrics():
    creds = [{"access_key": KEY, "secret_key": SECRET}]
    with running_cluster(auth="sigv4", credentials=creds, nodes=1) as closed:
        status, body, _ = get(f"{closed.endpoint(1)}/metrics")
        assert status == 403 and "metrics_bearer_token_file" in body
        assert get(f"{closed.endpoint(1)}/metrics", {"Authorization": "Bearer " + TOKEN})[0] == 403
    with running_cluster(auth="sigv4", credentials=creds, nodes=1, extra_config="metrics_public = true") as public:
        assert "ferry_raft_term" in scrape(f"{public.endpoint(1)}/metrics").families


def test_sns_families_count_publishes_and_deliveries(metrics_cluster):
    """Every replica counts each publish by topic kind and outcome, and each subscription's copy: delivered,
    filtered out, dead-lettered, failed (docs/metrics.md, "SNS topics")."""
    import boto3
    from conftest import client_config
    c = metrics_cluster
    sqs = make_client(c.endpoint(1))
    sns = boto3.client("sns", endpoint_url=c.endpoint(1), region_name="us-east-1", aws_access_key_id="AKIDTEST",
                       aws_secret_access_key="test-secret", config=client_config())
    region = sns.meta.region_name
    arn = lambda q: f"arn:aws:sqs:{region}:{ACCOUNT}:{q}"
    before = {n: scrape(f"{c.endpoint(n)}/metrics") for n in c.ids}
    topic = sns.create_topic(Name="metered-topic")["TopicArn"]
    fifo = sns.create_topic(Name="metered-topic.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    for q in ["m-all", "m-red", "m-dlq"]:
        sqs.create_queue(QueueName=q)
    sqs.create_queue(QueueName="m-f.fifo", Attributes={"FifoQueue": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn("m-all"))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn("m-red"), Attributes={"FilterPolicy": '{"color":["red"]}'})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn("m-gone"),
                  Attributes={"RedrivePolicy": '{"deadLetterTargetArn":"%s"}' % arn("m-dlq")})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn("m-gone-too"))
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=arn("m-f.fifo"))
    # 2 publishes x 4 subscriptions: m-all 2 delivered, m-red 1 delivered + 1 filtered, m-gone 2 dead-lettered,
    # m-gone-too 2 failed. The FIFO topic: one published, one duplicate (1 delivered).
    sns.publish(TopicArn=topic, Message="a", MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}})
    sns.publish(TopicArn=topic, Message="b")
    sns.publish(TopicArn=fifo, Message="f", MessageGroupId="g", MessageDeduplicationId="d")
    sns.publish(TopicArn=fifo, Message="f", MessageGroupId="g", MessageDeduplicationId="d")
    with pytest.raises(Exception):
        sns.publish(TopicArn=fifo, Message="f")  # no MessageGroupId: the machine refuses it
    expected = {("ferry_sns_publishes_total", (("outcome", "published"), ("topic_kind", "standard"))): 2,
                ("ferry_sns_publishes_total", (("outcome", "published"), ("topic_kind", "fifo"))): 1,
                ("ferry_sns_publishes_total", (("outcome", "duplicate"), ("topic_kind", "fifo"))): 1,
                ("ferry_sns_publishes_total", (("outcome", "refused"), ("topic_kind", "fifo"))): 1,
                ("ferry_sns_deliveries_total", (("outcome", "delivered"),)): 4,
                ("ferry_sns_deliveries_total", (("outcome", "dead_lettered"),)): 2,
                ("ferry_sns_deliveries_total", (("outcome", "failed"),)): 2,
                ("ferry_sns_deliveries_filtered_out_total", ()): 1}

    def deltas(n):
        a = scrape(f"{c.endpoint(n)}/metrics")
        return {key: (a.samples.get(key) or 0) - (before[n].samples.get(key) or 0) for key in expected}

    for n in c.ids:
        wait_until(lambda n=n: deltas(n) == expected, 5, f"node {n}'s SNS counters moved by {expected}: {deltas(n)}")
        s = scrape(f"{c.endpoint(n)}/metrics")
        assert s.value("ferry_sns_topics") >= 2 and s.value("ferry_sns_subscriptions") >= 5

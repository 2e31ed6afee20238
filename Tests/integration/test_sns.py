"""SNS topics on the cluster with boto3 and the aws cli (docs/sns-wire.md): every operation, the envelope,
raw delivery, FIFO topics and filter policies. A publish is one replicated command that enqueues into every
matching queue (docs/design.md, "Topics and fan-out")."""
import base64
import json
import os
import re
import shutil
import subprocess

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import client_config, make_client, running_cluster
from ferry_cluster import ACCOUNT, REGION

CLI_TIMEOUT_S = 60


def make_sns(endpoint, key="AKIDTEST", secret="test-secret"):
    return boto3.client("sns", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=client_config())


@pytest.fixture(scope="module")
def sns_nodes(cluster):
    return {n: make_sns(cluster.endpoint(n)) for n in cluster.ids}


def queue_arn(name):
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def receive_all(sqs, url, expected, attempts=20):
    got = []
    for _ in range(attempts):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]).get("Messages", [])
        got += batch
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(got) >= expected:
            break
    return got


def test_topic_lifecycle_and_attributes(sns_nodes, name):
    arn = sns_nodes[1].create_topic(Name=name, Attributes={"DisplayName": "Orders"}, Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    assert sns_nodes[2].create_topic(Name=name, Attributes={"DisplayName": "Orders"})["TopicArn"] == arn
    attrs = sns_nodes[3].get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["TopicArn"] == arn and attrs["DisplayName"] == "Orders" and attrs["Owner"] == ACCOUNT
    assert attrs["SubscriptionsConfirmed"] == "0"
    sns_nodes[1].set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="New")
    assert sns_nodes[2].get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "New"
    with pytest.raises(ClientError) as e:
        sns_nodes[1].set_topic_attributes(TopicArn=arn, AttributeName="Bogus", AttributeValue="x")
    assert error_code(e) == "InvalidParameter"
    assert sns_nodes[1].list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    sns_nodes[2].tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    sns_nodes[3].untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns_nodes[1].list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    sns_nodes[1].delete_topic(TopicArn=arn)
    sns_nodes[1].delete_topic(TopicArn=arn)  # idempotent
    with pytest.raises(ClientError) as e:
        sns_nodes[2].get_topic_attributes(TopicArn=arn)
    assert error_code(e) == "NotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        sns_nodes[1].list_tags_for_resource(ResourceArn=arn)
    assert error_code(e) == "ResourceNotFound"


def test_list_topics_paginates(sns_nodes, name):
    arns = {sns_nodes[1].create_topic(Name=f"{name}-{i}")["TopicArn"] for i in range(105)}
    pages = list(sns_nodes[2].get_paginator("list_topics").paginate())
    assert len(pages) >= 2
    listed = {t["TopicArn"] for p in pages for t in p["Topics"]}
    assert arns <= listed
    for arn in arns:
        sns_nodes[1].delete_topic(TopicArn=arn)


def test_publish_fans_out_in_the_aws_envelope(sns_nodes, sqs_nodes, name):
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=name)["TopicArn"]
    urls = []
    subs = []
    for i in range(3):
        url = sqs_nodes[1].create_queue(QueueName=f"{name}-q{i}")["QueueUrl"]
        urls.append(url)
        subs.append(sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(f"{name}-q{i}"))["SubscriptionArn"])
    assert all(s.startswith(topic + ":") for s in subs)
    listed = sns_nodes[2].list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == subs
    assert listed[0] == {"SubscriptionArn": subs[0], "Owner": ACCOUNT, "Protocol": "sqs",
                         "Endpoint": queue_arn(f"{name}-q0"), "TopicArn": topic}
    assert set(subs) <= {s["SubscriptionArn"] for s in sns_nodes[3].list_subscriptions()["Subscriptions"]}
    sub_attrs = sns_nodes[3].get_subscription_attributes(SubscriptionArn=subs[0])["Attributes"]
    assert sub_attrs["PendingConfirmation"] == "false" and sub_attrs["RawMessageDelivery"] == "false"
    assert sub_attrs["Protocol"] == "sqs" and sub_attrs["TopicArn"] == topic

    published = sns_nodes[2].publish(TopicArn=topic, Message="hello \"world\"\n", Subject="greeting",
                                     MessageAttributes={"color": {"DataType": "String", "StringValue": "red"},
                                                        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", published["MessageId"])
    for i, url in enumerate(urls):
        got = receive_all(sqs_nodes[3], url, 1)
        assert len(got) == 1
        raw = got[0]["Body"]
        assert raw.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
        body = json.loads(raw)
        assert list(body) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                              "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
        assert body["MessageId"] == published["MessageId"]
        assert body["TopicArn"] == topic and body["Subject"] == "greeting" and body["Message"] == "hello \"world\"\n"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["Timestamp"])
        assert body["SignatureVersion"] == "1"
        base64.b64decode(body["Signature"], validate=True)
        assert body["SigningCertURL"].endswith(".pem")
        assert body["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={subs[i]}")
        assert body["MessageAttributes"] == {"blob": {"Type": "Binary", "Value": "AAE="},
                                             "color": {"Type": "String", "Value": "red"}}

    sns.unsubscribe(SubscriptionArn=subs[0])
    sns.unsubscribe(SubscriptionArn=subs[0])  # AWS: unsubscribing again succeeds
    with pytest.raises(ClientError) as e:
        sns.get_subscription_attributes(SubscriptionArn=subs[0])
    assert error_code(e) == "NotFound"
    sns.publish(TopicArn=topic, Message="after unsubscribe")
    assert receive_all(sqs_nodes[1], urls[0], 1, attempts=2) == []
    assert [json.loads(m["Body"])["Message"] for m in receive_all(sqs_nodes[1], urls[1], 1)] == ["after unsubscribe"]


def test_raw_delivery_and_message_structure(sns_nodes, sqs, name):
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name),
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="raw body",
                MessageAttributes={"n": {"DataType": "Number", "StringValue": "42"},
                                   "list": {"DataType": "String.Array", "StringValue": '["a","b"]'}})
    got = receive_all(sqs, url, 1)
    assert got[0]["Body"] == "raw body"
    assert got[0]["MessageAttributes"] == {"n": {"DataType": "Number", "StringValue": "42"},
                                           "list": {"DataType": "String.Array", "StringValue": '["a","b"]'}}
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": "for sqs"}))
    assert [m["Body"] for m in receive_all(sqs, url, 1)] == ["for sqs"]
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "x"}))
    assert error_code(e) == "InvalidParameter"
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="false")
    sns.publish(TopicArn=topic, Message="wrapped")
    assert json.loads(receive_all(sqs, url, 1)[0]["Body"])["Message"] == "wrapped"


def test_publish_batch(sns_nodes, sqs, name):
    sns = sns_nodes[2]
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name), Attributes={"RawMessageDelivery": "true"})
    out = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"m{i}"} for i in range(10)])
    assert sorted(s["Id"] for s in out["Successful"]) == [f"e{i}" for i in range(10)]
    assert out["Failed"] == []
    assert sorted(m["Body"] for m in receive_all(sqs, url, 10)) == sorted(f"m{i}" for i in range(10))
    with pytest.raises(ClientError) as e:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": f"e{i}", "Message": "m"} for i in range(11)])
    assert error_code(e) == "TooManyEntriesInBatchRequest"
    with pytest.raises(ClientError) as e:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "m"}])
    assert error_code(e) == "BatchEntryIdsNotDistinct"


def test_fifo_topic_dedups_and_keeps_group_order(sns_nodes, sqs_nodes, name):
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=f"{name}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url = sqs_nodes[1].create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(f"{name}.fifo"),
                  Attributes={"RawMessageDelivery": "true"})
    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g", MessageDeduplicationId="d1")
    again = sns_nodes[2].publish(TopicArn=topic, Message="one again", MessageGroupId="g", MessageDeduplicationId="d1")
    assert again["MessageId"] == first["MessageId"] and "SequenceNumber" in first
    sns_nodes[3].publish(TopicArn=topic, Message="two", MessageGroupId="g", MessageDeduplicationId="d2")
    got = receive_all(sqs_nodes[2], url, 2)
    assert [m["Body"] for m in got] == ["one", "two"]
    assert got[0]["Attributes"]["MessageGroupId"] == "g" and got[0]["Attributes"]["MessageDeduplicationId"] == "d1"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="m", MessageDeduplicationId="d3")
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name=name, Attributes={"FifoTopic": "true"})
    assert error_code(e) == "InvalidParameter"


def test_filter_policies_on_attributes_and_body(sns_nodes, sqs, name):
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=name)["TopicArn"]
    policies = {
        "red": ({"color": ["red"]}, "MessageAttributes"),
        "cheap": ({"price": [{"numeric": ["<", 10]}]}, "MessageAttributes"),
        "either": ({"$or": [{"color": [{"prefix": "bl"}]}, {"price": [{"numeric": [">=", 100]}]}]}, "MessageAttributes"),
        "body": ({"order": {"kind": [{"anything-but": ["standard"]}]}}, "MessageBody"),
    }
    urls = {}
    for q, (policy, scope) in policies.items():
        urls[q] = sqs.create_queue(QueueName=f"{name}-{q}")["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(f"{name}-{q}"),
                      Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps(policy), "FilterPolicyScope": scope})

    def attrs(color, price):
        return {"color": {"DataType": "String", "StringValue": color}, "price": {"DataType": "Number", "StringValue": str(price)}}
    sns.publish(TopicArn=topic, Message="red-5", MessageAttributes=attrs("red", 5))
    sns.publish(TopicArn=topic, Message="blue-50", MessageAttributes=attrs("blue", 50))
    sns.publish(TopicArn=topic, Message="green-200", MessageAttributes=attrs("green", 200))
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"kind": "express"}}))
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"kind": "standard"}}))
    bodies = {q: sorted(m["Body"] for m in receive_all(sqs, urls[q], n)) for q, n in
              [("red", 1), ("cheap", 1), ("either", 2), ("body", 1)]}
    assert bodies == {"red": ["red-5"], "cheap": ["red-5"], "either": ["blue-50", "green-200"],
                      "body": [json.dumps({"order": {"kind": "express"}})]}


def test_invalid_filter_policies_get_aws_errors(sns_nodes, name):
    fixtures = json.load(open(os.path.join(os.path.dirname(__file__), "../fixtures/sns/filter-policy-cases.json")))
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=name)["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name))["SubscriptionArn"]
    for case in fixtures["invalid"]:
        with pytest.raises(ClientError) as e:
            if "subscribe" in case:
                sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name + "-x"),
                              Attributes={"FilterPolicy": case["policy"]})
            else:
                sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=case["policy"])
        assert error_code(e) == "InvalidParameter"
        assert e.value.response["Error"]["Message"] == (case.get("subscribe") or case.get("set"))
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicyScope",
                                        AttributeValue=fixtures["scopeError"]["value"])
    assert e.value.response["Error"]["Message"] == fixtures["scopeError"]["message"]


def test_other_protocols_and_foreign_arns_are_refused(sns_nodes, name):
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=name)["TopicArn"]
    for protocol in ["http", "email", "lambda", "bogus"]:
        with pytest.raises(ClientError) as e:
            sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint="http://example.com")
        assert error_code(e) == "InvalidParameter"
        assert "does not support this protocol string" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:999999999999:q")
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-missing", Message="m")
    assert error_code(e) == "NotFound"
    with pytest.raises(ClientError) as e:
        sns.confirm_subscription(TopicArn=topic, Token="abc")
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="x" * (262_144 + 1))
    assert error_code(e) == "InvalidParameter"
    sns.publish(TopicArn=topic, Message="x" * 262_144)


@pytest.mark.skipif(shutil.which("aws") is None, reason="aws cli not installed")
def test_aws_cli_topic_round_trip(cluster, sqs, name):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="test-secret",
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="")
    env.pop("AWS_PROFILE", None)

    def aws(*args):
        out = subprocess.run(["aws", "--endpoint-url", cluster.endpoint(2), "--output", "json", "sns", *args],
                             env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}
    topic = aws("create-topic", "--name", name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    aws("subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", queue_arn(name),
        "--attributes", "RawMessageDelivery=true")
    assert topic in [t["TopicArn"] for t in aws("list-topics")["Topics"]]
    message_id = aws("publish", "--topic-arn", topic, "--message", "from the cli")["MessageId"]
    assert message_id
    assert [m["Body"] for m in receive_all(sqs, url, 1)] == ["from the cli"]
    aws("delete-topic", "--topic-arn", topic)


def test_sns_is_signed_for_the_sns_service():
    creds = [{"access_key": "AKIDSNS", "secret_key": "sns-secret"}]
    with running_cluster(auth="sigv4", credentials=creds, nodes=1) as c:
        sns = make_sns(c.endpoint(1), key="AKIDSNS", secret="sns-secret")
        sqs = make_client(c.endpoint(1), key="AKIDSNS", secret="sns-secret")
        topic = sns.create_topic(Name="signed")["TopicArn"]
        url = sqs.create_queue(QueueName="signed")["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn("signed"), Attributes={"RawMessageDelivery": "true"})
        sns.publish(TopicArn=topic, Message="signed")
        assert [m["Body"] for m in receive_all(sqs, url, 1)] == ["signed"]
        bad = make_sns(c.endpoint(1), key="AKIDSNS", secret="wrong")
        with pytest.raises(ClientError) as e:
            bad.list_topics()
        assert error_code(e) == "SignatureDoesNotMatch"


def test_ferry_cli_topic_subscribe_publish(cluster, sqs, name):
    ferry = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", ".build", "debug", "ferry")
    if not os.access(ferry, os.X_OK):
        pytest.skip("ferry is not built: `swift build --product ferry`")

    def run(*args):
        out = subprocess.run([ferry, *args, "--endpoint", cluster.endpoint(3)], capture_output=True, text=True,
                             timeout=CLI_TIMEOUT_S)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()
    topic = run("topic", "create", name)
    assert topic == f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert run("subscribe", name, name, "--raw", "--filter-policy", '{"k":["v"]}').startswith(topic + ":")
    assert topic in run("topic", "list").splitlines()
    run("publish", topic, "filtered out", "--attribute", "k=other")
    assert re.fullmatch(r"[0-9a-f-]{36}", run("publish", topic, "from ferry", "--attribute", "k=v"))
    assert [m["Body"] for m in receive_all(sqs, url, 1)] == ["from ferry"]
    assert receive_all(sqs, url, 1, attempts=2) == []
    run("topic", "delete", topic)
    assert topic not in run("topic", "list").splitlines()


def test_limits_at_the_edge_and_one_past(sns_nodes, name):
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.publish(TopicArn=topic, Message="m", Subject="s" * 100)
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="m", Subject="s" * 101)
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="m", Subject="line\nbreak")
    assert error_code(e) == "InvalidParameter"
    ten = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(10)}
    sns.publish(TopicArn=topic, Message="m", MessageAttributes=ten)
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="m", MessageAttributes={**ten, "a10": {"DataType": "String", "StringValue": "v"}})
    assert error_code(e) == "ParameterValueInvalid"
    for bad in [{"DataType": "Number", "StringValue": "abc"}, {"DataType": "String.Array", "StringValue": "not json"},
                {"DataType": "Bogus", "StringValue": "x"}]:
        with pytest.raises(ClientError) as e:
            sns.publish(TopicArn=topic, Message="m", MessageAttributes={"a": bad})
        assert error_code(e) == "ParameterValueInvalid"
    long_name = "t" * 256
    arn = sns.create_topic(Name=long_name)["TopicArn"]
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="t" * 257)
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="bad name!")
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name=name + "-archived", Attributes={"ArchivePolicy": "{}"})
    assert error_code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn="not-an-arn", Message="m")
    assert error_code(e) == "InvalidParameter"


def test_hostile_sns_requests_get_errors_and_the_node_stays_up(cluster, sns_nodes):
    import urllib.request
    endpoint = cluster.endpoint(1)

    def post(body):
        request = urllib.request.Request(endpoint + "/", data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
    status, body = post("Action=Publish&" + "&".join(f"P{i}=x" for i in range(1001)))
    assert status == 400 and "<Code>InvalidParameter</Code>" in body
    status, body = post("Action=Publish&TopicArn=%ZZ")
    assert status == 400
    status, body = post("Action=CreateTopic&Name=x&Attributes.entry.99999999999999999999.key=FifoTopic")
    assert status == 200  # an index too large for Int is no entry; the topic is created plain
    deep = "[" * 10_000 + "]" * 10_000
    topic = sns_nodes[1].create_topic(Name="hostile")["TopicArn"]
    with pytest.raises(ClientError):
        sns_nodes[1].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn("hostile"),
                               Attributes={"FilterPolicy": '{"a":' + deep + "}"})
    sns_nodes[1].publish(TopicArn=topic, Message=deep)
    assert sns_nodes[2].list_topics()["Topics"]


def test_fifo_topic_envelope_and_standard_queue_subscribers(sns_nodes, sqs_nodes, name):
    """A FIFO topic's envelope has SequenceNumber and no signature fields; a FIFO topic also takes standard
    queues, which get its messages without group or deduplication id, once per deduplicated publish
    (recorded by LocalStack against AWS: test_message_to_fifo_sqs, test_fifo_topic_to_regular_sqs)."""
    sns = sns_nodes[1]
    topic = sns.create_topic(Name=f"{name}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    fifo_url = sqs_nodes[1].create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    std_url = sqs_nodes[1].create_queue(QueueName=f"{name}-std")["QueueUrl"]
    fifo_sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(f"{name}.fifo"))["SubscriptionArn"]
    std_sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(f"{name}-std"))["SubscriptionArn"]
    attrs = sns_nodes[2].get_subscription_attributes(SubscriptionArn=std_sub)["Attributes"]
    assert attrs["Endpoint"] == queue_arn(f"{name}-std") and attrs["PendingConfirmation"] == "false"
    first = sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g", MessageDeduplicationId="d")
    again = sns_nodes[3].publish(TopicArn=topic, Message="Test", MessageGroupId="g", MessageDeduplicationId="d")
    assert again["MessageId"] == first["MessageId"]
    for url, sub in [(fifo_url, fifo_sub), (std_url, std_sub)]:
        got = receive_all(sqs_nodes[2], url, 1)
        assert len(got) == 1
        body = json.loads(got[0]["Body"])
        assert list(body) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp", "UnsubscribeURL"]
        assert body["SequenceNumber"] == first["SequenceNumber"] and body["Message"] == "Test"
        assert body["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={sub}")
        if url == fifo_url:
            assert got[0]["Attributes"]["MessageGroupId"] == "g" and got[0]["Attributes"]["MessageDeduplicationId"] == "d"
        else:
            assert "MessageGroupId" not in got[0]["Attributes"] and "MessageDeduplicationId" not in got[0]["Attributes"]
    assert receive_all(sqs_nodes[1], std_url, 1, attempts=2) == [], "the topic deduplicated the second publish"
    # A FIFO subscription's dead-letter queue must be FIFO; a standard subscription's need not.
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=fifo_sub, AttributeName="RedrivePolicy",
                                        AttributeValue=json.dumps({"deadLetterTargetArn": queue_arn(f"{name}-std")}))
    assert e.value.response["Error"]["Message"] == \
        "Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
    sns.set_subscription_attributes(SubscriptionArn=std_sub, AttributeName="RedrivePolicy",
                                    AttributeValue=json.dumps({"deadLetterTargetArn": queue_arn(f"{name}-std")}))


def test_a_publish_wakes_a_long_poll_parked_on_a_subscribed_queue(sns_nodes, sqs_nodes, name):
    """A receive parked on a subscribed queue (at another node than the publisher's) answers as soon as the
    publish is applied, not at the end of its WaitTimeSeconds."""
    import threading
    import time
    topic = sns_nodes[1].create_topic(Name=name)["TopicArn"]
    url = sqs_nodes[1].create_queue(QueueName=name)["QueueUrl"]
    sns_nodes[1].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name), Attributes={"RawMessageDelivery": "true"})
    for node in [2, 3]:
        result = {}

        def poll():
            got = sqs_nodes[node].receive_message(QueueUrl=url, WaitTimeSeconds=15).get("Messages", [])
            result["at"], result["bodies"] = time.monotonic(), [m["Body"] for m in got]
            for m in got:
                sqs_nodes[node].delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        waiter = threading.Thread(target=poll)
        waiter.start()
        time.sleep(1.5)  # parked by now
        sns_nodes[1].publish(TopicArn=topic, Message=f"wake {node}")
        answered_by = time.monotonic()
        waiter.join(timeout=20)
        assert result["bodies"] == [f"wake {node}"]
        assert result["at"] - answered_by < 2, "the parked receive waited for its deadline, not the publish"


def arn_errors(sns, topic, sub, name):
    """(label, call, code, HTTP status, message): AWS's answers recorded by LocalStack (test_sns.snapshot.json)."""
    other_region = topic.replace(f":{REGION}:", ":eu-north-9:" if REGION != "eu-north-9" else ":us-west-1:")
    no_sub_id = f"arn:aws:sns:{REGION}:{ACCOUNT}:random"
    return [
        ("get-attrs-malformed-topic", lambda: sns.get_topic_attributes(TopicArn="randomstring"), "InvalidParameter", 400,
         "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"),
        ("invalid-topic-arn-1", lambda: sns.publish(TopicArn="arn:randomstring", Message="m"), "InvalidParameter", 400,
         "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2"),
        ("empty-topic", lambda: sns.publish(TopicArn="", Message="m"), "InvalidParameter", 400,
         "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"),
        ("non-existent-endpoint", lambda: sns.publish(TargetArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/APNS/a/0f7d5971", Message="m"),
         "InvalidParameter", 400, "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"),
        ("cross-region", lambda: sns.get_topic_attributes(TopicArn=other_region), "InvalidParameter", 400, "Invalid parameter: TopicArn"),
        ("cross-region-publish", lambda: sns.publish(TopicArn=other_region, Message="m"), "InvalidParameter", 400,
         "Invalid parameter: TopicArn"),
        ("unknown-topic-publish", lambda: sns.publish(TopicArn=f"{topic}-missing", Message="m"), "NotFound", 404, "Topic does not exist"),
        ("invalid-unsubscribe-arn-1", lambda: sns.unsubscribe(SubscriptionArn="randomstring"), "InvalidParameter", 400,
         "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"),
        ("invalid-unsubscribe-arn-2", lambda: sns.unsubscribe(SubscriptionArn="arn:aws:sns:us-east-1:random"), "InvalidParameter", 400,
         "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5"),
        ("invalid-unsubscribe-arn-3", lambda: sns.unsubscribe(SubscriptionArn=no_sub_id), "InvalidParameter", 400,
         "Invalid parameter: SubscriptionId"),
        ("get-attrs-nonexistent-sub", lambda: sns.get_subscription_attributes(SubscriptionArn=f"{topic}:00000000-0000-4000-8000-000000000000"),
         "NotFound", 404, "Subscription does not exist"),
        ("response-with-empty-subject", lambda: sns.publish(TopicArn=topic, Message="m", Subject=""), "InvalidParameter", 400,
         "Invalid parameter: Subject"),
        ("empty-msg-error", lambda: sns.publish(TopicArn=topic, Message=""), "InvalidParameter", 400, "Invalid parameter: Empty message"),
        ("too-long", lambda: sns.publish(TopicArn=topic, Message="x" * 262_145), "InvalidParameter", 400, "Invalid parameter: Message too long"),
        ("missing-default-key", lambda: sns.publish(TopicArn=topic, Message='{"sqs":"x"}', MessageStructure="json"), "InvalidParameter", 400,
         "Invalid parameter: Message Structure - No default entry in JSON message body"),
        ("invalid-json", lambda: sns.publish(TopicArn=topic, Message="{x", MessageStructure="json"), "InvalidParameter", 400,
         "Invalid parameter: Message Structure - JSON message body failed to parse"),
        ("no-msg-dedup-regular-topic", lambda: sns.publish(TopicArn=topic, Message="m", MessageDeduplicationId="d"), "InvalidParameter", 400,
         "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"),
        ("invalid-protocol", lambda: sns.subscribe(TopicArn=topic, Protocol="test-protocol", Endpoint="x"), "InvalidParameter", 400,
         "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol"),
        ("subscribe-wrong-attr", lambda: sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name + "-w"),
                                                        Attributes={"RawMessageDelivery": "wrongvalue"}), "InvalidParameter", 400,
         "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false."),
        ("sub-queue-url", lambda: sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"http://localhost/{ACCOUNT}/{name}"),
         "InvalidParameter", 400, "Invalid parameter: SQS endpoint ARN"),
        ("not-fifo-topic", lambda: sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name + ".fifo")), "InvalidParameter", 400,
         "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"),
        ("fake-attribute", lambda: sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="Fake", AttributeValue="x"),
         "InvalidParameter", 400, "Invalid parameter: AttributeName"),
        ("raw-message-wrong-value", lambda: sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                                                             AttributeValue="test-ValUe"), "InvalidParameter", 400,
         "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false."),
        ("raw-message-empty-value", lambda: sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                                                             AttributeValue=""), "InvalidParameter", 400,
         "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false."),
        ("fake-arn-redrive-policy", lambda: sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                                                             AttributeValue='{"deadLetterTargetArn": "fake-arn"}'),
         "InvalidParameter", 400, "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
        ("set-fifo-false-after-creation", lambda: sns.set_topic_attributes(TopicArn=topic, AttributeName="FifoTopic", AttributeValue="false"),
         "InvalidParameter", 400, "Invalid parameter: AttributeName"),
        ("topic-not-exists-token", lambda: sns.confirm_subscription(TopicArn=f"{topic}-missing", Token="abc"), "InvalidParameter", 400,
         "Invalid parameter: Token"),
        ("broken-topic-arn-confirm", lambda: sns.confirm_subscription(TopicArn="x", Token="abc"), "InvalidParameter", 400,
         "Invalid parameter: Topic"),
        ("name-invalid-char", lambda: sns.create_topic(Name="a:b"), "InvalidParameter", 400, "Invalid parameter: Topic Name"),
        ("name-too-long", lambda: sns.create_topic(Name="t" * 257), "InvalidParameter", 400, "Invalid parameter: Topic Name"),
        ("duplicate-key-error", lambda: sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k1", "Value": "v2"}]),
         "InvalidParameter", 400, "Invalid parameter: Duplicated keys are not allowed."),
        ("exception-duplicate", lambda: sns.create_topic(Name=name, Tags=[{"Key": "k1", "Value": "v1"}]), "InvalidParameter", 400,
         "Invalid parameter: Tags Reason: Topic already exists with different tags"),
    ]


def attribute_errors(sns, topic):
    """test_empty_or_wrong_message_attributes and its batch twins: ParameterValueInvalid / ValidationError, whole
    request (a PublishBatch entry's bad attribute fails the batch)."""
    cases = [
        ("missing_string_attr", {"attr1": {"DataType": "String", "StringValue": ""}}, "ParameterValueInvalid",
         "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."),
        ("fully_missing_string_attr", {"attr1": {"DataType": "String"}}, "ParameterValueInvalid",
         "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."),
        ("fully_missing_data_type", {"attr1": {"StringValue": "v"}}, "ValidationError",
         "1 validation error detected: Value null at '{path}.attr1.member.dataType' failed to satisfy constraint: Member must not be null"),
        ("missing_binary_attr", {"attr1": {"DataType": "Binary"}}, "ParameterValueInvalid",
         "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'."),
        ("str_attr_binary_value", {"attr1": {"DataType": "String", "BinaryValue": b"x"}}, "ParameterValueInvalid",
         "The message attribute 'attr1' with type 'String' must use field 'String'."),
        ("int_attr_binary_value", {"attr1": {"DataType": "Number", "BinaryValue": b"x"}}, "ParameterValueInvalid",
         "The message attribute 'attr1' with type 'Number' must use field 'String'."),
        ("binary_attr_string_value", {"attr1": {"DataType": "Binary", "StringValue": "x"}}, "ParameterValueInvalid",
         "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."),
        ("invalid_attr_string_value", {"attr1": {"DataType": "SomeType", "StringValue": "x"}}, "ParameterValueInvalid",
         "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."),
        ("too_long_name", {"a" * 256: {"DataType": "String", "StringValue": "x"}}, "ParameterValueInvalid",
         "Length of message attribute name must be less than 256 bytes."),
        ("invalid_name", {"invalid^name": {"DataType": "String", "StringValue": "x"}}, "ParameterValueInvalid",
         "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."),
        ("invalid_name_2", {".invalidname": {"DataType": "String", "StringValue": "x"}}, "ParameterValueInvalid",
         "Invalid message attribute name starting with character '.' was found."),
        ("invalid_name_3", {"invalidname.": {"DataType": "String", "StringValue": "x"}}, "ParameterValueInvalid",
         "Invalid message attribute name ending with character '.' was found."),
        ("invalid_name_4", {"invalid..name": {"DataType": "String", "StringValue": "x"}}, "ParameterValueInvalid",
         "Message attribute name can not have successive '.' character."),
    ]
    out = []
    for label, attributes, code, message in cases:
        out.append((label, lambda a=attributes: sns.publish(TopicArn=topic, Message="m", MessageAttributes=a), code, 400,
                    message.replace("{path}", "messageAttributes")))
        out.append(("batch-" + label, lambda a=attributes: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "m", "MessageAttributes": a}]), code, 400,
            message.replace("{path}", "publishBatchRequestEntries.1.member.messageAttributes")))
    return out


def batch_errors(sns, topic, fifo_topic):
    """test_publish_batch_exceptions, test_publish_batch_too_long_message: whole-request errors."""
    return [
        ("too-many-msg", lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)]),
         "TooManyEntriesInBatchRequest", 400, "The batch request contains more entries than permissible."),
        ("same-msg-id", lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}] * 2),
         "BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request have the same Id."),
        ("error-no-attrs", lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": str(i), "Message": "x" * 100_000} for i in range(3)]), "BatchRequestTooLong", 400,
         "The length of all the messages put together is more than the limit."),
        ("no-group-id", lambda: sns.publish_batch(TopicArn=fifo_topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d"}, {"Id": "2", "Message": "m"}]),
         "InvalidParameter", 400, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"),
        ("no-dedup-id", lambda: sns.publish_batch(TopicArn=fifo_topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "m", "MessageGroupId": "g"}]), "InvalidParameter", 400,
         "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"),
        ("no-default-key-json", lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": '{"sqs":"x"}', "MessageStructure": "json"}]), "InvalidParameter", 400,
         "Invalid parameter: Message Structure - No default entry in JSON message body"),
        ("publish-batch-no-topic", lambda: sns.publish_batch(TopicArn=f"{topic}-missing", PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}]),
         "NotFound", 404, "Topic does not exist"),
    ]


def test_errors_are_the_answers_aws_gave(cluster, name):
    """Code, HTTP status and message of the invalid cases LocalStack recorded against AWS in
    tests/aws/services/sns/test_sns.snapshot.json that Ferry can be asked (docs/sns-wire.md, "Recorded answers").
    botocore's own checks are off so that what it would refuse (an attribute without DataType) reaches the node."""
    sns = boto3.client("sns", endpoint_url=cluster.endpoint(2), region_name=REGION, aws_access_key_id="AKIDTEST",
                       aws_secret_access_key="test-secret", config=client_config(parameter_validation=False))
    topic = sns.create_topic(Name=name)["TopicArn"]
    fifo_topic = sns.create_topic(Name=f"{name}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(name))["SubscriptionArn"]
    failures = []
    for label, call, code, status, message in arn_errors(sns, topic, sub, name) + attribute_errors(sns, topic) + batch_errors(sns, topic, fifo_topic):
        try:
            call()
            failures.append(f"{label}: succeeded")
            continue
        except ClientError as e:
            got = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"])
        if got != (code, status, message):
            failures.append(f"{label}: {got} != {(code, status, message)}")
    assert failures == []
    # What AWS answers with success where one might expect an error.
    sns.unsubscribe(SubscriptionArn=f"{topic}:00000000-0000-4000-8000-000000000000")
    sns.delete_topic(TopicArn=f"{topic}-never-created")
    assert sns.create_topic(Name=name)["TopicArn"] == topic  # no tags given: the same topic
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert sorted(attrs) == ["DisplayName", "EffectiveDeliveryPolicy", "Owner", "Policy", "SubscriptionsConfirmed",
                             "SubscriptionsDeleted", "SubscriptionsPending", "TopicArn"]
    policy = json.loads(attrs["Policy"])
    assert policy["Id"] == "__default_policy_ID" and policy["Statement"][0]["Resource"] == topic
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    sub_attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert sorted(sub_attrs) == ["ConfirmationWasAuthenticated", "Endpoint", "Owner", "PendingConfirmation", "Protocol",
                                 "RawMessageDelivery", "SubscriptionArn", "SubscriptionPrincipal", "TopicArn"]


@pytest.mark.skipif(not os.access(os.path.join(os.path.dirname(__file__), "../../.build/debug/ferry"), os.X_OK),
                    reason="run `swift build --product ferry` first")
def test_bench_fanout_delivers_every_acknowledged_publish_to_every_subscriber(cluster):
    """`ferry bench fanout` as a functional check, not for figures: an open-loop run over the three nodes, each
    consumer connection with one long poll in flight, ends with every copy consumed and no error."""
    ferry = os.path.join(os.path.dirname(__file__), "../../.build/debug/ferry")
    endpoints = ",".join(cluster.endpoint(n) for n in cluster.ids)
    out = subprocess.run([ferry, "bench", "fanout", "--endpoint", cluster.endpoint(1), "--endpoints", endpoints, "--quiet",
                          "--subscribers", "3", "--consumers-per-queue", "2", "--batch", "1", "--rate", "100",
                          "--publishers", "2", "--duration", "2", "--warmup", "0", "--drain", "30"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 subscribers (2 consumer connections each)" in out.stdout
    published = int(re.search(r"published \(acknowledged\) ([\d,]+) x 3 queues", out.stdout).group(1).replace(",", ""))
    assert published >= 100, out.stdout
    assert re.search(r"missing 0   duplicates 0", out.stdout), out.stdout
    assert "errors       none" in out.stdout, out.stdout

"""Issue 20: each difference from Amazon SQS that an application could tell, as boto3 sees it on a three-node
cluster. The AWS answers cited are the recorded ones in Tests/fixtures/aws-sqs (or, where none was recorded,
the choice listed in docs/sqs-compatibility.md)."""
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from ferry_cluster import ACCOUNT, REGION


@pytest.fixture(scope="module")
def client(cluster):
    return make_client(cluster.endpoint(1), parameter_validation=False, retries={"max_attempts": 1})


def error_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def fifo(client, name, **attributes):
    return client.create_queue(QueueName=name + ".fifo", Attributes={"FifoQueue": "true", **attributes})["QueueUrl"]


def test_1_an_unknown_queue_is_not_named_in_the_message(client, cluster, name):
    assert error_of(client.get_queue_url, QueueName=name) == (
        400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
    assert error_of(client.send_message, QueueUrl=cluster.queue_url(name), MessageBody="x") == (
        400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")


def test_2_create_or_get_returns_a_queue_whose_attributes_changed(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    client.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
    assert client.create_queue(QueueName=name)["QueueUrl"] == url
    assert client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"] == url
    assert error_of(client.create_queue, QueueName=name, Attributes={"DelaySeconds": "5", "VisibilityTimeout": "60"}) == (
        400, "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute DelaySeconds")


def test_3_a_batch_over_one_mebibyte_is_refused_whole(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    oversized = [{"Id": "big", "MessageBody": "a" * (1024 * 1024 + 1)}]
    assert error_of(client.send_message_batch, QueueUrl=url, Entries=oversized) == (
        400, "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.")


def test_4_a_fifo_batch_entry_without_group_or_dedup_id_fails_the_whole_batch(client, name):
    with_dedup = fifo(client, name + "-cbd", ContentBasedDeduplication="true")
    entries = [{"Id": "1", "MessageBody": "a", "MessageGroupId": "g"}, {"Id": "2", "MessageBody": "b"}]
    assert error_of(client.send_message_batch, QueueUrl=with_dedup, Entries=entries) == (
        400, "InvalidParameterValue", "The request must contain the parameter MessageGroupId.")
    without_dedup = fifo(client, name)
    entries = [{"Id": "1", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
               {"Id": "2", "MessageBody": "b", "MessageGroupId": "g"}]
    assert error_of(client.send_message_batch, QueueUrl=without_dedup, Entries=entries) == (
        400, "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
    # Nothing of either batch was enqueued.
    for url in (with_dedup, without_dedup):
        assert client.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []


def test_5_a_queue_name_is_accepted_in_place_of_the_queue_url(client, name):
    client.create_queue(QueueName=name)
    client.send_message(QueueUrl=name, MessageBody="by name")
    messages = client.receive_message(QueueUrl=name, WaitTimeSeconds=5)["Messages"]
    assert [m["Body"] for m in messages] == ["by name"]
    assert error_of(client.send_message, QueueUrl=name + "-missing", MessageBody="x")[1] == (
        "AWS.SimpleQueueService.NonExistentQueue")


def test_6_a_fifo_per_message_delay_is_refused_naming_the_value(client, name):
    url = fifo(client, name, ContentBasedDeduplication="true")
    assert error_of(client.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=5) == (
        400, "InvalidParameterValue",
        "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")


def test_7_message_attribute_name_wildcards(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody="m", MessageAttributes={
        n: {"DataType": "String", "StringValue": "v"} for n in ("General", "Hello", "Help.Me")})

    def names(selection):
        message = client.receive_message(QueueUrl=url, MessageAttributeNames=selection, VisibilityTimeout=0,
                                         WaitTimeSeconds=5)["Messages"][0]
        return sorted(message.get("MessageAttributes", {}))

    assert names(["Hel.*"]) == ["Hello", "Help.Me"]
    assert names(["*"]) == ["General", "Hello", "Help.Me"]


def test_8_counts_follow_the_node_clock_on_an_idle_cluster(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody="m")
    assert len(client.receive_message(QueueUrl=url, VisibilityTimeout=1, WaitTimeSeconds=5)["Messages"]) == 1
    time.sleep(1.2)
    # Nothing was applied since the receive; the visibility timeout has passed all the same.
    counts = client.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_9_message_texts(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    assert error_of(client.send_message, QueueUrl=url, MessageBody="a" * (1024 * 1024 + 1)) == (
        400, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
    url = fifo(client, name)
    assert error_of(client.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g") == (
        400, "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
    assert error_of(client.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
                    MessageAttributes={"ErrorDetails": {"DataType": "String", "StringValue": ""}}) == (
        400, "InvalidParameterValue", "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.")
    assert error_of(client.create_queue, QueueName="") == (
        400, "MissingParameter", "The request must contain the parameter QueueName.")


def test_10_permissions_are_stored_as_the_policy(client, cluster, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def policy():
        return client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"].get("Policy")

    assert policy() is None
    client.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert json.loads(policy()) == {
        "Version": "2012-10-17", "Id": f"{arn}/SQSDefaultPolicy",
        "Statement": [{"Sid": "send", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                       "Action": "SQS:SendMessage", "Resource": arn}]}

    # Grants proposed at the same moment through the three nodes all land: no read-modify-write at the edge.
    clients = [make_client(cluster.endpoint(n), retries={"max_attempts": 1}) for n in (1, 2, 3) for _ in range(2)]
    labels = [f"node-{i}" for i in range(len(clients))]
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(lambda c, label: c.add_permission(QueueUrl=url, Label=label, AWSAccountIds=["444455556666"],
                                                        Actions=["ReceiveMessage", "DeleteMessage"]), clients, labels))
    statements = json.loads(policy())["Statement"]
    assert sorted(s["Sid"] for s in statements) == sorted(["send"] + labels)
    assert statements[1]["Action"] == ["SQS:ReceiveMessage", "SQS:DeleteMessage"]

    assert error_of(client.add_permission, QueueUrl=url, Label="send", AWSAccountIds=["111122223333"],
                    Actions=["ReceiveMessage"]) == (
        400, "InvalidParameterValue", "Value send for parameter Label is invalid. Reason: Already exists.")
    assert error_of(client.add_permission, QueueUrl=url, Label="x", AWSAccountIds=["111122223333"],
                    Actions=["RemovePermission"]) == (
        400, "InvalidParameterValue",
        "Value SQS:RemovePermission for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.")
    seven = ["ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
             "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage"]
    client.add_permission(QueueUrl=url, Label="seven", AWSAccountIds=["111122223333"], Actions=seven)
    assert error_of(client.add_permission, QueueUrl=url, Label="eight", AWSAccountIds=["111122223333"],
                    Actions=seven + ["SendMessage"]) == (403, "OverLimit", "8 Actions were found, maximum allowed is 7.")
    assert error_of(client.add_permission, QueueUrl=url, Label="a" * 81, AWSAccountIds=["111122223333"],
                    Actions=["SendMessage"])[:2] == (400, "InvalidParameterValue")
    client.add_permission(QueueUrl=url, Label="a" * 80, AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert error_of(client.add_permission, QueueUrl=url, Label="x", AWSAccountIds=["11112222333"],
                    Actions=["SendMessage"]) == (
        400, "InvalidParameterValue", "Value 11112222333 for parameter PrincipalId is invalid. Reason: Unable to verify.")

    for label in labels + ["seven", "a" * 80]:
        client.remove_permission(QueueUrl=url, Label=label)
    assert [s["Sid"] for s in json.loads(policy())["Statement"]] == ["send"]
    assert error_of(client.remove_permission, QueueUrl=url, Label="node-0") == (
        400, "InvalidParameterValue", "Value node-0 for parameter Label is invalid. Reason: can't find label on existing policy.")
    client.remove_permission(QueueUrl=url, Label="send")
    assert policy() is None, "the last statement removed, the queue has no Policy (as before any grant)"
    assert error_of(client.remove_permission, QueueUrl=url, Label="send")[:2] == (400, "InvalidParameterValue")
    assert error_of(client.add_permission, QueueUrl=cluster.queue_url(name + "-missing"), Label="x",
                    AWSAccountIds=["111122223333"], Actions=["SendMessage"])[:2] == (
        400, "AWS.SimpleQueueService.NonExistentQueue")


def test_11_tag_validation(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    assert error_of(client.tag_queue, QueueUrl=url, Tags={}) == (
        400, "MissingParameter", "The request must contain the parameter Tags.")
    assert error_of(client.tag_queue, QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)}) == (
        400, "InvalidParameterValue", f"Too many tags added for queue {name}.")
    assert error_of(client.untag_queue, QueueUrl=url, TagKeys=[]) == (
        400, "InvalidParameterValue", "Tag keys must be between 1 and 128 characters in length.")
    client.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(50)})
    assert len(client.list_queue_tags(QueueUrl=url)["Tags"]) == 50


def test_12_redrive_allow_policy_comes_back_as_sent(client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    source_arn = f"arn:aws:sqs:us-east-1:000000000000:{name}-source"
    sent = '{ "redrivePermission": "byQueue",  "sourceQueueArns": ["%s"] }' % source_arn
    client.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": sent})
    got = client.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
    assert got["RedriveAllowPolicy"] == sent
    # RedrivePolicy is normalized, as AWS does (maxReceiveCount becomes a number).
    source = client.create_queue(QueueName=name + "-source")["QueueUrl"]
    client.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:000000000000:{name}", "maxReceiveCount": "5"})})
    got = client.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(got["RedrivePolicy"])["maxReceiveCount"] == 5

"""Queue lifecycle, attributes, tags, purge, permissions (docs/sqs-wire.md, "Operations", "Queue attributes")
through boto3."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from ferry_cluster import ACCOUNT, REGION


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_create_get_list_delete(sqs, sqs_nodes, cluster, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == cluster.queue_url(name)
    # The same URL whichever node answers (advertised base, not the Host header).
    for client in sqs_nodes.values():
        assert client.get_queue_url(QueueName=name)["QueueUrl"] == url
    listed = sqs_nodes[2].list_queues(QueueNamePrefix=name)["QueueUrls"]
    assert listed == [url]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs_nodes[3].get_queue_url(QueueName=name)
    assert error_code(e) == "AWS.SimpleQueueService.NonExistentQueue"
    # Re-creating within 60 s of the delete is refused.
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName=name)
    assert error_code(e) == "AWS.SimpleQueueService.QueueDeletedRecently"


def test_list_queues_paginates(sqs, name):
    urls = [sqs.create_queue(QueueName=f"{name}-{i}")["QueueUrl"] for i in range(3)]
    first = sqs.list_queues(QueueNamePrefix=name, MaxResults=2)
    assert first["QueueUrls"] == urls[:2] and "NextToken" in first
    second = sqs.list_queues(QueueNamePrefix=name, MaxResults=2, NextToken=first["NextToken"])
    assert second["QueueUrls"] == urls[2:] and "NextToken" not in second
    pages = sqs.get_paginator("list_queues").paginate(QueueNamePrefix=name, PaginationConfig={"PageSize": 1})
    assert [u for page in pages for u in page.get("QueueUrls", [])] == urls


def test_create_is_idempotent_and_conflicts(sqs, name):
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueNameExists) as e:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "41"})
    assert error_code(e) == "QueueAlreadyExists"


def test_attributes(sqs, sqs_nodes, name):
    url = sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "2"})["QueueUrl"]
    sqs_nodes[2].set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45", "MaximumMessageSize": "2048"})
    attrs = sqs_nodes[3].get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "45"
    assert attrs["MaximumMessageSize"] == "2048"
    assert attrs["DelaySeconds"] == "2"
    assert attrs["QueueArn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert abs(int(attrs["CreatedTimestamp"]) - time.time()) < 300  # epoch seconds
    some = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "QueueArn"])["Attributes"]
    assert set(some) == {"VisibilityTimeout", "QueueArn"}
    assert sqs.get_queue_attributes(QueueUrl=url).get("Attributes", {}) == {}
    with pytest.raises(ClientError) as e:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchAttribute"])
    assert error_code(e) == "InvalidAttributeName"
    with pytest.raises(ClientError) as e:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99999"})
    assert error_code(e) == "InvalidAttributeValue"


def test_tags(sqs, sqs_nodes, name):
    url = sqs.create_queue(QueueName=name, tags={"team": "core"})["QueueUrl"]
    sqs_nodes[2].tag_queue(QueueUrl=url, Tags={"env": "test", "tier": "1"})
    assert sqs_nodes[3].list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core", "env": "test", "tier": "1"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["tier", "team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}


def test_purge(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    sqs.receive_message(QueueUrl=url)  # one in flight: purged too
    sqs.purge_queue(QueueUrl=url)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as e:
        sqs.purge_queue(QueueUrl=url)
    assert error_code(e) == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_grant_to_several_accounts_is_stored_in_the_policy(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="l1", AWSAccountIds=["111122223333", "444455556666"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Principal"] == {
        "AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]}
    sqs.remove_permission(QueueUrl=url, Label="l1")
    assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.add_permission(QueueUrl=url + "-missing", Label="l1", AWSAccountIds=["111122223333"], Actions=["SendMessage"])


def test_unknown_queue(sqs, cluster, name):
    missing = cluster.queue_url(name)
    for call in (lambda: sqs.send_message(QueueUrl=missing, MessageBody="x"),
                 lambda: sqs.receive_message(QueueUrl=missing),
                 lambda: sqs.get_queue_attributes(QueueUrl=missing, AttributeNames=["All"]),
                 lambda: sqs.delete_queue(QueueUrl=missing)):
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
            call()
        assert error_code(e) == "AWS.SimpleQueueService.NonExistentQueue"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # A URL naming another account: not here either.
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=f"{cluster.advertised_url}/123456789012/{name}", MessageBody="x")

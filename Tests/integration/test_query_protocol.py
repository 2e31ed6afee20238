"""The legacy query protocol (form-encoded request, XML response; docs/sqs-wire.md, "Query protocol"), which
pinned old SDKs speak."""
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}


def post(endpoint, path, params):
    request = urllib.request.Request(
        endpoint + path, data=urllib.parse.urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, ET.fromstring(r.read())
    except urllib.error.HTTPError as e:
        return e.code, ET.fromstring(e.read())


def test_query_round_trip(cluster, name):
    status, xml = post(cluster.endpoint(2), "/", {"Action": "CreateQueue", "QueueName": name, "Version": "2012-11-05"})
    assert status == 200
    url = xml.find("sqs:CreateQueueResult/sqs:QueueUrl", NS).text
    assert url == cluster.queue_url(name)
    # Legacy .NET style: the queue in the path, no QueueUrl parameter.
    path = urllib.parse.urlparse(url).path
    status, xml = post(cluster.endpoint(3), path, {"Action": "SendMessage", "MessageBody": "hello <xml> & co"})
    assert status == 200
    assert xml.find("sqs:SendMessageResult/sqs:MD5OfMessageBody", NS).text == hashlib.md5(b"hello <xml> & co").hexdigest()
    status, xml = post(cluster.endpoint(1), "/", {"Action": "ReceiveMessage", "QueueUrl": url})
    assert status == 200
    assert xml.find("sqs:ReceiveMessageResult/sqs:Message/sqs:Body", NS).text == "hello <xml> & co"


def test_query_error(cluster, name):
    status, xml = post(cluster.endpoint(1), "/", {"Action": "GetQueueUrl", "QueueName": name})
    assert status == 400
    assert xml.find("sqs:Error/sqs:Code", NS).text == "AWS.SimpleQueueService.NonExistentQueue"


def test_query_permissions_edit_the_policy(cluster, name):
    status, xml = post(cluster.endpoint(1), "/", {"Action": "CreateQueue", "QueueName": name})
    url = xml.find("sqs:CreateQueueResult/sqs:QueueUrl", NS).text
    status, _ = post(cluster.endpoint(2), "/", {
        "Action": "AddPermission", "QueueUrl": url, "Label": "q1", "AWSAccountId.1": "111122223333",
        "ActionName.1": "SendMessage", "ActionName.2": "ReceiveMessage"})
    assert status == 200
    status, xml = post(cluster.endpoint(3), "/", {"Action": "GetQueueAttributes", "QueueUrl": url,
                                                  "AttributeName.1": "Policy"})
    policy = json.loads(xml.find("sqs:GetQueueAttributesResult/sqs:Attribute/sqs:Value", NS).text)
    assert policy["Statement"][0]["Action"] == ["SQS:SendMessage", "SQS:ReceiveMessage"]
    status, xml = post(cluster.endpoint(1), "/", {"Action": "RemovePermission", "QueueUrl": url, "Label": "nope"})
    assert (status, xml.find("sqs:Error/sqs:Code", NS).text) == (400, "InvalidParameterValue")
    assert xml.find("sqs:Error/sqs:Message", NS).text == (
        "Value nope for parameter Label is invalid. Reason: can't find label on existing policy.")

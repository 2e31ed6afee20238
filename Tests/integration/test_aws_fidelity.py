"""Ferry's answers against the answers Amazon SQS gave (Tests/fixtures/aws-sqs): every recorded case through
the JSON protocol as raw HTTP (status, `__type`, message, `x-amzn-query-error`), through boto3 (what an
application sees: `Error.Code`, `Error.QueryErrorCode`, `Error.Message`), and through the query protocol's
XML where AWS's answer there was recorded."""
import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from botocore import xform_name

from aws_fixtures import Names, error_cases, load
from conftest import make_client
from test_query_protocol import NS, post
CASES = error_cases()


@pytest.fixture(scope="module")
def client(cluster):
    # No client-side validation: the server's answer to what AWS was sent is what is compared. No retries:
    # every answer here is a 4xx.
    return make_client(cluster.endpoint(1), parameter_validation=False, retries={"max_attempts": 1})


def json_call(endpoint, operation, params):
    request = urllib.request.Request(
        endpoint + "/", data=json.dumps(params).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{operation}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"{}")


def query_call(endpoint, operation, params):
    form = {"Action": operation, "Version": "2012-11-05"}
    for key, value in params.items():
        assert isinstance(value, (str, int)), f"query replay supports flat parameters only ({key})"
        form[key] = str(value)
    return post(endpoint, "/", form)


def prepare(cluster, client, case):
    names = Names(cluster, case)
    for alias, spec in case.get("queues", {}).items():
        client.create_queue(QueueName=names.queues[alias]["name"],
                            Attributes=names.substitute(spec.get("attributes", {})))
    for step in case.get("before", []):
        status, _, body = json_call(cluster.endpoint(1), step["operation"], names.substitute(step["params"]))
        assert status == 200, f"setup step {step['operation']} failed: {status} {body}"
    return names


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_json_protocol_answer_matches_aws(cluster, client, case):
    names = prepare(cluster, client, case)
    expect = names.substitute(case["expect"])
    request = names.substitute(case["request"])
    status, headers, body = json_call(cluster.endpoint(2), request["operation"], request["params"])
    assert status == expect["status"], body
    assert body.get("message") == expect["message"]
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers.get("x-amzn-query-error") == f"{expect['code']};{expect['fault']}"
    if "type" in expect:
        assert body["__type"].rsplit("#", 1)[-1] == expect["type"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_boto3_sees_what_it_saw_on_aws(cluster, client, case):
    names = prepare(cluster, client, case)
    expect = names.substitute(case["expect"])
    request = names.substitute(case["request"])
    with pytest.raises(ClientError) as raised:
        getattr(client, xform_name(request["operation"]))(**request["params"])
    error = raised.value.response["Error"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == expect["status"]
    assert (error["Code"], error["Message"], error.get("Type")) == (expect["code"], expect["message"], expect["fault"])
    if "type" in expect:
        assert error["QueryErrorCode"] == expect["type"]


QUERY_CASES = [c for c in CASES if "expect_query" in c]


@pytest.mark.parametrize("case", QUERY_CASES, ids=[c["id"] for c in QUERY_CASES])
def test_query_protocol_answer_matches_aws(cluster, client, case):
    names = prepare(cluster, client, case)
    expect = names.substitute(case["expect_query"])
    request = names.substitute(case["request"])
    status, xml = query_call(cluster.endpoint(3), request["operation"], request["params"])
    assert status == expect["status"]
    assert xml.find("sqs:Error/sqs:Code", NS).text == expect["code"]
    assert xml.find("sqs:Error/sqs:Message", NS).text == expect["message"]
    assert xml.find("sqs:Error/sqs:Type", NS).text == "Sender"


FILTERS = load("receive-filters.json")[0]


def test_message_attribute_name_filters_select_what_aws_selected(cluster, client, name):
    url = client.create_queue(QueueName=name)["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes={
        key: {"DataType": "String", "StringValue": value} for key, value in FILTERS["message_attributes"].items()})
    for selection in FILTERS["filters"]:
        received = client.receive_message(QueueUrl=url, MessageAttributeNames=selection["names"],
                                          VisibilityTimeout=0, WaitTimeSeconds=5)["Messages"]
        returned = sorted(received[0].get("MessageAttributes", {}))
        assert returned == selection["returned"], selection["snapshot"]


def test_every_fixture_names_its_recording():
    for case in CASES:
        assert case["recorded"].startswith(("test_sqs.py::", "test_sqs_move_task.py::")), case["id"]
        assert {"status", "code", "message", "fault"} <= set(case["expect"]), case["id"]

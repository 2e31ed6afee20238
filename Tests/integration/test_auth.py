"""A second cluster with auth = "sigv4" (SQS-API.md a4): good keys work, bad ones get the SQS auth codes."""
import botocore
import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from ferry_cluster import Cluster

KEY, SECRET = "AKIDFERRYTEST", "integration-secret-key"
OTHER_ACCOUNT_KEY = "AKIDOTHERACCOUNT"


@pytest.fixture(scope="module")
def signed_cluster():
    c = Cluster(auth="sigv4", credentials=[
        {"access_key": KEY, "secret_key": SECRET},
        {"access_key": OTHER_ACCOUNT_KEY, "secret_key": "other-secret", "account_id": "111122223333"},
    ])
    try:
        c.start()
        yield c
    finally:
        c.stop()


def code_and_status(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_signed_requests_work_on_every_node(signed_cluster):
    clients = [make_client(signed_cluster.endpoint(n), key=KEY, secret=SECRET) for n in signed_cluster.ids]
    url = clients[0].create_queue(QueueName="signed")["QueueUrl"]
    clients[1].send_message(QueueUrl=url, MessageBody="signed hello")
    got = clients[2].receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in got] == ["signed hello"]


def test_wrong_secret(signed_cluster):
    bad = make_client(signed_cluster.endpoint(2), key=KEY, secret="not-the-secret")
    assert code_and_status(lambda: bad.list_queues()) == ("SignatureDoesNotMatch", 403)


def test_unknown_key(signed_cluster):
    unknown = make_client(signed_cluster.endpoint(1), key="AKIDNOBODY", secret=SECRET)
    assert code_and_status(lambda: unknown.list_queues()) == ("InvalidClientTokenId", 403)


def test_unsigned(signed_cluster):
    unsigned = make_client(signed_cluster.endpoint(3), signature_version=botocore.UNSIGNED)
    assert code_and_status(lambda: unsigned.list_queues()) == ("MissingAuthenticationToken", 403)


def test_other_account_is_denied(signed_cluster):
    other = make_client(signed_cluster.endpoint(1), key=OTHER_ACCOUNT_KEY, secret="other-secret")
    assert code_and_status(lambda: other.list_queues()) == ("AccessDenied", 403)

"""A second cluster with auth = "sigv4" (docs/sqs-wire.md, "Signature V4"): good keys work, bad ones get the
SQS auth codes, and
the /_ferry/ admin endpoints answer only to the right signatures (issue 17)."""
import json
import os
import subprocess
import time

import botocore
import pytest
from botocore.exceptions import ClientError

from conftest import make_client, running_cluster, wait_until
from ferry_cluster import REGION, admin_request, ferry_cli_binary

KEY, SECRET = "AKIDFERRYTEST", "integration-secret-key"  # an administrator
USER_KEY, USER_SECRET = "AKIDAPPONLY", "app-secret-key"  # same account, not an administrator
OTHER_ACCOUNT_KEY = "AKIDOTHERACCOUNT"
FERRY = str(ferry_cli_binary())
CLI_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def signed_cluster():
    with running_cluster(auth="sigv4", credentials=[
        {"access_key": KEY, "secret_key": SECRET, "admin": True},
        {"access_key": USER_KEY, "secret_key": USER_SECRET},
        {"access_key": OTHER_ACCOUNT_KEY, "secret_key": "other-secret", "account_id": "111122223333"},
    ]) as c:
        yield c


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


def test_a_request_signed_for_another_region_is_refused(signed_cluster):
    west = boto3_client_for_region(signed_cluster.endpoint(1), "us-west-2")
    with pytest.raises(ClientError) as e:
        west.list_queues()
    error = e.value.response["Error"]
    assert (error["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("SignatureDoesNotMatch", 403)
    assert error["Message"] == "Credential should be scoped to a valid region, not 'us-west-2'."
    code, body = admin_request(signed_cluster.endpoint(1), "GET", "/_ferry/status", KEY, SECRET, region="us-west-2")
    assert code == 403 and json.loads(body)["error"] == "SignatureDoesNotMatch", body


def boto3_client_for_region(endpoint, region):
    import boto3
    from conftest import client_config
    return boto3.client("sqs", endpoint_url=endpoint, region_name=region, aws_access_key_id=KEY,
                        aws_secret_access_key=SECRET, config=client_config())


# MARK: - the admin endpoints


def admin_view(cluster):
    """(leader, term, voters, learners) as every node reports it, read with an admin signature; asserts
    the nodes agree."""
    views = {n: cluster.require_status(n) for n in cluster.ids}
    leaders = {v["leader"] for v in views.values()}
    assert len(leaders) == 1 and 0 not in leaders, views
    leader = leaders.pop()
    v = views[leader]
    return leader, v["term"], v["voters"], v["learners"]


def test_health_answers_unsigned(signed_cluster):
    for n in signed_cluster.ids:
        assert admin_request(signed_cluster.endpoint(n), "GET", "/_ferry/health") == (200, "ok\n")


def test_status_needs_a_credential_but_not_an_administrator(signed_cluster):
    endpoint = signed_cluster.endpoint(2)
    code, body = admin_request(endpoint, "GET", "/_ferry/status")
    assert code == 403 and json.loads(body)["error"] == "MissingAuthenticationToken", body
    code, body = admin_request(endpoint, "GET", "/_ferry/status", USER_KEY, "not-the-secret")
    assert code == 403 and json.loads(body)["error"] == "SignatureDoesNotMatch", body
    for key, secret in [(USER_KEY, USER_SECRET), (OTHER_ACCOUNT_KEY, "other-secret"), (KEY, SECRET)]:
        code, body = admin_request(endpoint, "GET", "/_ferry/status", key, secret)
        assert code == 200 and json.loads(body)["node"] == 2, (key, body)


def test_unsigned_and_non_admin_changes_are_refused_and_change_nothing(signed_cluster):
    leader, term, voters, learners = admin_view(signed_cluster)
    assert voters == [1, 2, 3] and learners == []
    follower = next(n for n in signed_cluster.ids if n != leader)
    changes = [f"/_ferry/members/remove?id={follower}", f"/_ferry/members/remove?id={leader}",
               "/_ferry/members/add-learner?id=99", f"/_ferry/members/promote?id={follower}",
               f"/_ferry/transfer-leadership?to={follower}"]
    callers = {  # signer -> the refusal's code
        "unsigned": (None, None, "MissingAuthenticationToken"),
        "non-admin": (USER_KEY, USER_SECRET, "AccessDenied"),
        "other account": (OTHER_ACCOUNT_KEY, "other-secret", "AccessDenied"),
        "admin, wrong secret": (KEY, "not-the-secret", "SignatureDoesNotMatch"),
        "admin, us-west-2": (KEY, SECRET, "SignatureDoesNotMatch"),
    }
    for path in changes:
        for node in (leader, follower):  # changes take effect at the leader; a follower must refuse as well
            for who, (key, secret, expected) in callers.items():
                region = "us-west-2" if who.endswith("us-west-2") else REGION
                code, body = admin_request(signed_cluster.endpoint(node), "POST", path, key, secret, region=region)
                assert code == 403, (path, node, who, code, body)
                assert json.loads(body)["error"] == expected, (path, node, who, body)
    time.sleep(1.0)  # several election timeouts: a transfer that slipped through would have happened
    assert admin_view(signed_cluster) == (leader, term, voters, learners)


def test_an_admin_signed_change_takes_effect(signed_cluster):
    leader, term, _, _ = admin_view(signed_cluster)
    admin_change(signed_cluster, leader, "/_ferry/members/add-learner?id=99")
    wait_until(lambda: 99 in signed_cluster.require_status(leader)["learners"], 20, "learner 99 added")
    admin_change(signed_cluster, leader, "/_ferry/members/remove?id=99")
    wait_until(lambda: 99 not in signed_cluster.require_status(leader)["learners"], 20, "learner 99 removed")


def admin_change(cluster, node, path, timeout_s=20):
    """An admin-signed membership change at node, retried while the previous change (or a new leader's
    first entry) is uncommitted."""
    deadline = time.monotonic() + timeout_s
    while True:
        code, body = admin_request(cluster.endpoint(node), "POST", path, KEY, SECRET)
        if code == 200 and json.loads(body)["ok"]:
            return
        assert code == 409 and json.loads(body)["error"] == "change_pending" and time.monotonic() < deadline, body
        time.sleep(0.05)


def ferry(cluster, *args, key=None, secret=None, flags=False):
    """Runs the ferry tool against the cluster; credentials from the AWS variables, or as flags."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    extra = []
    if key and flags:
        extra = ["--access-key", key, "--secret-key", secret, "--region", REGION]
    elif key:
        env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=REGION)
    endpoints = ",".join(cluster.endpoint(n) for n in cluster.ids)
    return subprocess.run([FERRY, *args, "--endpoints", endpoints, *extra], env=env, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT_S)


@pytest.mark.skipif(not os.access(FERRY, os.X_OK), reason="run `swift build --product ferry` first")
def test_the_cli_signs_status_and_is_told_when_it_does_not(signed_cluster):
    out = ferry(signed_cluster, "status", key=USER_KEY, secret=USER_SECRET)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Leader: node" in out.stdout
    unsigned = ferry(signed_cluster, "status")
    assert unsigned.returncode == 1
    assert "refused (403 MissingAuthenticationToken)" in unsigned.stdout, unsigned.stdout
    members = ferry(signed_cluster, "members", "list", key=USER_KEY, secret=USER_SECRET)
    assert members.returncode == 0 and "voter" in members.stdout, members.stdout + members.stderr


@pytest.mark.skipif(not os.access(FERRY, os.X_OK), reason="run `swift build --product ferry` first")
def test_status_from_one_endpoint_signs_every_request_it_makes(signed_cluster):
    """`ferry status --endpoint` one node asks every member the node lists, each request signed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=USER_KEY, AWS_SECRET_ACCESS_KEY=USER_SECRET, AWS_REGION=REGION)
    out = subprocess.run([FERRY, "status", "--endpoint", signed_cluster.endpoint(2)], env=env, capture_output=True,
                         text=True, timeout=CLI_TIMEOUT_S)
    assert out.returncode == 0, out.stdout + out.stderr
    for n in signed_cluster.ids:
        row = next((line for line in out.stdout.splitlines() if line.startswith(f"{n} ")), "")
        assert signed_cluster.endpoint(n) in row and ("leader" in row or "follower" in row), out.stdout
    with_wrong_secret = dict(env, AWS_SECRET_ACCESS_KEY="not-the-secret")
    refused = subprocess.run([FERRY, "status", "--endpoint", signed_cluster.endpoint(2)], env=with_wrong_secret,
                             capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
    assert refused.returncode == 1 and "403" in refused.stdout, refused.stdout


@pytest.mark.skipif(not os.access(FERRY, os.X_OK), reason="run `swift build --product ferry` first")
def test_the_cli_changes_leadership_and_members_only_as_an_administrator(signed_cluster):
    leader, term, voters, _ = admin_view(signed_cluster)
    target = next(n for n in signed_cluster.ids if n != leader)

    refused = ferry(signed_cluster, "transfer-leadership", str(target), key=USER_KEY, secret=USER_SECRET)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr, refused.stdout + refused.stderr
    assert admin_view(signed_cluster)[0] == leader

    moved = ferry(signed_cluster, "transfer-leadership", str(target), key=KEY, secret=SECRET)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert admin_view(signed_cluster)[0] == target

    # A learner that never starts changes no quorum: added with a signed raw request, removed with the CLI,
    # signed with flags this time. (Not `ferry members add 99`: the absent node never answers, so the CLI would
    # wait for it until its timeout; the core refuses to promote a learner that has not answered the leader.)
    admin_change(signed_cluster, target, "/_ferry/members/add-learner?id=99")
    wait_until(lambda: 99 in signed_cluster.require_status(target)["learners"], 20, "learner 99 added")
    not_admin = ferry(signed_cluster, "members", "remove", "99", key=USER_KEY, secret=USER_SECRET, flags=True)
    assert not_admin.returncode != 0 and "AccessDenied" in not_admin.stderr, not_admin.stdout + not_admin.stderr
    removed = ferry(signed_cluster, "members", "remove", "99", key=KEY, secret=SECRET, flags=True)
    assert removed.returncode == 0 and "node 99 removed" in removed.stdout, removed.stdout + removed.stderr
    wait_until(lambda: 99 not in signed_cluster.require_status(target)["learners"], 20, "learner 99 removed")
    assert admin_view(signed_cluster)[2] == voters

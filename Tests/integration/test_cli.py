"""The aws cli against the cluster: a create / send / receive / delete round trip."""
import hashlib
import json
import os
import shutil
import subprocess

import pytest

from ferry_cluster import REGION

# One cli call starts a Python interpreter and loads botocore; generous for a loaded machine.
CLI_TIMEOUT_S = 60


def aws(endpoint, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="test-secret",
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    out = subprocess.run(["aws", "--endpoint-url", endpoint, "--output", "json", "sqs", *args],
                         env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


@pytest.mark.skipif(shutil.which("aws") is None, reason="aws cli not installed")
def test_cli_round_trip(cluster, name):
    url = aws(cluster.endpoint(1), "create-queue", "--queue-name", name)["QueueUrl"]
    assert url == cluster.queue_url(name)
    sent = aws(cluster.endpoint(2), "send-message", "--queue-url", url, "--message-body", "from the cli",
               "--message-attributes", '{"k": {"DataType": "String", "StringValue": "v"}}')
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from the cli").hexdigest()
    got = aws(cluster.endpoint(3), "receive-message", "--queue-url", url, "--wait-time-seconds", "2",
              "--message-attribute-names", "All")["Messages"]
    assert [m["Body"] for m in got] == ["from the cli"]
    assert got[0]["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    aws(cluster.endpoint(1), "delete-message", "--queue-url", url, "--receipt-handle", got[0]["ReceiptHandle"])
    assert aws(cluster.endpoint(1), "receive-message", "--queue-url", url).get("Messages", []) == []

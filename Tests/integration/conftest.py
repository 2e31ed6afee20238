import contextlib
import itertools
import os
import sys
import time

import boto3
import pytest
from botocore.config import Config

# The cluster harness is shared with Tests/cluster: Tests/ferry_cluster.py.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ferry_cluster import REGION, Cluster  # noqa: E402

_names = itertools.count()


def client_config(**overrides):
    # Long polls hold a request up to 20 s; botocore's read timeout must exceed it (docs/sqs-wire.md, "SDK timeouts and
    # retries").
    settings = dict(retries={"max_attempts": 6, "mode": "standard"}, read_timeout=30, connect_timeout=5)
    settings.update(overrides)
    return Config(**settings)


def make_client(endpoint, key="AKIDTEST", secret="test-secret", **extra):
    return boto3.client("sqs", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=client_config(**extra))


@contextlib.contextmanager
def running_cluster(**options):
    """A started cluster (Cluster's options; quieter logs than its default), stopped on the way out even when
    a test fails."""
    c = Cluster(**{"log_level": "warning", **options})
    try:
        c.start_cluster()
        yield c
    finally:
        c.stop()


def wait_until(predicate, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout_s} s: {what}")


@pytest.fixture(scope="session")
def cluster():
    with running_cluster(auth="off") as c:
        yield c


@pytest.fixture(scope="session")
def sqs(cluster):
    """A boto3 client on node 1."""
    return make_client(cluster.endpoint(1))


@pytest.fixture(scope="session")
def sqs_nodes(cluster):
    """One boto3 client per node, by node id."""
    return {n: make_client(cluster.endpoint(n)) for n in cluster.ids}


@pytest.fixture
def name(request):
    """A queue name unique in the session (queue names cannot be reused for 60 s after deletion)."""
    base = "".join(ch if ch.isalnum() else "-" for ch in request.node.name)[:50]
    return f"{base}-{next(_names)}"

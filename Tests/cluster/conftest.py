"""Fixtures for the cluster tests: each test gets clusters of real ferryd processes that are always killed
at the end, and the measured figures are printed in pytest's summary."""

import sys
from pathlib import Path

import pytest

# The cluster harness is shared with Tests/integration: Tests/ferry_cluster.py; sqsload.py and netfault.py sit here.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ferry_cluster import REPORT, Cluster, ferryd_binary, kill_every_started_process  # noqa: E402


@pytest.fixture
def make_cluster(tmp_path):
    """make_cluster(voters=3, spares=0, snapshot_interval_entries=None, start=True) -> Cluster."""
    binary = ferryd_binary()
    if not binary.exists():
        pytest.fail(f"{binary} not found: run `swift build --product ferryd` or set FERRY_BIN")
    made = []

    def make(voters=3, spares=0, snapshot_interval_entries=None, start=True, **kwargs):
        cluster = Cluster(tmp_path / f"cluster{len(made)}", voters=voters, spares=spares,
                          snapshot_interval_entries=snapshot_interval_entries, **kwargs)
        made.append(cluster)
        if start:
            cluster.start_all()
        return cluster

    yield make
    for cluster in made:
        cluster.teardown()


@pytest.fixture
def cluster3(make_cluster):
    cluster = make_cluster()
    cluster.wait_for_leader()
    return cluster


def pytest_sessionfinish(session, exitstatus):
    kill_every_started_process()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if REPORT.lines:
        terminalreporter.section("ferry cluster figures")
        for line in REPORT.lines:
            terminalreporter.write_line(line)

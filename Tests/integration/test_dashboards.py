"""The monitoring files in cluster/ query only what a live node exposes: every ferry_ metric the Grafana
dashboard and the alerting rules name is a sample name in some node's /metrics (issue 22)."""
import json
import os
import re

import pytest
import yaml

from conftest import make_client, running_cluster
from ferry_cluster import REPO_ROOT
from test_metrics import scrape

DASHBOARD = os.path.join(REPO_ROOT, "cluster", "grafana", "ferry-dashboard.json")
ALERTS = os.path.join(REPO_ROOT, "cluster", "prometheus", "ferry-alerts.yml")
PROMETHEUS = os.path.join(REPO_ROOT, "cluster", "prometheus", "prometheus.yml")
METRIC_NAME = re.compile(r"\bferry_[a-z0-9_]+")


def dashboard_exprs():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert exprs, "the dashboard queries nothing"
    return exprs


def alert_exprs():
    with open(ALERTS) as f:
        rules = yaml.safe_load(f)
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


@pytest.fixture(scope="module")
def exposed():
    """Every sample name any node of a live cluster with a queue in use exposes (the follower lag only the
    leader has)."""
    with running_cluster(auth="off") as c:
        client = make_client(c.endpoint(1))
        url = client.create_queue(QueueName="dashboard")["QueueUrl"]
        client.send_message(QueueUrl=url, MessageBody="m")
        names = set()
        for n in c.ids:
            names |= {name for (name, _labels) in scrape(f"{c.endpoint(n)}/metrics").samples}
        yield names


@pytest.mark.parametrize("source", ["dashboard", "alerts"])
def test_every_queried_metric_exists_on_a_live_node(exposed, source):
    exprs = dashboard_exprs() if source == "dashboard" else alert_exprs()
    queried = {name for e in exprs for name in METRIC_NAME.findall(e)}
    assert queried, f"the {source} names no ferry_ metric"
    assert queried <= exposed, f"{source} queries metrics no node exposes: {sorted(queried - exposed)}"


def test_the_dashboard_covers_what_the_issue_asks():
    exprs = " ".join(dashboard_exprs())
    for family in ["ferry_raft_role", "ferry_raft_leader_id", "ferry_raft_term", "ferry_raft_follower_lag_entries",
                   "ferry_storage_durable_write_seconds_bucket", "ferry_sqs_requests_total",
                   "ferry_sqs_request_duration_seconds_bucket", "ferry_queue_messages_visible",
                   "ferry_queue_oldest_message_age_seconds"]:
        assert family in exprs, family


def test_the_local_scrape_config_targets_the_local_cluster():
    with open(PROMETHEUS) as f:
        config = yaml.safe_load(f)
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "ferry"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["127.0.0.1:9324", "127.0.0.1:9325", "127.0.0.1:9326"]
    assert config["rule_files"] == [os.path.basename(ALERTS)]

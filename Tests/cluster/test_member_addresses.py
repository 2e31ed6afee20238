"""Membership with addresses: the replicated configuration carries each member's peer address and client
URL. A node no config file lists joins under load with no restart of the others; a removed node is no longer
dialled; a moved node is found at its new address; `ferry status` from one endpoint shows every member; and
a node whose disk is lost is replaced by the procedure in docs/operations.md."""

import re
import shutil
import subprocess

import pytest

from ferrycluster import REPORT, ferry_cli_binary, free_ports
from sqsload import sends_under_load


def ferry(*args, timeout=90):
    result = subprocess.run([str(ferry_cli_binary()), *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"ferry {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def members_cmd(cluster, ids, *args):
    endpoints = ",".join(cluster.nodes[i].url for i in ids)
    return ferry("members", *args, "--endpoints", endpoints, "--timeout-seconds", "60")


def status_rows(cluster, node_id):
    """`ferry status --endpoint` one node: {member id: row text}, every member's row."""
    out = ferry("status", "--endpoint", cluster.nodes[node_id].url)
    rows = {}
    for line in out.splitlines():
        match = re.match(r"^(\d+)\s+(voter|learner|-)\s", line)
        if match:
            rows[int(match.group(1))] = line
    return rows, out


def check_status_shows(cluster, node_id, members):
    """Every member has a row with its role and indexes: the command reached each from one endpoint."""
    rows, out = status_rows(cluster, node_id)
    assert sorted(rows) == sorted(members), out
    for member, row in rows.items():
        assert re.search(r"\s(leader|follower)\s+\d+\s+\S+\s+\d+\s+\d+\s+\d+\s", row), f"member {member} unreachable:\n{out}"
    return out


def require_cli():
    if not ferry_cli_binary().exists():
        pytest.fail(f"{ferry_cli_binary()} not found: run `swift build --product ferry`")


def test_an_unlisted_node_joins_and_a_removed_one_is_no_longer_dialled(make_cluster):
    require_cli()
    cluster = make_cluster(voters=3, spares=1, unlisted=(4,), snapshot_interval_entries=50)
    node4 = cluster.nodes[4]
    for i in (1, 2, 3):
        text = cluster.nodes[i].config_path.read_text()
        assert str(node4.peer_port) not in text and str(node4.client_port) not in text, "no config file lists node 4"
    cluster.wait_for_leader()
    for i, s in cluster.statuses([1, 2, 3]).items():
        assert all(m["address_source"] == "replicated" for m in s["members"]), s
    check_status_shows(cluster, 1, [1, 2, 3])

    with sends_under_load(cluster, [2, 3], "member addresses"):
        cluster.start(4)
        out = members_cmd(cluster, [1, 2, 3], "add", "4", "--peer-address", f"127.0.0.1:{node4.peer_port}",
                          "--client-url", node4.url)
        REPORT.add("ferry members add 4 --peer-address: " + " | ".join(out.strip().splitlines()))
        statuses = cluster.wait_caught_up([1, 2, 3, 4])
        for i, s in statuses.items():
            assert s["voters"] == [1, 2, 3, 4], s
            four = next(m for m in s["members"] if m["id"] == 4)
            assert four["peer_address"] == f"127.0.0.1:{node4.peer_port}" and four["client_url"] == node4.url, s
            if i != 4:
                assert {"id": 4, "address": f"127.0.0.1:{node4.peer_port}"} in s["dialing"], s
        cluster.wait_until("nodes 1-3 to hold links to node 4",
                           lambda: all(4 in s["connected_peers"] for s in cluster.statuses([1, 2, 3]).values()))
        assert all(cluster.nodes[i].starts == 1 for i in (1, 2, 3)), "nodes 1-3 never restarted"
        REPORT.add("status from node 1 with node 4 added:\n" + check_status_shows(cluster, 1, [1, 2, 3, 4]))

        if cluster.wait_for_leader() == 1:
            ferry("transfer-leadership", "2", "--endpoints", ",".join(n.url for n in cluster.nodes.values()),
                  "--timeout-seconds", "60")
        out = members_cmd(cluster, [1, 2, 3, 4], "remove", "1")
        REPORT.add("ferry members remove 1: " + out.strip())
        # Node 1 keeps running: the others stop dialling it because it left the configuration, not because it died.
        cluster.wait_until("nodes 2-4 to stop dialling node 1", lambda: all(
            s["voters"] == [2, 3, 4] and all(d["id"] != 1 for d in s["dialing"]) and 1 not in s["connected_peers"]
            for s in cluster.statuses([2, 3, 4]).values()) and len(cluster.statuses([2, 3, 4])) == 3)
        assert cluster.nodes[1].running
        for i in (2, 3, 4):
            assert "stopped dialling a peer" in cluster.nodes[i].log_text(), i
        check_status_shows(cluster, 2, [2, 3, 4])
        cluster.kill(1)

        # Node 4 moves to a new peer port: recorded in the configuration, the others dial it there.
        cluster.kill(4)
        node4.peer_port = free_ports(1)[0]
        cluster.write_config(node4)
        cluster.start(4)
        members_cmd(cluster, [2, 3], "update", "4", "--peer-address", f"127.0.0.1:{node4.peer_port}")
        cluster.wait_until("nodes 2-3 to dial node 4 at its new address", lambda: all(
            {"id": 4, "address": f"127.0.0.1:{node4.peer_port}"} in s["dialing"] and 4 in s["connected_peers"]
            for s in cluster.statuses([2, 3]).values()) and len(cluster.statuses([2, 3])) == 2)
        cluster.wait_caught_up([2, 3, 4])
        REPORT.add("status from node 3 after node 4 moved:\n" + check_status_shows(cluster, 3, [2, 3, 4]))


def test_a_follower_that_missed_the_leaders_move_still_catches_up(make_cluster):
    """Node 3 is down while the leader moves; back up, its log still names the leader's old address. It answers
    on the link the leader dialled to it, so the leader's appends reach it and bring the new address (found by
    the simulator, docs/simulation.md, "Addresses": before, it answered the old address and never caught up)."""
    require_cli()
    cluster = make_cluster(voters=3)
    leader = cluster.wait_for_leader()
    if leader == 3:
        ferry("transfer-leadership", "1", "--endpoints", ",".join(n.url for n in cluster.nodes.values()),
              "--timeout-seconds", "60")
        leader = 1
    cluster.kill(3)
    moved = cluster.nodes[leader]
    old_port = moved.peer_port
    cluster.kill(leader)
    moved.peer_port = free_ports(1)[0]
    cluster.write_config(moved)
    cluster.start(leader)
    members_cmd(cluster, [1, 2], "update", str(leader), "--peer-address", f"127.0.0.1:{moved.peer_port}")
    if cluster.wait_for_leader([1, 2]) != leader:
        ferry("transfer-leadership", str(leader), "--endpoints", ",".join(cluster.nodes[i].url for i in (1, 2)),
              "--timeout-seconds", "60")
    assert cluster.wait_for_leader([1, 2]) == leader, "the moved node leads when node 3 comes back"
    cluster.start(3)
    statuses = cluster.wait_caught_up([1, 2, 3])
    three = next(m for m in statuses[3]["members"] if m["id"] == leader)
    assert three["peer_address"] == f"127.0.0.1:{moved.peer_port}" != f"127.0.0.1:{old_port}", statuses[3]


def test_replacing_a_node_whose_disk_is_lost(make_cluster):
    """docs/operations.md, "Disk loss and recovery": remove, wipe, start empty with join, add back."""
    require_cli()
    cluster = make_cluster(voters=3)
    cluster.wait_for_leader()
    with sends_under_load(cluster, [1, 2], "disk-loss replacement"):
        lost = 3 if cluster.wait_for_leader() != 3 else 2
        node = cluster.nodes[lost]
        others = [i for i in (1, 2, 3) if i != lost]
        cluster.kill(lost)
        shutil.rmtree(node.data_dir)  # the disk is gone
        members_cmd(cluster, others, "remove", str(lost))
        node.join = True
        cluster.write_config(node)
        cluster.start(lost)
        out = members_cmd(cluster, others, "add", str(lost), "--peer-address", f"127.0.0.1:{node.peer_port}",
                          "--client-url", node.url)
        REPORT.add(f"replaced node {lost}: " + " | ".join(out.strip().splitlines()))
        statuses = cluster.wait_caught_up([1, 2, 3])
        assert all(s["voters"] == [1, 2, 3] for s in statuses.values()), statuses
        check_status_shows(cluster, others[0], [1, 2, 3])

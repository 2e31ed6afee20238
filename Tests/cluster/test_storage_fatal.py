"""A node whose durable log cannot be trusted stops with exit status 74 (EX_IOERR), which the shipped
systemd unit lists in RestartPreventExitStatus: it stays down for an operator instead of restarting in a
loop (a full disk used to make it stop and restart every few seconds)."""
from pathlib import Path

STORAGE_FAILURE_EXIT_STATUS = 74


def test_a_node_with_a_corrupt_hard_state_exits_74_and_the_unit_does_not_restart_it(cluster3):
    cluster = cluster3
    victim = 3
    cluster.kill(victim)
    hard_state = cluster.nodes[victim].data_dir / "hardstate"
    data = bytearray(hard_state.read_bytes())
    data[len(data) // 2] ^= 0x40
    hard_state.write_bytes(bytes(data))
    node = cluster.start(victim)
    assert node.proc.wait(timeout=20) == STORAGE_FAILURE_EXIT_STATUS, node.log_text()[-2000:]
    assert "the durable log failed" in node.log_text()
    unit = (Path(__file__).resolve().parents[2] / "cluster" / "ferryd.service").read_text()
    assert f"RestartPreventExitStatus={STORAGE_FAILURE_EXIT_STATUS}" in unit
    # The other two keep serving.
    cluster.wait_for_leader(ids=[1, 2])


def test_a_node_whose_snapshot_rotted_exits_74_before_it_serves(make_cluster):
    """The snapshot is verified in the one read that restores the node's state: a bit flipped anywhere in the
    file stops the start with the file's named corruption, before the node serves or changes anything on disk."""
    import time

    from ferry_cluster import churn_configuration
    from sqsload import create_queue, sqs_client, sqs_unavailable_reason

    cluster = make_cluster(snapshot_interval_entries=50)
    leader = cluster.wait_for_leader()
    victim = next(i for i in (1, 2, 3) if i != leader)
    if sqs_unavailable_reason(cluster, 1) is None:
        queue_url = create_queue(cluster, 1)
        client = sqs_client(cluster.nodes[cluster.wait_for_leader()].url)
        for k in range(120):
            client.send_message(QueueUrl=queue_url, MessageBody=f"kept-{k}" * 40)
    else:
        churn_configuration(cluster, 120)
    data_dir = cluster.nodes[victim].data_dir
    deadline = time.monotonic() + 30
    while not list(data_dir.glob("*.snap")) and time.monotonic() < deadline:
        time.sleep(0.1)
    cluster.kill(victim)
    snapshots = sorted(data_dir.glob("*.snap"))
    assert snapshots, "the victim took no snapshot"
    files_before = sorted(p.name for p in data_dir.iterdir())
    data = bytearray(snapshots[-1].read_bytes())
    data[len(data) * 2 // 3] ^= 0x10
    snapshots[-1].write_bytes(bytes(data))
    served_before = cluster.nodes[victim].log_text().count("] serving")
    node = cluster.start(victim)
    assert node.proc.wait(timeout=20) == STORAGE_FAILURE_EXIT_STATUS, node.log_text()[-2000:]
    log = node.log_text()
    assert "snapshot does not verify" in log and snapshots[-1].name in log, log[-2000:]
    assert log.count("] serving") == served_before
    assert sorted(p.name for p in data_dir.iterdir()) == files_before
    cluster.wait_for_leader(ids=[i for i in (1, 2, 3) if i != victim])

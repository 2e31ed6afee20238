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

"""A node with the wrong cluster_secret is refused by every peer, the refusals are logged on both sides,
and it never becomes part of the cluster: here an impostor claiming to be node 3, with its own empty data
directory, while the real node 3 is down."""

import shutil
import time

from ferry_cluster import REPORT


def test_peer_with_wrong_secret_is_refused_and_never_joins(cluster3):
    cluster = cluster3
    leader = cluster.wait_for_leader()
    if leader == 3:
        code, _ = cluster.http(3, "POST", "/_ferry/transfer-leadership?to=1")
        cluster.wait_until("node 3 to hand over leadership", lambda: cluster.leader() not in (None, 3), timeout=20)
    before = cluster.wait_caught_up([1, 2, 3])
    cluster.kill(3)

    impostor = cluster.nodes[3]
    real_directory = impostor.directory
    impostor.directory = real_directory.parent / "impostor3"
    impostor.directory.mkdir()
    impostor.secret = "not-the-cluster-secret-at-all"
    cluster.write_config(impostor)
    logs_before = {i: len(cluster.nodes[i].log_text()) for i in (1, 2)}
    cluster.start(3)

    def refusals_logged():
        own = impostor.log_text()
        others = [cluster.nodes[i].log_text()[logs_before[i]:] for i in (1, 2)]
        return "refused" in own and all("refused a peer connection" in o for o in others)

    cluster.wait_until("refusals in the impostor's and the members' logs", refusals_logged, timeout=20)
    time.sleep(1.0)  # several election timeouts: the impostor campaigns, nobody hears it
    s = cluster.status(3)
    assert s["connected_peers"] == [] and s["leader"] == 0 and s["commit"] == 0, s
    leader = cluster.wait_for_leader([1, 2])
    ls = cluster.status(leader)
    assert 3 not in ls["connected_peers"], ls
    assert ls["term"] == before[leader]["term"], "the impostor disturbed the cluster's term"
    match3 = {r["id"]: r["match"] for r in ls["replication"]}[3]
    assert match3 <= before[leader]["last_index"], "entries were replicated to the impostor"
    refusal = next(line for line in impostor.log_text().splitlines() if "refused" in line)
    REPORT.add(f"wrong secret: refused and logged, e.g. {refusal.strip()[:160]}")

    # The real node 3 comes back and rejoins.
    cluster.kill(3)
    impostor.directory = real_directory
    impostor.secret = cluster.nodes[1].secret
    cluster.write_config(impostor)
    cluster.start(3)
    statuses = cluster.wait_caught_up([1, 2, 3])
    assert statuses[3]["voters"] == [1, 2, 3]

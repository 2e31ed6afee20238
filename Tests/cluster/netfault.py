"""Network faults between ferryd processes on loopback, with iptables (root only).

Every node listens on 127.0.0.1, so addresses cannot tell nodes apart; ports and the owning user can. A
node to isolate runs as its own user (`Node.uid`); its traffic to and from its peers is dropped by:
  - packets to its peer port, and from it (the links the others dialled to it);
  - packets its user sends to any other node's peer port (the links it dialled).
Its client port stays reachable, so a test can still talk SQS to the node it cut off.
"""
import os
import shutil
import subprocess

ISOLATED_UID = 65534  # nobody


def available() -> str | None:
    """None if partitions can be made here, else why not."""
    if os.geteuid() != 0:
        return "needs root (iptables and a second user)"
    if shutil.which("iptables") is None:
        return "needs iptables (apt-get install iptables)"
    return None


def prepare_isolatable(cluster, node_id: int) -> None:
    """Before the node's first start: it runs as ISOLATED_UID and owns its directory."""
    node = cluster.nodes[node_id]
    node.uid = ISOLATED_UID
    for path in [node.directory, *node.directory.rglob("*")]:
        os.chown(path, ISOLATED_UID, ISOLATED_UID)
    for parent in node.directory.parents:  # pytest's temporary directories are root's alone (0700)
        os.chmod(parent, os.stat(parent).st_mode | 0o001)


class Isolation:
    """`with Isolation(cluster, 3):` cuts node 3 off from every peer; leaving the block heals it."""

    def __init__(self, cluster, node_id: int):
        node = cluster.nodes[node_id]
        assert node.uid == ISOLATED_UID, "prepare_isolatable() before starting the node"
        self.chain = f"FERRY-ISOLATE-{os.getpid()}-{node_id}"
        others = ",".join(str(n.peer_port) for i, n in cluster.nodes.items() if i != node_id)
        self.rules = [
            ["-p", "tcp", "--dport", str(node.peer_port), "-j", "DROP"],
            ["-p", "tcp", "--sport", str(node.peer_port), "-j", "DROP"],
            ["-m", "owner", "--uid-owner", str(ISOLATED_UID), "-p", "tcp", "-m", "multiport",
             "--dports", others, "-j", "DROP"],
        ]

    def __enter__(self):
        self._iptables("-N", self.chain)
        for rule in self.rules:
            self._iptables("-A", self.chain, *rule)
        self._iptables("-I", "OUTPUT", "-j", self.chain)
        return self

    def __exit__(self, *exc):
        self._iptables("-D", "OUTPUT", "-j", self.chain, check=False)
        self._iptables("-F", self.chain, check=False)
        self._iptables("-X", self.chain, check=False)

    @staticmethod
    def _iptables(*args, check=True):
        subprocess.run(["iptables", "-w", *args], check=check, capture_output=True)

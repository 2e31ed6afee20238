import FerryRaft

/// The topologies both modes' nemeses draw, as cuts in the connectivity matrix.
extension Network {
    /// Cuts `isolated` off from every other node of `ids`, both ways.
    mutating func isolate(_ isolated: NodeID, from ids: some Sequence<NodeID>) {
        for other in ids where other != isolated {
            setLink(from: isolated, to: other, up: false)
            setLink(from: other, to: isolated, up: false)
        }
    }

    /// Cuts every link between two sides: `ids[i]` is on the side `side[i]` names.
    mutating func split(_ ids: [NodeID], side: [Bool]) {
        for (i, a) in ids.enumerated() {
            for (j, b) in ids.enumerated() where side[i] != side[j] {
                setLink(from: a, to: b, up: false)
            }
        }
    }

    /// Partial connectivity: `a` and `c` cannot talk, both ways, while each still reaches everyone else.
    mutating func cut(_ a: NodeID, _ c: NodeID) {
        setLink(from: a, to: c, up: false)
        setLink(from: c, to: a, up: false)
    }
}

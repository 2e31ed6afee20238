import FerryRaft

/// Where a simulated node listens for peers: a host named after the node and a port that grows each time
/// the operator moves the node (`n2.sim:7001`). Ports never go back, so of two addresses of one node the
/// one with the higher port is the newer.
public struct SimPeerAddress: Hashable, Sendable, CustomStringConvertible {
    var node: NodeID
    var port: UInt16

    /// Every node listens here until it is first moved.
    static let firstPort: UInt16 = 7000

    init(node: NodeID, port: UInt16 = Self.firstPort) {
        self.node = node
        self.port = port
    }

    /// The address a replicated peer address names, or nil if it is not one of the simulated world's
    /// (the simulator's `parse` for `PeerDialPlan`, as ferryd's is `HOST:PORT`).
    init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].hasPrefix("n"), parts[0].hasSuffix(".sim"),
            let node = NodeID(parts[0].dropFirst().dropLast(4)), let port = UInt16(parts[1])
        else { return nil }
        self.init(node: node, port: port)
    }

    public var description: String { "n\(node).sim:\(port)" }
    var member: MemberAddress { MemberAddress(peer: description) }
}

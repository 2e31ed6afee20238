import FerryRaft

/// Whom a node dials, and where: the members of the configuration in force (the latest configuration
/// entry in the log, committed or not, as Raft uses it), at their replicated addresses. The config file's
/// `[peers]` only fills in a member whose address was never replicated (a log written before addresses
/// were, or a member added without one), and seeds a node whose configuration is still empty (a node
/// waiting to join dials the `[peers]` it was given, so it can answer the leader that adds it).
///
/// A pure decision, shared by ferryd (`PeerAddressBook`, over socket addresses) and the simulator (over
/// simulated addresses): `parse` turns a replicated peer address into the caller's address type, nil if
/// it is not one.
public struct PeerDialPlan<Address: Equatable>: Equatable {
    public enum Source: String, Sendable {
        case replicated
        case peersFile = "peers_file"
    }
    public struct Entry: Equatable {
        public var address: Address
        public var source: Source

        public init(address: Address, source: Source) {
            self.address = address
            self.source = source
        }
    }

    /// The peers to dial (never this node).
    public private(set) var dial: [NodeID: Entry] = [:]
    /// Members this node cannot dial: no usable replicated address and none in `[peers]`, with why.
    public private(set) var unreachable: [NodeID: String] = [:]

    public init(
        configuration: Configuration, localID: NodeID, peersFile: [NodeID: Address],
        parse: (String) -> Address?
    ) {
        let members = configuration.members.isEmpty ? peersFile.keys.sorted() : configuration.members
        for member in members where member != localID {
            if let replicated = configuration.address(of: member) {
                if let address = parse(replicated.peer) {
                    dial[member] = Entry(address: address, source: .replicated)
                    continue
                }
                unreachable[member] = "replicated peer address '\(replicated.peer)' is not host:port"
            }
            if let address = peersFile[member] {
                dial[member] = Entry(address: address, source: .peersFile)
                unreachable[member] = nil
            } else if unreachable[member] == nil {
                unreachable[member] = "no replicated peer address and not in [peers]"
            }
        }
    }
}

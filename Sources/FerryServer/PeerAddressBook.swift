import FerryRaft

/// Whom this node dials, and where: the members of the configuration in force (the latest configuration
/// entry in the log, committed or not, as Raft uses it), at their replicated addresses. The config file's
/// `[peers]` only fills in a member whose address was never replicated (a log written before addresses
/// were, or a member added without one), and seeds a node whose configuration is still empty (a node
/// waiting to join dials the `[peers]` it was given, so it can answer the leader that adds it).
struct PeerAddressBook: Equatable {
    enum Source: String { case replicated, peersFile = "peers_file" }
    struct Entry: Equatable {
        var address: ServerConfig.Address
        var source: Source
    }

    /// The peers to dial (never this node).
    private(set) var dial: [NodeID: Entry] = [:]
    /// Members this node cannot dial: no usable replicated address and none in `[peers]`, with why.
    private(set) var unreachable: [NodeID: String] = [:]

    init(configuration: Configuration, localID: NodeID, peersFile: [NodeID: ServerConfig.Address]) {
        let members = configuration.members.isEmpty ? peersFile.keys.sorted() : configuration.members
        for member in members where member != localID {
            if let replicated = configuration.address(of: member) {
                if let address = try? ServerConfig.Address(parsing: replicated.peer) {
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

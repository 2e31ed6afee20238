import FerryNode
import FerryRaft

/// Whom this node dials, and where (`PeerDialPlan`, the decision the simulator checks), over socket
/// addresses: a replicated peer address is used when it parses as `HOST:PORT`.
typealias PeerAddressBook = PeerDialPlan<ServerConfig.Address>

extension PeerDialPlan where Address == ServerConfig.Address {
    init(configuration: Configuration, localID: NodeID, peersFile: [NodeID: ServerConfig.Address]) {
        self.init(configuration: configuration, localID: localID, peersFile: peersFile) {
            try? ServerConfig.Address(parsing: $0)
        }
    }
}

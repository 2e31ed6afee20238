/// Where a member can be reached, as the replicated configuration records it (like etcd's member list):
/// the peer address other nodes dial and the URL clients and operators use. Opaque to Raft: it only
/// carries them, checks their bounds, and keeps them with the member until the member leaves.
public struct MemberAddress: Hashable, Sendable, CustomStringConvertible {
    /// `HOST:PORT` of the member's peer listener.
    public var peer: String
    /// The member's SQS/admin base URL (`http://HOST:PORT`); empty when not known.
    public var clientURL: String

    public init(peer: String, clientURL: String = "") {
        self.peer = peer
        self.clientURL = clientURL
    }

    /// The longest peer address or client URL a configuration carries (a DNS name is at most 253 bytes).
    public static let fieldBytesMax = 512

    /// Why this address cannot enter a configuration, or nil. Fields are printable ASCII without spaces, so
    /// they go into logs and JSON as they are; the peer address is not empty.
    public var problem: String? {
        if peer.isEmpty { return "empty peer address" }
        for (name, field) in [("peer address", peer), ("client URL", clientURL)] {
            if field.utf8.count > Self.fieldBytesMax { return "\(name) longer than \(Self.fieldBytesMax) bytes" }
            if field.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
                return "\(name) is not printable ASCII without spaces"
            }
        }
        return nil
    }

    public var description: String { clientURL.isEmpty ? peer : "\(peer) \(clientURL)" }
}

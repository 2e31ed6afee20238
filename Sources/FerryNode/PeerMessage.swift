import FerryRaft

/// What nodes say to each other: Raft traffic, and client commands a follower forwards to the leader
/// (clients never see a redirect).
public enum PeerMessage: Hashable, Sendable {
    case raft(Envelope)
    /// A follower asks the leader to propose a command on behalf of its client.
    case forward(ForwardRequest)
    /// The leader proposed it at `position`; the follower answers its client when it applies that entry.
    case forwardAccepted(requestID: UInt64, position: LogPosition)
    /// The leader could not propose it (it is not leader any more, or is overloaded or transferring).
    case forwardRefused(requestID: UInt64, leaderHint: NodeID?)
}

public struct ForwardRequest: Hashable, Sendable {
    public var requestID: UInt64
    public var command: [UInt8]
    public init(requestID: UInt64, command: [UInt8]) {
        self.requestID = requestID
        self.command = command
    }
}

extension PeerMessage {
    private enum Tag: UInt8 { case raft = 1, forward, forwardAccepted, forwardRefused }

    /// The largest forwarded command: a SendMessageBatch of 1 MiB plus encoding overhead.
    public static let forwardedCommandBytesMax = 4 << 20

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        switch self {
        case .raft(let envelope):
            w.write(Tag.raft.rawValue)
            envelope.encode(into: &w)
        case .forward(let request):
            w.write(Tag.forward.rawValue)
            w.write(request.requestID)
            w.writeLengthPrefixed(request.command)
        case .forwardAccepted(let requestID, let position):
            w.write(Tag.forwardAccepted.rawValue)
            w.write(requestID); w.write(position.index); w.write(position.term)
        case .forwardRefused(let requestID, let hint):
            w.write(Tag.forwardRefused.rawValue)
            w.write(requestID); w.write(hint ?? 0)
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> PeerMessage {
        var r = ByteReader(bytes)
        let rawTag = try r.readUInt8()
        guard let tag = Tag(rawValue: rawTag) else { throw .unknownTag(type: "PeerMessage", tag: rawTag) }
        let message: PeerMessage
        switch tag {
        case .raft:
            message = .raft(try Envelope.decode(from: &r))
        case .forward:
            let id = try r.readUInt64()
            message = .forward(ForwardRequest(requestID: id, command: try r.readLengthPrefixed(max: forwardedCommandBytesMax)))
        case .forwardAccepted:
            let id = try r.readUInt64()
            message = .forwardAccepted(requestID: id, position: LogPosition(index: try r.readUInt64(), term: try r.readUInt64()))
        case .forwardRefused:
            let id = try r.readUInt64()
            let hint = try r.readUInt64()
            message = .forwardRefused(requestID: id, leaderHint: hint == 0 ? nil : hint)
        }
        try r.expectEnd()
        return message
    }
}

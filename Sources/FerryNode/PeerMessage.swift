import FerryRaft

/// What nodes say to each other: Raft traffic, and client commands a follower forwards to the leader
/// (clients never see a redirect).
public enum PeerMessage: Hashable, Sendable {
    case raft(Envelope)
    /// A follower asks the leader to propose a command on behalf of its client. The follower answers its
    /// client when it applies the command itself; a forward may be sent more than once (sessions make the
    /// command take effect once).
    case forward(ForwardRequest)
    /// The receiver is not the leader (or cannot take proposals now): try `leaderHint`, or wait for one.
    case forwardRefused(sequence: UInt64, leaderHint: NodeID?)
}

public struct ForwardRequest: Hashable, Sendable {
    /// The submitting node's session and its sequence number for this command.
    public var session: UInt64
    public var sequence: UInt64
    public var command: [UInt8]
    public init(session: UInt64, sequence: UInt64, command: [UInt8]) {
        self.session = session
        self.sequence = sequence
        self.command = command
    }
}

extension PeerMessage {
    /// Whether to write it at once rather than at the end of the loop turn. Everything is, except an
    /// AppendEntries without entries: it only tells a follower the new commit index, and waiting until
    /// the leader has answered its own clients this turn (they wait on the same commit) costs the
    /// follower's clients no more than the rest of the turn.
    public var isUrgent: Bool {
        if case .raft(let envelope) = self, case .appendEntries(let append) = envelope.message, append.entries.isEmpty {
            return false
        }
        return true
    }

    private enum Tag: UInt8 {
        case raft = 1
        case forward, forwardRefused
    }

    /// The largest forwarded command: what a log entry may carry (`WireLimits.commandBytesMax`). The leader
    /// refuses a forward longer than `ReplicaNode.commandBodyBytesMax`; this bound only stops a hostile
    /// length from allocating.
    public static let forwardedCommandBytesMax = WireLimits.commandBytesMax

    /// Room to reserve for the encoding: at least its size.
    var encodedBytesEstimate: Int {
        switch self {
        case .raft(let envelope): return 1 + envelope.encodedBytesEstimate
        case .forward(let request): return 32 + request.command.count
        case .forwardRefused: return 32
        }
    }

    public func encoded() -> [UInt8] {
        var w = LittleEndianWriter()
        encode(into: &w)
        return w.bytes
    }

    /// Appends the encoding to `w`, growing it at most once.
    public func encode(into w: inout LittleEndianWriter) {
        w.reserveCapacity(w.bytes.count + encodedBytesEstimate)
        switch self {
        case .raft(let envelope):
            w.write(Tag.raft.rawValue)
            envelope.encode(into: &w)
        case .forward(let request):
            w.write(Tag.forward.rawValue)
            w.write(request.session)
            w.write(request.sequence)
            w.writeLengthPrefixed(request.command)
        case .forwardRefused(let sequence, let hint):
            w.write(Tag.forwardRefused.rawValue)
            w.write(sequence)
            w.write(hint ?? 0)
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> PeerMessage {
        try decode(bytes, payload: 0..<bytes.count)
    }

    /// Decodes the message in `bytes[payload]` (a frame where it lies in a link's receive buffer), which it
    /// must fill exactly.
    public static func decode(_ bytes: [UInt8], payload: Range<Int>) throws(WireError) -> PeerMessage {
        var r = LittleEndianReader(bytes, offset: payload.lowerBound, end: payload.upperBound)
        let rawTag = try r.readUInt8()
        guard let tag = Tag(rawValue: rawTag) else { throw .unknownTag(type: "PeerMessage", tag: rawTag) }
        let message: PeerMessage
        switch tag {
        case .raft:
            message = .raft(try Envelope.decode(from: &r))
        case .forward:
            let session = try r.readUInt64()
            let sequence = try r.readUInt64()
            guard session != 0, sequence != 0 else { throw .invalidValue("a forward needs a session and a sequence") }
            message = .forward(
                ForwardRequest(
                    session: session, sequence: sequence,
                    command: try r.readLengthPrefixed(max: forwardedCommandBytesMax)))
        case .forwardRefused:
            let sequence = try r.readUInt64()
            let hint = try r.readUInt64()
            message = .forwardRefused(sequence: sequence, leaderHint: hint == 0 ? nil : hint)
        }
        try r.expectEnd()
        return message
    }
}

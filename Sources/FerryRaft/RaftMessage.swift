/// Every message between Raft peers. Each payload holds only the fields its kind needs.
/// Wire encoding lives in RaftMessage+Wire.swift.
public enum RaftMessage: Hashable, Sendable {
    case voteRequest(VoteRequest)
    case voteResponse(VoteResponse)
    case appendEntries(AppendEntries)
    case appendResponse(AppendResponse)
    case heartbeat(Heartbeat)
    case heartbeatResponse(HeartbeatResponse)
    case snapshotChunk(SnapshotChunk)
    case snapshotResponse(SnapshotResponse)
    case timeoutNow(TimeoutNow)
    case readIndexRequest(ReadIndexRequest)
    case readIndexResponse(ReadIndexResponse)

    /// The sender's term when it sent the message (for PreVote: the term it would campaign in).
    public var term: Term {
        switch self {
        case .voteRequest(let m): return m.term
        case .voteResponse(let m): return m.term
        case .appendEntries(let m): return m.term
        case .appendResponse(let m): return m.term
        case .heartbeat(let m): return m.term
        case .heartbeatResponse(let m): return m.term
        case .snapshotChunk(let m): return m.term
        case .snapshotResponse(let m): return m.term
        case .timeoutNow(let m): return m.term
        case .readIndexRequest(let m): return m.term
        case .readIndexResponse(let m): return m.term
        }
    }
}

/// RequestVote (Raft §5.2), or a PreVote probe (thesis §9.6) when `isPreVote`: a PreVote asks
/// "would you vote for me in `term`?" and changes no state on either side.
public struct VoteRequest: Hashable, Sendable {
    public var term: Term
    public var lastLogIndex: LogIndex
    public var lastLogTerm: Term
    public var isPreVote: Bool
    /// Sent after TimeoutNow: voters drop leader stickiness for it (thesis §3.10).
    public var isLeadershipTransfer: Bool
    public init(term: Term, lastLogIndex: LogIndex, lastLogTerm: Term, isPreVote: Bool, isLeadershipTransfer: Bool) {
        self.term = term
        self.lastLogIndex = lastLogIndex
        self.lastLogTerm = lastLogTerm
        self.isPreVote = isPreVote
        self.isLeadershipTransfer = isLeadershipTransfer
    }
}

public struct VoteResponse: Hashable, Sendable {
    /// The responder's term; for a granted PreVote, the term of the request.
    public var term: Term
    public var granted: Bool
    public var isPreVote: Bool
    public init(term: Term, granted: Bool, isPreVote: Bool) {
        self.term = term
        self.granted = granted
        self.isPreVote = isPreVote
    }
}

/// AppendEntries (Raft §5.3). Without entries it only tells a follower a new commit index, once the
/// follower has everything (`sendAppends`); leader liveness is `Heartbeat`.
public struct AppendEntries: Hashable, Sendable {
    public var term: Term
    public var prevLogIndex: LogIndex
    public var prevLogTerm: Term
    public var entries: [Entry]
    public var leaderCommit: LogIndex
    public init(term: Term, prevLogIndex: LogIndex, prevLogTerm: Term, entries: [Entry], leaderCommit: LogIndex) {
        self.term = term
        self.prevLogIndex = prevLogIndex
        self.prevLogTerm = prevLogTerm
        self.entries = entries
        self.leaderCommit = leaderCommit
    }
}

public struct AppendResponse: Hashable, Sendable {
    public var term: Term
    public var success: Bool
    /// On success: the index of the last entry of the request, now durable on the responder.
    /// On rejection: the prevLogIndex that was rejected.
    public var index: LogIndex
    /// On rejection, the fast-backtracking hint (thesis §5.3, "accelerated log backtracking"):
    /// the responder's term at `index` (0 if its log is shorter) and the first index it has of that term,
    /// or its last index + 1 if its log is shorter.
    public var conflictTerm: Term
    public var conflictIndex: LogIndex
    public init(term: Term, success: Bool, index: LogIndex, conflictTerm: Term = 0, conflictIndex: LogIndex = 0) {
        self.term = term
        self.success = success
        self.index = index
        self.conflictTerm = conflictTerm
        self.conflictIndex = conflictIndex
    }
}

/// Leader liveness and commit propagation. Carries no entries, so it proves nothing about the follower's
/// log; `commit` is therefore capped at what the leader knows the follower has (its matchIndex).
public struct Heartbeat: Hashable, Sendable {
    public var term: Term
    public var commit: LogIndex
    /// The newest ReadIndex round this heartbeat confirms leadership for (0: none).
    public var readRound: UInt64
    public init(term: Term, commit: LogIndex, readRound: UInt64) {
        self.term = term
        self.commit = commit
        self.readRound = readRound
    }
}

public struct HeartbeatResponse: Hashable, Sendable {
    public var term: Term
    public var readRound: UInt64
    public init(term: Term, readRound: UInt64) {
        self.term = term
        self.readRound = readRound
    }
}

/// One bounded piece of a snapshot (thesis §5.3, InstallSnapshot with `offset` and `done`).
public struct SnapshotChunk: Hashable, Sendable {
    public var term: Term
    public var metadata: SnapshotMetadata
    public var offset: Int
    public var data: [UInt8]
    public var totalBytes: Int
    public var isLast: Bool { offset + data.count == totalBytes }
    public init(term: Term, metadata: SnapshotMetadata, offset: Int, data: [UInt8], totalBytes: Int) {
        self.term = term
        self.metadata = metadata
        self.offset = offset
        self.data = data
        self.totalBytes = totalBytes
    }
}

public struct SnapshotResponse: Hashable, Sendable {
    public var term: Term
    /// The snapshot being installed.
    public var snapshotIndex: LogIndex
    /// The offset the follower expects next; `totalBytes` once the whole snapshot is durable.
    public var nextOffset: Int
    public var done: Bool
    public init(term: Term, snapshotIndex: LogIndex, nextOffset: Int, done: Bool) {
        self.term = term
        self.snapshotIndex = snapshotIndex
        self.nextOffset = nextOffset
        self.done = done
    }
}

/// Leadership transfer: "start an election now, skipping PreVote" (thesis §3.10).
public struct TimeoutNow: Hashable, Sendable {
    public var term: Term
    public init(term: Term) { self.term = term }
}

/// A follower asks the leader for a read index on behalf of its client (thesis §6.4).
public struct ReadIndexRequest: Hashable, Sendable {
    public var term: Term
    public var requestID: UInt64
    public init(term: Term, requestID: UInt64) {
        self.term = term
        self.requestID = requestID
    }
}

public struct ReadIndexResponse: Hashable, Sendable {
    public var term: Term
    public var requestID: UInt64
    /// The commit index the read must wait for; nil when the leader could not serve it (it stepped down).
    public var index: LogIndex?
    public init(term: Term, requestID: UInt64, index: LogIndex?) {
        self.term = term
        self.requestID = requestID
        self.index = index
    }
}

/// A message with its addressing.
public struct Envelope: Hashable, Sendable, CustomStringConvertible {
    public var from: NodeID
    public var to: NodeID
    public var message: RaftMessage
    public init(from: NodeID, to: NodeID, message: RaftMessage) {
        self.from = from
        self.to = to
        self.message = message
    }
    public var description: String { "\(from)->\(to) \(message)" }
}

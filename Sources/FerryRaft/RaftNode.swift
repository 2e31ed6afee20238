/// Raft as a pure, deterministic state machine (the model is etcd's raft: `RawNode`, `Ready`, `Advance`).
///
/// Inputs: `tick()`, `step(_:)`, `propose(_:)`, `proposeConfigurationChange(_:)`, `transferLeadership(to:)`,
/// `readIndex(requestID:)`, `compact(to:)`. Outputs: `takeMessages()` (send at once) and `ready()` /
/// `advance(_:)` (persist, then send, then apply). The core never touches a socket, a file, a clock or a
/// random source other than the generator it was given, so the same inputs always give the same outputs.
public struct RaftNode {
    let options: RaftOptions
    var random: any RandomNumberGenerator
    /// Where the leader reads its snapshot's data for followers that need it; nil: none is ever sent.
    let snapshotSource: (any SnapshotChunkSource)?
    /// Where the leader reads entries whose payloads left memory; nil: every payload stays in memory.
    let entrySource: (any LogEntrySource)?

    @usableFromInline var log: RaftLog
    /// Invariant: never decreases, also across restarts (it is persisted before any message reflects it).
    public internal(set) var term: Term
    public internal(set) var votedFor: NodeID?
    public internal(set) var role: Role = .follower
    public internal(set) var leader: NodeID?

    /// The hard state the application has made durable (as of the last `advance`).
    var durableHardState: HardState
    /// Configuration entries in the log after the snapshot, oldest first. The latest one is in force.
    @usableFromInline var configurationEntries: [(index: LogIndex, configuration: Configuration)] = []
    /// The index of the latest configuration entry proposed by this leader (or its first entry of its
    /// term); another change may be proposed only once it is committed.
    var pendingConfigurationIndex: LogIndex = 0

    var electionElapsedTicks = 0
    var heartbeatElapsedTicks = 0
    var randomizedElectionTimeoutTicks = 0
    /// Votes received in the current (pre-)election, keyed by voter.
    var votes: [NodeID: Bool] = [:]

    /// Leader only: every other member's replication progress.
    var progress: [NodeID: Progress] = [:]
    /// Leader only: followers that should be sent appends at the next flush.
    var replicationPending = false
    var transferTarget: NodeID?
    var transferElapsedTicks = 0

    /// Leader only: ReadIndex state (thesis §6.4).
    var readRound: UInt64 = 0
    var pendingReads: [PendingRead] = []
    /// Reads that arrived before this leader committed an entry of its own term.
    var readsAwaitingFirstCommit: [PendingRead] = []

    /// Follower only: a snapshot being received in chunks.
    var incomingSnapshot: Snapshot?
    /// A fully received snapshot to hand out in the next Ready.
    var snapshotToPersist: Snapshot?

    // Outputs.
    var messagesNow: [Envelope] = []
    var messagesAfterPersist: [Envelope] = []
    var readStates: [ReadState] = []
    /// The Ready handed out and not yet advanced.
    var outstanding: OutstandingReady?

    struct PendingRead {
        var requestID: UInt64
        var from: NodeID
        var index: LogIndex
        var round: UInt64
    }

    struct OutstandingReady {
        var lastEntry: LogPosition?
        var hardState: HardState?
        var snapshotIndex: LogIndex?
        var lastCommitted: LogIndex?
    }

    public internal(set) var appliedIndex: LogIndex

    /// `recovered.snapshotData` is not read here: the leader reads it back from `snapshotSource` a chunk at a time.
    /// With an `entrySource`, entry payloads leave memory once applied and durable (past a bounded cache,
    /// `RaftOptions.appliedEntriesCacheBytesMax`) and the leader reads them back from it.
    public init(
        options: RaftOptions, recovered: RecoveredState, random: any RandomNumberGenerator,
        snapshotSource: (any SnapshotChunkSource)?, entrySource: (any LogEntrySource)? = nil
    ) {
        options.validate()
        self.options = options
        self.random = random
        self.snapshotSource = snapshotSource
        self.entrySource = entrySource
        self.log = RaftLog(
            snapshot: recovered.snapshot, entries: recovered.entries, committed: recovered.hardState.commit)
        self.term = recovered.hardState.term
        self.votedFor = recovered.hardState.votedFor
        self.durableHardState = recovered.hardState
        self.appliedIndex = recovered.snapshot.metadata.index
        for entry in recovered.entries {
            if case .configuration(let configuration) = entry.payload {
                configurationEntries.append((entry.index, configuration))
            }
        }
        becomeFollower(term: term, leader: nil)
    }

    // MARK: - Observation
    // Inlinable where the node reads them for every message: a call into this module would take the whole
    // RaftNode as its argument, and a caller holding it in a class property copies it first (every array
    // and box in it retained and released: ~1.3k instructions a read, ~9k per message on a leader).

    public var id: NodeID { options.id }
    @inlinable public var commitIndex: LogIndex { log.committed }
    public var firstIndex: LogIndex { log.firstIndex }
    public var lastIndex: LogIndex { log.lastIndex }
    /// The last index known durable on this node.
    @inlinable public var stableIndex: LogIndex { log.stableIndex }
    @inlinable public var snapshotMetadata: SnapshotMetadata { log.snapshot.metadata }
    /// The snapshot the log continues, as the node keeps it (no data).
    public var storedSnapshot: StoredSnapshot { log.snapshot }
    /// The entry at `index` while its payload is in memory: every entry after the applied index is; older ones
    /// may have left it (nil), storage holds them.
    @inlinable public func entry(at index: LogIndex) -> Entry? { log.entry(at: index) }
    /// Bytes (`Entry.sizeBytes`) of the entries whose payloads are in memory.
    public var retainedEntryBytes: Int { log.retainedBytes }
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }

    /// The configuration in force: the latest one in the log, committed or not (thesis §4.1).
    /// Without `??`: its autoclosure captured `self`, so a caller reading a class's `raft` copied the whole node.
    @inlinable public var configuration: Configuration {
        if let last = configurationEntries.last { return last.configuration }
        return log.snapshot.metadata.configuration
    }

    /// The configuration as of `index`, for a snapshot taken there.
    public func configuration(at index: LogIndex) -> Configuration {
        configurationEntries.last(where: { $0.index <= index })?.configuration ?? log.snapshot.metadata.configuration
    }

    public var hardState: HardState { HardState(term: term, votedFor: votedFor, commit: log.committed) }

    /// Leader only: each other member's match index, sorted by node id.
    public var peerMatchIndexes: [(id: NodeID, match: LogIndex)] {
        progress.keys.sorted().map { ($0, progress[$0]!.match) }
    }

    // MARK: - Inputs

    public mutating func tick() {
        switch role {
        case .leader: tickLeader()
        case .follower, .preCandidate, .candidate: tickElection()
        }
    }

    public mutating func step(_ envelope: Envelope) {
        precondition(envelope.to == id, "message for \(envelope.to) delivered to \(id)")
        guard envelope.from != id else { return }
        guard stepTerm(envelope) else { return }
        switch envelope.message {
        case .voteRequest(let m): handleVoteRequest(m, from: envelope.from)
        case .voteResponse(let m): handleVoteResponse(m, from: envelope.from)
        case .appendEntries(let m): handleAppendEntries(m, from: envelope.from)
        case .appendResponse(let m): handleAppendResponse(m, from: envelope.from)
        case .heartbeat(let m): handleHeartbeat(m, from: envelope.from)
        case .heartbeatResponse(let m): handleHeartbeatResponse(m, from: envelope.from)
        case .snapshotChunk(let m): handleSnapshotChunk(m, from: envelope.from)
        case .snapshotResponse(let m): handleSnapshotResponse(m, from: envelope.from)
        case .timeoutNow: handleTimeoutNow(from: envelope.from)
        case .readIndexRequest(let m): handleReadIndexRequest(m, from: envelope.from)
        case .readIndexResponse(let m): handleReadIndexResponse(m)
        }
    }

    /// Proposes a command. Leader only; returns the position the entry will commit at if it commits.
    public mutating func propose(_ command: [UInt8]) throws(ProposeError) -> LogPosition {
        guard command.count <= WireLimits.commandBytesMax else { throw .commandTooLarge(bytes: command.count) }
        try checkCanPropose()
        return appendAsLeader(.command(command))
    }

    func checkCanPropose() throws(ProposeError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        guard transferTarget == nil else { throw .transferInProgress }
        guard log.lastIndex - log.committed < LogIndex(options.uncommittedEntriesMax) else { throw .overloaded }
    }

    mutating func appendAsLeader(_ payload: EntryPayload) -> LogPosition {
        precondition(role == .leader)
        let entry = Entry(index: log.lastIndex + 1, term: term, payload: payload)
        log.append([entry])
        if case .configuration(let configuration) = payload {
            configurationEntries.append((entry.index, configuration))
            pendingConfigurationIndex = entry.index
            applyConfiguration()
        }
        replicationPending = true
        // A single voter commits as soon as its own write is durable, never before (etcd #14370):
        // that happens in `advance`, not here.
        return entry.position
    }

    /// Starts an election at once (tests and tools). Skips PreVote.
    public mutating func campaign() {
        guard role != .leader, configuration.isVoter(id) else { return }
        becomeCandidate(isLeadershipTransfer: false)
    }

    // MARK: - Outputs

    /// Messages that may be sent right away: the leader's replication traffic. Call after every input.
    public mutating func takeMessages() -> [Envelope] {
        flushReplication()
        defer { messagesNow.removeAll(keepingCapacity: true) }
        return messagesNow
    }

    /// Queues a message. Only leader replication traffic in a durable term may leave before the next
    /// persist; everything else (votes, terms, acknowledgements) waits for it (Figure 2, PERS).
    mutating func emit(_ message: RaftMessage, to peer: NodeID) {
        let envelope = Envelope(from: id, to: peer, message: message)
        let termIsDurable = durableHardState.term == term && message.term <= term
        switch message {
        case .appendEntries, .heartbeat, .snapshotChunk, .timeoutNow, .readIndexResponse, .readIndexRequest,
            .heartbeatResponse:
            if termIsDurable {
                messagesNow.append(envelope)
                return
            }
        case .voteRequest, .voteResponse, .appendResponse, .snapshotResponse:
            break
        }
        messagesAfterPersist.append(envelope)
    }
}

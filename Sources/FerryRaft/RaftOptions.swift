/// Tunables of one Raft node. Every timeout is counted in ticks of the caller's clock.
public struct RaftOptions: Sendable {
    public var id: NodeID
    /// A leader sends heartbeats this often.
    public var heartbeatIntervalTicks: Int = 5
    /// A follower that hears nothing from a leader for a random duration in
    /// [electionTimeoutTicks, 2 * electionTimeoutTicks) starts an election (Raft §5.2).
    public var electionTimeoutTicks: Int = 15
    /// Ask for votes only after a PreVote round shows a majority would grant them (thesis §9.6).
    public var preVote: Bool = true
    /// A leader that has not heard from a majority within an election timeout steps down (thesis §6.2).
    public var checkQuorum: Bool = true
    /// Entries per AppendEntries message.
    public var appendEntriesMax: Int = 256
    /// Bytes of entries per AppendEntries message (a single larger entry is still sent alone).
    public var appendBytesMax: Int = 1 << 20
    /// AppendEntries messages sent to one follower and not yet acknowledged, while it is in the
    /// replicate state. Bounds the leader's memory and the follower's receive queue.
    public var inflightAppendsMax: Int = 64
    /// Bytes of snapshot per InstallSnapshot chunk.
    public var snapshotChunkBytesMax: Int = 256 << 10
    /// Bytes (`Entry.sizeBytes`) of applied, durable entries whose payloads stay in memory, the newest ones:
    /// a cache for followers a little behind. Older payloads leave memory and a leader reads them back from
    /// its `LogEntrySource` when a follower needs them. Without an entry source every payload stays.
    public var appliedEntriesCacheBytesMax: Int = 4 << 20
    /// Entries in the leader's log above its commit index; at this many, `propose` refuses with `.overloaded`
    /// (the leader sheds load rather than let its unreplicated log grow without bound).
    public var uncommittedEntriesMax: Int = 100_000
    /// A learner is promoted only once its log is at most this many entries behind the leader's.
    public var promotionLagEntriesMax: LogIndex = 64

    public init(id: NodeID) {
        precondition(id != 0, "node id 0 is reserved for 'no node'")
        self.id = id
    }

    func validate() {
        precondition(heartbeatIntervalTicks > 0)
        precondition(
            electionTimeoutTicks > heartbeatIntervalTicks, "election timeout must exceed the heartbeat interval")
        precondition(appendEntriesMax > 0 && inflightAppendsMax > 0 && snapshotChunkBytesMax > 0)
        precondition(appliedEntriesCacheBytesMax >= 0)
    }
}

/// Why a proposal was not accepted. The caller should retry at `leaderHint` or later.
public enum ProposeError: Error, Hashable, Sendable {
    case notLeader(leaderHint: NodeID?)
    /// A leadership transfer is in progress; proposals resume when it ends (thesis §3.10).
    case transferInProgress
    /// Too many entries are waiting to be committed.
    case overloaded
    /// Only one configuration change may be uncommitted at a time, and a new leader must first
    /// commit an entry of its own term (the fix for the single-server change bug, Ongaro 2015).
    case configurationChangePending
    case invalidConfigurationChange(String)
    /// The command is larger than `WireLimits.commandBytesMax`: it can never be stored or sent. Not
    /// retryable; the caller's edge should have refused it.
    case commandTooLarge(bytes: Int)
}

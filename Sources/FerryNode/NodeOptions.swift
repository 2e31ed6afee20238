import FerryRaft

/// Tunables of a node above Raft. Every duration is in ticks of the node's clock.
public struct NodeOptions: Sendable {
    public var raft: RaftOptions
    /// How long a client command may wait for a leader, a forward or a commit before it is answered
    /// "timed out" (outcome unknown; the client retries, with dedup ids where it matters).
    public var commandTimeoutTicks: Int = 500
    /// Take a snapshot and compact the log after this many entries applied since the last snapshot.
    public var snapshotIntervalEntries: LogIndex = 10_000
    /// The leader asks the state machine for time-driven work this often.
    public var housekeepingIntervalTicks: Int = 100
    /// Commands waiting for a leader to be known; beyond this, new ones are refused at once.
    public var awaitingLeaderMax: Int = 10_000
    /// Results of recently applied commands kept for forwarded commands whose acceptance arrives late.
    public var recentResultsMax: Int = 4096

    public init(raft: RaftOptions) {
        self.raft = raft
    }
}

import FerryRaft

/// Tunables of a node above Raft. Every duration is in ticks of the node's clock.
public struct NodeOptions: Sendable {
    public var raft: RaftOptions
    /// How long a client command may wait for a leader, a forward or a commit before it is answered
    /// "timed out" (outcome unknown; the client retries, with dedup ids where it matters).
    public var commandTimeoutTicks: Int = 500
    /// How long a client command that was never sent anywhere may wait for a leader before it is answered
    /// "unavailable". Never sent means certainly not applied, so the retry is safe, and a node cut off from
    /// the majority tells its clients so within a few election timeouts instead of at the command timeout.
    /// A command already proposed or forwarded waits out `commandTimeoutTicks`: it may have been applied.
    public var leaderWaitTicks: Int = 200
    /// Take a snapshot and compact the log once this many entries were applied since the last snapshot, and
    /// (`snapshotLogBytesRatio`) their command bytes add up to the last snapshot's size.
    public var snapshotIntervalEntries: LogIndex = 10_000
    /// A snapshot also waits until the command bytes applied since the last one reach this many times its
    /// size; 0 for the entry count alone. Bounds the cost of a large state (a backlog of messages): at 1 the
    /// disk writes at most one snapshot byte per log byte, and the log to replay on restart holds about as
    /// much as the snapshot. At 0, 200 MB of queued messages meant a 200 MB snapshot every 10,000 entries.
    public var snapshotLogBytesRatio: Int = 1
    /// The leader asks the state machine for time-driven work this often.
    public var housekeepingIntervalTicks: Int = 100
    /// Commands submitted here and not yet answered; beyond this, new ones are refused at once (503).
    /// Below `SessionTable.windowSequences`, so a late duplicate is always recognised.
    public var pendingCommandsMax: Int = 10_000
    /// A forwarded command not applied here within this many ticks is forwarded again (to the leader of
    /// the moment): the forward or the leader's entry may have been lost. Safe because of sessions.
    public var forwardRetryTicks: Int = 30
    /// After a durable write completes and the log stays idle, the node writes a witness record (one small
    /// record, one fsync) so that the last batch is witnessed on disk (`RaftStorage.owesWitness`). It waits
    /// until this many whole ticks have passed since the write completed with no other write started: under
    /// load the next batch's records witness the previous one at no cost, so only a log that has fallen
    /// idle pays, once per idle period. Longer waits widen the window in which damage to the last batch
    /// still passes for a torn tail.
    public var witnessIdleTicks: Int = 1
    /// A spare log segment (`RaftStorage.nextPreparation`, if the storage options ask for spares) is
    /// prepared only once the log has gone this many ticks without starting a new segment. Zero-filling
    /// doubles what the disk writes for the log; at light load that is free and every append's fsync gets
    /// cheaper, but a log that fills a 64 MiB segment within seconds is busy, its fsyncs are shared by large
    /// batches already, and the extra writes cut throughput (measured: 23k msgs/s fell to 7-15k).
    public var spareSegmentQuietTicks: Int = 1_000

    public init(raft: RaftOptions) {
        self.raft = raft
    }
}

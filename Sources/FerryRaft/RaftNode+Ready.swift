/// The Ready / advance cycle: what to persist, send and apply, and learning that it was done.
extension RaftNode {
    /// True when `ready()` has work. Always false while a Ready is outstanding.
    public var hasReady: Bool {
        guard outstanding == nil else { return false }
        return log.hasUnstable || snapshotToPersist != nil || hardState != durableHardState
            || log.committed > appliedIndex || !messagesAfterPersist.isEmpty || !readStates.isEmpty
            || (role == .leader && replicationPending)
    }

    /// `ready()` when `hasReady`, else nil. Mutating, so a caller holding the node in a class property hands
    /// it over in place: reading `hasReady` from there copied the whole node (~1.3k instructions) per call.
    public mutating func readyIfAny() -> Ready? {
        hasReady ? ready() : nil
    }

    public mutating func ready() -> Ready {
        precondition(outstanding == nil, "advance the previous Ready first")
        flushReplication()
        let snapshot = snapshotToPersist
        snapshotToPersist = nil
        let entries = log.takeUnstable()
        let current = hardState
        let hardStateChanged = current != durableHardState
        let mustSync =
            snapshot != nil || !entries.isEmpty
            || current.term != durableHardState.term || current.votedFor != durableHardState.votedFor

        // Apply from the snapshot (if any) up to the commit index. Everything in that range is either durable
        // already or written by this Ready before it is applied.
        var firstToApply = appliedIndex + 1
        if let snapshot { firstToApply = max(firstToApply, snapshot.metadata.index + 1) }
        var committedEntries: [Entry] = []
        if log.committed >= firstToApply {
            // Exactly the committed ones, in one array (taking all and keeping a prefix built a second).
            let count = Int(log.committed - firstToApply + 1)
            committedEntries = log.entries(from: firstToApply, countMax: count, bytesMax: Int.max) ?? []
        }
        outstanding = OutstandingReady(
            lastEntry: entries.last?.position, hardState: hardStateChanged ? current : nil,
            snapshotIndex: snapshot?.metadata.index, lastCommitted: committedEntries.last?.index)
        let ready = Ready(
            hardState: hardStateChanged ? current : nil, entries: entries, snapshot: snapshot,
            committedEntries: committedEntries, messagesAfterPersist: messagesAfterPersist, readStates: readStates,
            mustSync: mustSync, role: role, leader: leader, term: term)
        messagesAfterPersist = []
        readStates = []
        return ready
    }

    /// The application persisted, sent and applied `ready`.
    public mutating func advance(_ ready: Ready) {
        guard let done = outstanding else { preconditionFailure("advance without an outstanding Ready") }
        outstanding = nil
        if let hardState = done.hardState { durableHardState = hardState }
        log.markStable(through: done.lastEntry, snapshotIndex: done.snapshotIndex)
        if let index = done.snapshotIndex { appliedIndex = max(appliedIndex, index) }
        if let index = done.lastCommitted { appliedIndex = max(appliedIndex, index) }
        precondition(appliedIndex <= log.committed, "applied beyond the commit index")
        releaseAppliedPayloads()
        if role == .leader {
            // The leader's own copy now counts toward the quorum.
            if maybeCommit() { replicationPending = true }
        }
    }

    /// The application applied the committed entries through `index` outside a Ready, while one was being
    /// written: committed means durable on a majority, so applying them need not wait for this node's own
    /// write. Later Readies hand out only what follows; the outstanding one may still list some of them,
    /// and the application skips those (at or below `appliedIndex`).
    public mutating func applied(through index: LogIndex) {
        precondition(index <= log.committed, "applied beyond the commit index")
        appliedIndex = max(appliedIndex, index)
        releaseAppliedPayloads()
    }

    /// Applied, durable entries leave memory past the cache; storage serves them from then on. Only with an
    /// entry source: without one a lagging follower could be served from nowhere but a snapshot.
    private mutating func releaseAppliedPayloads() {
        guard entrySource != nil else { return }
        log.releasePayloads(through: appliedIndex, cacheBytesMax: options.appliedEntriesCacheBytesMax)
    }

    /// Builds the snapshot to store for the application state at `index` (<= appliedIndex).
    public func makeSnapshot(at index: LogIndex, data: [UInt8]) -> Snapshot {
        Snapshot(metadata: snapshotMetadata(at: index), data: data)
    }

    /// What a snapshot of the application state at `index` (<= appliedIndex) records about the log: the
    /// entry's term and the configuration as of it. For a snapshot whose data is encoded elsewhere.
    public func snapshotMetadata(at index: LogIndex) -> SnapshotMetadata {
        precondition(index <= appliedIndex, "snapshot beyond the applied index")
        guard let term = log.term(at: index) else { preconditionFailure("index \(index) is compacted away") }
        return SnapshotMetadata(index: index, term: term, configuration: configuration(at: index))
    }

    /// The application durably stored `snapshot` (made by `makeSnapshot`); entries it covers are dropped
    /// from memory and followers that need them get the snapshot instead, read back from `snapshotSource`.
    public mutating func compact(to snapshot: Snapshot) {
        compact(to: snapshot.stored)
    }

    /// The same, for a snapshot whose data the application wrote without handing it here.
    public mutating func compact(to snapshot: StoredSnapshot) {
        let index = snapshot.metadata.index
        guard index > log.snapshotIndex else { return }
        precondition(index <= appliedIndex, "compact only applied entries")
        precondition(snapshot.metadata.configuration == configuration(at: index), "snapshot configuration mismatch")
        log.compact(to: snapshot)
        configurationEntries.removeAll { $0.index <= index }
    }
}

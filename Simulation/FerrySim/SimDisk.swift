import FerryRaft

/// Raft mode's simulated durable Raft log: a durable part that survives crashes and a volatile part
/// (written, not yet fsynced) that a crash loses, except perhaps a prefix of it, as a real disk may have
/// flushed some pages on its own. Queue mode runs the real storage engine (FerryStorage's `RaftStorage`
/// over `SimulatedFileSystem`) instead; this model stays so raft mode checks the core alone, fast.
///
/// Writes are kept as an ordered list of operations so that "a prefix survives" means exactly what it
/// means on a disk written in order: a later write never survives without the earlier ones.
public struct SimDisk {
    /// One write, in the order the node issued it.
    enum Write {
        /// Replaces the whole stored log (Ready step 1: the core installs a snapshot).
        case snapshot(Snapshot)
        /// Overwrites stored entries at indices >= the first one's, then appends.
        case entries([Entry])
        case hardState(HardState)
    }

    /// What survives a crash.
    public private(set) var durable: DurableLog
    /// Written but not yet fsynced, oldest first.
    private var volatile: [Write] = []
    /// How many of `volatile` the fsync now in flight covers (the writes issued before it started).
    private var syncingCount = 0

    public init(bootstrap configuration: Configuration) {
        durable = DurableLog(snapshot: .bootstrap(configuration))
    }

    var hasUnsynced: Bool { !volatile.isEmpty }

    mutating func write(_ write: Write) { volatile.append(write) }

    /// Starts an fsync covering every write issued so far.
    mutating func beginSync() { syncingCount = volatile.count }

    /// The fsync completes: the writes it covers become durable, in order.
    mutating func completeSync() {
        for write in volatile[0..<syncingCount] { durable.apply(write) }
        volatile.removeFirst(syncingCount)
        syncingCount = 0
    }

    /// The application stored a snapshot durably (written and synced on its own, before the core
    /// compacts), so the durable log drops the entries it covers.
    mutating func storeSnapshotDurably(_ snapshot: Snapshot) {
        durable.compact(to: snapshot)
    }

    /// The process dies: the first `survivingWrites` unsynced writes reach the platter, the rest vanish.
    mutating func crash(survivingWrites: Int) {
        precondition(survivingWrites >= 0 && survivingWrites <= volatile.count)
        for write in volatile[0..<survivingWrites] { durable.apply(write) }
        volatile.removeAll()
        syncingCount = 0
    }

    var unsyncedWriteCount: Int { volatile.count }
}

/// The durable content of a node's disk: hard state, latest snapshot, and the contiguous entries after it.
public struct DurableLog {
    public private(set) var hardState = HardState()
    public private(set) var snapshot: Snapshot
    /// entries[k] has index snapshot.metadata.index + 1 + k.
    public private(set) var entries: [Entry] = []

    init(snapshot: Snapshot) { self.snapshot = snapshot }

    public var snapshotIndex: LogIndex { snapshot.metadata.index }
    public var lastIndex: LogIndex { snapshotIndex + LogIndex(entries.count) }

    /// The term of the durable entry at `index`: the snapshot's term at its index, nil if unknown.
    public func term(at index: LogIndex) -> Term? {
        if index == snapshotIndex { return snapshot.metadata.term }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    /// True when the durable log holds the entry `position` (or a snapshot that covers its index,
    /// which the simulator only trusts because snapshots are checked against the committed record).
    public func holds(_ position: LogPosition) -> Bool {
        if position.index < snapshotIndex { return true }
        return term(at: position.index) == position.term
    }

    /// What a restarting node reads back.
    public var recovered: RecoveredState {
        RecoveredState(hardState: hardState, snapshot: snapshot, entries: entries)
    }

    mutating func apply(_ write: SimDisk.Write) {
        switch write {
        case .snapshot(let newSnapshot):
            snapshot = newSnapshot
            entries.removeAll()
        case .entries(let newEntries):
            append(newEntries)
        case .hardState(let newHardState):
            hardState = newHardState
        }
    }

    private mutating func append(_ newEntries: [Entry]) {
        guard let first = newEntries.first else { return }
        precondition(first.index <= lastIndex + 1, "entries write at \(first.index) leaves a gap after \(lastIndex)")
        var fresh = newEntries[...]
        if first.index <= snapshotIndex {
            // Already covered by the snapshot: keep only what lies beyond it.
            fresh = fresh.drop(while: { $0.index <= snapshotIndex })
            guard let next = fresh.first else { return }
            precondition(next.index == snapshotIndex + 1)
        }
        let keep = Int(fresh.first!.index - snapshotIndex - 1)
        if keep < entries.count { entries.removeSubrange(keep...) }
        entries.append(contentsOf: fresh)
    }

    mutating func compact(to newSnapshot: Snapshot) {
        let index = newSnapshot.metadata.index
        guard index > snapshotIndex else { return }
        if index >= lastIndex {
            entries.removeAll()
        } else {
            precondition(term(at: index) == newSnapshot.metadata.term, "compacting to a snapshot that disagrees with the durable log at \(index)")
            entries.removeFirst(Int(index - snapshotIndex))
        }
        snapshot = newSnapshot
    }
}

/// A node's durable snapshot as Raft reads it for followers: only the snapshot on its simulated disk, as
/// storage serves only its durable file (a leader's snapshot not yet persisted is not served).
final class SimSnapshotFile: SnapshotChunkSource {
    private unowned let node: SimNode

    init(_ node: SimNode) { self.node = node }

    func snapshotChunk(of stored: StoredSnapshot, offset: Int, count: Int) -> [UInt8]? {
        let snapshot = node.disk.durable.snapshot
        guard snapshot.stored == stored, offset >= 0, count >= 0, offset + count <= snapshot.data.count else { return nil }
        return Array(snapshot.data[offset..<offset + count])
    }
}

import FerryRaft
import FerryStorage

/// What a node's storage has reported durable: hard state, latest snapshot, and the contiguous entries
/// after it. The checkers' record of the disk (PERS, DUR), kept beside the real `RaftStorage` over the
/// node's `SimulatedFileSystem`: it grows when a durable write completes and is replaced by what
/// recovery reads back after a crash (which may hold more: unsynced writes a crash happened to keep).
public struct DurableLog {
    public private(set) var hardState = HardState()
    public private(set) var snapshot: Snapshot
    /// entries[k] has index snapshot.metadata.index + 1 + k.
    public private(set) var entries: [Entry] = []

    init(snapshot: Snapshot) { self.snapshot = snapshot }

    /// `snapshotData`: the recovered snapshot's data, read whole (a simulated node's snapshot is small).
    init(recovered: RecoveredState, snapshotData: [UInt8]) {
        hardState = recovered.hardState
        snapshot = Snapshot(metadata: recovered.snapshot.metadata, data: snapshotData)
        entries = recovered.entries
    }

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

    /// A durable write completed: what a Ready staged is on disk, in Ready order.
    mutating func apply(
        snapshot newSnapshot: Snapshot?, entries newEntries: [Entry], hardState newHardState: HardState?
    ) {
        if let newSnapshot {
            snapshot = newSnapshot
            entries.removeAll()
        }
        append(newEntries)
        if let newHardState { hardState = newHardState }
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
            precondition(
                term(at: index) == newSnapshot.metadata.term,
                "compacting to a snapshot that disagrees with the durable log at \(index)")
            entries.removeFirst(Int(index - snapshotIndex))
        }
        snapshot = newSnapshot
    }
}

extension DurableWrite {
    /// Where the write's first fsync is: the operations before it only reach the page cache, so raft mode
    /// performs them when the write starts and the rest when its fsync completes.
    var firstSyncIndex: Int {
        operations.firstIndex {
            if case .sync = $0 { return true }
            return false
        } ?? operations.count
    }
}

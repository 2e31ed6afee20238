/// The node's view of the replicated log: a snapshot followed by the entries after it.
///
/// Tracks three watermarks over it:
/// - `stableIndex`: entries up to here are known durable (their Ready was advanced);
/// - `unstableFrom`: the first entry not yet handed out in a Ready for persisting;
/// - `committed`: the highest entry known committed on a quorum (Raft §5.3).
///
/// Invariants: snapshot.index <= committed <= lastIndex; committed never decreases;
/// `entries[k].index == snapshot.index + 1 + k`; entries at or below `committed` are never replaced.
@usableFromInline
struct RaftLog {
    /// The snapshot the log continues: its position and size only, never its data (`StoredSnapshot`).
    @usableFromInline private(set) var snapshot: StoredSnapshot
    @usableFromInline private(set) var entries: [Entry]
    @usableFromInline private(set) var committed: LogIndex
    @usableFromInline private(set) var stableIndex: LogIndex
    private(set) var unstableFrom: LogIndex
    /// The lowest index truncated while a Ready was being persisted; see `markStable`.
    private var truncatedSinceHandout: LogIndex?

    init(snapshot: StoredSnapshot, entries: [Entry], committed: LogIndex) {
        self.snapshot = snapshot
        self.entries = entries
        let lastIndex = snapshot.metadata.index + LogIndex(entries.count)
        for (offset, entry) in entries.enumerated() {
            precondition(
                entry.index == snapshot.metadata.index + 1 + LogIndex(offset), "recovered log is not contiguous")
        }
        // The commit hint may run ahead of a log whose tail was lost before its fsync completed.
        self.committed = max(snapshot.metadata.index, min(committed, lastIndex))
        self.stableIndex = lastIndex
        self.unstableFrom = lastIndex + 1
    }

    @inlinable var snapshotIndex: LogIndex { snapshot.metadata.index }
    var firstIndex: LogIndex { snapshotIndex + 1 }
    @inlinable var lastIndex: LogIndex { snapshotIndex + LogIndex(entries.count) }
    var lastTerm: Term { term(at: lastIndex)! }

    /// The term of the entry at `index`; nil if it is compacted away (below the snapshot) or beyond the log.
    func term(at index: LogIndex) -> Term? {
        if index == snapshotIndex { return snapshot.metadata.term }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    @inlinable func entry(at index: LogIndex) -> Entry? {
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)]
    }

    func matchTerm(_ index: LogIndex, _ term: Term) -> Bool {
        self.term(at: index) == term
    }

    /// Raft §5.4.1: a candidate's log is at least as up to date as ours if its last term is higher,
    /// or the same with an index at least as long. Compares term first, then index — both matter.
    func isUpToDate(lastIndex candidateIndex: LogIndex, lastTerm candidateTerm: Term) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// Entries in [from, lastIndex], at most `countMax` and about `bytesMax` (at least one entry).
    /// nil if `from` is compacted away.
    func entries(from index: LogIndex, countMax: Int, bytesMax: Int) -> [Entry]? {
        guard index > snapshotIndex else { return nil }
        guard index <= lastIndex else { return [] }
        let start = Int(index - snapshotIndex - 1)
        var end = start
        var bytes = 0
        while end < entries.count, end - start < countMax {
            bytes += entries[end].sizeBytes
            if bytes > bytesMax, end > start { break }
            end += 1
        }
        return Array(entries[start..<end])
    }

    /// The first index of the run of entries with the same term as the entry at `index`, searching back no
    /// further than the snapshot. Used for the fast-backtracking hint.
    func firstIndex(ofTermAt index: LogIndex) -> LogIndex {
        guard let t = term(at: index) else { return index }
        var i = index
        while i > firstIndex, term(at: i - 1) == t { i -= 1 }
        return i
    }

    /// The last index at or below `index` whose term is `term`, if any is in the log.
    func lastIndex(ofTerm term: Term, atOrBelow index: LogIndex) -> LogIndex? {
        var i = min(index, lastIndex)
        while i >= snapshotIndex {
            guard let t = self.term(at: i) else { return nil }
            if t == term { return i }
            if t < term { return nil }
            if i == 0 { return nil }
            i -= 1
        }
        return nil
    }

    // MARK: - Mutation

    /// Appends entries that directly follow the log (a leader's own proposals).
    mutating func append(_ newEntries: [Entry]) {
        for entry in newEntries {
            precondition(entry.index == lastIndex + 1, "appended entries must follow the log")
            entries.append(entry)
        }
    }

    /// Raft Figure 2, AppendEntries receiver rules 3 and 4: the entries follow `prevIndex`, which matched.
    /// Existing entries that agree are kept (a stale or reordered request must not truncate anything,
    /// docs/simulation.md, "Planted bugs", bug 7); the first conflicting one and everything after it is replaced.
    /// Returns the index of the first entry that was newly written, if any.
    @discardableResult
    mutating func merge(after prevIndex: LogIndex, _ newEntries: [Entry]) -> LogIndex? {
        for entry in newEntries {
            if entry.index <= snapshotIndex { continue }
            if let existing = term(at: entry.index) {
                if existing == entry.term { continue }
                precondition(
                    entry.index > committed,
                    "a conflicting entry at or below the commit index: committed entries never change")
                truncate(from: entry.index)
            }
            precondition(entry.index == lastIndex + 1, "entries must follow the log")
            let firstNew = entry.index
            for rest in newEntries where rest.index >= firstNew {
                entries.append(rest)
            }
            return firstNew
        }
        return nil
    }

    private mutating func truncate(from index: LogIndex) {
        precondition(index > committed && index > snapshotIndex)
        entries.removeLast(Int(lastIndex - index + 1))
        unstableFrom = min(unstableFrom, index)
        stableIndex = min(stableIndex, index - 1)
        truncatedSinceHandout = min(truncatedSinceHandout ?? index, index)
    }

    mutating func commit(to index: LogIndex) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "cannot commit \(index) beyond the last index \(lastIndex)")
        committed = index
    }

    /// Replaces the whole log with a snapshot received from the leader (Raft §7). The caller has
    /// checked that the log does not already hold the snapshot's last entry.
    mutating func restore(_ newSnapshot: StoredSnapshot) {
        precondition(newSnapshot.metadata.index > committed, "never install a snapshot over committed state")
        snapshot = newSnapshot
        entries = []
        committed = newSnapshot.metadata.index
        stableIndex = min(stableIndex, committed)
        unstableFrom = lastIndex + 1
        truncatedSinceHandout = 0
    }

    /// Drops entries covered by an application snapshot that is already durable.
    mutating func compact(to newSnapshot: StoredSnapshot) {
        let index = newSnapshot.metadata.index
        precondition(index <= committed && index <= stableIndex, "compact only durable, committed entries")
        precondition(term(at: index) == newSnapshot.metadata.term, "snapshot term does not match the log")
        entries.removeFirst(Int(index - snapshotIndex))
        snapshot = newSnapshot
    }

    // MARK: - Persistence handout

    /// Entries to write in the next Ready; marks them handed out.
    mutating func takeUnstable() -> [Entry] {
        guard unstableFrom <= lastIndex else { return [] }
        let start = Int(unstableFrom - snapshotIndex - 1)
        let out = Array(entries[start...])
        unstableFrom = lastIndex + 1
        truncatedSinceHandout = nil
        return out
    }

    var hasUnstable: Bool { unstableFrom <= lastIndex }

    /// A Ready whose last entry was `last` is durable. Entries truncated meanwhile are not counted.
    mutating func markStable(through last: LogPosition?, snapshotIndex installed: LogIndex?) {
        var durable = stableIndex
        if let installed, installed == snapshotIndex { durable = max(durable, installed) }
        if let last {
            if matchTerm(last.index, last.term) {
                durable = max(durable, last.index)
            } else if let cut = truncatedSinceHandout, cut > 0 {
                durable = max(durable, min(last.index, cut - 1))
            }
        }
        stableIndex = min(durable, lastIndex)
        truncatedSinceHandout = nil
    }
}

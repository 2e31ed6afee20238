/// The node's view of the replicated log: a snapshot followed by the entries after it.
///
/// Tracks three watermarks over it:
/// - `stableIndex`: entries up to here are known durable (their Ready was advanced);
/// - `unstableFrom`: the first entry not yet handed out in a Ready for persisting;
/// - `committed`: the highest entry known committed on a quorum (Raft §5.3).
///
/// Every entry's term stays in memory; its payload only while it may be needed from memory. Once an entry
/// is applied and durable (`releasePayloads`), it waits in a bounded cache of such entries and then leaves
/// memory: storage holds it, and a leader reads it back (`LogEntrySource`) for a follower that lags (etcd's
/// raft keeps only its unstable entries; ours also keeps the uncommitted and unapplied ones, which the
/// Ready cycle hands out from here).
///
/// Invariants: snapshot.index <= releasedThrough <= committed <= lastIndex; committed never decreases;
/// `terms[k]` and `retained[retainedHead + k']` describe consecutive indices; entries at or below `committed`
/// are never replaced.
@usableFromInline
struct RaftLog {
    /// The snapshot the log continues: its position and size only, never its data (`StoredSnapshot`).
    @usableFromInline private(set) var snapshot: StoredSnapshot
    /// `terms[k]` is the term of the entry at `snapshot.index + 1 + k`: every entry of the log has one.
    private(set) var terms: [Term]
    /// The entries after `releasedThrough`, payloads included, from `retained[retainedHead]` on. Slots before
    /// `retainedHead` were released (emptied) and are reclaimed in bulk, so releasing an entry costs O(1).
    @usableFromInline private(set) var retained: [Entry]
    @usableFromInline private(set) var retainedHead = 0
    /// Entries at or below this index are held by storage only: their payloads left memory.
    @usableFromInline private(set) var releasedThrough: LogIndex
    /// Applied, durable entries still in memory are those in (`releasedThrough`, `cachedThrough`]; `cachedBytes`
    /// counts them (`Entry.sizeBytes`).
    private var cachedThrough: LogIndex
    private(set) var cachedBytes = 0
    @usableFromInline private(set) var committed: LogIndex
    @usableFromInline private(set) var stableIndex: LogIndex
    private(set) var unstableFrom: LogIndex
    /// The lowest index truncated while a Ready was being persisted; see `markStable`.
    private var truncatedSinceHandout: LogIndex?

    init(snapshot: StoredSnapshot, entries: [Entry], committed: LogIndex) {
        self.snapshot = snapshot
        self.retained = entries
        self.terms = entries.map(\.term)
        self.releasedThrough = snapshot.metadata.index
        self.cachedThrough = snapshot.metadata.index
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
    @inlinable var lastIndex: LogIndex { releasedThrough + LogIndex(retained.count - retainedHead) }
    var lastTerm: Term { term(at: lastIndex)! }

    /// The term of the entry at `index`; nil if it is compacted away (below the snapshot) or beyond the log.
    func term(at index: LogIndex) -> Term? {
        if index == snapshotIndex { return snapshot.metadata.term }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return terms[Int(index - snapshotIndex - 1)]
    }

    /// The entry at `index`, payload included, while memory holds it: nil once released (or compacted).
    @inlinable func entry(at index: LogIndex) -> Entry? {
        guard index > releasedThrough, index <= lastIndex else { return nil }
        return retained[retainedHead + Int(index - releasedThrough - 1)]
    }

    func matchTerm(_ index: LogIndex, _ term: Term) -> Bool {
        self.term(at: index) == term
    }

    /// Raft §5.4.1: a candidate's log is at least as up to date as ours if its last term is higher,
    /// or the same with an index at least as long. Compares term first, then index — both matter.
    func isUpToDate(lastIndex candidateIndex: LogIndex, lastTerm candidateTerm: Term) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// Entries in [from, lastIndex] from memory, at most `countMax` and about `bytesMax` (at least one entry).
    /// nil if `from` is released or compacted away: storage holds it (`LogEntrySource`), or the snapshot does.
    func entries(from index: LogIndex, countMax: Int, bytesMax: Int) -> [Entry]? {
        guard index > releasedThrough else { return nil }
        guard index <= lastIndex else { return [] }
        let start = retainedHead + Int(index - releasedThrough - 1)
        var end = start
        var bytes = 0
        while end < retained.count, end - start < countMax {
            bytes += retained[end].sizeBytes
            if bytes > bytesMax, end > start { break }
            end += 1
        }
        return Array(retained[start..<end])
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
            retained.append(entry)
            terms.append(entry.term)
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
            append(newEntries.filter { $0.index >= firstNew })
            return firstNew
        }
        return nil
    }

    private mutating func truncate(from index: LogIndex) {
        // Above the commit index, so above every released or cached entry.
        precondition(index > committed && index > snapshotIndex && index > cachedThrough)
        let count = Int(lastIndex - index + 1)
        retained.removeLast(count)
        terms.removeLast(count)
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
        terms = []
        retained = []
        retainedHead = 0
        releasedThrough = newSnapshot.metadata.index
        cachedThrough = releasedThrough
        cachedBytes = 0
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
        terms.removeFirst(Int(index - snapshotIndex))
        if index > releasedThrough {
            let covered = Int(index - releasedThrough)
            for offset in retainedHead..<retainedHead + covered where retained[offset].index <= cachedThrough {
                cachedBytes -= retained[offset].sizeBytes
            }
            retained.removeFirst(retainedHead + covered)
            retainedHead = 0
            releasedThrough = index
            cachedThrough = max(cachedThrough, index)
        }
        snapshot = newSnapshot
    }

    /// Entries through `index` are applied and durable (the caller passes min(applied, stableIndex)): they join
    /// the cache of such entries, and the oldest leave memory until its bytes are within `cacheBytesMax`.
    mutating func releasePayloads(through index: LogIndex, cacheBytesMax: Int) {
        let through = min(index, committed, stableIndex)
        while cachedThrough < through {
            cachedThrough += 1
            cachedBytes += retained[retainedHead + Int(cachedThrough - releasedThrough - 1)].sizeBytes
        }
        while cachedBytes > cacheBytesMax, releasedThrough < cachedThrough {
            cachedBytes -= retained[retainedHead].sizeBytes
            retained[retainedHead].payload = .noop
            retainedHead += 1
            releasedThrough += 1
        }
        // Reclaim the emptied slots once they are most of the array: amortised O(1) per entry.
        if retainedHead >= 1024, retainedHead * 2 >= retained.count {
            retained.removeFirst(retainedHead)
            retainedHead = 0
        }
    }

    /// Bytes of payload-holding entries in memory (`Entry.sizeBytes`), for tests and metrics.
    var retainedBytes: Int {
        retained[retainedHead...].reduce(0) { $0 + $1.sizeBytes }
    }

    // MARK: - Persistence handout

    /// Entries to write in the next Ready; marks them handed out.
    mutating func takeUnstable() -> [Entry] {
        guard unstableFrom <= lastIndex else { return [] }
        let start = retainedHead + Int(unstableFrom - releasedThrough - 1)
        let out = Array(retained[start...])
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

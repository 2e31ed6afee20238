import FerryRaft

/// Rebuilds the log from verified records in the order they were written: an entry at or below the
/// last one truncates the suffix it conflicts with (Raft §5.3), a reset record supersedes all before
/// it. A record that verifies but cannot follow what came before (a gap, a decreasing term, an
/// index below the log's start) was never written there by this log: a misdirected or stale
/// record, reported as corruption at its offset.
struct LogReplay {
    let snapshot: SnapshotMetadata
    /// The position before the first entry; nil until the first record.
    private(set) var base: LogPosition?
    /// The base's term when a record told it (a reset); nil when the base was inferred from the
    /// first entry after compaction.
    private(set) var baseTerm: Term?
    private(set) var entries: [Entry] = []
    /// Where each of `entries` was read, in the same order.
    private(set) var locations: [EntryLocation] = []

    init(snapshot: SnapshotMetadata) {
        self.snapshot = snapshot
    }

    var lastIndex: LogIndex { (base?.index ?? 0) + LogIndex(entries.count) }

    mutating func apply(
        _ record: ScannedRecord, entry: Result<Entry, WireError>?, file: String, segment: UInt64, offset: Int
    ) -> StorageError? {
        switch record.kind {
        case .logReset:
            base = LogPosition(index: record.index, term: record.term)
            baseTerm = record.term
            entries = []
            locations = []
            return nil
        case .entry:
            let error = applyEntry(record, entry, file: file, offset: offset)
            if error == nil {
                locations.removeLast(locations.count - (entries.count - 1))
                locations.append(
                    EntryLocation(LogCursor(segment: segment, offset: offset), sizeBytes: record.sizeBytes))
            }
            return error
        case .witness:
            // Only its durability witness matters (the scan has read it); it changes no entry. Its
            // index and term are not checked against the log: after recovery drops entries that
            // conflict with the snapshot (`discardedConflictingEntries`), a witness names the
            // snapshot while the superseded records before it still replay to a longer log.
            return nil
        }
    }

    private mutating func applyEntry(
        _ record: ScannedRecord, _ entry: Result<Entry, WireError>?, file: String,
        offset: Int
    ) -> StorageError? {
        let index = record.index
        guard index > 0 else { return .corruption(file: file, offset: offset, reason: "entry at index 0") }
        if base == nil || index > lastIndex + 1 || index <= base!.index {
            // The first record, a jump past the end, or a rewrite from before the log's start:
            // fine only where the snapshot covers what is skipped (compacted segments; a
            // truncation below the start of what survived compaction).
            guard index - 1 <= snapshot.index else {
                if base == nil {
                    return .missingEntries(
                        after: snapshot.index, before: index,
                        reason: "the log starts at \(index) in \(file); no snapshot covers what comes before")
                }
                return .corruption(
                    file: file, offset: offset,
                    reason: "entry \(index) does not follow the log (\(base!.index + 1)...\(lastIndex))")
            }
            base = LogPosition(index: index - 1, term: 0)
            baseTerm = nil
            entries = []
        }
        let kept = Int(index - 1 - base!.index)
        let previousTerm = kept > 0 ? entries[kept - 1].term : (baseTerm ?? 0)
        guard record.term >= previousTerm else {
            return .corruption(
                file: file, offset: offset,
                reason: "entry \(index) has term \(record.term) below its predecessor's \(previousTerm)")
        }
        entries.removeLast(entries.count - kept)
        switch entry {
        case .success(let entry)?:
            entries.append(entry)
            return nil
        case .failure(let error)?:
            return .corruption(file: file, offset: offset, reason: "entry \(index) payload: \(error)")
        case nil where index <= snapshot.index:
            // Not decoded (`SegmentScan.decodedAbove`): the snapshot covers it, so only its index and term
            // matter (`RecoveryScan.settle` drops it).
            entries.append(Entry(index: index, term: record.term, payload: .noop))
            return nil
        case nil:
            preconditionFailure("an entry record above the snapshot scanned without its entry")
        }
    }
}

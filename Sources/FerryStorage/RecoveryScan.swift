import FerryRaft

/// Where recovery cut the log: the bytes after the last record that verifies, past every
/// durability witness. They are a write the crash interrupted, never acknowledged, or a witness record
/// torn on its way to the disk (harmless: it covers only bytes that were already durable). The one
/// exception no single disk can rule out: damage to the last durable batch in the short window after its
/// fsync and before its witness record's (`RaftStorage.owesWitness`) also ends up here.
public struct TornTail: Equatable, Sendable {
    public var file: String
    public var offset: Int
    /// Bytes dropped from `file`, plus those of the later segments dropped with it.
    public var bytesDropped: Int
    public var reason: String
    /// Later segment files removed because they continued the torn one.
    public var removedSegments: [String]
}

/// What recovery found, before it changed anything on disk. `RaftStorage.open` acts on it; a node
/// that wants to repair a corrupt log from its peers (rather than refuse to start) can call
/// `RecoveryScan.scan` itself: `corruption` names the file and offset where verification failed
/// inside the durable prefix, and `entries` holds the verified log before that point.
public struct RecoveryScan: Sendable {
    public var hardState: HardState
    /// The newest snapshot, its whole file verified; its data stays in the file (`snapshotFile`).
    public var snapshot: StoredSnapshot
    public var snapshotPath: String?
    /// Of the snapshot's data, computed while it was verified; nil with no snapshot file.
    public var snapshotChecksums: SnapshotBlockChecksums? { snapshotFile?.checksums }
    var snapshotFile: VerifiedSnapshotFile?
    /// The verified log after the snapshot, contiguous (up to the corruption, if any).
    public var entries: [Entry]
    /// Where each of `entries` is on disk, in the same order.
    var entryLocations: [EntryLocation] = []
    /// Set when the log cannot be trusted. The node must not treat it as a shorter log.
    public var corruption: StorageError?
    public var tornTail: TornTail?
    /// Entries after the snapshot that disagreed with it (a follower crashed after installing a
    /// leader's snapshot, before the log reset reached the disk). Dropped: they were never committed.
    public var discardedConflictingEntries: Int = 0
    /// Files left by interrupted atomic writes, and snapshots a newer durable one supersedes.
    public var leftoverFiles: [String]

    // Segment bookkeeping for `RaftStorage.open`.
    var keptSegments: [Segment] = []
    var highestSegmentSequence: UInt64 = 0
    var cutSegment: (path: String, offset: Int)?
    var droppedSegments: [String] = []
    /// Over the kept records: the newest witness, and the end of the last entry or reset record. The
    /// log owes a witness while the second is past the first (`RaftStorage.owesWitness`).
    var keptWitness = LogCursor.zero
    var keptEntriesEnd = LogCursor.zero

    /// With `restoringSnapshot`, the newest snapshot's data is read once: handed to it as it is read and verified,
    /// instead of verified in a read of its own (see `RaftStorage.open`).
    public static func scan(
        directory: String, fileSystem: FileSystem,
        initialConfiguration: Configuration, restoringSnapshot: ((any SnapshotDataSource) -> Void)? = nil
    ) throws(StorageError) -> RecoveryScan {
        let names: [String]
        do { names = try fileSystem.list(directory) } catch { throw .unreadable(error) }
        var scan = RecoveryScan(
            hardState: HardState(), snapshot: Snapshot.bootstrap(initialConfiguration).stored, snapshotPath: nil,
            entries: [], corruption: nil, tornTail: nil, leftoverFiles: [])
        scan.leftoverFiles = names.filter { $0.hasSuffix(StorageLayout.temporarySuffix) }.map {
            StorageLayout.path(directory, $0)
        }
        try scan.loadSnapshot(
            names: names, directory: directory, fileSystem: fileSystem, restoring: restoringSnapshot)
        try scan.loadHardState(names: names, directory: directory, fileSystem: fileSystem)
        let segmentFiles = names.compactMap { name in
            StorageLayout.segmentSequence(ofName: name).map {
                (sequence: $0, path: StorageLayout.path(directory, name))
            }
        }
        scan.highestSegmentSequence = segmentFiles.map(\.sequence).max() ?? 0
        var segments = SegmentsAhead(
            unread: segmentFiles, decodedAbove: scan.snapshot.metadata.index, fileSystem: fileSystem)
        var replay = LogReplay(snapshot: scan.snapshot.metadata)
        scan.corruption = try scan.replaySegments(&segments, into: &replay)
        guard scan.corruption == nil else {
            scan.entries = replay.entries
            scan.entryLocations = replay.locations
            return scan
        }
        scan.corruption = scan.settle(replay)
        return scan
    }

    /// Loads the newest snapshot file. It was renamed into place only after it was durable, so a
    /// failure to verify it is corruption, not a torn write.
    private mutating func loadSnapshot(
        names: [String], directory: String, fileSystem: FileSystem,
        restoring: ((any SnapshotDataSource) -> Void)?
    ) throws(StorageError) {
        let snapshots = names.compactMap { name in StorageLayout.snapshotPosition(ofName: name).map { (name, $0) } }
            .sorted { $0.1.index < $1.1.index }
        guard let newest = snapshots.last else { return }
        leftoverFiles += snapshots.dropLast().map { StorageLayout.path(directory, $0.0) }
        let path = StorageLayout.path(directory, newest.0)
        let file: VerifiedSnapshotFile
        if let restoring {
            file = try Self.verifySnapshot(path, fileSystem: fileSystem, whileRestoring: restoring)
        } else {
            let read: Result<VerifiedSnapshotFile, StorageErrorReason>
            do { read = try StateFile.verifySnapshot(path, fileSystem: fileSystem) } catch { throw .unreadable(error) }
            switch read {
            case .failure(let why):
                throw .corruption(file: path, offset: 0, reason: "snapshot does not verify: \(why.text)")
            case .success(let verified): file = verified
            }
        }
        guard file.snapshot.metadata.index == newest.1.index, file.snapshot.metadata.term == newest.1.term else {
            throw .corruption(file: path, offset: 0, reason: "snapshot contents disagree with its name")
        }
        snapshot = file.snapshot
        snapshotPath = path
        snapshotFile = file
    }

    /// The snapshot file at `path`, verified in the one read that hands its data to `restoring`: whatever that
    /// decoded counts only if this returns (the caller drops it when recovery throws).
    private static func verifySnapshot(
        _ path: String, fileSystem: FileSystem, whileRestoring restoring: (any SnapshotDataSource) -> Void
    ) throws(StorageError) -> VerifiedSnapshotFile {
        let head = try SnapshotFileStream.read(path, fileSystem: fileSystem) { (handle) throws(FileSystemError) in
            try StateFile.readSnapshotHead(handle, fileSystem: fileSystem)
        }
        let stream = SnapshotFileStream(path: path, head: head, fileSystem: fileSystem)
        restoring(stream)
        return try stream.finish()
    }

    private mutating func loadHardState(names: [String], directory: String, fileSystem: FileSystem) throws(StorageError)
    {
        guard names.contains(StorageLayout.hardStateName) else { return }
        let path = StorageLayout.path(directory, StorageLayout.hardStateName)
        let bytes: [UInt8]
        do { bytes = try fileSystem.readFile(path) } catch { throw .unreadable(error) }
        switch StateFile.decodeHardState(bytes) {
        case .failure(let why):
            throw .corruption(file: path, offset: 0, reason: "hard state does not verify: \(why.text)")
        case .success(let state): hardState = state
        }
    }

    /// Past every witness, a segment with no records (empty, or a spare's zeros) before one that kept its own:
    /// a multi-segment write the crash tore, keeping every name and the data of a later segment but not this
    /// one's. The log ends here (dropped from `segment` on, and true), or the later segment, continuing the
    /// stale suffix by index, would splice the new leader's entries onto it (queue simulator seed 776 with the
    /// spare's directory fsync at its rename). A segment a crash left empty before a restart is no such gap:
    /// the writes after the restart witness it, being stamped with its start.
    private mutating func lostItsRecords(
        _ segment: SegmentScan, _ segments: inout SegmentsAhead
    ) throws(StorageError) -> Bool {
        let start = LogCursor(segment: segment.sequence, offset: 0)
        guard segment.records.isEmpty, segment.stop == nil, !(try segments.witnessPasses(start)),
            segments.witness != start
        else { return false }
        let later = try segments.rest()
        guard later.contains(where: { !$0.records.isEmpty }) else { return false }
        dropFrom(segment, reason: "segment \(segment.path) lost the records a later segment follows", later: later)
        return true
    }

    /// Replays every segment up to the first record that does not verify. That point is a torn
    /// tail only if no durability witness anywhere in the log reaches past it; otherwise the
    /// bytes there were durable once, and it is corruption. Witnesses come from every record that
    /// verifies, entry, reset or witness record alike; a witness record written after the last batch
    /// is what makes damage to that batch corruption rather than a torn tail.
    ///
    /// Segments are replayed one at a time (`SegmentsAhead`); the log-wide witness is consulted only
    /// where a decision needs it.
    private mutating func replaySegments(
        _ segments: inout SegmentsAhead,
        into replay: inout LogReplay
    ) throws(StorageError) -> StorageError? {
        var previousSequence: UInt64?
        while let segment = try segments.next() {
            defer { previousSequence = segment.sequence }
            let start = LogCursor(segment: segment.sequence, offset: 0)
            if try lostItsRecords(segment, &segments) { return nil }
            if let previous = previousSequence, segment.sequence != previous + 1,
                let first = segment.records.first(where: { $0.record.kind == .entry })?.record,
                first.index <= replay.lastIndex, first.index > snapshot.metadata.index,
                !(try segments.witnessPasses(start))
            {
                // Past every witness, a hole in the segment chain followed by a rewrite: a multi-segment
                // write (a follower replacing a conflicting suffix) lost its first segment, a spare renamed
                // into place whose name the crash took before the directory fsync. Read as a rewrite, the
                // segment after the hole would splice the new leader's entries onto the stale suffix they
                // replace (queue simulator seed 776): the log ends before the hole.
                dropFrom(
                    segment, reason: "segment \(previous + 1) is missing before \(segment.path)",
                    later: try segments.rest())
                return nil
            }
            for (position, (offset, record)) in segment.records.enumerated() {
                guard
                    let error = replay.apply(
                        record, entry: segment.entries[position], file: segment.path, segment: segment.sequence,
                        offset: offset)
                else { continue }
                // A record that verifies but does not continue the log. Past every witness it is
                // the far side of a torn multi-segment write (the records before it were lost);
                // inside the witnessed prefix it is a misdirected or stale record.
                let later = try segments.rest()
                guard LogCursor(segment: segment.sequence, offset: offset) >= segments.witness else { return error }
                cut(segment, at: offset, reason: "\(error)", later: later)
                return nil
            }
            guard let stop = segment.stop else {
                // Zeros after the last record are preallocated room, unless a witness in this same segment
                // reaches past them: then records that were durable read back as zeros. (A witness in a later
                // segment proves nothing about where this one's records ended; entries lost from its end
                // break the log's continuity into the next segment, which `replay` catches.)
                if segment.recordsEnd < segment.sizeBytes,
                    try segments.witnessInside(segment: segment.sequence, past: segment.recordsEnd)
                {
                    _ = try segments.rest()
                    return .corruption(
                        file: segment.path, offset: segment.recordsEnd,
                        reason: "zeros where records were durable (witnessed through \(segments.witness))")
                }
                keep(segment, sizeBytes: segment.recordsEnd)
                continue
            }
            let later = try segments.rest()
            let witness = segments.witness
            if stop.malformed || LogCursor(segment: segment.sequence, offset: stop.offset) < witness {
                return .corruption(
                    file: segment.path, offset: stop.offset,
                    reason: "\(stop.reason), inside the durable prefix (witnessed through \(witness))")
            }
            cut(segment, at: stop.offset, reason: stop.reason, later: later)
            return nil
        }
        return nil
    }

    private mutating func keep(_ segment: SegmentScan, sizeBytes: Int) {
        // Records are in file order: those kept are a prefix.
        let kept = segment.records.prefix { $0.offset < sizeBytes }
        keptSegments.append(
            Segment(
                sequence: segment.sequence, path: segment.path, handle: nil, sizeBytes: sizeBytes,
                maxIndex: kept.map(\.record.index).max() ?? 0))
        for (offset, record) in kept {
            keptWitness = max(keptWitness, record.durableThrough)
            if record.kind != .witness {
                keptEntriesEnd = LogCursor(segment: segment.sequence, offset: offset + record.sizeBytes)
            }
        }
    }

    /// The number of the next segment: right after the last one kept, reusing those recovery drops (their
    /// removal is durable before the storage opens). Numbering past them would leave a hole in the chain, and a
    /// rewrite written after it (a new leader replacing entries the restart kept) would read on the next
    /// recovery as the far side of a torn write and be dropped, committed or not.
    var nextSegmentSequence: UInt64 { (keptSegments.last?.sequence ?? highestSegmentSequence) + 1 }

    /// The log ends at `offset` of `segment`: what follows there and in `later` segments is a torn tail.
    private mutating func cut(_ segment: SegmentScan, at offset: Int, reason: String, later: [SegmentScan]) {
        keep(segment, sizeBytes: offset)
        cutSegment = (segment.path, offset)
        droppedSegments = later.map(\.path)
        tornTail = TornTail(
            file: segment.path, offset: offset,
            bytesDropped: segment.sizeBytes - offset + later.map(\.sizeBytes).reduce(0, +),
            reason: reason, removedSegments: droppedSegments)
    }

    /// The log ends before `segment`, which follows a hole: it and `later` segments are a torn tail.
    private mutating func dropFrom(_ segment: SegmentScan, reason: String, later: [SegmentScan]) {
        droppedSegments = [segment.path] + later.map(\.path)
        tornTail = TornTail(
            file: segment.path, offset: 0,
            bytesDropped: segment.sizeBytes + later.map(\.sizeBytes).reduce(0, +),
            reason: reason, removedSegments: droppedSegments)
    }

    /// The whole log contradicts the snapshot (a leader's, whose log reset record the crash lost): every kept
    /// segment is removed at open, newest first, so a crash during the removal never leaves a suffix that
    /// could read as continuing the snapshot. Dropping it in memory only is not enough: the entries written
    /// after the restart would continue the stale records on disk, and the next recovery would drop them
    /// with those, committed entries included (queue simulator seed 81).
    private mutating func dropSupersededLog() {
        droppedSegments = keptSegments.map(\.path) + droppedSegments
        keptSegments = []
        cutSegment = nil
        keptWitness = .zero
        keptEntriesEnd = .zero
    }

    /// Joins the replayed log to the snapshot and checks the hard state against the result.
    private mutating func settle(_ replay: LogReplay) -> StorageError? {
        let snapshotIndex = snapshot.metadata.index
        guard let base = replay.base else {
            return hardStateCheck(lastIndex: snapshotIndex)
        }
        if base.index > snapshotIndex {
            return .missingEntries(
                after: snapshotIndex, before: base.index + 1,
                reason: "the log starts after the snapshot ends")
        }
        let lastIndex = base.index + LogIndex(replay.entries.count)
        // A log ending at the snapshot's index is checked too: a new entry written after the restart would
        // continue it, and the next recovery would drop both (seed 81, whose stale log ended at 149@10 under
        // the leader's snapshot at 149@11).
        if snapshotIndex <= lastIndex {
            let termAtSnapshot =
                snapshotIndex == base.index ? replay.baseTerm : replay.entries[Int(snapshotIndex - base.index) - 1].term
            if termAtSnapshot == nil || termAtSnapshot == snapshot.metadata.term {
                entries = Array(replay.entries[Int(snapshotIndex - base.index)...])
                entryLocations = Array(replay.locations[Int(snapshotIndex - base.index)...])
            } else {
                discardedConflictingEntries = Int(lastIndex - snapshotIndex)
                dropSupersededLog()
            }
        }
        return hardStateCheck(lastIndex: max(snapshotIndex, entries.last?.index ?? 0))
    }

    private func hardStateCheck(lastIndex: LogIndex) -> StorageError? {
        hardState.commit > lastIndex ? .commitBeyondLog(commit: hardState.commit, lastIndex: lastIndex) : nil
    }
}

import FerryRaft

/// One segment file of the log, as the storage tracks it.
struct Segment {
    let sequence: UInt64
    let path: String
    /// Open while the segment may be written or read; nil once it was removed.
    var handle: FileHandle?
    /// Bytes staged into the file: written, or in a write that has not run yet.
    var sizeBytes: Int
    /// The highest entry (or reset) index any record of this segment names; 0 for none.
    var maxIndex: LogIndex
    /// The file's bytes before this offset were zero-filled on disk before it became a segment (it was
    /// the spare): appends below it rewrite bytes in place instead of growing the file. 0 for a segment
    /// created empty, and for segments recovery found (they are never appended to again).
    var preallocatedBytes = 0
}

/// The durable Raft log of one node: write-ahead log segments, the hard state and snapshots, in one
/// directory, over a `FileSystem`.
///
/// Staging calls (`append`, `installSnapshot`, `setHardState`, `compact`, `stageWitness`) are pure bookkeeping on
/// the node's loop thread: they encode records and decide offsets, but touch no file. `nextWrite()`
/// hands back everything staged as one `DurableWrite` (group commit); the runtime performs it off
/// the loop and the node passes the outcome to `complete(_:_:)`. At most one write is in flight, so
/// whatever is staged meanwhile shares the next fsync. The node's own snapshots are saved beside
/// those writes, not in them (`startSnapshotSave`, `SnapshotSave`).
///
/// Order within a write follows `Ready`: a snapshot is durable before the records staged after it,
/// the log records before the hard state that refers to them (a commit hint is never durable ahead
/// of the log, bug 33), and files are removed only after the snapshot that covers them is durable.
///
/// Every record carries `durableThrough`, so recovery can tell a torn tail from damage to bytes that
/// were durable. The last batch before the log falls idle has no later record to witness it; the
/// caller closes that gap with `stageWitness()` when `owesWitness` says so.
public final class RaftStorage {
    public let directory: String
    let fileSystem: FileSystem
    let options: StorageOptions

    /// Ascending by sequence; the last one is where appends go. Invariant: sequences strictly grow.
    /// `@exclusivity(unchecked)` here and on the staging state below that every append touches: their dynamic
    /// exclusivity checks cost ~200 instructions an access, thousands a replicated command on every node. None
    /// can fire: the storage is driven from the node's one thread (durable writes run on values it hands out),
    /// and no access to these spans a call back into it.
    @exclusivity(unchecked) var segments: [Segment]
    /// The next segment number. Segments are never reused, so positions only grow.
    var nextSegmentSequence: UInt64
    /// The spare segment (`nextPreparation`): being zero-filled, or ready to become the next segment.
    private var spare: (path: String, handle: FileHandle, ready: Bool)?
    /// Names the next spare (`StorageLayout.spareSegmentName(number:)`).
    private var sparesMade: UInt64 = 0
    /// No spare is prepared while the active segment is older than this (after a failed preparation).
    private var spareRetryFromSegment: UInt64 = 0
    /// False until this instance created a segment: after recovery, writing starts in a fresh
    /// segment rather than after a tail that a crash may have cut.
    private var hasWritableSegment = false
    /// Invariant: every byte of the log before this cursor is durable (the end of the last
    /// completed write). Stamped into each record as its witness.
    private(set) var durableThrough: LogCursor
    /// The newest witness stamped into any record staged (or recovered): once that record is on disk,
    /// damage before this cursor is corruption, never a torn tail.
    private var witnessStamped: LogCursor
    /// The end of the last entry or log-reset record staged (or recovered): the bytes a witness must
    /// cover. Witness records do not move it; they need no witness of their own (see `owesWitness`).
    private var entriesEnd: LogCursor

    /// The position just before the first entry held: the snapshot the log continues, or the entry
    /// before the first retained one.
    private(set) var base: LogPosition
    /// Terms of the entries after `base`, as staged. Lets `installSnapshot` and truncation check
    /// Log Matching without reading files.
    @exclusivity(unchecked) private(set) var terms: [Term]
    /// Where the record of each entry in `terms` is, as staged: the leader reads entries whose payloads left
    /// Raft's memory back from there (`entries(from:through:bytesMax:)`).
    @exclusivity(unchecked) private(set) var locations: [EntryLocation]

    /// The newest snapshot whose write completed, and the newest one staged.
    public private(set) var durableSnapshot: SnapshotMetadata
    private(set) var stagedSnapshotIndex: LogIndex
    private(set) var durableSnapshotPath: String?
    /// Of the durable snapshot's data, for reading it back (`snapshotChunk(of:offset:count:)`); nil until known.
    var snapshotChecksums: SnapshotBlockChecksums?
    /// Chunk reads that failed or did not verify: the follower waits for a later read.
    public internal(set) var snapshotChunkReadFailures = 0
    /// Entry reads for followers (`entries(from:through:bytesMax:)`) that failed or did not verify, and why the
    /// last one that named a cause failed: the follower waits for a later read.
    public internal(set) var entryReadFailures = 0
    public internal(set) var lastEntryReadError: StorageError?
    /// Set with `lastEntryReadError`; cleared by `takeEntryReadError()`.
    var entryReadErrorUnreported = false
    /// The hard state as last staged for writing, and the newest the node gave (commit may lag).
    private(set) var writtenHardState: HardState
    public private(set) var latestHardState: HardState

    /// Compaction asked for through this index; applied only up to the durable snapshot.
    private var compactThrough: LogIndex = 0
    /// Segments numbered below this hold only records a durable log reset superseded.
    private var supersededBelow: UInt64 = 0

    // Staged, not yet handed out.
    @exclusivity(unchecked) private var stagedOperations: [DiskOperation] = []
    @exclusivity(unchecked) private var stagedRecords: [UInt8] = []
    @exclusivity(unchecked) private var stagedRecordsOffset = 0
    @exclusivity(unchecked) private var touchedSegments: [Int] = []
    private var createdSegment = false
    private var stagedHardState: HardState?
    private var stagedSnapshot: (metadata: SnapshotMetadata, path: String)?
    private var stagedReset: UInt64?
    /// For the next `DurableWrite`'s `witnessedThrough`, `entriesEnd` and `rewritesFrom`.
    private var stagedWitnessMax = LogCursor.zero
    private var stagedEntriesEnd: LogCursor?
    private var stagedRewritesFrom: LogIndex?
    public private(set) var stagedTicket = StorageTicket(0)

    // In flight.
    private var inFlight: (write: DurableWrite, snapshot: (metadata: SnapshotMetadata, path: String)?, reset: UInt64?)?
    private var writeSequence: UInt64 = 0
    /// The node's own snapshot being saved alongside the writes (`startSnapshotSave`).
    private var savingSnapshot: SnapshotSave?
    /// The last entry of the log as of the last completed write (or recovery).
    private(set) var durableLastIndex: LogIndex
    /// Everything staged through this ticket is durable.
    public private(set) var durableTicket = StorageTicket(0)
    private var failed = false

    init(directory: String, fileSystem: FileSystem, options: StorageOptions, recovered: RecoveredLog) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.options = options
        segments = recovered.segments
        nextSegmentSequence = recovered.nextSegmentSequence
        durableThrough = recovered.durableThrough
        witnessStamped = recovered.witnessStamped
        entriesEnd = recovered.entriesEnd
        base = recovered.base
        terms = recovered.terms
        locations = recovered.locations
        durableSnapshot = recovered.snapshot.metadata
        stagedSnapshotIndex = recovered.snapshot.metadata.index
        durableSnapshotPath = recovered.snapshotPath
        snapshotChecksums = recovered.snapshotChecksums
        writtenHardState = recovered.hardState
        latestHardState = recovered.hardState
        durableLastIndex = recovered.base.index + LogIndex(recovered.terms.count)
    }

    /// The last entry staged (or the snapshot position when the log after it is empty).
    public var lastPosition: LogPosition {
        LogPosition(index: base.index + LogIndex(terms.count), term: terms.last ?? base.term)
    }

    /// True while a `DurableWrite` is out and not yet completed.
    public var isWriting: Bool { inFlight != nil }

    /// True when the end of the durable log is not witnessed on disk: the last entries (or log reset)
    /// are durable, but no record says so, so recovery could not tell a bit flip in them from a write
    /// torn by a crash and would cut them as a torn tail, silently forgetting entries this node may
    /// have acknowledged (docs/simulation.md, "Planted bugs", bugs 29/30; NATS JetStream 2.12.1). `stageWitness()` pays
    /// the debt with one small record and one fsync.
    ///
    /// Under load the debt never comes due: the records of the next batch carry `durableThrough`, which
    /// already covers the batch before. So the caller pays it lazily, once the log has been idle for a
    /// while (the node waits `NodeOptions.witnessIdleTicks`); a burst of writes costs no extra fsync.
    ///
    /// The residual, which no single disk can close: from a batch's fsync until the fsync of the next
    /// record that witnesses it (the next batch's, about one fsync later under load; the witness's,
    /// `witnessIdleTicks` plus one fsync later when idle) the batch is durable, maybe acknowledged, and
    /// witnessed by nothing on disk. A crash inside that window together with damage to that batch's
    /// bytes (rot within milliseconds of the write, or a device that tears inside a sector while the
    /// next append rewrites the batch's last sector) is cut as a torn tail, exactly as a torn write is:
    /// the bytes cannot tell the two apart, and a torn append that was never acknowledged is the common
    /// case. Why no voting rule closes it either: docs/simulation.md, "The corruption residual".
    public var owesWitness: Bool {
        inFlight == nil && entriesEnd <= durableThrough && witnessStamped < entriesEnd
    }

    /// Stages a witness record (see `owesWitness`, which must be true): it names the log's last entry and
    /// carries `durableThrough`, so once its write completes every entry byte before it is witnessed.
    /// Appending it rewrites the disk sector that holds the end of the batch it witnesses; a crash that
    /// tears it leaves that batch intact because disks persist a sector whole (see
    /// `SimulatedFileSystem.crash()`), exactly as for the next batch's append under load.
    @discardableResult
    public func stageWitness() -> StorageTicket {
        precondition(owesWitness, "a witness is staged only when one is owed")
        stageRecord(.witness(last: lastPosition, durableThrough: durableThrough))
        return bumpTicket()
    }

    // MARK: Spare segment

    /// The segment appends go to, once this instance has one (after recovery: once it wrote).
    public var activeSegmentSequence: UInt64? { hasWritableSegment ? segments.last?.sequence : nil }

    /// Hands out the preparation of a spare segment when the options ask for one and none exists: the
    /// caller performs it off the loop (alongside durable writes; it touches no file they do) and passes
    /// the outcome to `completePreparation(_:_:)`. Once ready, the next roll renames the spare into place
    /// instead of creating an empty file. Opening the spare is a metadata operation done here, on the loop,
    /// like creating a segment. After a failure (a full disk), no spare is tried again until the log has
    /// rolled to a new segment.
    public func nextPreparation() -> SegmentPreparation? {
        guard options.preallocateSegments, spare == nil, !failed,
            (segments.last?.sequence ?? 0) >= spareRetryFromSegment
        else { return nil }
        sparesMade += 1
        let path = StorageLayout.path(directory, StorageLayout.spareSegmentName(number: sparesMade))
        guard let handle = try? fileSystem.open(path, create: true) else {
            spareRetryFromSegment = nextSegmentSequence
            return nil
        }
        spare = (path, handle, ready: false)
        return SegmentPreparation(path: path, handle: handle, sizeBytes: options.segmentBytesMax)
    }

    /// Takes the outcome of performing `preparation`. A failure costs nothing but the speed-up: the log
    /// keeps creating empty segments.
    public func completePreparation(_ preparation: SegmentPreparation, _ result: Result<Void, FileSystemError>) {
        guard let current = spare, current.handle == preparation.handle, !current.ready else {
            preconditionFailure("completePreparation(_:_:) must be given the preparation in progress, once")
        }
        switch result {
        case .success:
            spare = (current.path, current.handle, ready: true)
        case .failure:
            // The preparation gave its space back; the empty file goes with the next write.
            fileSystem.close(current.handle)
            stagedOperations.append(.remove(path: current.path))
            spare = nil
            spareRetryFromSegment = nextSegmentSequence
        }
    }

    /// True when the spare is ready and the active segment was created empty (after a restart, or
    /// before the first spare was ready): the next record rolls to the spare rather than grow that file.
    private var shouldRollToSpare: Bool {
        guard spare?.ready == true, let active = segments.last else { return false }
        return active.preallocatedBytes == 0 && active.sizeBytes > 0
    }

    /// The term of the entry at `index`, if the log holds it (or it is the base).
    public func term(at index: LogIndex) -> Term? {
        if index == base.index { return base.term }
        guard index > base.index, index <= lastPosition.index else { return nil }
        return terms[Int(index - base.index) - 1]
    }

    // MARK: Staging

    /// Stages entries for the log. They overwrite any staged entries at the same or higher index
    /// (a follower dropping a conflicting suffix, Raft §5.3); they must continue the log without a
    /// gap and may not reach back into the snapshot.
    @discardableResult
    public func append(_ entries: [Entry]) -> StorageTicket {
        guard let first = entries.first else { return stagedTicket }
        precondition(
            first.index > base.index, "entries must not reach back into the snapshot (\(first.index) <= \(base.index))")
        precondition(first.index <= lastPosition.index + 1, "entries must continue the log without a gap")
        for (offset, entry) in entries.enumerated() {
            precondition(entry.index == first.index + LogIndex(offset), "entries must be contiguous")
        }
        if first.index <= lastPosition.index { noteRewrite(from: first.index) }
        let replaced = Int(lastPosition.index + 1 - first.index)
        terms.removeLast(replaced)
        locations.removeLast(replaced)
        for entry in entries {
            precondition(entry.term >= (terms.last ?? base.term), "terms never decrease along the log")
            let record = WALRecord.entry(entry, durableThrough: durableThrough)
            let start = stageRecord(record)
            terms.append(entry.term)
            locations.append(EntryLocation(start, sizeBytes: record.sizeBytes))
        }
        return bumpTicket()
    }

    /// Stages a snapshot: the node's own (the log continues after it) or a leader's (if the log does
    /// not hold the snapshot's last entry, the log restarts after it). Older snapshot files are
    /// removed once this one is durable. Log segments are removed only by `compact(through:)`.
    @discardableResult
    public func installSnapshot(_ snapshot: Snapshot) -> StorageTicket {
        let metadata = snapshot.metadata
        precondition(metadata.index > stagedSnapshotIndex, "a snapshot must be newer than the last one (bug 16)")
        flushStagedRecords()
        let path = snapshotPath(metadata)
        stagedOperations.append(.replaceFileWithSnapshot(path: path, snapshot: snapshot))
        if let old = stagedSnapshot?.path ?? durableSnapshotPath { stagedOperations.append(.remove(path: old)) }
        stagedSnapshot = (metadata, path)
        stagedSnapshotIndex = metadata.index
        if term(at: metadata.index) != metadata.term {
            // The log does not hold the snapshot's last entry: everything in it is superseded.
            let reset = WALRecord(
                kind: .logReset, index: metadata.index, term: metadata.term,
                durableThrough: durableThrough, payload: [])
            stageRecord(reset)
            stagedReset = segments.last!.sequence
            noteRewrite(from: metadata.index + 1)
            base = LogPosition(index: metadata.index, term: metadata.term)
            terms = []
            locations = []
        }
        return bumpTicket()
    }

    /// Stages the hard state. A new term or vote is written with the next write; a commit-only change
    /// waits until it is `commitHintLagEntriesMax` ahead of the stored one (commit is a hint).
    @discardableResult
    public func setHardState(_ state: HardState) -> StorageTicket {
        precondition(state.term >= latestHardState.term, "the term never decreases")
        precondition(state.commit >= latestHardState.commit, "commit never decreases")
        precondition(
            state.commit <= max(lastPosition.index, stagedSnapshotIndex),
            "commit must not run ahead of the log it is written after (bug 33)")
        latestHardState = state
        let changedVote = state.term != writtenHardState.term || state.votedFor != writtenHardState.votedFor
        if changedVote || state.commit >= writtenHardState.commit + options.commitHintLagEntriesMax {
            stagedHardState = state
            writtenHardState = state
        }
        return bumpTicket()
    }

    /// Allows removing log segments whose entries are all at or below `index`. Nothing is removed
    /// until a durable snapshot covers it; removal happens in a later write.
    public func compact(through index: LogIndex) {
        compactThrough = max(compactThrough, index)
    }

    private func snapshotPath(_ metadata: SnapshotMetadata) -> String {
        StorageLayout.path(directory, StorageLayout.snapshotName(index: metadata.index, term: metadata.term))
    }

    // MARK: The node's own snapshots

    /// True while a `SnapshotSave` is out and not yet completed.
    public var isSavingSnapshot: Bool { savingSnapshot != nil }

    /// The node's own snapshot of its state at `metadata.index`, to save off the loop alongside durable
    /// writes (`SnapshotSave`); nil while another save is out or a leader's snapshot is not yet durable.
    /// Every entry through `metadata.index` must be durable in this log and committed: then the file
    /// needs no order against log writes, and a crash at any point leaves either the old snapshot or
    /// this one, each with the log after it.
    public func startSnapshotSave(
        _ metadata: SnapshotMetadata,
        encodeData: @escaping @Sendable () -> [UInt8]
    ) -> SnapshotSave? {
        guard savingSnapshot == nil, !failed, stagedSnapshotIndex == durableSnapshot.index,
            metadata.index > stagedSnapshotIndex
        else { return nil }
        precondition(term(at: metadata.index) == metadata.term, "an own snapshot covers entries of this log")
        precondition(durableLastIndex >= metadata.index, "an own snapshot covers only durable entries")
        let path = snapshotPath(metadata)
        let save = SnapshotSave(metadata: metadata, path: path, encodeData: encodeData)
        savingSnapshot = save
        return save
    }

    /// Takes the outcome of performing `save`. True when the snapshot is now the durable one: older
    /// snapshot files and the log segments it covers go with later writes. False when a leader's
    /// snapshot was staged meanwhile (it is newer; this file goes with the next write). A failure
    /// throws, as for a durable write: the disk may have lost what it was asked to keep.
    public func completeSnapshotSave(
        _ save: SnapshotSave, _ result: Result<SavedSnapshot, FileSystemError>
    ) throws(StorageError) -> Bool {
        guard let current = savingSnapshot, current.path == save.path else {
            preconditionFailure("completeSnapshotSave(_:_:) must be given the save in progress, once")
        }
        savingSnapshot = nil
        if case .failure(let error) = result {
            failed = true
            throw .writing(error)
        }
        guard save.metadata.index > stagedSnapshotIndex else {
            stagedOperations.append(.remove(path: save.path))
            return false
        }
        precondition(stagedSnapshot == nil && inFlight?.snapshot == nil, "no leader snapshot is pending")
        if let old = durableSnapshotPath { stagedOperations.append(.remove(path: old)) }
        durableSnapshot = save.metadata
        durableSnapshotPath = save.path
        if case .success(let saved) = result { snapshotChecksums = saved.checksums }
        stagedSnapshotIndex = save.metadata.index
        compactThrough = max(compactThrough, save.metadata.index)
        return true
    }

    // MARK: Writing

    /// Everything staged, as one write to perform off the loop; nil when nothing is staged or a
    /// write is still in flight (what is staged meanwhile will share the next one).
    public func nextWrite() throws(StorageError) -> DurableWrite? {
        guard !failed else { throw .failedEarlier }
        guard inFlight == nil else { return nil }
        let removals = compactableSegments()
        flushStagedRecords()
        guard !stagedOperations.isEmpty || stagedHardState != nil || !removals.isEmpty else { return nil }

        var operations = stagedOperations
        for position in touchedSegments {
            let segment = segments[position]
            operations.append(.sync(handle: segment.handle!, path: segment.path))
        }
        if createdSegment { operations.append(.syncDirectory(path: directory)) }
        if let state = stagedHardState {
            operations.append(
                .replaceFile(
                    path: StorageLayout.path(directory, StorageLayout.hardStateName),
                    bytes: StateFile.encode(state)))
        }
        for segment in removals {
            operations.append(.remove(path: segment.path))
            if let handle = segment.handle { operations.append(.close(handle: handle, path: segment.path)) }
        }
        segments.removeFirst(removals.count)

        writeSequence += 1
        let end = segments.last.map { LogCursor(segment: $0.sequence, offset: $0.sizeBytes) } ?? durableThrough
        let write = DurableWrite(
            sequence: writeSequence, operations: operations, ticket: stagedTicket,
            endCursor: end, lastPosition: lastPosition, witnessedThrough: stagedWitnessMax,
            entriesEnd: stagedEntriesEnd, rewritesFrom: stagedRewritesFrom)
        stagedWitnessMax = .zero
        stagedEntriesEnd = nil
        stagedRewritesFrom = nil
        inFlight = (write, stagedSnapshot, stagedReset)
        stagedOperations = []
        touchedSegments = []
        createdSegment = false
        stagedHardState = nil
        stagedSnapshot = nil
        stagedReset = nil
        return write
    }

    /// Takes the outcome of performing `write`. On success everything it covers is durable and
    /// returns; on failure the storage is done for (see `StorageError.writeFailed`) and throws.
    public func complete(_ write: DurableWrite, _ result: Result<Void, FileSystemError>) throws(StorageError) {
        guard let current = inFlight, current.write.sequence == write.sequence else {
            preconditionFailure("complete(_:_:) must be given the write in flight, once")
        }
        inFlight = nil
        switch result {
        case .failure(let error):
            failed = true
            throw .writing(error)
        case .success:
            break
        }
        precondition(write.endCursor >= durableThrough, "durable positions only grow")
        durableThrough = write.endCursor
        durableTicket = write.ticket
        durableLastIndex = write.lastPosition.index
        if let snapshot = current.snapshot {
            durableSnapshot = snapshot.metadata
            durableSnapshotPath = snapshot.path
        }
        if let reset = current.reset { supersededBelow = max(supersededBelow, reset) }
    }

    /// Closes every open file. The storage must not be used afterwards.
    public func close() {
        for segment in segments { if let handle = segment.handle { fileSystem.close(handle) } }
        segments = []
        if let spare { fileSystem.close(spare.handle) }
        spare = nil
    }

    // MARK: Helpers

    private func noteRewrite(from index: LogIndex) {
        stagedRewritesFrom = min(stagedRewritesFrom ?? index, index)
    }

    private func bumpTicket() -> StorageTicket {
        stagedTicket = StorageTicket(stagedTicket.value + 1)
        return stagedTicket
    }

    /// Frames `record` into the staged bytes of the active segment, rolling to a new segment first
    /// when it would overflow `segmentBytesMax`.
    @discardableResult
    private func stageRecord(_ record: WALRecord) -> LogCursor {
        if !hasWritableSegment || shouldRollToSpare
            || (segments.last!.sizeBytes > 0 && segments.last!.sizeBytes + record.sizeBytes > options.segmentBytesMax)
        {
            rollSegment()
        }
        let position = segments.count - 1
        if stagedRecords.isEmpty { stagedRecordsOffset = segments[position].sizeBytes }
        if touchedSegments.last != position { touchedSegments.append(position) }
        let start = LogCursor(segment: segments[position].sequence, offset: segments[position].sizeBytes)
        record.encode(into: &stagedRecords)
        segments[position].sizeBytes = stagedRecordsOffset + stagedRecords.count
        segments[position].maxIndex = max(segments[position].maxIndex, record.index)
        witnessStamped = max(witnessStamped, record.durableThrough)
        stagedWitnessMax = max(stagedWitnessMax, record.durableThrough)
        if record.kind != .witness {
            entriesEnd = LogCursor(segment: segments[position].sequence, offset: segments[position].sizeBytes)
            stagedEntriesEnd = entriesEnd
        }
        return start
    }

    /// Moves the staged bytes of the active segment into one write operation.
    private func flushStagedRecords() {
        guard !stagedRecords.isEmpty else { return }
        let segment = segments.last!
        stagedOperations.append(
            .write(
                handle: segment.handle!, path: segment.path, offset: stagedRecordsOffset,
                bytes: stagedRecords))
        stagedRecords = []
    }

    /// Opens the next segment: the spare renamed into place when one is ready (the rename, and a directory
    /// fsync, are staged ahead of the records written to it), else a new empty file. Creating a file is a
    /// metadata operation done here, on the loop, once per `segmentBytesMax`; its name becomes durable with
    /// the write's closing directory fsync, after the segments' fdatasyncs and before the hard state.
    private func rollSegment() {
        flushStagedRecords()
        if let last = segments.indices.last, touchedSegments.contains(last), let handle = segments[last].handle {
            // This write continues into the next segment: what it put into this one is made durable first.
            // Otherwise a power loss can keep the next segment's records and lose this one's tail, and when
            // the write is a follower's rewrite, the stale suffix it replaced reads back continued by index
            // into the kept records (queue simulator seed 30 with 5 nodes: 26@5 27@5 28@7 recovered after 26@7
            // and 27@7 were lost). Once per segment roll.
            stagedOperations.append(.sync(handle: handle, path: segments[last].path))
        }
        let sequence = nextSegmentSequence
        nextSegmentSequence += 1
        let path = StorageLayout.path(directory, StorageLayout.segmentName(sequence: sequence))
        if let ready = spare, ready.ready {
            // The new name is made durable before any record goes into the file. Left to the write's closing
            // directory fsync, a power loss could keep the names of later segments this write created and
            // lose this one: a hole in the chain whose far side reads as a rewrite (queue simulator seed 776,
            // which `RecoveryScan` also survives). The records' own durability is the segment's fdatasync.
            stagedOperations.append(.rename(from: ready.path, to: path))
            stagedOperations.append(.syncDirectory(path: directory))
            spare = nil
            segments.append(
                Segment(
                    sequence: sequence, path: path, handle: ready.handle, sizeBytes: 0, maxIndex: 0,
                    preallocatedBytes: options.segmentBytesMax))
            hasWritableSegment = true
            return
        }
        let handle: FileHandle
        do {
            handle = try fileSystem.open(path, create: true)
        } catch {
            // Not recoverable here without an error path in every staging call; the node restarts.
            preconditionFailure("cannot create log segment \(path): \(error)")
        }
        segments.append(Segment(sequence: sequence, path: path, handle: handle, sizeBytes: 0, maxIndex: 0))
        createdSegment = true
        hasWritableSegment = true
    }

    /// The oldest segments, in order, that a durable snapshot covers or a durable reset superseded.
    /// Never the active segment, and never one with records staged in this write.
    private func compactableSegments() -> [Segment] {
        let covered = min(compactThrough, durableSnapshot.index)
        var removable: [Segment] = []
        for (position, segment) in segments.enumerated().dropLast() {
            guard !touchedSegments.contains(position) else { break }
            guard segment.sequence < supersededBelow || (segment.maxIndex <= covered && covered > 0) else { break }
            removable.append(segment)
        }
        return removable
    }
}

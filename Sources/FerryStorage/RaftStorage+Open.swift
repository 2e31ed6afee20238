import FerryRaft

/// What recovery found and did, for the node's log and its operators.
public struct RecoveryReport: Sendable {
    public var tornTail: TornTail?
    public var discardedConflictingEntries: Int
    /// Temporary files of interrupted atomic writes and superseded snapshots, removed.
    public var removedFiles: [String]
}

/// The log as recovery leaves it, for `RaftStorage.init`.
struct RecoveredLog {
    var segments: [Segment]
    var nextSegmentSequence: UInt64
    var durableThrough: LogCursor
    var witnessStamped: LogCursor
    var entriesEnd: LogCursor
    var base: LogPosition
    var terms: [Term]
    var locations: [EntryLocation]
    var snapshot: StoredSnapshot
    var snapshotPath: String?
    var snapshotChecksums: SnapshotBlockChecksums?
    var hardState: HardState
}

extension RaftStorage {
    /// Opens (creating if needed) the data directory and recovers it: the newest snapshot, the hard
    /// state and the log after the snapshot, as a node needs them to start.
    ///
    /// A torn tail (bytes after the last record that verifies, past every durability witness) is cut
    /// off and reported. A record that fails verification inside the durable prefix throws
    /// `StorageError.corruption` naming the file and offset: the log is never treated as merely
    /// shorter (docs/simulation.md, "Planted bugs", bugs 29 and 30). Everything kept is fsynced before this returns, so
    /// what the new instance calls durable is. If the kept log's last entries are not witnessed on disk
    /// (the crash came before their witness record), the new instance starts owing a witness
    /// (`owesWitness`): they are durable now, and the node may act on them.
    ///
    /// `restoringSnapshot`, if given, is handed the newest snapshot's data (when there is one) while recovery reads
    /// the file to verify it: a node decodes its state in that read instead of reading the data a second time
    /// (`RecoveredState.snapshotData`). What it decodes counts only if `open` returns: the file's checksum, over
    /// its metadata and data, is checked before the last chunk is handed out and again once `restoringSnapshot`
    /// returns (whatever it left unread is read then), and nothing on disk changes before that.
    public static func open(
        directory: String, fileSystem: FileSystem, options: StorageOptions = StorageOptions(),
        initialConfiguration: Configuration, restoringSnapshot: ((any SnapshotDataSource) -> Void)? = nil
    ) throws(StorageError) -> (storage: RaftStorage, state: RecoveredState, report: RecoveryReport) {
        do { try fileSystem.makeDirectory(directory) } catch { throw .unreadable(error) }
        let scan = try RecoveryScan.scan(
            directory: directory, fileSystem: fileSystem,
            initialConfiguration: initialConfiguration, restoringSnapshot: restoringSnapshot)
        if let corruption = scan.corruption { throw corruption }
        do {
            try makeRecoveredStateDurable(scan, directory: directory, fileSystem: fileSystem)
        } catch {
            throw .writing(error)
        }
        let snapshot = scan.snapshot
        let last = scan.keptSegments.last
        let recovered = RecoveredLog(
            segments: scan.keptSegments,
            nextSegmentSequence: scan.nextSegmentSequence,
            durableThrough: last.map { LogCursor(segment: $0.sequence, offset: $0.sizeBytes) } ?? .zero,
            witnessStamped: scan.keptWitness, entriesEnd: scan.keptEntriesEnd,
            base: LogPosition(index: snapshot.metadata.index, term: snapshot.metadata.term),
            terms: scan.entries.map(\.term), locations: scan.entryLocations,
            snapshot: snapshot, snapshotPath: scan.snapshotPath, snapshotChecksums: scan.snapshotChecksums,
            hardState: scan.hardState)
        let storage = RaftStorage(directory: directory, fileSystem: fileSystem, options: options, recovered: recovered)
        let snapshotData: any SnapshotDataSource =
            if let path = scan.snapshotPath, let file = scan.snapshotFile {
                SnapshotFileData(path: path, file: file, fileSystem: fileSystem)
            } else {
                InMemorySnapshotData([])
            }
        let state = RecoveredState(
            hardState: scan.hardState, snapshot: snapshot, snapshotData: snapshotData, entries: scan.entries)
        let report = RecoveryReport(
            tornTail: scan.tornTail, discardedConflictingEntries: scan.discardedConflictingEntries,
            removedFiles: scan.leftoverFiles)
        return (storage, state, report)
    }

    /// Cuts the torn tail, removes what recovery dropped, and fsyncs every kept segment and the
    /// directory. The fsyncs matter after a process crash: the kernel may still hold the tail in
    /// its cache, and new records will name it as their durable prefix.
    private static func makeRecoveredStateDurable(
        _ scan: RecoveryScan, directory: String,
        fileSystem: FileSystem
    ) throws(FileSystemError) {
        for path in scan.droppedSegments.reversed() { try fileSystem.remove(path) }
        for path in scan.leftoverFiles { try fileSystem.remove(path) }
        for segment in scan.keptSegments {
            let handle = try fileSystem.open(segment.path, create: false)
            defer { fileSystem.close(handle) }
            if segment.path == scan.cutSegment?.path {
                try fileSystem.truncate(handle, toSize: segment.sizeBytes)
            }
            try fileSystem.sync(handle)
        }
        try fileSystem.syncDirectory(directory)
    }
}

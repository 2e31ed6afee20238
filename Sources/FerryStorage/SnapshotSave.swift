import FerryRaft

/// A node's own snapshot, encoded and written off the node's thread, alongside durable writes
/// (`RaftStorage.startSnapshotSave`).
///
/// Why not a `DurableWrite`: encoding and writing a snapshot takes time in proportion to the state
/// (0.7 s for 200 MB of queued messages on this machine), and a snapshot inside the group commit held
/// back every log append behind it, on every node at once (they snapshot at the same index). A leader
/// whose loop or log stalls that long loses its leadership. The node's own snapshot needs no order
/// against the log: it covers only entries that are already durable and committed, and the log
/// after it stays where it is. A leader's snapshot, which resets the log, still goes through
/// `installSnapshot` and the ordered write.
///
/// `encodeData` runs on the thread that performs the save: it must read only a frozen copy of the
/// state (a value, whose shared parts are immutable), never anything the node goes on changing.
public struct SnapshotSave: Sendable, CustomStringConvertible {
    public let metadata: SnapshotMetadata
    public let path: String
    let encodeData: @Sendable () -> [UInt8]

    /// Blocking: encodes the state, then replaces the file atomically (temporary file, fsync, rename,
    /// directory fsync). Returns what the node keeps of it; the data is freed here, off the node's thread
    /// (Raft reads it back from the file for followers that need it).
    public func perform(on fileSystem: FileSystem) throws(FileSystemError) -> SavedSnapshot {
        let snapshot = Snapshot(metadata: metadata, data: encodeData())
        try fileSystem.writeFileAtomically(path, parts: [StateFile.encodeHead(snapshot), snapshot.data])
        return SavedSnapshot(checksums: SnapshotBlockChecksums(of: snapshot.stored, data: snapshot.data))
    }

    public func performCatching(on fileSystem: FileSystem) -> Result<SavedSnapshot, FileSystemError> {
        do { return .success(try perform(on: fileSystem)) } catch { return .failure(error) }
    }

    public var description: String { "save snapshot \(path)" }
}

/// A node's own snapshot once saved: no data, only what Raft and storage keep of it.
public struct SavedSnapshot: Sendable {
    public let checksums: SnapshotBlockChecksums
    public var stored: StoredSnapshot { checksums.snapshot }
}

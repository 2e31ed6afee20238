import FerryRaft

/// One step of a `DurableWrite`.
public enum DiskOperation: Sendable, CustomStringConvertible {
    /// Replace a whole file atomically (hard state, snapshot): temp file, fsync, rename, fsync dir.
    case replaceFile(path: String, bytes: [UInt8])
    /// Replace a snapshot file atomically, like `replaceFile`, with the bytes encoded when the step is
    /// performed: a leader's snapshot can be hundreds of MB, and framing it (a copy and a checksum) is then
    /// done off the node's thread, by whoever performs the write.
    case replaceFileWithSnapshot(path: String, snapshot: Snapshot)
    /// Write log records at an offset of an open segment.
    case write(handle: FileHandle, path: String, offset: Int, bytes: [UInt8])
    /// fdatasync a segment.
    case sync(handle: FileHandle, path: String)
    /// fsync a directory, making new segment names durable.
    case syncDirectory(path: String)
    /// Give a file its final name (the spare segment becoming the next log segment); durable once the
    /// directory is synced.
    case rename(from: String, to: String)
    /// Remove a file no longer needed (a compacted segment, a superseded snapshot). Need not be
    /// durable: recovery ignores what a durable snapshot covers.
    case remove(path: String)
    /// Close the descriptor of a segment removed earlier in the same write. Here, off the loop, because the
    /// last close of an unlinked file is what frees its blocks: on ext4 mounted with `discard` that closing
    /// took 250-410 ms for a 64 MiB segment on this machine, and on the loop it stalled every node's
    /// heartbeats past the election timeout after each compaction.
    case close(handle: FileHandle, path: String)

    /// Performs this one step. Blocking.
    public func perform(on fileSystem: FileSystem) throws(FileSystemError) {
        switch self {
        case .replaceFile(let path, let bytes): try fileSystem.writeFileAtomically(path, bytes)
        case .replaceFileWithSnapshot(let path, let snapshot):
            try fileSystem.writeFileAtomically(path, parts: [StateFile.encodeHead(snapshot), snapshot.data])
        case .write(let handle, _, let offset, let bytes): try fileSystem.write(handle, at: offset, bytes)
        case .sync(let handle, _): try fileSystem.sync(handle)
        case .syncDirectory(let path): try fileSystem.syncDirectory(path)
        case .rename(let from, let to): try fileSystem.rename(from, to: to)
        case .remove(let path):
            do { try fileSystem.remove(path) } catch .notFound {
                // Already gone: a crash replayed it.
            }
        case .close(let handle, _): fileSystem.close(handle)
        }
    }

    public var description: String {
        switch self {
        case .replaceFile(let path, let bytes): return "replace \(path) (\(bytes.count)B)"
        case .replaceFileWithSnapshot(let path, let snapshot):
            return "replace \(path) with the snapshot at \(snapshot.metadata.index) (\(snapshot.data.count)B of data)"
        case .write(_, let path, let offset, let bytes): return "write \(path)@\(offset) (\(bytes.count)B)"
        case .sync(_, let path): return "fdatasync \(path)"
        case .syncDirectory(let path): return "fsync dir \(path)"
        case .rename(let from, let to): return "rename \(from) -> \(to)"
        case .remove(let path): return "remove \(path)"
        case .close(_, let path): return "close \(path)"
        }
    }
}

/// Everything staged on a `RaftStorage` since the previous durable write, as an ordered list of
/// blocking disk operations: the unit of group commit (many appends, one fsync).
///
/// The node never runs it on its loop thread. The runtime calls `perform(on:)` on a thread it owns
/// and posts the result back to the loop, which hands it to `RaftStorage.complete(_:_:)`; the
/// simulator holds it as long as it likes (slow fsync), and may run `operations` one at a time and
/// crash the disk between any two of them. Nothing it covers may be acknowledged before `complete`
/// returns.
public struct DurableWrite: Sendable {
    /// Identifies this write among those of one storage instance; they complete in this order.
    public let sequence: UInt64
    public let operations: [DiskOperation]
    /// Everything staged through this ticket is durable once this write completes.
    public let ticket: StorageTicket
    /// The end of the log once this write is durable.
    let endCursor: LogCursor
    /// The log's last entry once this write is durable.
    public let lastPosition: LogPosition
    /// The newest durability witness among this write's records (`.zero` when it writes none): once it
    /// completes, every log byte before this cursor is durable and a durable record says so, so
    /// recovery calls damage there corruption, never a torn tail.
    public let witnessedThrough: LogCursor
    /// The end of the last entry or log-reset record this write holds (nil when it holds none): bytes
    /// that only a later record, or a witness record, can witness (`RaftStorage.owesWitness`).
    public let entriesEnd: LogCursor?
    /// The lowest index whose durable entry this write replaces: a follower dropping a conflicting
    /// suffix (Raft §5.3), or a log reset after a leader's snapshot (everything after the snapshot).
    /// nil when the write only appends. A crash part-way through it may leave the log ending anywhere
    /// from `rewritesFrom - 1` on: the entries it replaces were never committed.
    public let rewritesFrom: LogIndex?

    /// Runs every operation in order; stops at the first failure, which is fatal (never retry a
    /// failed fsync: the data it covered may be gone while a retry reports success).
    public func perform(on fileSystem: FileSystem) throws(FileSystemError) {
        for operation in operations { try operation.perform(on: fileSystem) }
    }

    /// `perform(on:)` as a `Result`, the shape a runtime posts back to the loop.
    public func performCatching(on fileSystem: FileSystem) -> Result<Void, FileSystemError> {
        do {
            try perform(on: fileSystem)
            return .success(())
        } catch { return .failure(error) }
    }
}

/// Counts staging calls, so a node can tell which of its Readies a completed write covers: take
/// `stagedTicket` after staging a Ready; the Ready is durable once `durableTicket >= ` that value.
public struct StorageTicket: Comparable, Hashable, Sendable {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (a: StorageTicket, b: StorageTicket) -> Bool { a.value < b.value }
}

import FerryRaft

/// Operating errors of FerryStorage. Every one of them stops the node from serving: storage never
/// guesses past a fault, because a guess is how acknowledged messages get lost (bugs 29-32 in
/// docs/simulation.md, "Planted bugs").
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A record or file inside the durable prefix failed verification: bit rot, a misdirected
    /// write, or a stale record. The log must NOT be treated as merely shorter: a majority may have
    /// acknowledged what sits at and after `offset`. The node refuses to start; repair from peers
    /// uses `RecoveryScan.corruptRanges` (see `RaftStorage.scan`).
    case corruption(file: String, offset: Int, reason: String)
    /// The log has a hole that no snapshot covers (a missing segment, say): entries that were
    /// durable are gone.
    case missingEntries(after: LogIndex, before: LogIndex, reason: String)
    /// The durable hard state names a commit index beyond the recovered log, so committed entries
    /// that were durable are gone.
    case commitBeyondLog(commit: LogIndex, lastIndex: LogIndex)
    /// A durable write failed (fsync EIO, a write error). Fatal and sticky: the data it covered may
    /// already be lost from the page cache, so retrying and seeing success would be a lie
    /// (fsyncgate). Restart the node; recovery decides what is really on disk.
    case writeFailed(FileSystemError)
    /// The disk is full. Fatal for this process, like `writeFailed`, but named apart because the
    /// operator's remedy differs.
    case diskFull(FileSystemError)
    /// Opening, listing or reading the directory failed while recovering.
    case unreadable(FileSystemError)
    /// A previous durable write failed; this storage instance refuses all further work.
    case failedEarlier

    /// A failed write of the log, the hard state or a snapshot: `diskFull` when the disk had no room,
    /// `writeFailed` otherwise.
    static func writing(_ error: FileSystemError) -> StorageError {
        if case .noSpace = error { return .diskFull(error) }
        return .writeFailed(error)
    }

    public var description: String {
        switch self {
        case .corruption(let file, let offset, let reason):
            return "corruption in \(file) at offset \(offset): \(reason)"
        case .missingEntries(let after, let before, let reason):
            return "log entries missing between \(after) and \(before): \(reason)"
        case .commitBeyondLog(let commit, let lastIndex):
            return "hard state commit \(commit) is beyond the recovered log (last index \(lastIndex))"
        case .writeFailed(let error): return "durable write failed: \(error)"
        case .diskFull(let error): return "disk full: \(error)"
        case .unreadable(let error): return "cannot read the data directory: \(error)"
        case .failedEarlier: return "storage failed earlier and refuses further writes"
        }
    }
}

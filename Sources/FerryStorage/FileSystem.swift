/// An open file, as the file system that opened it names it (a descriptor for POSIX, an inode
/// number for the simulated disk). Plain value: it may be carried to the thread that runs a
/// `DurableWrite`.
public struct FileHandle: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public var description: String { "fd\(rawValue)" }
}

/// Why a file system call failed. `errno` values are kept for the operator; storage decides
/// which are fatal (all of them, during a durable write).
public enum FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case alreadyExists(path: String)
    /// The disk is full (ENOSPC, EDQUOT).
    case noSpace(path: String)
    /// An I/O error (EIO), including from fsync. After a failed fsync the kernel may have dropped
    /// the dirty pages, so the same data can never again be assumed durable (fsyncgate, 2018).
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): not found"
        case .alreadyExists(let path): return "\(path): already exists"
        case .noSpace(let path): return "\(path): no space left on device"
        case .io(let path, let operation, let errno): return "\(path): \(operation) failed (errno \(errno))"
        }
    }
}

/// The file system seam FerryStorage is written against: a POSIX implementation for production
/// (`PosixFileSystem`) and a simulated disk (`SimulatedFileSystem`) that loses, tears, misdirects
/// and rots writes on demand.
///
/// Contract, as POSIX gives it and no stronger:
/// - `write` lands in a volatile cache; only `sync(_:)` makes a file's data durable.
/// - Creating, renaming or removing a name is durable only after `syncDirectory` on its parent.
/// - After `sync` throws, nothing written to that file since its last successful sync may be
///   assumed durable, ever; a later successful `sync` proves nothing about those writes.
/// - Paths are absolute; `list` returns names (not paths), sorted, so callers iterate in a
///   deterministic order.
///
/// Every method blocks. FerryStorage calls only `read`, `size`, `open` and `list` on the node's
/// loop thread (at start, or to read back durable records); the writes and syncs of a running node
/// happen inside `DurableWrite.perform(on:)`, which the runtime runs on a thread it owns.
public protocol FileSystem: AnyObject {
    /// Opens a file for reading and writing; creates it (empty) when `create` is true and it does not
    /// exist.
    func open(_ path: String, create: Bool) throws(FileSystemError) -> FileHandle
    func close(_ handle: FileHandle)
    /// Writes all of `bytes` at `offset`, extending the file if needed.
    func write(_ handle: FileHandle, at offset: Int, _ bytes: [UInt8]) throws(FileSystemError)
    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(_ handle: FileHandle, at offset: Int, count: Int) throws(FileSystemError) -> [UInt8]
    func size(_ handle: FileHandle) throws(FileSystemError) -> Int
    /// Makes the file's data (not necessarily its metadata) durable: fdatasync.
    func sync(_ handle: FileHandle) throws(FileSystemError)
    func truncate(_ handle: FileHandle, toSize size: Int) throws(FileSystemError)
    func rename(_ from: String, to: String) throws(FileSystemError)
    func remove(_ path: String) throws(FileSystemError)
    /// Names in `directory`, sorted ascending.
    func list(_ directory: String) throws(FileSystemError) -> [String]
    /// Makes creations, renames and removals in `directory` durable.
    func syncDirectory(_ directory: String) throws(FileSystemError)
    /// Creates `directory` (and its parents) if missing.
    func makeDirectory(_ directory: String) throws(FileSystemError)
}

extension FileSystem {
    /// Reads a whole file: open, read, close.
    public func readFile(_ path: String) throws(FileSystemError) -> [UInt8] {
        let handle = try open(path, create: false)
        defer { close(handle) }
        return try read(handle, at: 0, count: try size(handle))
    }

    /// Replaces `path` with `bytes` so that a crash at any point leaves either the old file or the
    /// new one, whole: write a temporary file, fsync it, rename it over `path`, fsync the directory.
    /// Without the first fsync a crash can leave the new name over empty or partial data; without
    /// the last, the rename itself may be undone.
    public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(FileSystemError) {
        try writeFileAtomically(path, parts: [bytes])
    }

    /// The same, the file being `parts` one after another (a large body need not be copied behind its header).
    public func writeFileAtomically(_ path: String, parts: [[UInt8]]) throws(FileSystemError) {
        let temporary = path + StorageLayout.temporarySuffix
        let handle = try open(temporary, create: true)
        do {
            try truncate(handle, toSize: 0)
            var offset = 0
            for part in parts {
                try write(handle, at: offset, part)
                offset += part.count
            }
            try sync(handle)
        } catch {
            close(handle)
            throw error
        }
        close(handle)
        try rename(temporary, to: path)
        try syncDirectory(StorageLayout.directory(of: path))
    }
}

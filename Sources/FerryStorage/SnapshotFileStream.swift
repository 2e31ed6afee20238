import FerryRaft

/// The recovered snapshot's data read once at start, for a node that decodes it as it is read
/// (`RaftStorage.open`'s `restoringSnapshot`): the file is verified during that one read instead of in a read
/// of its own before it (`SnapshotFileData`). What the chunks say is unverified until the last one: that one is
/// handed out only once the whole file's checksum matched, and a decoded state counts only after `nextChunk()`
/// returned `[]` (the protocol's contract). Recovery calls `finish()` after the decoder returns, whatever it
/// read, and acts on the snapshot (and on the disk) only once that verified the file.
final class SnapshotFileStream: SnapshotDataSource, @unchecked Sendable {
    var sizeBytes: Int { verifier.head.snapshot.sizeBytes }
    private let path: String
    private let fileSystem: FileSystem
    // Read on the node's thread before it starts (the protocol's contract): never shared while it changes.
    private var verifier: SnapshotFileVerifier

    init(path: String, head: SnapshotFileHead, fileSystem: FileSystem) {
        self.path = path
        self.fileSystem = fileSystem
        verifier = SnapshotFileVerifier(head)
    }

    func nextChunk() throws -> [UInt8] {
        try next()
    }

    /// Reads what the decoder left unread (all of it, if it stopped early), and returns the verified file, or
    /// throws the file's corruption.
    func finish() throws(StorageError) -> VerifiedSnapshotFile {
        while try !next().isEmpty {}
        // `next` gives `[]` only once the file verified.
        guard let verified = verifier.verified else {
            throw .corruption(file: path, offset: 0, reason: "snapshot does not verify: checksum mismatch")
        }
        return verified
    }

    private func next() throws(StorageError) -> [UInt8] {
        // One open per chunk: a handle kept open would need a close nobody may owe (the reader can be dropped).
        try Self.read(path, fileSystem: fileSystem) { (handle) throws(FileSystemError) in
            try verifier.nextChunk(handle, fileSystem: fileSystem)
        }
    }

    /// `read` applied to the open file at `path`: its failure to read is `StorageError.unreadable`, its finding
    /// that the file does not verify the file's `StorageError.corruption`.
    static func read<Value>(
        _ path: String, fileSystem: FileSystem,
        _ read: (FileHandle) throws(FileSystemError) -> Result<Value, StorageErrorReason>
    ) throws(StorageError) -> Value {
        let result: Result<Value, StorageErrorReason>
        do {
            let handle = try fileSystem.open(path, create: false)
            defer { fileSystem.close(handle) }
            result = try read(handle)
        } catch {
            throw .unreadable(error)
        }
        switch result {
        case .success(let value): return value
        case .failure(let why):
            throw .corruption(file: path, offset: 0, reason: "snapshot does not verify: \(why.text)")
        }
    }
}

import FerryRaft

/// The data of the snapshot file recovery verified, read again a chunk at a time as the node restores its state
/// (`RecoveredState.snapshotData`): the data is never held whole. Each chunk is verified against the block
/// checksums computed when the whole file's checksum verified at open, before it is handed out; a chunk that
/// does not verify (the disk misread, or the file changed since) throws `StorageError.corruption`, so a state
/// decoded from it is discarded.
final class SnapshotFileData: SnapshotDataSource, @unchecked Sendable {
    let sizeBytes: Int
    private let path: String
    private let file: VerifiedSnapshotFile
    private let fileSystem: FileSystem
    // Read once, on the node's thread before it starts (the protocol's contract): never shared while it changes.
    private var readBytes = 0

    init(path: String, file: VerifiedSnapshotFile, fileSystem: FileSystem) {
        self.sizeBytes = file.snapshot.sizeBytes
        self.path = path
        self.file = file
        self.fileSystem = fileSystem
    }

    func nextChunk() throws -> [UInt8] {
        guard readBytes < sizeBytes else { return [] }
        let count = min(StateFile.snapshotReadChunkBytes, sizeBytes - readBytes)
        let chunk: [UInt8]
        do {
            // One open per chunk: a handle kept open would need a close nobody may owe (the reader can be dropped).
            let handle = try fileSystem.open(path, create: false)
            defer { fileSystem.close(handle) }
            chunk = try fileSystem.read(handle, at: file.dataOffset + readBytes, count: count)
        } catch {
            throw StorageError.unreadable(error)
        }
        let blocks = file.checksums.blockRange(offset: readBytes, count: count)
        guard file.checksums.verify(chunk, blocks: blocks), chunk.count == count else {
            throw StorageError.corruption(
                file: path, offset: file.dataOffset + readBytes,
                reason: "snapshot data does not verify against the checksums it had at open")
        }
        readBytes += count
        return chunk
    }
}

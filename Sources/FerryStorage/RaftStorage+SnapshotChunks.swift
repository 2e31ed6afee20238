import FerryRaft

/// The leader's snapshot data for followers, read back from the durable snapshot file a chunk at a time
/// instead of kept in memory (docs/design.md, "Where a queued message lives"). Reads happen on the node's
/// thread, one chunk (`RaftOptions.snapshotChunkBytesMax`, 256 KiB) per follower round trip, usually from
/// the page cache; every block read is verified against `SnapshotBlockChecksums`.
extension RaftStorage: SnapshotChunkSource {
    public func snapshotChunk(of snapshot: StoredSnapshot, offset: Int, count: Int) -> [UInt8]? {
        // Only the durable file, with no newer snapshot staged: a staged one removes it with its write.
        guard let checksums = snapshotChecksums, checksums.snapshot == snapshot, durableSnapshot == snapshot.metadata,
            stagedSnapshotIndex == durableSnapshot.index, let path = durableSnapshotPath,
            offset >= 0, count >= 0, offset <= snapshot.sizeBytes - count
        else { return nil }
        guard count > 0 else { return [] }
        let blocks = checksums.blockRange(offset: offset, count: count)
        let blocksStart = blocks.lowerBound * SnapshotBlockChecksums.blockBytes
        let blocksEnd = min(blocks.upperBound * SnapshotBlockChecksums.blockBytes, snapshot.sizeBytes)
        let dataOffset = StateFile.snapshotDataOffset(snapshot.metadata)
        guard let handle = try? fileSystem.open(path, create: false) else { return nil }
        defer { fileSystem.close(handle) }
        guard let bytes = try? fileSystem.read(handle, at: dataOffset + blocksStart, count: blocksEnd - blocksStart),
            checksums.verify(bytes, blocks: blocks)
        else {
            snapshotChunkReadFailures += 1
            return nil
        }
        let start = offset - blocksStart
        return Array(bytes[start..<start + count])
    }

    /// The checksums of a leader's snapshot, computed while it was decoded: this node serves it to
    /// followers from then on. Ignored unless that snapshot is the durable one.
    public func noteSnapshotChecksums(_ checksums: SnapshotBlockChecksums) {
        guard checksums.snapshot.metadata == durableSnapshot else { return }
        snapshotChecksums = checksums
    }
}

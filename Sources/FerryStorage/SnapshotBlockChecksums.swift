import FerryRaft

/// The CRC32C of each `blockBytes` block of a snapshot's data, kept in memory (16 KB for a 1 GB snapshot)
/// so that every chunk read back from the snapshot file for a follower is verified before it leaves: the
/// data itself is no longer held, and a disk may rot or misread it after it was written (the simulated disk
/// flips bits on read). Computed where the data passes anyway: while saving it, while checking the file at
/// start, and while decoding a leader's snapshot.
public struct SnapshotBlockChecksums: Hashable, Sendable {
    public static let blockBytes = 64 << 10
    private static let blockZerosOperator = CRC32C.zerosOperator(bytes: blockBytes)

    /// The snapshot whose data these cover.
    public let snapshot: StoredSnapshot
    let sums: [UInt32]

    public init(of snapshot: StoredSnapshot, data: [UInt8]) {
        var ignored = CRC32C()
        self.init(of: snapshot, data: data, feeding: &ignored)
    }

    /// The same, also feeding every block to `crc` (the file's checksum), joined from the block's own checksum:
    /// one pass over the data, not two.
    init(of snapshot: StoredSnapshot, data: [UInt8], feeding crc: inout CRC32C) {
        precondition(data.count == snapshot.sizeBytes, "checksums of the snapshot's own data")
        var sums: [UInt32] = []
        sums.reserveCapacity((data.count + Self.blockBytes - 1) / Self.blockBytes)
        Self.appendSums(of: data, to: &sums, feeding: &crc)
        self.init(of: snapshot, sums: sums)
    }

    /// Checksums computed a chunk at a time (`appendSums`), as the snapshot file is read at start.
    init(of snapshot: StoredSnapshot, sums: [UInt32]) {
        self.snapshot = snapshot
        self.sums = sums
    }

    /// Appends the checksum of each block of `bytes` to `sums`, feeding each to `crc`. Every block but the
    /// data's last is whole: a chunk of the data is a multiple of `blockBytes` unless it ends the data.
    static func appendSums(of bytes: [UInt8], to sums: inout [UInt32], feeding crc: inout CRC32C) {
        var start = 0
        while start < bytes.count {
            let end = min(start + blockBytes, bytes.count)
            let sum = CRC32C.checksum(bytes[start..<end])
            sums.append(sum)
            let appending = end - start == blockBytes ? blockZerosOperator : CRC32C.zerosOperator(bytes: end - start)
            crc.update(checksum: sum, appending: appending)
            start = end
        }
    }

    /// The blocks a read of `offset ..< offset + count` (count > 0) must cover whole to be verified.
    func blockRange(offset: Int, count: Int) -> Range<Int> {
        offset / Self.blockBytes..<(offset + count - 1) / Self.blockBytes + 1
    }

    /// Whether `bytes`, the data of blocks `blocks` (the last one may be short), match their checksums.
    func verify(_ bytes: [UInt8], blocks: Range<Int>) -> Bool {
        var start = 0
        for block in blocks {
            let end = min(start + Self.blockBytes, bytes.count)
            guard block < sums.count, start < end, CRC32C.checksum(bytes[start..<end]) == sums[block] else {
                return false
            }
            start = end
        }
        return start == bytes.count
    }
}

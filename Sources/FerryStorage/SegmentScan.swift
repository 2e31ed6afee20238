import FerryRaft

/// The records of one segment file that verify, front to back, and where (and why) they stop.
struct SegmentScan {
    let sequence: UInt64
    let path: String
    let sizeBytes: Int
    /// Valid records with their offsets, in file order.
    var records: [(offset: Int, record: WALRecord)]
    /// The first offset that does not hold a verifiable record; nil when the file ends cleanly.
    var stop: (offset: Int, reason: String, malformed: Bool)?

    /// The newest durability witness among this segment's records.
    var witness: LogCursor { records.map(\.record.durableThrough).max() ?? .zero }

    /// Reads and parses one segment. A read that fails verification is read once more: a bit
    /// flipped on the way from the disk (not on it) must not be mistaken for corruption at rest.
    static func read(sequence: UInt64, path: String, fileSystem: FileSystem) throws(StorageError) -> SegmentScan {
        let first = try parse(sequence: sequence, path: path, bytes: readAll(path, fileSystem))
        guard first.stop != nil else { return first }
        let second = try parse(sequence: sequence, path: path, bytes: readAll(path, fileSystem))
        return (second.stop?.offset ?? Int.max) > (first.stop?.offset ?? Int.max) ? second : first
    }

    private static func readAll(_ path: String, _ fileSystem: FileSystem) throws(StorageError) -> [UInt8] {
        do { return try fileSystem.readFile(path) } catch { throw .unreadable(error) }
    }

    static func parse(sequence: UInt64, path: String, bytes: [UInt8]) throws(StorageError) -> SegmentScan {
        var scan = SegmentScan(sequence: sequence, path: path, sizeBytes: bytes.count, records: [], stop: nil)
        var offset = 0
        while offset < bytes.count {
            switch WALRecord.decode(bytes, at: offset) {
            case .record(let record):
                scan.records.append((offset, record))
                offset += record.sizeBytes
            case .unverifiable(let reason):
                scan.stop = (offset, reason, false)
                return scan
            case .malformed(let reason):
                scan.stop = (offset, reason, true)
                return scan
            }
        }
        return scan
    }
}

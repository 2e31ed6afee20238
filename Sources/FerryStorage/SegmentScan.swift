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
    /// Where the records end when the file ends cleanly: its size, or the start of a zero-filled tail
    /// (a spare segment's room the log had not reached, `SegmentPreparation`). Zeros inside
    /// the witnessed prefix are still damage: `RecoveryScan` checks that.
    var recordsEnd: Int

    /// The newest durability witness among all records that verify, including those found past
    /// `stop` by resynchronising (they are never replayed, only believed about durability).
    var witness: LogCursor = .zero

    /// Reads and parses one segment. A read that fails verification is read once more: a bit
    /// flipped on the way from the disk (not on it) must not be mistaken for corruption at rest.
    static func read(sequence: UInt64, path: String, fileSystem: FileSystem) throws(StorageError) -> SegmentScan {
        var best = try parse(sequence: sequence, path: path, bytes: readAll(path, fileSystem))
        var reads = 1
        while let stop = best.stop, reads < verificationReadsMax {
            let again = try parse(sequence: sequence, path: path, bytes: readAll(path, fileSystem))
            reads += 1
            if (again.stop?.offset ?? Int.max) > stop.offset { best = again }
        }
        return best
    }

    /// How many times a segment that fails verification is read before the failure is believed:
    /// a transient flip must strike every read, at rest damage strikes them all.
    static let verificationReadsMax = 3

    private static func readAll(_ path: String, _ fileSystem: FileSystem) throws(StorageError) -> [UInt8] {
        do { return try fileSystem.readFile(path) } catch { throw .unreadable(error) }
    }

    static func parse(sequence: UInt64, path: String, bytes: [UInt8]) throws(StorageError) -> SegmentScan {
        var scan = SegmentScan(
            sequence: sequence, path: path, sizeBytes: bytes.count, records: [], stop: nil,
            recordsEnd: bytes.count)
        var offset = 0
        records: while offset < bytes.count {
            switch WALRecord.decode(bytes, at: offset) {
            case .record(let record):
                scan.records.append((offset, record))
                offset += record.sizeBytes
            case .unverifiable where isZeroFilled(bytes, from: offset):
                scan.recordsEnd = offset
                break records
            case .unverifiable(let reason):
                scan.stop = (offset, reason, false)
                scan.witness = max(
                    scan.records.map(\.record.durableThrough).max() ?? .zero,
                    witnessPast(offset + 1, in: bytes))
                return scan
            case .malformed(let reason):
                scan.stop = (offset, reason, true)
                return scan
            }
        }
        scan.witness = scan.records.map(\.record.durableThrough).max() ?? .zero
        return scan
    }

    /// True when every byte from `start` to the end is zero. A record never starts with a zero header:
    /// its checksum covers a nonzero kind, so an all-zero header never verifies.
    static func isZeroFilled(_ bytes: [UInt8], from start: Int) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = start
            while offset + 8 <= buffer.count {
                if buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != 0 { return false }
                offset += 8
            }
            while offset < buffer.count {
                if buffer[offset] != 0 { return false }
                offset += 1
            }
            return true
        }
    }

    /// The newest witness among records that verify anywhere at or after `start`. Past a damaged
    /// record the framing is lost, so every offset is tried (cheap checks first); this runs only
    /// when a segment has failed verification. Without it, damage early in a segment would hide
    /// the witnesses after it and pass for a torn tail.
    static func witnessPast(_ start: Int, in bytes: [UInt8]) -> LogCursor {
        var witness = LogCursor.zero
        var offset = start
        while offset + WALRecord.headerBytes <= bytes.count {
            guard WALRecord.plausibleHeader(bytes, at: offset),
                case .record(let record) = WALRecord.decode(bytes, at: offset)
            else {
                offset += 1
                continue
            }
            witness = max(witness, record.durableThrough)
            offset += record.sizeBytes
        }
        return witness
    }
}

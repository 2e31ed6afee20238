import FerryRaft

/// The records of one segment file that verify, front to back, and where (and why) they stop.
struct SegmentScan {
    let sequence: UInt64
    let path: String
    let sizeBytes: Int
    /// Valid records with their offsets, in file order.
    var records: [(offset: Int, record: ScannedRecord)]
    /// Beside each record, for an entry record the entry it holds, or why that did not decode (replay
    /// reports it as corruption if it reaches the record); nil for other records.
    var entries: [Result<Entry, WireError>?] = []
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
        var best = try readOnce(sequence: sequence, path: path, fileSystem: fileSystem)
        var reads = 1
        while let stop = best.stop, reads < verificationReadsMax {
            let again = try readOnce(sequence: sequence, path: path, fileSystem: fileSystem)
            reads += 1
            if (again.stop?.offset ?? Int.max) > stop.offset { best = again }
        }
        return best
    }

    /// How many times a segment that fails verification is read before the failure is believed:
    /// a transient flip must strike every read, at rest damage strikes them all.
    static let verificationReadsMax = 3

    private static func readOnce(
        sequence: UInt64, path: String, fileSystem: FileSystem
    ) throws(StorageError) -> SegmentScan {
        do {
            let handle = try fileSystem.open(path, create: false)
            defer { fileSystem.close(handle) }
            var window = try SegmentWindow(handle: handle, fileSystem: fileSystem)
            return try parse(sequence: sequence, path: path, window: &window)
        } catch {
            throw .unreadable(error)
        }
    }

    /// Parses a segment held whole in memory.
    static func parse(sequence: UInt64, path: String, bytes: [UInt8]) throws(StorageError) -> SegmentScan {
        var window = SegmentWindow(bytes: bytes)
        do { return try parse(sequence: sequence, path: path, window: &window) } catch { throw .unreadable(error) }
    }

    private static func parse(
        sequence: UInt64, path: String,
        window: inout SegmentWindow
    ) throws(FileSystemError) -> SegmentScan {
        var scan = SegmentScan(
            sequence: sequence, path: path, sizeBytes: window.fileBytes, records: [], stop: nil,
            recordsEnd: window.fileBytes)
        var offset = 0
        records: while offset < window.fileBytes {
            try window.hold(from: offset, count: WALRecord.framedBytesMax)
            let local = offset - window.start
            switch WALRecord.decode(window.bytes, at: local) {
            case .record(let record):
                var entry: Result<Entry, WireError>?
                if record.kind == .entry {
                    do { entry = .success(try WALRecord.decodeEntry(window.bytes, at: local, record)) } catch {
                        entry = .failure(error)
                    }
                }
                scan.records.append((offset, record))
                scan.entries.append(entry)
                offset += record.sizeBytes
            case .unverifiable(let reason):
                if try window.isZeroFilled(from: offset) {
                    scan.recordsEnd = offset
                    break records
                }
                scan.stop = (offset, reason, false)
                try window.hold(from: offset, count: window.fileBytes - offset)
                scan.witness = max(
                    scan.records.map(\.record.durableThrough).max() ?? .zero,
                    witnessPast(offset - window.start + 1, in: window.bytes))
                return scan
            case .malformed(let reason):
                scan.stop = (offset, reason, true)
                return scan
            }
        }
        scan.witness = scan.records.map(\.record.durableThrough).max() ?? .zero
        return scan
    }

    /// True when every byte of `bytes` from `start` to its end is zero.
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

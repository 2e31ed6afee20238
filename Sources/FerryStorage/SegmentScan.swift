import FerryRaft

/// The records of one segment file that verify, front to back, and where (and why) they stop.
struct SegmentScan {
    let sequence: UInt64
    let path: String
    let sizeBytes: Int
    /// Valid records with their offsets, in file order.
    var records: [(offset: Int, record: ScannedRecord)]
    /// Beside each record, for an entry record above `decodedAbove` the entry it holds, or why that did not
    /// decode (replay reports it as corruption if it reaches the record); nil for other records, and for
    /// entry records at or below `decodedAbove` (a snapshot covers them: only their index and term matter).
    var entries: [Result<Entry, WireError>?] = []
    /// The first offset that does not hold a verifiable record; nil when the file ends cleanly.
    var stop: (offset: Int, reason: String, malformed: Bool)?
    /// Where the records end when the file ends cleanly: its size, or an end-of-data mark (`endOfData`):
    /// the start of a zero-filled tail, a spare segment's room the log had not reached
    /// (`SegmentPreparation`). Zeros inside the witnessed prefix are still damage: `RecoveryScan` checks that.
    var recordsEnd: Int

    /// The newest durability witness among all records that verify, including those found past
    /// `stop` by resynchronising (they are never replayed, only believed about durability).
    var witness: LogCursor = .zero

    /// Reads and parses one segment. A read that fails verification is read once more: a bit
    /// flipped on the way from the disk (not on it) must not be mistaken for corruption at rest.
    /// Entries at or below `decodedAbove` are verified but their payloads are not decoded.
    static func read(
        sequence: UInt64, path: String, decodedAbove: LogIndex, fileSystem: FileSystem
    ) throws(StorageError) -> SegmentScan {
        var best = try readOnce(sequence: sequence, path: path, decodedAbove: decodedAbove, fileSystem: fileSystem)
        var reads = 1
        while let stop = best.stop, reads < verificationReadsMax {
            let again = try readOnce(
                sequence: sequence, path: path, decodedAbove: decodedAbove, fileSystem: fileSystem)
            reads += 1
            if (again.stop?.offset ?? Int.max) > stop.offset { best = again }
        }
        return best
    }

    /// How many times a segment that fails verification is read before the failure is believed:
    /// a transient flip must strike every read, at rest damage strikes them all.
    static let verificationReadsMax = 3

    /// The end-of-data mark: at a record boundary, a header of all zero bytes (length 0, checksum 0, kind 0)
    /// ends a segment's data. No record has that header (no kind is 0), and a spare segment's preallocated
    /// room reads as it, so the scan stops there instead of reading the rest of a 64 MiB segment. It checks
    /// that this many bytes from the mark (or to the file's end) are zero too: anything non-zero there stops
    /// the scan as an unverifiable record does (a torn tail, or corruption where a witness reaches past it),
    /// as when the whole tail was read. Bytes further on are never read: the one case this misses is a run of
    /// durable records zeroed at rest, longer than this and starting exactly at a record boundary, with
    /// witnessing records after it in the same segment and no later segment whose entries continue the log
    /// (docs/design.md, Storage).
    static let endOfDataCheckedBytes = WALRecord.framedBytesMax

    private static func readOnce(
        sequence: UInt64, path: String, decodedAbove: LogIndex, fileSystem: FileSystem
    ) throws(StorageError) -> SegmentScan {
        do {
            let handle = try fileSystem.open(path, create: false)
            defer { fileSystem.close(handle) }
            var window = try SegmentWindow(handle: handle, fileSystem: fileSystem)
            return try parse(sequence: sequence, path: path, decodedAbove: decodedAbove, window: &window)
        } catch {
            throw .unreadable(error)
        }
    }

    /// Parses a segment held whole in memory.
    static func parse(
        sequence: UInt64, path: String, decodedAbove: LogIndex = 0, bytes: [UInt8]
    ) throws(StorageError) -> SegmentScan {
        var window = SegmentWindow(bytes: bytes)
        do { return try parse(sequence: sequence, path: path, decodedAbove: decodedAbove, window: &window) } catch {
            throw .unreadable(error)
        }
    }

    private static func parse(
        sequence: UInt64, path: String, decodedAbove: LogIndex,
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
                if record.kind == .entry, record.index > decodedAbove {
                    do { entry = .success(try WALRecord.decodeEntry(window.bytes, at: local, record)) } catch {
                        entry = .failure(error)
                    }
                }
                scan.records.append((offset, record))
                scan.entries.append(entry)
                offset += record.sizeBytes
            case .unverifiable(let reason):
                if try window.isZeroRun(from: offset, count: endOfDataCheckedBytes) {
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

    /// True when every byte of `buffer` is zero.
    static func isZero(_ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
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

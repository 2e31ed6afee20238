import FerryRaft

/// A position in the write-ahead log's byte stream: a segment and an offset in it. Positions only
/// grow: the log is append-only, a follower's truncation is written as new records, never as an
/// overwrite, and after a crash writing resumes in a fresh segment.
public struct LogCursor: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var segment: UInt64
    public var offset: Int

    public init(segment: UInt64, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static let zero = LogCursor(segment: 0, offset: 0)

    public static func < (a: LogCursor, b: LogCursor) -> Bool {
        (a.segment, a.offset) < (b.segment, b.offset)
    }

    public var description: String { "\(StorageLayout.segmentName(sequence: segment))@\(offset)" }
}

/// What a WAL record says.
enum RecordKind: UInt32 {
    /// A Raft entry: `index`, `term`, and the encoded `EntryPayload`.
    case entry = 1
    /// The log restarts after a snapshot at `index`/`term` that did not match it (a follower that
    /// installed a leader's snapshot): every earlier record is superseded. Written only after the
    /// snapshot file is durable.
    case logReset = 2
    /// No payload; `index`/`term` name the log's last entry, and `durableThrough` the end of the log once
    /// the write before it completed. Written (and fsynced) alone when the log falls idle after a write, so
    /// that the last batch, which no later record would otherwise witness, is witnessed on disk: damage to
    /// it is then corruption, not a torn tail (see `RaftStorage.owesWitness`). Recovery believes its
    /// witness and replays nothing from it. Failing verification at the tail, it is an ordinary torn tail:
    /// it covers nothing but the bytes before it, which were already durable. Binaries from before this
    /// kind read it as malformed and refuse the log: a downgrade across it is not possible in place.
    case witness = 3
}

/// One framed record of a segment:
///
/// ```
/// offset size
///  0     4   CRC32C of bytes 4..<end (everything below, payload included)
///  4     4   payload length
///  8     4   kind (RecordKind)
/// 12     4   reserved, zero
/// 16     8   index
/// 24     8   term
/// 32     8   durableThrough.segment  } the end of the log known durable when this record was
/// 40     8   durableThrough.offset   } staged: recovery's witness that everything before it was synced
/// 48     n   payload
/// ```
///
/// The checksum covers the index and the term, so a record copied to the wrong place (a misdirected
/// write) or a stale record from an older term never verifies as something it is not, and the
/// `durableThrough` witness, so a torn tail can be told from corruption inside the durable prefix.
struct WALRecord: Equatable {
    static let headerBytes = 48
    /// The largest payload a record may carry: the largest entry payload, with room for its tag and
    /// length. Recovery rejects any larger length before reading, so a flipped length bit cannot make
    /// it read past sanity.
    static let payloadBytesMax = WireLimits.commandBytesMax + 64

    var kind: RecordKind
    var index: LogIndex
    var term: Term
    var durableThrough: LogCursor
    var payload: [UInt8]

    var sizeBytes: Int { Self.headerBytes + payload.count }

    /// A record that only says "everything before `durableThrough` is durable"; `last` is the log's last
    /// entry, for an operator reading the file.
    static func witness(last: LogPosition, durableThrough: LogCursor) -> WALRecord {
        WALRecord(kind: .witness, index: last.index, term: last.term, durableThrough: durableThrough, payload: [])
    }

    static func entry(_ entry: Entry, durableThrough: LogCursor) -> WALRecord {
        var writer = LittleEndianWriter(capacity: entry.sizeBytes + 8)
        entry.payload.encode(into: &writer)
        return WALRecord(
            kind: .entry, index: entry.index, term: entry.term, durableThrough: durableThrough,
            payload: writer.bytes)
    }

    /// Appends this record's framed bytes to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        precondition(payload.count <= Self.payloadBytesMax, "record payload exceeds payloadBytesMax")
        let start = buffer.count
        var writer = LittleEndianWriter(capacity: Self.headerBytes)
        writer.write(UInt32(0))  // checksum, patched below
        writer.write(UInt32(payload.count))
        writer.write(kind.rawValue)
        writer.write(UInt32(0))
        writer.write(index)
        writer.write(term)
        writer.write(durableThrough.segment)
        writer.write(UInt64(durableThrough.offset))
        buffer.append(contentsOf: writer.bytes)
        buffer.append(contentsOf: payload)
        let crc = buffer.withUnsafeBytes { Self.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 4)...])) }
        withUnsafeBytes(of: crc.littleEndian) { buffer.replaceSubrange(start..<start + 4, with: $0) }
    }

    /// The checksum stored in a record: over the header after the checksum field and the payload.
    static func checksum(_ coveredBytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(coveredBytes)
        return crc.value
    }

    /// Reads the record framed at `offset` in `bytes` (a segment, or a window of one that holds every
    /// byte to the file's end or at least `framedBytesMax` from `offset`). Never traps on bad input. The
    /// payload is not copied out: a `.entry` record is decoded straight from `bytes` (`ScannedRecord`).
    static func decode(_ bytes: [UInt8], at offset: Int) -> RecordRead {
        let available = bytes.count - offset
        guard available >= headerBytes else {
            return .unverifiable("only \(available) bytes left, a header needs \(headerBytes)")
        }
        var reader = LittleEndianReader(bytes, offset: offset)
        do {
            let storedChecksum = try reader.readUInt32()
            let payloadCount = Int(try reader.readUInt32())
            let kindValue = try reader.readUInt32()
            _ = try reader.readUInt32()
            let index = try reader.readUInt64()
            let term = try reader.readUInt64()
            let durableSegment = try reader.readUInt64()
            let durableOffset = try reader.readUInt64()
            guard payloadCount <= payloadBytesMax else {
                return .unverifiable("length \(payloadCount) exceeds \(payloadBytesMax)")
            }
            guard available >= headerBytes + payloadCount else {
                return .unverifiable("record of \(headerBytes + payloadCount) bytes, only \(available) left")
            }
            let computed = bytes.withUnsafeBytes {
                checksum(UnsafeRawBufferPointer(rebasing: $0[(offset + 4)..<(offset + headerBytes + payloadCount)]))
            }
            guard computed == storedChecksum else {
                return .unverifiable("checksum mismatch (stored \(hex(storedChecksum)), computed \(hex(computed)))")
            }
            guard let kind = RecordKind(rawValue: kindValue), durableOffset <= UInt64(Int.max) else {
                return .malformed("unknown record kind \(kindValue)")
            }
            let witness = LogCursor(segment: durableSegment, offset: Int(durableOffset))
            return .record(
                ScannedRecord(
                    kind: kind, index: index, term: term, durableThrough: witness,
                    sizeBytes: headerBytes + payloadCount))
        } catch {
            return .unverifiable("\(error)")
        }
    }

    /// The most bytes one record can occupy.
    static let framedBytesMax = headerBytes + payloadBytesMax

    /// A fast filter before the checksum when hunting for records in damaged bytes: known kind,
    /// zero reserved field.
    static func plausibleHeader(_ bytes: [UInt8], at offset: Int) -> Bool {
        let kind = bytes[offset + 8]
        let reserved = bytes[offset + 12..<offset + 16]
        return RecordKind(rawValue: UInt32(kind)) != nil && bytes[offset + 9] == 0 && bytes[offset + 10] == 0
            && bytes[offset + 11] == 0
            && reserved.allSatisfy { $0 == 0 }
    }

    /// The entry a verified `.entry` record framed at `offset` in `bytes` holds, decoded in place.
    static func decodeEntry(_ bytes: [UInt8], at offset: Int, _ record: ScannedRecord) throws(WireError) -> Entry {
        precondition(record.kind == .entry, "only entry records hold entries")
        var reader = LittleEndianReader(bytes, offset: offset + headerBytes, end: offset + record.sizeBytes)
        let payload = try EntryPayload.decode(from: &reader)
        try reader.expectEnd()
        return Entry(index: record.index, term: record.term, payload: payload)
    }

    private static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}

/// The outcome of reading one record.
enum RecordRead {
    case record(ScannedRecord)
    /// The bytes do not verify: torn, truncated or corrupt. Which of these it is depends on
    /// whether a durability witness covers the offset (see `SegmentScanner`).
    case unverifiable(String)
    /// The bytes verify but make no sense (an unknown kind): never a torn write, always corruption
    /// or a newer format.
    case malformed(String)
}

/// A record as recovery reads it back: its header (the entry an entry record holds is kept beside it,
/// `SegmentScan.entries`, so that records stay plain values, cheap to copy).
struct ScannedRecord {
    var kind: RecordKind
    var index: LogIndex
    var term: Term
    var durableThrough: LogCursor
    var sizeBytes: Int
}

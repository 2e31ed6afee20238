/// The compact, deterministic binary encoding shared by commands, results and snapshots: LEB128 varints,
/// zigzag for signed values, length-prefixed bytes and strings. No dictionary order ever reaches it: callers
/// sort keyed collections before writing them. (Raft messages and storage records use FerryRaft's
/// fixed-width `LittleEndianWriter`; FerryQueue imports nothing, so the two never meet.)
public struct VarintWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    /// A writer whose output starts with `prefix` (as is, no length), with room for `capacity` bytes in all.
    public init(prefix: [UInt8], capacity: Int) {
        bytes.reserveCapacity(max(capacity, prefix.count))
        bytes.append(contentsOf: prefix)
    }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func uvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func int(_ value: Int) { varint(Int64(value)) }

    public mutating func varint(_ value: Int64) {
        uvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func raw(_ data: [UInt8]) {
        uvarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            uvarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }

    public mutating func optionalInt(_ value: Int?) {
        bool(value != nil)
        if let value { int(value) }
    }

    public mutating func pairs(_ value: [(String, String)]) {
        uvarint(UInt64(value.count))
        for (k, v) in value {
            string(k)
            string(v)
        }
    }
}

/// Thrown when bytes do not decode: truncated input, a bad tag, a length past the end.
public struct DecodeError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "decode error: \(reason)" }
}

/// Reads what `VarintWriter` wrote: from one buffer (a command, a result), or from a stream of chunks that it
/// refills itself from (a node's snapshot at start, never held whole). `offset` is within the current buffer.
public struct VarintReader {
    private var bytes: [UInt8]
    public private(set) var offset: Int
    /// The next chunk of a streamed input (`[]` at its end), and how many bytes it has yet to give.
    private let nextChunk: (() throws -> [UInt8])?
    private var unreadBytes = 0

    public init(_ bytes: [UInt8], offset: Int = 0) {
        precondition(offset >= 0 && offset <= bytes.count, "reader offset must lie inside the buffer")
        self.bytes = bytes
        self.offset = offset
        self.nextChunk = nil
    }

    /// A reader of `bytes` from `offset` on, then of the chunks `nextChunk` gives, `unreadBytes` in all.
    public init(_ bytes: [UInt8], offset: Int, thenChunks nextChunk: @escaping () throws -> [UInt8], unreadBytes: Int) {
        precondition(offset >= 0 && offset <= bytes.count, "reader offset must lie inside the buffer")
        self.bytes = bytes
        self.offset = offset
        self.nextChunk = nextChunk
        self.unreadBytes = unreadBytes
    }

    public var isAtEnd: Bool { offset == bytes.count && unreadBytes == 0 }

    /// Makes at least `count` bytes readable at `offset`, refilling from the stream; throws if the input ends
    /// first. Only the bytes not yet read are kept.
    private mutating func require(_ count: Int) throws {
        guard bytes.count - offset < count else { return }
        guard let nextChunk, count - (bytes.count - offset) <= unreadBytes else {
            throw DecodeError("truncated at \(offset)")
        }
        var refilled = Array(bytes[offset...])
        while refilled.count < count {
            let chunk = try nextChunk()
            guard !chunk.isEmpty, chunk.count <= unreadBytes else { throw DecodeError("stream ended early") }
            unreadBytes -= chunk.count
            refilled += chunk
        }
        bytes = refilled
        offset = 0
    }

    public mutating func u8() throws -> UInt8 {
        if offset == bytes.count { try require(1) }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool() throws -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let other: throw DecodeError("bad bool \(other)")
        }
    }

    public mutating func uvarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            guard shift < 64 else { throw DecodeError("varint too long") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    public mutating func varint() throws -> Int64 {
        let raw = try uvarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func int() throws -> Int {
        let value = try varint()
        guard let result = Int(exactly: value) else { throw DecodeError("int out of range") }
        return result
    }

    public mutating func u32() throws -> UInt32 {
        guard let value = UInt32(exactly: try uvarint()) else { throw DecodeError("u32 out of range") }
        return value
    }

    /// A count for a following collection; bounded by the bytes left so garbage cannot ask for huge arrays.
    public mutating func count() throws -> Int {
        let value = try uvarint()
        guard value <= UInt64(bytes.count - offset + unreadBytes) else { throw DecodeError("count \(value) past end") }
        return Int(value)
    }

    public mutating func raw() throws -> [UInt8] {
        Array(bytes[try rawRange()])
    }

    /// Where a length-prefixed byte string (`VarintWriter.raw`) lies in the input, skipped over: a caller that
    /// keeps the bytes copies them once, straight to where they live (`withBytes(in:)`), not through an array.
    /// Valid until the next read (a streamed reader may refill its buffer).
    public mutating func rawRange() throws -> Range<Int> {
        try rawRange(followedBy: 0)
    }

    /// The same, with up to `followingBytes` after it kept in the buffer too: reads of that many bytes before
    /// `withBytes(in:)` leave the range valid.
    public mutating func rawRange(followedBy followingBytes: Int) throws -> Range<Int> {
        let length = try count()
        try require(min(length + followingBytes, bytes.count - offset + unreadBytes))
        defer { offset += length }
        return offset..<offset + length
    }

    /// The input's bytes in `range` (from `rawRange()`), for the duration of `body`.
    public func withBytes<T>(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[range])) }
    }

    public mutating func string() throws -> String {
        let length = try count()
        try require(length)
        defer { offset += length }
        return try bytes.withUnsafeBufferPointer { all throws(DecodeError) -> String in
            let utf8 = UnsafeBufferPointer(rebasing: all[offset..<offset + length])
            // Names, ids and receipt handles are ASCII, and for ASCII `decoding` is exact. It is also far
            // cheaper than `validating`, which looks up generic metadata at run time on every call: the
            // largest source of such lookups in a node's profile, since every replica decodes every command.
            var highBits: UInt8 = 0
            for byte in utf8 { highBits |= byte }
            if highBits < 0x80 { return String(decoding: utf8, as: UTF8.self) }
            guard let text = String(validating: utf8, as: UTF8.self) else { throw DecodeError("bad utf-8") }
            return text
        }
    }

    /// Pairs reserved up front at most, whatever the count says (a queue has at most 50 tags).
    static let pairsReservedMax = 64

    public mutating func optionalString() throws -> String? { try bool() ? try string() : nil }

    public mutating func optionalInt() throws -> Int? { try bool() ? try int() : nil }

    public mutating func pairs() throws -> [(String, String)] {
        let n = try count()
        var out: [(String, String)] = []
        // The count is bounded by the bytes left, which for a streamed snapshot is the rest of the file, decoded
        // before its checksum is known: reserved as told, one flipped bit could ask for terabytes and stop the
        // node with a failed allocation instead of the file's corruption error. Tags and attributes are few.
        out.reserveCapacity(min(n, Self.pairsReservedMax))
        for _ in 0..<n { out.append((try string(), try string())) }
        return out
    }

    public func expectEnd() throws {
        guard isAtEnd else { throw DecodeError("\(bytes.count - offset + unreadBytes) trailing bytes") }
    }
}

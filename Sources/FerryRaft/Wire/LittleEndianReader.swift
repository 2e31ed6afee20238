/// Why a byte string could not be decoded. Decoding never traps on bad input: bytes come from
/// disks and networks, which lie.
public enum WireError: Error, Equatable, CustomStringConvertible {
    /// The input ended `needed - available` bytes early.
    case truncated(needed: Int, available: Int)
    /// A tag byte that names no known case of `type`.
    case unknownTag(type: String, tag: UInt8)
    /// A length field larger than the bound the reader was given.
    case lengthTooLarge(length: Int, max: Int)
    /// Bytes left over after a value that must fill its buffer exactly.
    case trailingBytes(count: Int)
    /// A field whose value breaks an invariant of its type.
    case invalidValue(String)

    public var description: String {
        switch self {
        case .truncated(let needed, let available): return "truncated: needed \(needed) bytes, \(available) left"
        case .unknownTag(let type, let tag): return "unknown \(type) tag \(tag)"
        case .lengthTooLarge(let length, let max): return "length \(length) exceeds \(max)"
        case .trailingBytes(let count): return "\(count) trailing bytes"
        case .invalidValue(let why): return "invalid value: \(why)"
        }
    }
}

/// Reads what `LittleEndianWriter` wrote, front to back, checking every length against what is left.
public struct LittleEndianReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    /// Where reading stops: the buffer's end, or the end of one record framed inside a larger buffer
    /// (a log segment read whole, decoded without copying each record out first).
    public let end: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.init(bytes, offset: offset, end: bytes.count)
    }

    public init(_ bytes: [UInt8], offset: Int, end: Int) {
        precondition(offset >= 0 && offset <= end && end <= bytes.count, "reader range must lie inside the buffer")
        self.bytes = bytes
        self.offset = offset
        self.end = end
    }

    public var remaining: Int { end - offset }

    private mutating func take(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw .truncated(needed: count, available: remaining) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func readUInt8() throws(WireError) -> UInt8 {
        try take(1).first!
    }

    public mutating func readUInt32() throws(WireError) -> UInt32 {
        UInt32(littleEndian: try load(UInt32.self))
    }

    public mutating func readUInt64() throws(WireError) -> UInt64 {
        UInt64(littleEndian: try load(UInt64.self))
    }

    /// The next `MemoryLayout<T>.size` bytes as they lie in memory (little-endian on the wire): one load
    /// instead of a loop over a slice (every log entry and peer message is made of these fields).
    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_ type: T.Type) throws(WireError) -> T {
        let count = MemoryLayout<T>.size
        guard count <= remaining else { throw .truncated(needed: count, available: remaining) }
        defer { offset += count }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    /// Reads a UInt32 count and that many bytes; a count above `max` is rejected before any
    /// allocation, so a corrupt length cannot make the reader allocate gigabytes.
    public mutating func readLengthPrefixed(max: Int) throws(WireError) -> [UInt8] {
        let count = Int(try readUInt32())
        guard count <= max else { throw .lengthTooLarge(length: count, max: max) }
        return Array(try take(count))
    }

    public mutating func readRaw(count: Int) throws(WireError) -> [UInt8] {
        Array(try take(count))
    }

    /// Throws unless every byte was consumed.
    public func expectEnd() throws(WireError) {
        guard remaining == 0 else { throw .trailingBytes(count: remaining) }
    }
}

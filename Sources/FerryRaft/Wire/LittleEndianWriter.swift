/// Appends fixed-width little-endian integers and length-prefixed byte strings to a buffer.
///
/// The wire format of Ferry (storage records, and later peer messages) is built from these few
/// primitives only, so that every encoder is a straight-line sequence of `write` calls and every
/// decoder mirrors it with `LittleEndianReader`. Little-endian because every platform Ferry runs on is.
/// (The queue machine's commands, results and snapshots use FerryQueue's compact `VarintWriter` instead.)
public struct LittleEndianWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes the count as a UInt32, then the bytes. Callers bound the count (see `LittleEndianReader`).
    public mutating func writeLengthPrefixed(_ data: [UInt8]) {
        precondition(data.count <= Int(UInt32.max), "a length-prefixed field must fit in UInt32")
        write(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// Overwrites four bytes already written at `offset` (a checksum field filled in last).
    public mutating func overwrite(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "overwrite past the bytes written")
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + 4), with: $0) }
    }

    /// Empties the buffer for the next encoding, keeping its capacity up to `keptCapacityBytesMax` (a writer
    /// reused for every message a node sends, where one snapshot chunk must not pin 16 MiB).
    public mutating func removeAll(keptCapacityBytesMax: Int) {
        bytes.removeAll(keepingCapacity: bytes.capacity <= keptCapacityBytesMax)
    }

    public mutating func reserveCapacity(_ bytesMin: Int) {
        bytes.reserveCapacity(bytesMin)
    }

    /// Writes raw bytes with no prefix (fixed-size fields whose length the reader knows).
    public mutating func writeRaw(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }
}

/// The MD5 of a message body, as SQS reports it (MD5OfMessageBody on send, MD5OfBody on receive).
///
/// The node that accepts a send computes it once (FerryQueue imports no hash library; the SQS layer does)
/// and it travels with the message: in the send command in the log, in the queue state, in snapshots, and in
/// receive results. No node hashes a body a second time to answer a receive. A message sent by a version that
/// did not carry it has none, and the SQS layer hashes its body when it is received.
public struct BodyMD5: Hashable, Sendable {
    /// The digest's bytes 0..<8 and 8..<16, big-endian.
    public var high: UInt64
    public var low: UInt64

    public static let byteCount = 16

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 bytes of a digest. Not generic: a caller in another module would get the unspecialized
    /// version, which looks up type metadata at run time on every call (seen in a profile of the send path).
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Self.byteCount, "an MD5 digest is 16 bytes")
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { BodyMD5(bytes: $0) }
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }
}

extension VarintWriter {
    /// A presence byte, then the 16 bytes.
    mutating func optionalBodyMD5(_ value: BodyMD5?) {
        bool(value != nil)
        guard let value else { return }
        bigEndian(value.high)
        bigEndian(value.low)
    }

    private mutating func bigEndian(_ word: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { u8(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
}

extension VarintReader {
    mutating func optionalBodyMD5() throws -> BodyMD5? {
        guard try bool() else { return nil }
        return BodyMD5(high: try bigEndianUInt64(), low: try bigEndianUInt64())
    }

    private mutating func bigEndianUInt64() throws -> UInt64 {
        var word: UInt64 = 0
        for _ in 0..<8 { word = word << 8 | UInt64(try u8()) }
        return word
    }
}

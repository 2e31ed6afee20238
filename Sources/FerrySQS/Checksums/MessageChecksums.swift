import Crypto
import FerryQueue

/// The checksums the SDKs verify (docs/sqs-wire.md, "Message checksums"). Lowercase hex everywhere.
public enum MessageChecksums {
    /// MD5OfBody / MD5OfMessageBody: MD5 of the body's UTF-8 bytes as received.
    public static func md5OfBody(_ body: String) -> String {
        hex(bodyMD5(body))
    }

    /// The body's MD5 as FerryQueue carries it with the message (computed once, where the message arrives).
    public static func bodyMD5(_ body: String) -> BodyMD5 {
        var body = body
        var md5 = Insecure.MD5()
        body.withUTF8 { md5.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return md5.finalize().withUnsafeBytes { BodyMD5(bytes: $0) }
    }

    /// MD5OfBody / MD5OfMessageBody for a digest carried with the message.
    public static func hex(_ md5: BodyMD5) -> String {
        withUnsafeBytes(of: (md5.high.bigEndian, md5.low.bigEndian)) { hex(rawBytes: $0) }
    }

    /// MD5OfMessageAttributes, and MD5OfMessageSystemAttributes over the system-attribute map:
    /// names sorted by UTF-8 bytes; each attribute as u32be-length-prefixed name and DataType, a
    /// transport byte (1 string, 2 binary), then the u32be-length-prefixed value bytes.
    public static func md5OfAttributes(_ attributes: [String: MessageAttributeValue]) -> String {
        var bytes: [UInt8] = []
        let names = attributes.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for name in names {
            let value = attributes[name]!
            appendLengthPrefixed(Array(name.utf8), to: &bytes)
            appendLengthPrefixed(Array(value.dataType.utf8), to: &bytes)
            if let binary = value.binaryValue {
                bytes.append(2)
                appendLengthPrefixed(binary, to: &bytes)
            } else {
                bytes.append(1)
                appendLengthPrefixed(Array((value.stringValue ?? "").utf8), to: &bytes)
            }
        }
        return hex(Insecure.MD5.hash(data: bytes))
    }

    /// nil for no attributes: an MD5 of nothing broke PHP (localstack #136, elasticmq #114), a
    /// missing MD5 with attributes broke Java and Ruby (smoothmq #35, moto #918).
    public static func md5OfAttributesIfAny(_ attributes: [String: MessageAttributeValue]) -> String? {
        attributes.isEmpty ? nil : md5OfAttributes(attributes)
    }

    /// Content-based deduplication id: SHA-256 hex of the body only (c). FerryQueue's own `SHA256` gives the
    /// same for what the machine builds itself and for sends logged before the edge hashed them.
    public static func sha256OfBody(_ body: String) -> String {
        var body = body
        return body.withUTF8 { sha256Hex(of: UnsafeRawBufferPointer($0)) }
    }

    /// SHA-256 hex of bytes, without copying them (a body is up to 1 MiB).
    public static func sha256Hex(of bytes: UnsafeRawBufferPointer) -> String {
        Crypto.SHA256.hash(data: bytes).withUnsafeBytes { hex(rawBytes: $0) }
    }

    private static func appendLengthPrefixed(_ value: [UInt8], to bytes: inout [UInt8]) {
        let length = UInt32(value.count)
        bytes.append(contentsOf: [
            UInt8(length >> 24), UInt8((length >> 16) & 0xFF),
            UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF),
        ])
        bytes.append(contentsOf: value)
    }

    static func hex<D: Digest>(_ digest: D) -> String {
        digest.withUnsafeBytes { hex(rawBytes: $0) }
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Array(bytes).withUnsafeBytes { hex(rawBytes: $0) }
    }

    private static func hex(rawBytes bytes: UnsafeRawBufferPointer) -> String { Hex.encode(bytes) }
}

/// The handshake messages on the wire. The first bytes of a Hello (type, magic, version) never change
/// across versions, so any two versions can at least refuse each other cleanly.
enum HandshakeMessage: Equatable {
    case hello(version: UInt16, nodeID: UInt64, nonce: [UInt8])
    case proof([UInt8])
    case verdict(HandshakeVerdict)
}

enum HandshakeVerdict: Equatable {
    case accepted
    case refused(PeerRefusalReason, localVersion: UInt16)
}

enum HandshakeWire {
    /// "FRRY": tells a Ferry peer link from anything else that connects to the peer port.
    static let magic: UInt32 = 0x4652_5259
    static let helloType: UInt8 = 1, proofType: UInt8 = 2, verdictType: UInt8 = 3
    /// An HMAC-SHA256 tag.
    static let macBytes = 32

    static func hello(version: UInt16, nodeID: UInt64, nonce: [UInt8]) -> [UInt8] {
        var bytes = [helloType]
        appendU32(magic, to: &bytes)
        appendU16(version, to: &bytes)
        appendU64(nodeID, to: &bytes)
        return bytes + nonce
    }

    static func proof(_ mac: [UInt8]) -> [UInt8] { [proofType] + mac }

    static func verdict(_ verdict: HandshakeVerdict) -> [UInt8] {
        switch verdict {
        case .accepted: return [verdictType, 0]
        case .refused(let reason, let version):
            var bytes = [verdictType, reason.rawValue]
            appendU16(version, to: &bytes)
            return bytes
        }
    }

    static func decode(_ frame: [UInt8]) throws(PeerHandshakeError) -> HandshakeMessage {
        var reader = BigEndianReader(frame)
        switch try reader.u8() {
        case helloType:
            guard try reader.u32() == magic else { throw .malformedMessage }
            let version = try reader.u16()
            let nodeID = try reader.u64()
            let nonce = try reader.bytes(PeerHandshake.nonceBytes)
            return .hello(version: version, nodeID: nodeID, nonce: nonce)
        case proofType:
            return .proof(try reader.bytes(macBytes))
        case verdictType:
            let code = try reader.u8()
            if code == 0 { return .verdict(.accepted) }
            guard let reason = PeerRefusalReason(rawValue: code) else { throw .malformedMessage }
            return .verdict(.refused(reason, localVersion: try reader.u16()))
        default:
            throw .malformedMessage
        }
    }

    static func appendU16(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
    }

    static func appendU32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(value >> UInt32(shift) & 0xff)) }
    }

    static func appendU64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(value >> UInt64(shift) & 0xff)) }
    }
}

/// Reads big-endian fields; running past the end is a malformed message.
private struct BigEndianReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func bytes(_ count: Int) throws(PeerHandshakeError) -> [UInt8] {
        guard bytes.count - offset >= count else { throw .malformedMessage }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func u8() throws(PeerHandshakeError) -> UInt8 { try bytes(1)[0] }
    mutating func u16() throws(PeerHandshakeError) -> UInt16 { try bytes(2).reduce(0) { $0 << 8 | UInt16($1) } }
    mutating func u32() throws(PeerHandshakeError) -> UInt32 { try bytes(4).reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func u64() throws(PeerHandshakeError) -> UInt64 { try bytes(8).reduce(0) { $0 << 8 | UInt64($1) } }
}

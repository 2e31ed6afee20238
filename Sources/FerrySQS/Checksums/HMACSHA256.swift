import Crypto

/// HMAC-SHA256 (RFC 2104) over swift-crypto's `SHA256`, fed from raw buffers.
///
/// swift-crypto's `HMAC<H>` is generic and not inlinable, so from this module every `update(data:)` ran
/// unspecialized (type metadata lookups, witness calls, a `regions` iterator): about 4k instructions a call
/// under callgrind, 45k per message on a leader (SigV4, receipt-handle seals). `SHA256.update(bufferPointer:)`
/// is a concrete public method. Keyed once and copied per use: a copy shares the hash states until it is
/// updated (swift-crypto copies a digest context on write), so the cached one is never touched.
struct HMACSHA256 {
    static let blockBytes = 64
    private var inner = SHA256()
    private var outer = SHA256()

    init(key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: Self.blockBytes)
        if key.count > Self.blockBytes {
            var hasher = SHA256()
            hasher.update(bufferPointer: key)
            hasher.finalize().withUnsafeBytes { digest in
                for i in 0..<digest.count { block[i] = digest[i] }
            }
        } else {
            for i in 0..<key.count { block[i] = key[i] }
        }
        for i in 0..<Self.blockBytes { block[i] ^= 0x36 }
        block.withUnsafeBytes { inner.update(bufferPointer: $0) }
        for i in 0..<Self.blockBytes { block[i] ^= 0x36 ^ 0x5c }
        block.withUnsafeBytes { outer.update(bufferPointer: $0) }
    }

    init(key: [UInt8]) {
        self = key.withUnsafeBytes { HMACSHA256(key: $0) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bufferPointer: bytes)
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { inner.update(bufferPointer: $0) }
    }

    /// The 32-byte code.
    func finalize() -> SHA256Digest {
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }
}

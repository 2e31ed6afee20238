import Crypto

import enum FerryQueue.Hex

/// Receipt handles as clients see them: the queue machine's handle followed by a keyed MAC, so a client can
/// only present a handle this cluster gave out, for the queue it gave it out for.
///
/// The queue machine mints its handles deterministically on every replica and checks them with an unkeyed
/// checksum; anyone who knows the format could write one for a message they never received. The edge seals
/// each handle on the way out and opens it on the way in, before anything is proposed, so the machine stays
/// free of keys and every replica still agrees.
///
///     handle = machine handle ‖ hex(HMAC-SHA256(key, u32 len ‖ account ‖ u32 len ‖ queue name ‖ machine handle)[0..<16])
///     key    = HKDF-SHA256(cluster secret, info: "ferry receipt-handle v1")
///
/// Bound with the handle: the account and the queue name from the request's QueueUrl, so a handle presented
/// for another queue (or the same name under another account) fails here. The queue's incarnation (a queue
/// deleted and created again) is in the machine handle itself, as its QueueID. Every node derives the same
/// key from the shared secret, so a handle minted via one node opens on every node.
public struct ReceiptHandleSeal {
    /// HKDF info: what the key is for, so no other use of the cluster secret (the peer handshake) shares it.
    static let keyLabel = "ferry receipt-handle v1"
    /// MAC bytes kept: 128 bits, so a forger's chance per try is 2^-128.
    static let macBytes = 16
    static let macHexBytes = 2 * macBytes
    /// The longest machine handle sealed or opened. The machine's are 43 bytes; the bound leaves room for a
    /// later format and caps what a hostile handle makes the node hash. Sealed handles stay far below SQS's
    /// 1,024 characters.
    public static let innerBytesMax = 128

    /// Keyed once at startup; each handle copies it, so the key schedule is never redone per request.
    private let keyed: HMACSHA256

    public init(clusterSecret: String) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(clusterSecret.utf8)),
            info: Array(Self.keyLabel.utf8), outputByteCount: 32)
        keyed = key.withUnsafeBytes { HMACSHA256(key: $0) }
    }

    /// The handle a client receives for the machine's `handle`, minted for `queueName` of `account`.
    public func seal(_ handle: String, account: String, queueName: String) -> String {
        var handle = handle
        return handle.withUTF8 { inner in
            precondition(
                inner.count <= Self.innerBytesMax, "the queue machine minted a handle longer than innerBytesMax")
            let code = mac(inner, account: account, queueName: queueName)
            return String(unsafeUninitializedCapacity: inner.count + Self.macHexBytes) { out in
                _ = out.initialize(from: inner)
                code.withUnsafeBytes { code in
                    for i in 0..<Self.macBytes {
                        out[inner.count + 2 * i] = Hex.digit(code[i] >> 4)
                        out[inner.count + 2 * i + 1] = Hex.digit(code[i] & 0xf)
                    }
                }
                return inner.count + Self.macHexBytes
            }
        }
    }

    /// The machine handle inside a client's `text`, or nil when it is not one this cluster sealed for
    /// `queueName` of `account` (forged, altered, truncated, extended, or for another queue). The MAC is
    /// compared in constant time.
    public func open(_ text: String, account: String, queueName: String) -> String? {
        var text = text
        return text.withUTF8 { utf8 -> String? in
            let innerCount = utf8.count - Self.macHexBytes
            guard innerCount >= 1, innerCount <= Self.innerBytesMax else { return nil }
            let inner = UnsafeBufferPointer(rebasing: utf8[..<innerCount])
            let code = mac(inner, account: account, queueName: queueName)
            let difference = code.withUnsafeBytes { code -> UInt8 in
                var difference: UInt8 = 0
                for i in 0..<Self.macBytes {
                    difference |= utf8[innerCount + 2 * i] ^ Hex.digit(code[i] >> 4)
                    difference |= utf8[innerCount + 2 * i + 1] ^ Hex.digit(code[i] & 0xf)
                }
                return difference
            }
            guard difference == 0 else { return nil }
            return String(decoding: inner, as: UTF8.self)
        }
    }

    private func mac(_ inner: UnsafeBufferPointer<UInt8>, account: String, queueName: String) -> SHA256Digest {
        var hmac = keyed
        Self.updateLengthPrefixed(&hmac, account)
        Self.updateLengthPrefixed(&hmac, queueName)
        hmac.update(UnsafeRawBufferPointer(inner))
        return hmac.finalize()
    }

    /// A u32 length, then the bytes: the fields cannot run into each other.
    private static func updateLengthPrefixed(_ hmac: inout HMACSHA256, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).bigEndian) { hmac.update($0) }
            hmac.update(UnsafeRawBufferPointer(bytes))
        }
    }
}

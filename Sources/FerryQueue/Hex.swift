/// Lowercase hexadecimal, for digests, ids, receipt handles and JSON escapes: the one hex encoder (FerrySQS
/// and the `ferry` tool use it too).
public enum Hex {
    /// The lowercase digit of a nibble (0...15). Inlinable: the JSON writer and the SigV4 check call it per byte.
    @inlinable @inline(__always)
    public static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for byte in bytes {
                out[i] = digit(byte >> 4)
                out[i + 1] = digit(byte & 0x0f)
                i += 2
            }
            return i
        }
    }

    /// Not generic, so a caller in another module (a digest's bytes) gets the specialized loop.
    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, byte) in bytes.enumerated() {
                out[2 * i] = digit(byte >> 4)
                out[2 * i + 1] = digit(byte & 0x0f)
            }
            return bytes.count * 2
        }
    }

    /// Writes the low `digits` hex digits of `value`, most significant first, at `out[i...]`; advances `i`.
    @inline(__always)
    static func write(_ value: UInt64, digits: Int, into out: UnsafeMutableBufferPointer<UInt8>, at i: inout Int) {
        for shift in stride(from: 4 * (digits - 1), through: 0, by: -4) {
            out[i] = digit(UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0x0f)
            i += 1
        }
    }

    /// Reads `digits` hex digits (either case) at `utf8[i...]` as a number; advances `i`. nil on a
    /// non-hex character or too few bytes.
    static func read(_ utf8: UnsafeBufferPointer<UInt8>, digits: Int, at i: inout Int) -> UInt64? {
        guard i + digits <= utf8.count else { return nil }
        var value: UInt64 = 0
        for _ in 0..<digits {
            guard let nibble = nibble(utf8[i]) else { return nil }
            value = value << 4 | UInt64(nibble)
            i += 1
        }
        return value
    }

    /// Decodes lowercase or uppercase hex; nil on odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

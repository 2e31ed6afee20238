import FerryQueue

/// Serializes compactly with sorted keys (deterministic output). Non-ASCII is written as UTF-8;
/// only `"`, `\` and control characters are escaped.
///
/// The hot SQS responses do not go through here: `SQSJSONEncoder` writes them straight into one
/// buffer with the same escaping (`appendString`). This tree writer serves the rest.
public enum JSONWriter {
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, to: &out)
        return out
    }

    static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: appendLiteral("null", to: &out)
        case .bool(let b): appendLiteral(b ? "true" : "false", to: &out)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, member)) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(member, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func appendLiteral(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// `s` as a JSON string. Runs that need no escaping (everything but `"`, `\` and C0 controls; a
    /// message body is mostly such runs) are appended whole, not byte by byte.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendEscaped($0, to: &out) }
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Up to the first byte that needs escaping, eight bytes at a time; often that is the whole text.
        var seen: UInt64 = 0
        let first = JSONScan.plainRunEnd(bytes, from: 0, seen: &seen)
        guard first < bytes.count else {
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        // Pass 1 sizes the result; pass 2 writes it into scratch space, appended in one copy (in JSON-in-JSON
        // bodies a quote comes every few bytes, too often for one append per run to pay).
        var length = bytes.count
        var i = first
        while i < bytes.count {
            length += escapeLength(bytes[i]) - 1
            i = JSONScan.plainRunEnd(bytes, from: i + 1, seen: &seen)
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { dst in
            let base = dst.baseAddress!
            let source = UnsafeRawPointer(bytes.baseAddress!)
            base.initialize(from: bytes.baseAddress!, count: first)
            var i = first
            var at = first
            while i < bytes.count {
                if i + 8 <= bytes.count {
                    // A whole word is stored, and the lanes before its first special byte kept. In bounds:
                    // the bytes still to read produce at least as many, so at + 8 <= length.
                    let word = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    UnsafeMutableRawPointer(base + at).storeBytes(of: word.littleEndian, as: UInt64.self)
                    let mask = JSONScan.specialMask(word)
                    if mask == 0 {
                        i += 8
                        at += 8
                        continue
                    }
                    i += JSONScan.plainLanes(mask)
                    at += JSONScan.plainLanes(mask)
                } else if JSONScan.isPlain(bytes[i]) {
                    base[at] = bytes[i]
                    i += 1
                    at += 1
                    continue
                }
                at += writeEscape(bytes[i], to: base + at)
                i += 1
            }
            precondition(at == length, "escaped length miscounted")
            out.append(contentsOf: UnsafeBufferPointer(dst))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Bytes `writeEscape` writes for `byte`.
    @inline(__always)
    static func escapeLength(_ byte: UInt8) -> Int {
        byte == 0x22 || byte == 0x5C || byte == 0x0A || byte == 0x0D || byte == 0x09 ? 2 : 6
    }

    /// `"`, `\` and the C0 controls: short escapes where JSON has them, `\u00XX` for the rest. Returns the
    /// bytes written.
    @inline(__always)
    static func writeEscape(_ byte: UInt8, to dst: UnsafeMutablePointer<UInt8>) -> Int {
        dst[0] = 0x5C
        switch byte {
        case 0x22, 0x5C: dst[1] = byte
        case 0x0A: dst[1] = UInt8(ascii: "n")
        case 0x0D: dst[1] = UInt8(ascii: "r")
        case 0x09: dst[1] = UInt8(ascii: "t")
        default:
            dst[1] = UInt8(ascii: "u")
            dst[2] = 0x30
            dst[3] = 0x30
            dst[4] = Hex.digit(byte >> 4)
            dst[5] = Hex.digit(byte & 0x0F)
            return 6
        }
        return 2
    }

    /// Decimal digits of `value`, without a String.
    static func appendInt(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            if value == .min {
                appendLiteral("9223372036854775808", to: &out)
                return
            }
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // scratch: up to 20 digits, written back to front
        withUnsafeMutableBytes(of: &digits) { scratch in
            var at = scratch.count
            repeat {
                at -= 1
                scratch[at] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[at...]))
        }
    }
}

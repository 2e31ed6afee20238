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
        // Pass 1: how many bytes escaping adds (a body is usually none, or a few quotes).
        var extra = 0
        for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            extra += byte == 0x22 || byte == 0x5C || byte == 0x0A || byte == 0x0D || byte == 0x09 ? 1 : 5
        }
        out.append(UInt8(ascii: "\""))
        if extra == 0 {
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        // Pass 2: grow once, then write every byte in place (no append call per escape or per run).
        var at = out.count
        out.append(contentsOf: repeatElement(0, count: bytes.count + extra + 1))
        out.withUnsafeMutableBufferPointer { dst in
            for byte in bytes {
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                    dst[at] = byte
                    at += 1
                    continue
                }
                dst[at] = 0x5C
                switch byte {
                case 0x22, 0x5C: dst[at + 1] = byte; at += 2
                case 0x0A: dst[at + 1] = UInt8(ascii: "n"); at += 2
                case 0x0D: dst[at + 1] = UInt8(ascii: "r"); at += 2
                case 0x09: dst[at + 1] = UInt8(ascii: "t"); at += 2
                default:
                    dst[at + 1] = UInt8(ascii: "u")
                    dst[at + 2] = 0x30
                    dst[at + 3] = 0x30
                    dst[at + 4] = hexDigit(byte >> 4)
                    dst[at + 5] = hexDigit(byte & 0x0F)
                    at += 6
                }
            }
            precondition(at == dst.count - 1, "escaped length miscounted")
            dst[at] = UInt8(ascii: "\"")
        }
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    /// Decimal digits of `value`, without a String.
    static func appendInt(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            if value == .min { appendLiteral("9223372036854775808", to: &out); return }
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

/// Just enough JSON for RedrivePolicy and RedriveAllowPolicy: one object whose values are strings, numbers
/// (kept as their literal text) or arrays of strings. FerryQueue cannot use Foundation's JSONSerialization,
/// and these documents must parse identically on every replica.
enum MiniJSON {
    enum Value: Equatable {
        case string(String)
        case number(String)
        case strings([String])
    }

    /// Parses `{"key": value, ...}`; nil if the text is not such an object.
    static func parseObject(_ text: String) -> [(String, Value)]? {
        var p = Parser(bytes: Array(text.utf8))
        return p.object()
    }

    /// Renders a string as a JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func object() -> [(String, Value)]? {
            skipSpace()
            guard eat(UInt8(ascii: "{")) else { return nil }
            var members: [(String, Value)] = []
            skipSpace()
            if eat(UInt8(ascii: "}")) { return finish(members) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard eat(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = value() else { return nil }
                members.append((key, value))
                skipSpace()
                if eat(UInt8(ascii: ",")) { continue }
                guard eat(UInt8(ascii: "}")) else { return nil }
                return finish(members)
            }
        }

        mutating func finish(_ members: [(String, Value)]) -> [(String, Value)]? {
            skipSpace()
            return i == bytes.count ? members : nil
        }

        mutating func value() -> Value? {
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "["):
                i += 1
                var items: [String] = []
                skipSpace()
                if eat(UInt8(ascii: "]")) { return .strings(items) }
                while true {
                    skipSpace()
                    guard let item = string() else { return nil }
                    items.append(item)
                    skipSpace()
                    if eat(UInt8(ascii: ",")) { continue }
                    guard eat(UInt8(ascii: "]")) else { return nil }
                    return .strings(items)
                }
            default:
                let start = i
                while i < bytes.count, (bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9"))
                    || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".")
                    || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") || bytes[i] == UInt8(ascii: "+")
                { i += 1 }
                guard i > start else { return nil }
                return .number(String(decoding: bytes[start..<i], as: UTF8.self))
            }
        }

        mutating func string() -> String? {
            guard eat(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard i < bytes.count else { return nil }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count,
                              let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(code) else { return nil }
                        i += 4
                        out.append(contentsOf: Array(String(scalar).utf8))
                    default: return nil
                    }
                } else {
                    out.append(c)
                }
            }
            return nil
        }

        mutating func eat(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        }
    }
}

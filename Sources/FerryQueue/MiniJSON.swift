/// Just enough JSON for RedrivePolicy and RedriveAllowPolicy: one object whose values are strings, numbers
/// (kept as their literal text) or arrays of strings. FerryQueue cannot use Foundation's JSONSerialization,
/// and these documents must parse identically on every replica.
enum MiniJSON {
    enum Value: Equatable {
        case string(String)
        case number(String)
        case strings([String])
    }

    /// Parses `{"key": value, ...}`; nil if the text is not such an object (any other member value: nested
    /// objects, booleans, null, arrays of non-strings). Parsed by `PolicyJSON`, which filter policies share.
    static func parseObject(_ text: String) -> [(String, Value)]? {
        guard case .object(let members)? = PolicyJSON.parse(text) else { return nil }
        var out: [(String, Value)] = []
        for (key, member) in members {
            switch member {
            case .string(let s): out.append((key, .string(s)))
            case .number(let literal, _): out.append((key, .number(literal)))
            case .array(let items):
                var strings: [String] = []
                for item in items {
                    guard case .string(let s) = item else { return nil }
                    strings.append(s)
                }
                out.append((key, .strings(strings)))
            default: return nil
            }
        }
        return out
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
}

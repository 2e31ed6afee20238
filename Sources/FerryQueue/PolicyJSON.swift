/// A whole JSON document as a value, for SNS filter policies and message bodies matched against them
/// (FerryQueue cannot use Foundation, and FerrySQS's parser sits above it in the module graph). Parsed the
/// same way on every replica: object members keep their order, numbers keep their text.
indirect enum PolicyJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The literal text and its value as a Double.
    case number(String, Double)
    case string(String)
    case array([PolicyJSON])
    /// Members in document order; a repeated key keeps every occurrence (lookups take the last).
    case object([(String, PolicyJSON)])

    static func == (a: PolicyJSON, b: PolicyJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(_, let x), .number(_, let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Nesting depth a document may reach; deeper input is refused, not recursed into.
    static let depthMax = 64

    static func parse(_ bytes: [UInt8]) -> PolicyJSON? {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.i == bytes.count ? value : nil
    }

    static func parse(_ text: String) -> PolicyJSON? { parse(Array(text.utf8)) }

    subscript(key: String) -> PolicyJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func value(depth: Int) -> PolicyJSON? {
            guard depth < PolicyJSON.depthMax, i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(String, PolicyJSON)] = []
                skipSpace()
                if eat(UInt8(ascii: "}")) { return .object(members) }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard eat(UInt8(ascii: ":")) else { return nil }
                    skipSpace()
                    guard let member = value(depth: depth + 1) else { return nil }
                    members.append((key, member))
                    skipSpace()
                    if eat(UInt8(ascii: ",")) { continue }
                    return eat(UInt8(ascii: "}")) ? .object(members) : nil
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [PolicyJSON] = []
                skipSpace()
                if eat(UInt8(ascii: "]")) { return .array(items) }
                while true {
                    skipSpace()
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipSpace()
                    if eat(UInt8(ascii: ",")) { continue }
                    return eat(UInt8(ascii: "]")) ? .array(items) : nil
                }
            case UInt8(ascii: "\""): return string().map(PolicyJSON.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default: return number()
            }
        }

        mutating func number() -> PolicyJSON? {
            let start = i
            _ = eat(UInt8(ascii: "-"))
            guard digits() else { return nil }
            if eat(UInt8(ascii: ".")) { guard digits() else { return nil } }
            if eat(UInt8(ascii: "e")) || eat(UInt8(ascii: "E")) {
                if !eat(UInt8(ascii: "+")) { _ = eat(UInt8(ascii: "-")) }
                guard digits() else { return nil }
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let value = Double(text), value.isFinite else { return nil }
            return .number(text, value)
        }

        mutating func digits() -> Bool {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i > start
        }

        mutating func literal(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
            i += w.count
            return true
        }

        mutating func string() -> String? {
            guard eat(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                if c == UInt8(ascii: "\"") { return String(validating: out, as: UTF8.self) }
                if c < 0x20 { return nil }
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard var code = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(code) {
                        guard eat(UInt8(ascii: "\\")), eat(UInt8(ascii: "u")), let low = hex4(),
                              (0xDC00..<0xE000).contains(low) else { return nil }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(contentsOf: Array(String(scalar).utf8))
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
            else { return nil }
            i += 4
            return code
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

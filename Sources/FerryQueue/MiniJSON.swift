/// Just enough JSON for the queue's policy attributes: RedrivePolicy and RedriveAllowPolicy (one flat object)
/// and the Policy document AddPermission / RemovePermission edit (any JSON). FerryQueue cannot use
/// Foundation's JSONSerialization, and these documents must parse and render identically on every replica.
/// `PolicyJSON` (filter policies) is a view of this parser's output, not a second parser. FerrySQS's
/// `JSONParser` stays separate: FerryQueue imports nothing, and that one serves request bodies (byte offsets in
/// SQS error texts, unordered objects, a SWAR string scan), where this one keeps member order for rendering.
enum MiniJSON {
    /// A flat object member's value: what RedrivePolicy and RedriveAllowPolicy may hold.
    enum Value: Equatable {
        case string(String)
        case number(String)
        case strings([String])
    }

    /// Any JSON value. Numbers keep their literal text and objects their member order, so a document
    /// renders back without reformatting its values.
    indirect enum Node: Equatable {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array([Node])
        case object([(String, Node)])

        static func == (a: Node, b: Node) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.number(let x), .number(let y)), (.string(let x), .string(let y)): return x == y
            case (.array(let x), .array(let y)): return x == y
            case (.object(let x), .object(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: return false
            }
        }

        /// Compact JSON: no spaces, members in order.
        var rendered: String {
            switch self {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .number(let text): return text
            case .string(let s): return MiniJSON.quote(s)
            case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
            case .object(let members):
                return "{" + members.map { MiniJSON.quote($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
            }
        }
    }

    /// Deeper documents are refused: the parser recurses once per level, and a policy is a few levels deep.
    static let nestingDepthMax = 32

    /// Parses `{"key": value, ...}` whose values are strings, numbers or arrays of strings; nil otherwise.
    static func parseObject(_ text: String) -> [(String, Value)]? {
        guard case .object(let members)? = parse(text) else { return nil }
        var out: [(String, Value)] = []
        for (key, node) in members {
            switch node {
            case .string(let s): out.append((key, .string(s)))
            case .number(let n): out.append((key, .number(n)))
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

    /// Parses one JSON value filling the whole text (surrounding whitespace allowed); nil if it is not one.
    static func parse(_ text: String) -> Node? {
        var p = Parser(bytes: Array(text.utf8))
        p.skipSpace()
        guard let node = p.value(depth: 0) else { return nil }
        p.skipSpace()
        return p.i == p.bytes.count ? node : nil
    }

    /// Renders a string as a JSON string literal. Works on the UTF-8 bytes: only ASCII needs escaping, and
    /// every byte of a multi-byte scalar is 0x80 or above, so the rest is copied as it is.
    static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `quote(s)`'s bytes, appended.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(s, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The inside of `quote(s)`, appended. Escaping is byte by byte, so escaping two strings one after the
    /// other gives the escape of their concatenation (a notification envelope relies on it). Runs of bytes
    /// that need no escape are copied whole: a message of up to 256 KiB is mostly such a run.
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for i in bytes.indices {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                runStart = i + 1
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func value(depth: Int) -> Node? {
            guard i < bytes.count, depth < MiniJSON.nestingDepthMax else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): return string().map(Node.string)
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default:
                // Number text as written; the digits are checked by whoever reads the number.
                let start = i
                while i < bytes.count,
                    (bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9"))
                        || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".")
                        || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")
                        || bytes[i] == UInt8(ascii: "+")
                { i += 1 }
                guard i > start else { return nil }
                return .number(String(decoding: bytes[start..<i], as: UTF8.self))
            }
        }

        mutating func object(depth: Int) -> Node? {
            i += 1
            var members: [(String, Node)] = []
            skipSpace()
            if eat(UInt8(ascii: "}")) { return .object(members) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard eat(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = value(depth: depth + 1) else { return nil }
                members.append((key, value))
                skipSpace()
                if eat(UInt8(ascii: ",")) { continue }
                guard eat(UInt8(ascii: "}")) else { return nil }
                return .object(members)
            }
        }

        mutating func array(depth: Int) -> Node? {
            i += 1
            var items: [Node] = []
            skipSpace()
            if eat(UInt8(ascii: "]")) { return .array(items) }
            while true {
                skipSpace()
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipSpace()
                if eat(UInt8(ascii: ",")) { continue }
                guard eat(UInt8(ascii: "]")) else { return nil }
                return .array(items)
            }
        }

        mutating func literal(_ word: String, _ node: Node) -> Node? {
            let text = Array(word.utf8)
            guard i + text.count <= bytes.count, Array(bytes[i..<i + text.count]) == text else { return nil }
            i += text.count
            return node
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
                            let scalar = Unicode.Scalar(code)
                        else { return nil }
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

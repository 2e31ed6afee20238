import FerryQueue

/// The few filter-policy shapes the simulator's workload writes, read and matched by SNS's rules without
/// FerryQueue's `FilterPolicy` (a model sharing the matcher would share its bugs; FilterPolicyTests check the
/// full matcher against AWS's recorded cases): `{"key": [condition, ...], ...}` where a condition is a
/// string, a number, `{"prefix": "s"}`, `{"anything-but": ["s", ...]}` or `{"numeric": [op, n]}` with op
/// `>=` or `<`. Keys AND, the conditions of one key OR; a key that is absent matches nothing (`anything-but`
/// too). Attribute scope: String attributes meet string conditions, Number attributes numeric ones; body
/// scope: the top-level members of the message's JSON object.
struct TopicFilterModel: Equatable {
    enum Condition: Equatable {
        case exact(String)
        case number(Double)
        case prefix(String)
        case anythingBut([String])
        case atLeast(Double)
        case below(Double)
    }

    enum Value: Equatable {
        case string(String)
        case number(Double)
    }

    struct Key: Equatable {
        var name: String
        var conditions: [Condition]
    }

    var keys: [Key]

    /// The policy's JSON text, as the workload writes it (and SNS accepts it).
    var text: String {
        func render(_ condition: Condition) -> String {
            switch condition {
            case .exact(let s): return "\"\(s)\""
            case .number(let n): return Self.render(n)
            case .prefix(let s): return "{\"prefix\":\"\(s)\"}"
            case .anythingBut(let values):
                return "{\"anything-but\":[\(values.map { "\"\($0)\"" }.joined(separator: ","))]}"
            case .atLeast(let n): return "{\"numeric\":[\">=\",\(Self.render(n))]}"
            case .below(let n): return "{\"numeric\":[\"<\",\(Self.render(n))]}"
            }
        }
        return "{"
            + keys.map { "\"\($0.name)\":[\($0.conditions.map(render).joined(separator: ","))]" }.joined(separator: ",")
            + "}"
    }

    private static func render(_ n: Double) -> String { n == n.rounded() ? String(Int(n)) : String(n) }

    /// Reads back what `text` writes; nil for any other shape.
    static func parse(_ text: String) -> TopicFilterModel? {
        var reader = TinyJSON(text)
        guard case .object(let members)? = reader.document() else { return nil }
        var keys: [Key] = []
        for (name, value) in members {
            guard case .array(let items) = value else { return nil }
            var conditions: [Condition] = []
            for item in items {
                switch item {
                case .string(let s): conditions.append(.exact(s))
                case .number(let n): conditions.append(.number(n))
                case .object(let operators) where operators.count == 1:
                    switch (operators[0].0, operators[0].1) {
                    case ("prefix", .string(let s)): conditions.append(.prefix(s))
                    case ("anything-but", .array(let values)):
                        let strings = values.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
                        guard strings.count == values.count else { return nil }
                        conditions.append(.anythingBut(strings))
                    case ("numeric", .array(let pair)) where pair.count == 2:
                        guard case .string(let op) = pair[0], case .number(let n) = pair[1] else { return nil }
                        switch op {
                        case ">=": conditions.append(.atLeast(n))
                        case "<": conditions.append(.below(n))
                        default: return nil
                        }
                    default: return nil
                    }
                default: return nil
                }
            }
            keys.append(Key(name: name, conditions: conditions))
        }
        return TopicFilterModel(keys: keys)
    }

    func matches(attributes: [MessageAttribute]) -> Bool {
        matches { name in
            guard let attribute = attributes.first(where: { $0.name == name }), case .string(let text) = attribute.value
            else { return nil }
            switch attribute.dataType {
            case "String": return .string(text)
            case "Number": return Double(text).map(Value.number)
            default: return nil
            }
        }
    }

    func matches(body: String) -> Bool {
        var reader = TinyJSON(body)
        guard case .object(let members)? = reader.document() else { return false }
        return matches { name in
            switch members.first(where: { $0.0 == name })?.1 {
            case .string(let s)?: return .string(s)
            case .number(let n)?: return .number(n)
            default: return nil
            }
        }
    }

    private func matches(_ valueOf: (String) -> Value?) -> Bool {
        keys.allSatisfy { key in
            guard let value = valueOf(key.name) else { return false }
            return key.conditions.contains { Self.meets(value, $0) }
        }
    }

    private static func meets(_ value: Value, _ condition: Condition) -> Bool {
        switch (value, condition) {
        case (.string(let s), .exact(let want)): return s == want
        case (.number(let n), .number(let want)): return n == want
        case (.string(let s), .prefix(let p)): return s.hasPrefix(p)
        case (.string(let s), .anythingBut(let values)): return !values.contains(s)
        case (.number(let n), .atLeast(let bound)): return n >= bound
        case (.number(let n), .below(let bound)): return n < bound
        default: return false
        }
    }
}

/// Enough JSON for the workload's policies and message bodies: objects, arrays, strings (escapes \" \\ \/ \n
/// \t), numbers, true, false, null. Any other text is nil.
struct TinyJSON {
    indirect enum Node: Equatable {
        case string(String)
        case number(Double)
        case array([Node])
        case object([(String, Node)])
        case literal(String)

        static func == (a: Node, b: Node) -> Bool {
            switch (a, b) {
            case (.string(let x), .string(let y)), (.literal(let x), .literal(let y)): return x == y
            case (.number(let x), .number(let y)): return x == y
            case (.array(let x), .array(let y)): return x == y
            case (.object(let x), .object(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: return false
            }
        }
    }

    private let bytes: [UInt8]
    private var i = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func document() -> Node? {
        guard let node = value(depth: 0) else { return nil }
        skipSpace()
        return i == bytes.count ? node : nil
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    private mutating func value(depth: Int) -> Node? {
        skipSpace()
        guard i < bytes.count, depth < 8 else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""): return string().map(Node.string)
        case UInt8(ascii: "["):
            i += 1
            var items: [Node] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(items)
            }
            while true {
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(items)
                }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, Node)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard let name = string() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let member = value(depth: depth + 1) else { return nil }
                members.append((name, member))
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(members)
                }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        default:
            let start = i
            while i < bytes.count, !",]} \n\r\t".utf8.contains(bytes[i]) { i += 1 }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            if ["true", "false", "null"].contains(word) { return .literal(word) }
            return Double(word).map(Node.number)
        }
    }

    private mutating func string() -> String? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return nil }
                let escaped = bytes[i]
                i += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                default: return nil
                }
            default: out.append(byte)
            }
        }
        return nil
    }
}

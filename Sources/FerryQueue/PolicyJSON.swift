/// A JSON document as filter policies see it (SNS filter policies and message bodies matched against them):
/// MiniJSON's value with each number's Double beside its text. Object members keep their order.
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

    /// Parses a whole document (MiniJSON's parser, which bounds the nesting depth); nil if it is not JSON or
    /// holds a number that is not a finite Double.
    static func parse(_ text: String) -> PolicyJSON? { MiniJSON.parse(text).flatMap(PolicyJSON.init) }

    static func parse(_ bytes: [UInt8]) -> PolicyJSON? { parse(String(decoding: bytes, as: UTF8.self)) }

    init?(_ node: MiniJSON.Node) {
        switch node {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let text):
            guard let value = Double(text), value.isFinite else { return nil }
            self = .number(text, value)
        case .string(let s): self = .string(s)
        case .array(let items):
            var out: [PolicyJSON] = []
            for item in items {
                guard let converted = PolicyJSON(item) else { return nil }
                out.append(converted)
            }
            self = .array(out)
        case .object(let members):
            var out: [(String, PolicyJSON)] = []
            for (key, member) in members {
                guard let converted = PolicyJSON(member) else { return nil }
                out.append((key, converted))
            }
            self = .object(out)
        }
    }

    subscript(key: String) -> PolicyJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }
}

/// An SNS subscription filter policy (docs/sns-wire.md, "Filter policies"), parsed once when it is set and
/// evaluated by the machine on every publish: pure, so every replica delivers to the same subscriptions.
///
///     {"store": ["example_corp"], "price": [{"numeric": [">=", 100]}], "$or": [{"a": ["x"]}, {"b": [{"exists": true}]}]}
///
/// Keys are ANDed, the conditions of one key are ORed, `$or` ORs whole sub-policies. On the MessageBody
/// scope an object value descends into the body's nested keys.
struct FilterPolicy: Equatable, Sendable {
    indirect enum Expression: Equatable, Sendable {
        case all([Expression])
        case any([Expression])
        case key(path: [String], conditions: [Condition])
    }

    enum Condition: Equatable, Sendable {
        case exactString(String)
        case exactNumber(Double)
        case exactBool(Bool)
        case null
        case prefix(String)
        case suffix(String)
        case equalsIgnoreCase(String)
        case anythingBut(strings: [String], numbers: [Double])
        case anythingButPrefix(String)
        case anythingButSuffix(String)
        /// nil bound: open on that side.
        case numeric(lower: Double?, lowerInclusive: Bool, upper: Double?, upperInclusive: Bool)
        case exists(Bool)
        case cidr(network: [UInt8], prefixBits: Int)
    }

    enum Scope: String, Equatable, Sendable {
        case messageAttributes = "MessageAttributes"
        case messageBody = "MessageBody"
    }

    let root: Expression

    /// AWS's limits: 5 keys, 150 combinations of values, 256 KB of policy text.
    static let keysMax = 5
    static let combinationsMax = 150
    static let policyBytesMax = 256 * 1024

    /// Why a policy is refused; the text is AWS's reason, without Jackson's "at [Source: ...]" location.
    struct Invalid: Error, Equatable { var reason: String }

    static func parse(_ text: String, scope: Scope) throws(Invalid) -> FilterPolicy {
        guard text.utf8.count <= policyBytesMax else { throw Invalid(reason: "Filter policy is too long") }
        guard let document = PolicyJSON.parse(text) else {
            throw Invalid(reason: "failed to parse JSON. Unexpected character or end of input")
        }
        guard case .object(let members) = document else {
            throw Invalid(reason: "Filter policy must be a JSON object")
        }
        let root = try expression(members, path: [])
        if scope == .messageAttributes, root.maxPathDepth > 1 {
            throw Invalid(reason: "nested")  // the caller words this one without the FilterPolicy prefix
        }
        guard root.keyCount <= keysMax else { throw Invalid(reason: "Filter policy can not have more than 5 keys") }
        guard root.combinations <= combinationsMax else { throw Invalid(reason: "Filter policy is too complex") }
        return FilterPolicy(root: root)
    }

    static let nestedUnderAttributesScope =
        "Filter policy scope MessageAttributes does not support nested filter policy"

    private static func expression(_ members: [(String, PolicyJSON)], path: [String]) throws(Invalid) -> Expression {
        var parts: [Expression] = []
        for (key, value) in members {
            if key == "$or" {
                guard case .array(let branches) = value, branches.count >= 2 else {
                    throw Invalid(reason: "\"$or\" must be an array of at least two objects")
                }
                var alternatives: [Expression] = []
                for branch in branches {
                    guard case .object(let inner) = branch else {
                        throw Invalid(reason: "\"$or\" must be an array of objects")
                    }
                    alternatives.append(try expression(inner, path: path))
                }
                parts.append(.any(alternatives))
                continue
            }
            switch value {
            case .array(let items):
                parts.append(
                    .key(path: path + [key], conditions: try items.map { item throws(Invalid) in try condition(item) }))
            case .object(let inner):
                parts.append(try expression(inner, path: path + [key]))
            default:
                throw Invalid(reason: "\"\(key)\" must be an object or an array")
            }
        }
        guard !parts.isEmpty else { throw Invalid(reason: "Filter policy must not be empty") }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private static func condition(_ item: PolicyJSON) throws(Invalid) -> Condition {
        switch item {
        case .string(let s): return .exactString(s)
        case .number(_, let n): return .exactNumber(try checkedNumber(n))
        case .bool(let b): return .exactBool(b)
        case .null: return .null
        case .array: throw Invalid(reason: "Match value must be String, number, true, false, or null")
        case .object(let members):
            guard members.count == 1 else {
                throw Invalid(
                    reason: members.isEmpty
                        ? "Empty objects are not allowed" : "Only one key allowed in match expression")
            }
            let (op, operand) = members[0]
            switch op {
            case "prefix": return .prefix(try patternString(op, operand))
            case "suffix": return .suffix(try patternString(op, operand))
            case "equals-ignore-case": return .equalsIgnoreCase(try patternString(op, operand))
            case "exists":
                guard case .bool(let b) = operand else {
                    throw Invalid(reason: "exists match pattern must be either true or false.")
                }
                return .exists(b)
            case "anything-but": return try anythingBut(operand)
            case "numeric": return try numeric(operand)
            case "cidr":
                guard case .string(let text) = operand, let (network, bits) = parseCIDR(text) else {
                    throw Invalid(reason: "Malformed CIDR, one '/' required")
                }
                return .cidr(network: network, prefixBits: bits)
            default: throw Invalid(reason: "Unrecognized match type \(op)")
            }
        }
    }

    private static func patternString(_ op: String, _ operand: PolicyJSON) throws(Invalid) -> String {
        guard case .string(let s) = operand else { throw Invalid(reason: "\(op) match pattern must be a string") }
        return s
    }

    /// AWS matches numbers between -1e9 and 1e9 (with five decimals).
    private static func checkedNumber(_ n: Double) throws(Invalid) -> Double {
        guard n >= -1_000_000_000, n <= 1_000_000_000 else {
            throw Invalid(reason: "Numeric value must be between -1.0E9 and 1.0E9")
        }
        return n
    }

    private static func anythingBut(_ operand: PolicyJSON) throws(Invalid) -> Condition {
        switch operand {
        case .string(let s): return .anythingBut(strings: [s], numbers: [])
        case .number(_, let n): return .anythingBut(strings: [], numbers: [try checkedNumber(n)])
        case .array(let items):
            var strings: [String] = []
            var numbers: [Double] = []
            for item in items {
                switch item {
                case .string(let s): strings.append(s)
                case .number(_, let n): numbers.append(try checkedNumber(n))
                default: throw Invalid(reason: "Inside anything but list, start|null|boolean is not supported.")
                }
            }
            guard !items.isEmpty else { throw Invalid(reason: "Empty arrays are not allowed") }
            return .anythingBut(strings: strings, numbers: numbers)
        case .object(let members):
            guard members.count == 1 else { throw Invalid(reason: "Only one key allowed in match expression") }
            let (op, inner) = members[0]
            guard case .string(let s) = inner else { throw Invalid(reason: "\(op) match pattern must be a string") }
            switch op {
            case "prefix": return .anythingButPrefix(s)
            case "suffix": return .anythingButSuffix(s)
            default: throw Invalid(reason: "Unsupported anything-but pattern: \(op)")
            }
        default:
            throw Invalid(reason: "Value of anything-but must be an array or single string/number value.")
        }
    }

    private static let rangeOperators: Set<String> = [">", ">=", "<", "<="]

    /// `["=", 5]`, `[">", 0]`, `[">", 0, "<=", 100]`: recorded errors in Tests/fixtures/sns/filter-policy-cases.json.
    private static func numeric(_ operand: PolicyJSON) throws(Invalid) -> Condition {
        guard case .array(let items) = operand else {
            throw Invalid(reason: "Value of numeric must be an array.")
        }
        guard let first = items.first else { throw Invalid(reason: "Invalid member in numeric match: ]") }
        guard case .string(let op) = first else {
            throw Invalid(reason: "Invalid member in numeric match: \(literal(first))")
        }
        func value(_ index: Int, of op: String) throws(Invalid) -> Double {
            guard index < items.count, case .number(_, let n) = items[index] else {
                throw Invalid(reason: "Value of \(op) must be numeric")
            }
            return try checkedNumber(n)
        }
        if op == "=" {
            let n = try value(1, of: "equals")
            guard items.count == 2 else { throw Invalid(reason: "Too many elements in numeric expression") }
            return .numeric(lower: n, lowerInclusive: true, upper: n, upperInclusive: true)
        }
        guard rangeOperators.contains(op) else { throw Invalid(reason: "Unrecognized numeric range operator: \(op)") }
        let firstValue = try value(1, of: op)
        var lower: Double?
        var lowerInclusive = false
        var upper: Double?
        var upperInclusive = false
        if op.hasPrefix(">") {
            lower = firstValue
            lowerInclusive = op == ">="
        } else {
            upper = firstValue
            upperInclusive = op == "<="
        }
        guard items.count > 2 else {
            return .numeric(lower: lower, lowerInclusive: lowerInclusive, upper: upper, upperInclusive: upperInclusive)
        }
        guard case .string(let op2) = items[2] else {
            throw Invalid(reason: "Bad value in numeric range: \(literal(items[2]))")
        }
        guard lower != nil else { throw Invalid(reason: "Too many elements in numeric expression") }
        guard op2 == "<" || op2 == "<=" else { throw Invalid(reason: "Bad numeric range operator: \(op2)") }
        let secondValue = try value(3, of: op2)
        guard items.count == 4 else { throw Invalid(reason: "Too many terms in numeric range expression") }
        guard let low = lower, low < secondValue else { throw Invalid(reason: "Bottom must be less than top") }
        return .numeric(lower: low, lowerInclusive: lowerInclusive, upper: secondValue, upperInclusive: op2 == "<=")
    }

    private static func literal(_ value: PolicyJSON) -> String {
        switch value {
        case .number(let text, _): return text
        case .string(let s): return s
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array: return "["
        case .object: return "{"
        }
    }

    /// `address/n`, IPv4 (n ≤ 32) or IPv6 (n ≤ 128), as AWS takes both; nil when malformed.
    static func parseCIDR(_ text: String) -> ([UInt8], Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count <= 3, parts[1].allSatisfy(\.isASCII), let bits = Int(parts[1]),
            let address = parseIP(String(parts[0])), (0...address.count * 8).contains(bits)
        else { return nil }
        return (address, bits)
    }

    /// 4 bytes for IPv4, 16 for IPv6; nil for anything else.
    static func parseIP(_ text: String) -> [UInt8]? {
        text.contains(":") ? parseIPv6(text) : parseIPv4(text)
    }

    static func parseIPv4(_ text: String) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var out: [UInt8] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), let n = UInt8(octet) else {
                return nil
            }
            out.append(n)
        }
        return out
    }

    /// RFC 4291 text: eight groups of 1-4 hex digits, at most one `::`, an IPv4 tail in place of the last two
    /// groups.
    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 45 else { return nil }
        let bytes = Array(text.utf8)
        let doubleColons = bytes.indices.dropLast().filter { bytes[$0] == 0x3A && bytes[$0 + 1] == 0x3A }
        guard doubleColons.count <= 1 else { return nil }
        let halves =
            doubleColons.first.map {
                [String(decoding: bytes[..<$0], as: UTF8.self), String(decoding: bytes[($0 + 2)...], as: UTF8.self)]
            } ?? [text]
        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (n, piece) in pieces.enumerated() {
                if allowIPv4Tail && n == pieces.count - 1 && piece.contains(".") {
                    guard let v4 = parseIPv4(String(piece)) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), piece.allSatisfy(\.isASCII),
                    let value = UInt16(piece, radix: 16)
                else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(text, allowIPv4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension FilterPolicy.Expression {
    var maxPathDepth: Int {
        switch self {
        case .all(let parts), .any(let parts): return parts.map(\.maxPathDepth).max() ?? 0
        case .key(let path, _): return path.count
        }
    }

    /// Keys a message must carry at once: `$or` counts its largest branch.
    var keyCount: Int {
        switch self {
        case .all(let parts): return parts.reduce(0) { $0 + $1.keyCount }
        case .any(let parts): return parts.map(\.keyCount).max() ?? 0
        case .key: return 1
        }
    }

    /// AWS's complexity: the product of the value counts of ANDed keys, summed over `$or` branches.
    var combinations: Int {
        switch self {
        case .all(let parts): return parts.reduce(1) { min($0 * $1.combinations, 1 << 20) }
        case .any(let parts): return parts.reduce(0) { min($0 + $1.combinations, 1 << 20) }
        case .key(_, let conditions): return max(conditions.count, 1)
        }
    }
}

/// A value a condition is matched against: an attribute's (a String.Array gives several) or a body field's.
enum FilterValue: Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// Where a policy looks: the publish's attributes, or the message body parsed as JSON.
protocol FilterSubject {
    /// nil: the key is absent. An empty array: present but with no matchable value (a Binary attribute).
    func values(at path: [String]) -> [FilterValue]?
}

extension FilterPolicy {
    func matches(_ subject: FilterSubject) -> Bool { root.matches(subject) }
}

extension FilterPolicy.Expression {
    func matches(_ subject: FilterSubject) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.matches(subject) }
        case .any(let parts): return parts.contains { $0.matches(subject) }
        case .key(let path, let conditions):
            let values = subject.values(at: path)
            return conditions.contains { $0.matches(values) }
        }
    }
}

extension FilterPolicy.Condition {
    func matches(_ values: [FilterValue]?) -> Bool {
        if case .exists(let wanted) = self { return (values != nil) == wanted }
        guard let values else { return false }
        switch self {
        case .anythingBut(let strings, let numbers):
            // Present, and none of its values is listed.
            return !values.isEmpty
                && !values.contains { value in
                    switch value {
                    case .string(let s): return strings.contains(s)
                    case .number(let n): return numbers.contains(n)
                    default: return false
                    }
                }
        case .anythingButPrefix(let p):
            return !values.isEmpty
                && !values.contains {
                    if case .string(let s) = $0 { return s.hasPrefix(p) }
                    return false
                }
        case .anythingButSuffix(let p):
            return !values.isEmpty
                && !values.contains {
                    if case .string(let s) = $0 { return s.hasSuffix(p) }
                    return false
                }
        default:
            return values.contains { matchesOne($0) }
        }
    }

    private func matchesOne(_ value: FilterValue) -> Bool {
        switch (self, value) {
        case (.exactString(let want), .string(let s)): return s == want
        case (.exactNumber(let want), .number(let n)): return n == want
        case (.exactBool(let want), .bool(let b)): return b == want
        case (.null, .null): return true
        case (.prefix(let p), .string(let s)): return s.hasPrefix(p)
        case (.suffix(let p), .string(let s)): return s.hasSuffix(p)
        case (.equalsIgnoreCase(let want), .string(let s)): return s.lowercased() == want.lowercased()
        case (.numeric(let lower, let lowerInclusive, let upper, let upperInclusive), .number(let n)):
            if let lower, lowerInclusive ? n < lower : n <= lower { return false }
            if let upper, upperInclusive ? n > upper : n >= upper { return false }
            return true
        case (.cidr(let network, let bits), .string(let s)):
            guard let address = FilterPolicy.parseIP(s), address.count == network.count else { return false }
            for bit in 0..<bits where (address[bit / 8] ^ network[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 {
                return false
            }
            return true
        default: return false
        }
    }
}

/// The publish's message attributes as a filter sees them: String and String.Array (every element) match
/// strings and numbers as written, Number matches numerically, Binary only `exists`.
struct AttributeFilterSubject: FilterSubject {
    let attributes: [MessageAttribute]

    func values(at path: [String]) -> [FilterValue]? {
        guard path.count == 1, let attribute = attributes.first(where: { $0.name == path[0] }) else { return nil }
        guard case .string(let text) = attribute.value else { return [] }
        if AttributeDataType.base(attribute.dataType) == "Number" { return Double(text).map { [.number($0)] } ?? [] }
        if attribute.dataType == "String.Array", case .array(let items)? = PolicyJSON.parse(text) {
            return items.map(FilterValue.init)
        }
        return [.string(text)]
    }
}

/// The message body as JSON; a body that is not a JSON object matches no key (only `exists: false`).
struct BodyFilterSubject: FilterSubject {
    let document: PolicyJSON?

    func values(at path: [String]) -> [FilterValue]? {
        guard let document else { return nil }
        var current: [PolicyJSON] = [document]
        for key in path {
            var next: [PolicyJSON] = []
            for node in current {
                switch node {
                case .object: if let child = node[key] { next.append(child) }
                case .array(let items): for item in items { if let child = item[key] { next.append(child) } }
                default: break
                }
            }
            guard !next.isEmpty else { return nil }
            current = next
        }
        return current.flatMap { node -> [FilterValue] in
            if case .array(let items) = node { return items.map(FilterValue.init) }
            return [FilterValue(node)]
        }
    }
}

extension FilterValue {
    init(_ json: PolicyJSON) {
        switch json {
        case .string(let s): self = .string(s)
        case .number(_, let n): self = .number(n)
        case .bool(let b): self = .bool(b)
        default: self = .null
        }
    }
}

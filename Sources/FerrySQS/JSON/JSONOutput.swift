/// A JSON document written front to back into one reserved buffer, for the hot SQS responses: no
/// `JSONValue` tree, no dictionaries, members in a fixed order (the SDKs parse objects, so order does not
/// matter to them; it is the order of the SQS model's shapes).
///
/// Commas are placed by tracking, per open container, whether it already has a member.
struct JSONOutput {
    /// Containers open at once. SQS responses nest four deep (Messages -> message -> MessageAttributes ->
    /// value); the bit set below holds this many.
    static let depthMax = 63

    private(set) var bytes: [UInt8]
    private var depth = 0
    /// Bit `d`: the container open at depth `d` already has a member, so the next one needs a comma.
    private var nonEmpty: UInt64 = 0

    init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: containers

    /// `{` as a value: after `key(_:)`, as an array element, or the document itself.
    mutating func objectStart() { open(UInt8(ascii: "{")) }
    mutating func objectEnd() { close(UInt8(ascii: "}")) }
    mutating func arrayStart() { open(UInt8(ascii: "[")) }
    mutating func arrayEnd() { close(UInt8(ascii: "]")) }

    /// Call before each array element.
    mutating func element() { separate() }

    // MARK: members

    /// A member name the caller knows needs no escaping (the model's PascalCase names).
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// A member name from data (attribute names, map keys): escaped.
    mutating func key(_ name: String) {
        separate()
        JSONWriter.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        JSONWriter.appendString(value, to: &bytes)
    }

    mutating func member(_ name: StaticString, _ value: String?) {
        if let value { member(name, value) }
    }

    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        JSONWriter.appendLiteral(value ? "true" : "false", to: &bytes)
    }

    mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        JSONWriter.appendInt(value, to: &bytes)
    }

    /// A string value in an array.
    mutating func stringElement(_ value: String) {
        separate()
        JSONWriter.appendString(value, to: &bytes)
    }

    /// `{"k":"v",...}` with keys sorted (deterministic output; these maps are small).
    mutating func stringMap(_ name: StaticString, _ map: [String: String]) {
        key(name)
        objectStart()
        for (k, v) in map.sorted(by: { $0.key < $1.key }) {
            key(k)
            JSONWriter.appendString(v, to: &bytes)
        }
        objectEnd()
    }

    // MARK: plumbing

    private mutating func open(_ byte: UInt8) {
        precondition(depth < Self.depthMax, "JSON response nested deeper than \(Self.depthMax)")
        bytes.append(byte)
        depth += 1
        nonEmpty &= ~(1 << UInt64(depth))
    }

    private mutating func close(_ byte: UInt8) {
        precondition(depth > 0, "JSON container closed that was never opened")
        bytes.append(byte)
        depth -= 1
    }

    private mutating func separate() {
        let bit: UInt64 = 1 << UInt64(depth)
        if nonEmpty & bit != 0 { bytes.append(UInt8(ascii: ",")) } else { nonEmpty |= bit }
    }
}

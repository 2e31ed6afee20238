/// A JSON document, parsed by hand so that strings stay byte-exact (message bodies, docs/sqs-wire.md, "Message
/// checksums" rule 3) and numbers keep their text (no Double rounding of large integers).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as it appeared, already checked against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Duplicate keys: the last one wins (RFC 8259 leaves it open; most parsers do this).
    case object([String: JSONValue])

    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
    public static func int64(_ value: Int64) -> JSONValue { .number(String(value)) }
}

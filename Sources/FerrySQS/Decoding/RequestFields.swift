import FerryQueue

/// Typed access to a request's members, shared by both protocols.
///
/// JSON requests arrive as a `JSONValue.object`; query requests are first folded into the same
/// shape by `QueryParameters` (their scalars are all strings, hence `scalarsAreStrings`). Every
/// accessor names the member in its error, so a client learns exactly what was wrong.
struct RequestFields {
    let members: [String: JSONValue]
    /// Query protocol: integers and booleans arrive as text.
    let scalarsAreStrings: Bool

    init(_ members: [String: JSONValue], scalarsAreStrings: Bool) {
        self.members = members
        self.scalarsAreStrings = scalarsAreStrings
    }

    /// A member, with JSON `null` treated as absent.
    func value(_ name: String) -> JSONValue? {
        guard let value = members[name] else { return nil }
        if case .null = value { return nil }
        return value
    }

    func string(_ name: String) throws(SQSError) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let s) = value else { throw .invalidParameter(name, "must be a string.") }
        return s
    }

    /// A required string; an empty one counts as missing, as on AWS.
    func requiredString(_ name: String) throws(SQSError) -> String {
        guard let s = try string(name), !s.isEmpty else { throw .missingParameter(name) }
        return s
    }

    func int(_ name: String, in range: ClosedRange<Int>? = nil) throws(SQSError) -> Int? {
        guard let value = value(name) else { return nil }
        let parsed: Int?
        switch value {
        case .number(let text): parsed = Int(text)
        case .string(let text) where scalarsAreStrings: parsed = Int(text.trimmingSpaces())
        default: parsed = nil
        }
        guard let number = parsed else { throw .invalidParameter(name, "must be an integer.") }
        if let range, !range.contains(number) {
            throw .invalidParameter(
                name, value: String(number),
                "Must be between \(range.lowerBound) and \(range.upperBound), if provided.")
        }
        return number
    }

    func requiredInt(_ name: String, in range: ClosedRange<Int>) throws(SQSError) -> Int {
        guard let number = try int(name, in: range) else { throw .missingParameter(name) }
        return number
    }

    func stringList(_ name: String) throws(SQSError) -> [String] {
        guard let value = value(name) else { return [] }
        guard case .array(let elements) = value else { throw .invalidParameter(name, "must be a list of strings.") }
        var strings: [String] = []
        for element in elements {
            guard case .string(let s) = element else { throw .invalidParameter(name, "must be a list of strings.") }
            strings.append(s)
        }
        return strings
    }

    func requiredStringList(_ name: String) throws(SQSError) -> [String] {
        guard value(name) != nil else { throw .missingParameter(name) }
        let list = try stringList(name)
        if list.isEmpty { throw .missingParameter(name) }
        return list
    }

    func stringMap(_ name: String) throws(SQSError) -> [String: String] {
        guard let value = value(name) else { return [:] }
        guard case .object(let entries) = value else { throw .invalidParameter(name, "must be a map of strings.") }
        var map: [String: String] = [:]
        for (key, entry) in entries {
            guard case .string(let s) = entry else {
                throw .invalidParameter(name, "the value of \(key) must be a string.")
            }
            map[key] = s
        }
        return map
    }

    func requiredStringMap(_ name: String) throws(SQSError) -> [String: String] {
        guard value(name) != nil else { throw .missingParameter(name) }
        return try stringMap(name)
    }

    /// A map of MessageAttributeValue (SendMessage's MessageAttributes and MessageSystemAttributes).
    func messageAttributes(_ name: String) throws(SQSError) -> [String: MessageAttributeValue] {
        guard let value = value(name) else { return [:] }
        guard case .object(let entries) = value else { throw .invalidParameter(name, "must be a map.") }
        var map: [String: MessageAttributeValue] = [:]
        for (key, entry) in entries {
            guard case .object(let members) = entry else {
                throw .invalidParameter("\(name).\(key)", "must be a structure.")
            }
            map[key] = try RequestFields(members, scalarsAreStrings: scalarsAreStrings).messageAttributeValue(key)
        }
        return map
    }

    private func messageAttributeValue(_ attribute: String) throws(SQSError) -> MessageAttributeValue {
        let dataType = try string("DataType")
        guard let dataType, !dataType.isEmpty else {
            throw SQSError(
                .invalidParameterValue, "The message attribute '\(attribute)' must contain a non-empty attribute type.")
        }
        let stringValue = try string("StringValue")
        var binaryValue: [UInt8]?
        if let encoded = try string("BinaryValue") {
            guard let decoded = Base64.decode(encoded) else {
                throw .invalidParameter("MessageAttribute \(attribute).BinaryValue", "must be base64.")
            }
            binaryValue = decoded
        }
        if value("StringListValues") != nil || value("BinaryListValues") != nil {
            // "Not implemented. Reserved for future use." in the SQS model (docs/sqs-wire.md, "Message limits").
            throw SQSError(
                .invalidParameterValue,
                "Message attribute list values in '\(attribute)' are not supported.")
        }
        return MessageAttributeValue(dataType: dataType, stringValue: stringValue, binaryValue: binaryValue)
    }

    /// A list of structures (batch entries).
    func structureList(_ name: String) throws(SQSError) -> [RequestFields] {
        guard let value = value(name) else { return [] }
        guard case .array(let elements) = value else { throw .invalidParameter(name, "must be a list.") }
        var list: [RequestFields] = []
        for element in elements {
            guard case .object(let members) = element else {
                throw .invalidParameter(name, "must be a list of structures.")
            }
            list.append(RequestFields(members, scalarsAreStrings: scalarsAreStrings))
        }
        return list
    }
}

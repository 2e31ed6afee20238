import FerryQueue
import FerrySQS

/// Publish and PublishBatch at the edge (docs/sns-wire.md, "Delivery"): everything that does not depend on the
/// topic is checked here, so bad input costs no log entry; the machine checks the rest.
extension SNSService {
    static let dataTypes: Set<String> = ["String", "String.Array", "Number", "Binary"]

    func publish(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        guard let target = query.optional("TopicArn") ?? query.optional("TargetArn") else {
            throw SQSError(
                .invalidParameter,
                query.optional("PhoneNumber") != nil
                    ? "Invalid parameter: PhoneNumber Reason: SMS is not supported by Ferry"
                    : "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
        }
        let name = try topicName(target, parameter: query.optional("TopicArn") == nil ? "TargetArn" : "TopicArn")
        let entry = Self.withContentDeduplicationId(
            try Self.entry(query, id: "", attributePath: "messageAttributes"), topicName: name)
        submit(
            .publish(topicName: name, entries: [entry], isBatch: false, endpointBase: sqs.addressing.advertisedBase),
            respond
        ) { result in
            guard case .published(let entries) = result, case .success(let published) = entries.first?.result else {
                return nil
            }
            return .published(messageId: published.messageId, sequenceNumber: published.sequenceNumber)
        }
    }

    func publishBatch(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        let name = try topicName(query.required("TopicArn"))
        let members = query.members("PublishBatchRequestEntries")
        guard !members.isEmpty else {
            throw SQSError(.emptyBatchRequest, "The batch request doesn't contain any entries")
        }
        guard members.count <= TopicLimits.publishBatchEntriesMax else {
            throw SQSError(.tooManyEntriesInBatchRequest, "The batch request contains more entries than permissible.")
        }
        var ids = Set<String>()
        var entries: [PublishEntry] = []
        // An invalid entry fails the whole request, as AWS answers (recorded: test_publish_batch_exceptions,
        // test_empty_or_wrong_message_attributes).
        for (index, member) in members.enumerated() {
            let id = try member.required("Id")
            guard Self.isBatchId(id) else {
                throw SQSError(
                    .invalidBatchEntryId,
                    "The Id of a batch entry in a batch request doesn't abide by the specification.")
            }
            guard ids.insert(id).inserted else {
                throw SQSError(.batchEntryIdsNotDistinct, "Two or more batch entries in the request have the same Id.")
            }
            entries.append(
                try Self.entry(
                    member, id: id,
                    attributePath: "publishBatchRequestEntries.\(index + 1).member.messageAttributes"))
        }
        guard entries.reduce(0, { $0 + $1.sizeBytes }) <= TopicLimits.messageBytesMax else {
            throw SQSError(.batchRequestTooLong, "The length of all the messages put together is more than the limit.")
        }
        entries = entries.map { Self.withContentDeduplicationId($0, topicName: name) }
        submit(
            .publish(topicName: name, entries: entries, isBatch: true, endpointBase: sqs.addressing.advertisedBase),
            respond
        ) { result in
            guard case .published(let results) = result else { return nil }
            var successful: [SNSResponse.BatchSuccess] = []
            var failures: [SNSResponse.BatchFailure] = []
            for entry in results {
                switch entry.result {
                case .success(let published):
                    successful.append(
                        .init(id: entry.id, messageId: published.messageId, sequenceNumber: published.sequenceNumber))
                case .failure(let error):
                    failures.append(
                        .init(id: entry.id, code: error.code.rawValue, message: error.message, senderFault: true))
                }
            }
            return .publishedBatch(successful: successful, failed: failures)
        }
    }

    /// A publish to a FIFO topic without a MessageDeduplicationId carries the message's SHA-256, hashed here
    /// once (as `SQSService.withContentDeduplicationId`); the machine uses it if the topic has
    /// ContentBasedDeduplication. A topic is FIFO exactly when its name ends in `.fifo`.
    static func withContentDeduplicationId(_ entry: PublishEntry, topicName: String) -> PublishEntry {
        guard entry.messageDeduplicationId == nil, topicName.hasSuffix(".fifo") else { return entry }
        var entry = entry
        entry.contentDeduplicationId = MessageChecksums.sha256OfBody(entry.message)
        return entry
    }

    /// Alphanumerics, hyphens and underscores, 1 to 80 characters.
    static func isBatchId(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 80
            && id.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D
                    || c == 0x5F
            }
    }

    /// One publish's fields from Publish or a PublishBatch entry; `attributePath` names its attributes in
    /// AWS's validation errors.
    static func entry(_ query: SNSQuery, id: String, attributePath: String) throws(SQSError) -> PublishEntry {
        guard var message = query.optional("Message") else {
            throw SQSError(.invalidParameter, "Invalid parameter: Message")
        }
        guard !message.isEmpty else { throw SQSError(.invalidParameter, "Invalid parameter: Empty message") }
        if let structure = query.optional("MessageStructure") {
            guard structure == "json" else {
                throw SQSError(.invalidParameter, "Invalid parameter: MessageStructure")
            }
            message = try messageForSQS(message)
        }
        let subject = query.optional("Subject")
        if let subject {
            guard !subject.isEmpty, subject.count <= TopicLimits.subjectCharactersMax,
                subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
            else {
                throw SQSError(.invalidParameter, "Invalid parameter: Subject")
            }
        }
        let attributes = try messageAttributes(query, path: attributePath)
        let entry = PublishEntry(
            id: id, message: message, subject: subject, attributes: attributes,
            messageGroupId: query.optional("MessageGroupId"),
            messageDeduplicationId: query.optional("MessageDeduplicationId"))
        guard entry.sizeBytes <= TopicLimits.messageBytesMax else {
            throw SQSError(.invalidParameter, "Invalid parameter: Message too long")
        }
        for (field, value) in [
            ("MessageGroupId", entry.messageGroupId), ("MessageDeduplicationId", entry.messageDeduplicationId),
        ] {
            if let value,
                value.isEmpty || value.utf8.count > 128 || !value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E })
            {
                throw SQSError(
                    .invalidParameter,
                    "Invalid parameter: \(field) Reason: \(field) can only include alphanumeric and punctuation characters. 1 to 128 in length."
                )
            }
        }
        return entry
    }

    /// MessageStructure=json: a JSON object with a string `default`; SQS subscribers get `sqs`, else `default`.
    static func messageForSQS(_ text: String) throws(SQSError) -> String {
        guard let document = try? JSONParser.parse(Array(text.utf8)), case .object(let members) = document else {
            throw SQSError(
                .invalidParameter, "Invalid parameter: Message Structure - JSON message body failed to parse")
        }
        guard case .string(let fallback)? = members["default"] else {
            throw SQSError(
                .invalidParameter, "Invalid parameter: Message Structure - No default entry in JSON message body")
        }
        if case .string(let sqs)? = members["sqs"] { return sqs }
        return fallback
    }

    /// `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`, refused
    /// with AWS's codes and words (recorded: test_empty_or_wrong_message_attributes, test_message_attributes_prefixes).
    static func messageAttributes(_ query: SNSQuery, path: String) throws(SQSError) -> [MessageAttribute] {
        var attributes: [MessageAttribute] = []
        for entry in query.members("MessageAttributes", member: "entry") {
            let name = entry.optional("Name") ?? ""
            if let problem = attributeNameProblem(name) { throw SQSError(.parameterValueInvalid, problem) }
            guard let dataType = entry.optional("Value.DataType") else {
                throw SQSError(
                    .validationError,
                    "1 validation error detected: Value null at '\(path).\(name).member.dataType' failed to satisfy constraint: Member must not be null"
                )
            }
            let base = dataType.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            guard
                dataTypes.contains(dataType)
                    || (["String", "Number", "Binary"].contains(base) && dataType != "Binary.Array")
            else {
                throw SQSError(
                    .parameterValueInvalid,
                    "The message attribute '\(name)' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
                )
            }
            let stringValue = entry.optional("Value.StringValue")
            let binaryValue = entry.optional("Value.BinaryValue")
            let emptyValue =
                "The message attribute '\(name)' must contain non-empty message attribute value for message attribute type '\(base)'."
            if base == "Binary" {
                guard let text = binaryValue else {
                    throw SQSError(
                        .parameterValueInvalid,
                        stringValue == nil
                            ? emptyValue
                            : "The message attribute '\(name)' with type 'Binary' must use field 'Binary'.")
                }
                guard let bytes = Base64.decode(text), !bytes.isEmpty else {
                    throw SQSError(.parameterValueInvalid, emptyValue)
                }
                attributes.append(MessageAttribute(name: name, dataType: dataType, value: .binary(bytes)))
                continue
            }
            guard let value = stringValue else {
                throw SQSError(
                    .parameterValueInvalid,
                    binaryValue == nil
                        ? emptyValue
                        : "The message attribute '\(name)' with type '\(base)' must use field 'String'.")
            }
            guard !value.isEmpty else { throw SQSError(.parameterValueInvalid, emptyValue) }
            if base == "Number", Double(value) == nil {
                throw SQSError(
                    .parameterValueInvalid,
                    "An error occurred while trying to process the number value for message attribute '\(name)'.")
            }
            if dataType == "String.Array",
                (try? JSONParser.parse(Array(value.utf8))).map({
                    if case .array = $0 { return true }
                    return false
                }) != true
            {
                throw SQSError(
                    .parameterValueInvalid,
                    "The message attribute '\(name)' with type 'String.Array' must be a JSON array.")
            }
            attributes.append(MessageAttribute(name: name, dataType: dataType, value: .string(value)))
        }
        guard attributes.count <= TopicLimits.messageAttributesMax else {
            throw SQSError(
                .parameterValueInvalid,
                "Number of message attributes [\(attributes.count)] exceeds the allowed maximum [\(TopicLimits.messageAttributesMax)]."
            )
        }
        guard Set(attributes.map(\.name)).count == attributes.count else {
            throw SQSError(.parameterValueInvalid, "Message attribute names must be unique.")
        }
        return attributes.sorted { $0.name < $1.name }
    }

    /// AWS's sentence for a message attribute name it refuses, or nil: 1 to 255 bytes of letters, digits,
    /// `-`, `_` and `.`, no leading, trailing or doubled dot.
    static func attributeNameProblem(_ name: String) -> String? {
        if name.isEmpty || name.utf8.count >= 256 {
            return "Length of message attribute name must be less than 256 bytes."
        }
        for scalar in name.unicodeScalars {
            let v = scalar.value
            let allowed =
                (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2D
                || v == 0x5F || v == 0x2E
            if !allowed {
                return
                    "Invalid non-alphanumeric character '#x\(String(v, radix: 16, uppercase: true))' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."
            }
        }
        if name.hasPrefix(".") { return "Invalid message attribute name starting with character '.' was found." }
        if name.hasSuffix(".") { return "Invalid message attribute name ending with character '.' was found." }
        if name.contains("..") { return "Message attribute name can not have successive '.' character." }
        return nil
    }
}

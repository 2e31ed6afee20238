import FerryQueue
import FerrySQS

/// Publish and PublishBatch at the edge (docs/sns-wire.md, "Delivery"): everything that does not depend on the
/// topic is checked here, so bad input costs no log entry; the machine checks the rest.
extension SNSService {
    static let dataTypes: Set<String> = ["String", "String.Array", "Number", "Binary"]

    func publish(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        guard let target = query.optional("TopicArn") ?? query.optional("TargetArn") else {
            throw SQSError(.invalidParameter, query.optional("PhoneNumber") != nil
                ? "Invalid parameter: PhoneNumber Reason: SMS is not supported by Ferry"
                : "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
        }
        let name = try topicName(target)
        let entry = Self.withContentDeduplicationId(try Self.entry(query, id: ""), topicName: name)
        submit(.publish(topicName: name, entries: [entry], isBatch: false, endpointBase: sqs.addressing.advertisedBase), respond) { result in
            guard case .published(let entries) = result, case .success(let published) = entries.first?.result else { return nil }
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
        var failed: [SNSResponse.BatchFailure] = []
        for member in members {
            let id = try member.required("Id")
            guard Self.isBatchId(id) else {
                throw SQSError(.invalidBatchEntryId, "The Id of a batch entry in a batch request doesn't abide by the specification.")
            }
            guard ids.insert(id).inserted else {
                throw SQSError(.batchEntryIdsNotDistinct, "Two or more batch entries in the request have the same Id.")
            }
            do {
                entries.append(try Self.entry(member, id: id))
            } catch {
                failed.append(SNSResponse.BatchFailure(id: id, code: error.code.rawValue, message: error.message, senderFault: true))
            }
        }
        guard entries.reduce(0, { $0 + $1.sizeBytes }) <= TopicLimits.messageBytesMax else {
            throw SQSError(.batchRequestTooLong, "The length of all the batch messages put together is more than the limit.")
        }
        guard !entries.isEmpty else { return respond(.success(.publishedBatch(successful: [], failed: failed))) }
        entries = entries.map { Self.withContentDeduplicationId($0, topicName: name) }
        submit(.publish(topicName: name, entries: entries, isBatch: true, endpointBase: sqs.addressing.advertisedBase), respond) { result in
            guard case .published(let results) = result else { return nil }
            var successful: [SNSResponse.BatchSuccess] = []
            var failures = failed
            for entry in results {
                switch entry.result {
                case .success(let published):
                    successful.append(.init(id: entry.id, messageId: published.messageId, sequenceNumber: published.sequenceNumber))
                case .failure(let error):
                    failures.append(.init(id: entry.id, code: error.code.rawValue, message: error.message, senderFault: true))
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
        !id.isEmpty && id.utf8.count <= 80 && id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }

    /// One publish's fields from Publish or a PublishBatch entry.
    static func entry(_ query: SNSQuery, id: String) throws(SQSError) -> PublishEntry {
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
                  subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw SQSError(.invalidParameter, "Invalid parameter: Subject")
            }
        }
        let attributes = try messageAttributes(query)
        let entry = PublishEntry(id: id, message: message, subject: subject, attributes: attributes,
                                 messageGroupId: query.optional("MessageGroupId"),
                                 messageDeduplicationId: query.optional("MessageDeduplicationId"))
        guard entry.sizeBytes <= TopicLimits.messageBytesMax else {
            throw SQSError(.invalidParameter, "Invalid parameter: Message too long")
        }
        for (field, value) in [("MessageGroupId", entry.messageGroupId), ("MessageDeduplicationId", entry.messageDeduplicationId)] {
            if let value, value.isEmpty || value.utf8.count > 128 || !value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
                throw SQSError(.invalidParameter, "Invalid parameter: \(field) Reason: \(field) can only include alphanumeric and punctuation characters. 1 to 128 in length.")
            }
        }
        return entry
    }

    /// MessageStructure=json: a JSON object with a string `default`; SQS subscribers get `sqs`, else `default`.
    static func messageForSQS(_ text: String) throws(SQSError) -> String {
        guard let document = try? JSONParser.parse(Array(text.utf8)), case .object(let members) = document else {
            throw SQSError(.invalidParameter, "Invalid parameter: Message Structure - JSON message body failed to parse")
        }
        guard case .string(let fallback)? = members["default"] else {
            throw SQSError(.invalidParameter, "Invalid parameter: Message Structure - No default entry in JSON message body")
        }
        if case .string(let sqs)? = members["sqs"] { return sqs }
        return fallback
    }

    /// `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`.
    static func messageAttributes(_ query: SNSQuery) throws(SQSError) -> [MessageAttribute] {
        var attributes: [MessageAttribute] = []
        for entry in query.members("MessageAttributes", member: "entry") {
            guard let name = entry.optional("Name"), !name.isEmpty, name.utf8.count <= 256 else {
                throw SQSError(.invalidParameterValue, "The message attribute name is invalid.")
            }
            guard let dataType = entry.optional("Value.DataType") else {
                throw SQSError(.invalidParameterValue, "The message attribute '\(name)' must contain non-empty message attribute type.")
            }
            let base = dataType.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            guard dataTypes.contains(dataType) || (["String", "Number", "Binary"].contains(base) && dataType != "Binary.Array") else {
                throw SQSError(.invalidParameterValue,
                    "The message attribute '\(name)' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
            }
            if base == "Binary" {
                guard let text = entry.optional("Value.BinaryValue"), let bytes = Base64.decode(text), !bytes.isEmpty else {
                    throw SQSError(.invalidParameterValue, "The message attribute '\(name)' with type 'Binary' must use field 'Binary'.")
                }
                attributes.append(MessageAttribute(name: name, dataType: dataType, value: .binary(bytes)))
                continue
            }
            guard let value = entry.optional("Value.StringValue"), !value.isEmpty else {
                throw SQSError(.invalidParameterValue,
                    "The message attribute '\(name)' must contain non-empty message attribute value for message attribute type '\(base)'.")
            }
            if base == "Number", Double(value) == nil {
                throw SQSError(.invalidParameterValue, "An error occurred while trying to process the number value for message attribute '\(name)'.")
            }
            if dataType == "String.Array", (try? JSONParser.parse(Array(value.utf8))).map({ if case .array = $0 { return true }; return false }) != true {
                throw SQSError(.invalidParameterValue, "The message attribute '\(name)' with type 'String.Array' must be a JSON array.")
            }
            attributes.append(MessageAttribute(name: name, dataType: dataType, value: .string(value)))
        }
        guard attributes.count <= TopicLimits.messageAttributesMax else {
            throw SQSError(.invalidParameterValue, "Number of message attributes [\(attributes.count)] exceeds the allowed maximum [\(TopicLimits.messageAttributesMax)].")
        }
        guard Set(attributes.map(\.name)).count == attributes.count else {
            throw SQSError(.invalidParameterValue, "Message attribute names must be unique.")
        }
        return attributes.sorted { $0.name < $1.name }
    }
}

/// SendMessage(Batch), ReceiveMessage and DeleteMessage(Batch), the requests every message goes through,
/// decoded straight from the body's bytes: no `JSONValue` tree, no member dictionaries, no member-name
/// strings.
///
/// A fast path, not a second definition of the protocol. It accepts only requests that `JSONParser` plus
/// `SQSRequestDecoder` accept, and returns exactly what they return. Anything else (a member it does not
/// read, a repeated or null member, an escaped member name, a wrong type, a syntax error, any failed check)
/// makes it return nil, and the general path then decodes the request or refuses it with its own error.
/// `FastPathTests` holds the two to that on fixtures and on mutated requests.
enum DirectJSONDecoder {
    static func decode(_ operation: SQSOperation, _ body: [UInt8]) -> SQSRequest? {
        switch operation {
        case .sendMessageBatch, .sendMessage, .receiveMessage, .deleteMessageBatch, .deleteMessage: break
        default: return nil
        }
        return JSONParser.reading(body) { p -> SQSRequest? in
            p.skipWhitespace()
            let request: SQSRequest?
            switch operation {
            case .sendMessageBatch: request = sendMessageBatch(&p).map(SQSRequest.sendMessageBatch)
            case .sendMessage: request = sendMessage(&p).map(SQSRequest.sendMessage)
            case .receiveMessage: request = receiveMessage(&p).map(SQSRequest.receiveMessage)
            case .deleteMessageBatch: request = deleteMessageBatch(&p).map(SQSRequest.deleteMessageBatch)
            case .deleteMessage: request = deleteMessage(&p).map(SQSRequest.deleteMessage)
            default: request = nil
            }
            p.skipWhitespace()
            return p.index == p.bytes.count ? request : nil
        }
    }

    // MARK: operations

    /// `{"QueueUrl": ..., "Entries": [...]}`, the shape of both batches; `entry` reads one element.
    static func batch<Entry>(_ p: inout JSONParser, _ entry: (inout JSONParser) -> Entry?) -> (String, [Entry])? {
        var queueUrl: String?
        var entries: [Entry]?
        let read = p.readObject { p, name in
            if name.spells("QueueUrl") { return p.readOnce(&queueUrl) }
            guard name.spells("Entries"), entries == nil else { return false }
            var list: [Entry] = []
            let read = p.readArray { p in
                guard let element = entry(&p) else { return false }
                list.append(element)
                return true
            }
            entries = list
            return read
        }
        guard read, let queueUrl, !queueUrl.isEmpty, let entries else { return nil }
        return (queueUrl, entries)
    }

    static func sendMessageBatch(_ p: inout JSONParser) -> SendMessageBatchRequest? {
        guard let (queueUrl, entries) = batch(&p, sendEntry),
            (try? MessageValidation.validateBatch(ids: entries.map(\.id), entryName: "SendMessageBatchRequestEntry"))
                != nil,
            entries.allSatisfy({ (try? MessageValidation.validate($0.message)) != nil }),
            (try? SQSRequestDecoder.checkPayload(entries)) != nil
        else { return nil }
        return SendMessageBatchRequest(queueUrl: queueUrl, entries: entries)
    }

    static func sendEntry(_ p: inout JSONParser) -> SendMessageBatchRequest.Entry? {
        var id: String?
        var fields = MessageFields()
        let read = p.readObject { p, name in
            if name.spells("Id") { return p.readOnce(&id) }
            return fields.read(name, &p)
        }
        guard read, let id, let message = fields.message else { return nil }
        return SendMessageBatchRequest.Entry(id: id, message: message)
    }

    static func sendMessage(_ p: inout JSONParser) -> SendMessageRequest? {
        var queueUrl: String?
        var fields = MessageFields()
        let read = p.readObject { p, name in
            if name.spells("QueueUrl") { return p.readOnce(&queueUrl) }
            return fields.read(name, &p)
        }
        guard read, let queueUrl, !queueUrl.isEmpty, let message = fields.message,
            (try? MessageValidation.validate(message)) != nil
        else { return nil }
        return SendMessageRequest(queueUrl: queueUrl, message: message)
    }

    /// The members of an `OutgoingMessage` this path reads (attributes are left to the general path).
    struct MessageFields {
        var body: String?
        var delaySeconds: Int?
        var groupId: String?
        var deduplicationId: String?

        mutating func read(_ name: UnsafeBufferPointer<UInt8>, _ p: inout JSONParser) -> Bool {
            if name.spells("MessageBody") { return p.readOnce(&body) }
            if name.spells("DelaySeconds") { return p.readOnce(&delaySeconds) }
            if name.spells("MessageGroupId") { return p.readOnce(&groupId) }
            if name.spells("MessageDeduplicationId") { return p.readOnce(&deduplicationId) }
            return false
        }

        var message: OutgoingMessage? {
            guard let body else { return nil }
            return OutgoingMessage(
                body: body, delaySeconds: delaySeconds,
                messageDeduplicationId: deduplicationId, messageGroupId: groupId)
        }
    }

    static func receiveMessage(_ p: inout JSONParser) -> ReceiveMessageRequest? {
        var queueUrl: String?
        var systemNames: [String]?
        var deprecatedNames: [String]?
        var attributeNames: [String]?
        var maxMessages: Int?
        var visibilityTimeout: Int?
        var waitTimeSeconds: Int?
        var attemptId: String?
        let read = p.readObject { p, name in
            if name.spells("QueueUrl") { return p.readOnce(&queueUrl) }
            if name.spells("MaxNumberOfMessages") { return p.readOnce(&maxMessages) }
            if name.spells("WaitTimeSeconds") { return p.readOnce(&waitTimeSeconds) }
            if name.spells("VisibilityTimeout") { return p.readOnce(&visibilityTimeout) }
            if name.spells("MessageSystemAttributeNames") { return p.readOnce(&systemNames) }
            if name.spells("AttributeNames") { return p.readOnce(&deprecatedNames) }
            if name.spells("MessageAttributeNames") { return p.readOnce(&attributeNames) }
            if name.spells("ReceiveRequestAttemptId") { return p.readOnce(&attemptId) }
            return false
        }
        guard read, let queueUrl, !queueUrl.isEmpty,
            maxMessages.map({ (1...SQSLimits.receiveMessagesMax).contains($0) }) ?? true,
            visibilityTimeout.map({ (0...SQSLimits.visibilityTimeoutSecondsMax).contains($0) }) ?? true,
            waitTimeSeconds.map({ (0...SQSLimits.waitTimeSecondsMax).contains($0) }) ?? true,
            attemptId.map({ (try? MessageValidation.validateFifoId($0, name: "ReceiveRequestAttemptId")) != nil })
                ?? true
        else { return nil }
        return ReceiveMessageRequest(
            queueUrl: queueUrl,
            messageSystemAttributeNames: SQSRequestDecoder.systemAttributeNames(
                systemNames ?? [], deprecated: deprecatedNames ?? []),
            messageAttributeNames: attributeNames ?? [], maxNumberOfMessages: maxMessages,
            visibilityTimeout: visibilityTimeout, waitTimeSeconds: waitTimeSeconds, receiveRequestAttemptId: attemptId)
    }

    static func deleteMessageBatch(_ p: inout JSONParser) -> DeleteMessageBatchRequest? {
        guard let (queueUrl, entries) = batch(&p, deleteEntry),
            (try? MessageValidation.validateBatch(ids: entries.map(\.id), entryName: "DeleteMessageBatchRequestEntry"))
                != nil
        else { return nil }
        return DeleteMessageBatchRequest(queueUrl: queueUrl, entries: entries)
    }

    static func deleteEntry(_ p: inout JSONParser) -> DeleteMessageBatchRequest.Entry? {
        var id: String?
        var handle: String?
        let read = p.readObject { p, name in
            if name.spells("Id") { return p.readOnce(&id) }
            if name.spells("ReceiptHandle") { return p.readOnce(&handle) }
            return false
        }
        guard read, let id, let handle, !handle.isEmpty else { return nil }
        return DeleteMessageBatchRequest.Entry(id: id, receiptHandle: handle)
    }

    static func deleteMessage(_ p: inout JSONParser) -> DeleteMessageRequest? {
        var queueUrl: String?
        var handle: String?
        let read = p.readObject { p, name in
            if name.spells("QueueUrl") { return p.readOnce(&queueUrl) }
            if name.spells("ReceiptHandle") { return p.readOnce(&handle) }
            return false
        }
        guard read, let queueUrl, !queueUrl.isEmpty, let handle, !handle.isEmpty else { return nil }
        return DeleteMessageRequest(queueUrl: queueUrl, receiptHandle: handle)
    }
}

/// Reading one expected shape at a time; every reader returns nil or false where the general parser would
/// either fail or build something this path does not handle.
extension JSONParser {
    /// `{...}`: `member` gets each member's name and must read its value. Names must be plain ASCII
    /// without escapes (the model's names are), so they are compared as bytes.
    mutating func readObject(_ member: (inout JSONParser, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard let name = readName() else { return false }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            guard member(&self, name) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return true
            }
            return false
        }
    }

    /// `[...]`: `element` must read each element.
    mutating func readArray(_ element: (inout JSONParser) -> Bool) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard element(&self) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return true
            }
            return false
        }
    }

    mutating func readName() -> UnsafeBufferPointer<UInt8>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let begin = index + 1
        var end = begin
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            guard bytes[end] >= 0x20, bytes[end] < 0x80, bytes[end] != UInt8(ascii: "\\") else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        index = end + 1
        return UnsafeBufferPointer(rebasing: bytes[begin..<end])
    }

    /// A member's value into `slot`, which must still be empty (a repeated member is the general path's:
    /// there the last one wins).
    mutating func readOnce(_ slot: inout String?) -> Bool {
        guard slot == nil, index < bytes.count, bytes[index] == UInt8(ascii: "\""),
            let value = try? parseString()
        else { return false }
        slot = value
        return true
    }

    /// An integer as `RequestFields.int` reads one: a JSON number whose text `Int` parses.
    mutating func readOnce(_ slot: inout Int?) -> Bool {
        guard slot == nil, index < bytes.count,
            bytes[index] == UInt8(ascii: "-") || (bytes[index] >= 0x30 && bytes[index] <= 0x39),
            let text = try? parseNumber(), let value = Int(text)
        else { return false }
        slot = value
        return true
    }

    mutating func readOnce(_ slot: inout [String]?) -> Bool {
        guard slot == nil else { return false }
        var strings: [String] = []
        let read = readArray { p in
            var element: String?
            guard p.readOnce(&element), let element else { return false }
            strings.append(element)
            return true
        }
        guard read else { return false }
        slot = strings
        return true
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `name`.
    func spells(_ name: StaticString) -> Bool {
        name.withUTF8Buffer { count == $0.count && elementsEqual($0) }
    }
}

/// The binary form of results, for a follower that forwarded a request to the leader and needs the outcome
/// back over the peer link. Same conventions as commands: version byte, then a tag per case.
extension QueueResult {
    /// 2: a received message ends with its body's MD5 (optional). Version 1 still decodes, so a follower
    /// forwarding to a leader of the version before (a rolling upgrade) gets its answers.
    static let wireVersion: UInt8 = 2
    static let wireVersionWithoutBodyMD5: UInt8 = 1

    public func encode() -> [UInt8] {
        var w = VarintWriter(capacity: encodedBytesEstimate)
        w.u8(QueueResult.wireVersion)
        switch self {
        case .failed(let error):
            w.u8(1)
            error.encode(into: &w)
        case .done:
            w.u8(2)
        case .queueCreated(let name):
            w.u8(3)
            w.string(name)
        case .sent(let entries):
            w.u8(4)
            w.entries(entries) { w, sent in
                w.string(sent.messageId)
                w.optionalString(sent.sequenceNumber)
                w.bool(sent.wasDuplicate)
            }
        case .received(let messages):
            w.u8(5)
            w.uvarint(UInt64(messages.count))
            for message in messages { message.encode(into: &w) }
        case .deleted(let entries):
            w.u8(6)
            w.entries(entries) { _, _ in }
        case .visibilityChanged(let entries):
            w.u8(7)
            w.entries(entries) { _, _ in }
        case .moveTaskStarted(let handle):
            w.u8(8)
            w.string(handle)
        case .moveTaskCancelled(let moved):
            w.u8(9)
            w.int(moved)
        case .topicCreated(let arn):
            w.u8(40)
            w.string(arn)
        case .subscribed(let arn):
            w.u8(41)
            w.string(arn)
        case .published(let entries):
            w.u8(42)
            w.entries(entries) { w, published in
                w.string(published.messageId)
                w.optionalString(published.sequenceNumber)
            }
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> QueueResult {
        var r = VarintReader(bytes)
        let version = try r.u8()
        guard version == wireVersion || version == wireVersionWithoutBodyMD5 else {
            throw DecodeError("unknown result version \(version)")
        }
        let result: QueueResult
        switch try r.u8() {
        case 1: result = .failed(try QueueError.decode(from: &r))
        case 2: result = .done
        case 3: result = .queueCreated(name: try r.string())
        case 4:
            result = .sent(
                try r.entries { r in
                    SentMessage(
                        messageId: try r.string(), sequenceNumber: try r.optionalString(), wasDuplicate: try r.bool())
                })
        case 5:
            var messages: [ReceivedMessage] = []
            for _ in 0..<(try r.count()) {
                messages.append(try ReceivedMessage.decode(from: &r, withBodyMD5: version == wireVersion))
            }
            result = .received(messages)
        case 6: result = .deleted(try r.entries { _ in Unit() })
        case 7: result = .visibilityChanged(try r.entries { _ in Unit() })
        case 8: result = .moveTaskStarted(taskHandle: try r.string())
        case 9: result = .moveTaskCancelled(approximateNumberOfMessagesMoved: try r.int())
        case 40: result = .topicCreated(topicArn: try r.string())
        case 41: result = .subscribed(subscriptionArn: try r.string())
        case 42:
            result = .published(
                try r.entries { r in
                    PublishedMessage(messageId: try r.string(), sequenceNumber: try r.optionalString())
                })
        case let tag: throw DecodeError("unknown result tag \(tag)")
        }
        try r.expectEnd()
        return result
    }
}

extension QueueResult {
    /// Room to reserve for the encoding: received bodies dominate, so they are copied once, not regrown.
    var encodedBytesEstimate: Int {
        guard case .received(let messages) = self else { return 256 }
        return 256 + messages.reduce(0) { $0 + $1.body.count + $1.attributes.reduce(0) { $0 + $1.sizeBytes } + 512 }
    }
}

extension ReceivedMessage {
    func encode(into w: inout VarintWriter) {
        w.string(messageId)
        w.string(receiptHandle)
        w.raw(body)
        w.uvarint(UInt64(attributes.count))
        for attribute in attributes { attribute.encode(into: &w) }
        w.varint(sentTimestampMs)
        w.int(approximateReceiveCount)
        w.varint(approximateFirstReceiveTimestampMs)
        w.optionalString(sequenceNumber)
        w.optionalString(messageGroupId)
        w.optionalString(messageDeduplicationId)
        w.optionalString(awsTraceHeader)
        w.optionalString(deadLetterQueueSourceArn)
        w.optionalBodyMD5(bodyMD5)
    }

    static func decode(from r: inout VarintReader, withBodyMD5: Bool) throws -> ReceivedMessage {
        let messageId = try r.string()
        let receiptHandle = try r.string()
        let body = try r.raw()
        var attributes: [MessageAttribute] = []
        for _ in 0..<(try r.count()) { attributes.append(try MessageAttribute.decode(from: &r)) }
        return ReceivedMessage(
            messageId: messageId, receiptHandle: receiptHandle, body: body, attributes: attributes,
            sentTimestampMs: try r.varint(), approximateReceiveCount: try r.int(),
            approximateFirstReceiveTimestampMs: try r.varint(), sequenceNumber: try r.optionalString(),
            messageGroupId: try r.optionalString(), messageDeduplicationId: try r.optionalString(),
            awsTraceHeader: try r.optionalString(), deadLetterQueueSourceArn: try r.optionalString(),
            bodyMD5: withBodyMD5 ? try r.optionalBodyMD5() : nil)
    }
}

extension VarintWriter {
    mutating func entries<T>(_ entries: [EntryResult<T>], _ success: (inout VarintWriter, T) -> Void) {
        uvarint(UInt64(entries.count))
        for entry in entries {
            string(entry.id)
            switch entry.result {
            case .success(let value):
                bool(true)
                success(&self, value)
            case .failure(let error):
                bool(false)
                error.encode(into: &self)
            }
        }
    }
}

extension VarintReader {
    mutating func entries<T>(_ success: (inout VarintReader) throws -> T) throws -> [EntryResult<T>] {
        var out: [EntryResult<T>] = []
        for _ in 0..<(try count()) {
            let id = try string()
            if try bool() {
                out.append(EntryResult(id: id, .success(try success(&self))))
            } else {
                out.append(EntryResult(id: id, .failure(try QueueError.decode(from: &self))))
            }
        }
        return out
    }
}

import FerryQueue

/// Typed responses and errors -> AWS JSON 1.0 bodies, member names exactly as botocore's SQS
/// model has them (docs/sqs-wire.md, "JSON protocol"): PascalCase, except ListDeadLetterSourceQueues' `queueUrls`;
/// attribute values are strings, blobs base64, empty outputs `{}`.
enum SQSJSONEncoder {
    /// The response body. The operations `ferry bench` drives, and every empty output, are written straight
    /// into one buffer (`JSONOutput`); the rest build a `JSONValue` tree (same bytes modulo member order).
    static func serialize(_ response: SQSResponse) -> [UInt8] {
        switch response {
        case .addPermission, .changeMessageVisibility, .deleteMessage, .deleteQueue, .purgeQueue,
            .removePermission, .setQueueAttributes, .tagQueue, .untagQueue:
            return [UInt8(ascii: "{"), UInt8(ascii: "}")]
        case .changeMessageVisibilityBatch(let result), .deleteMessageBatch(let result):
            var out = JSONOutput(reservingCapacity: 64 + 48 * (result.successful.count + result.failed.count))
            out.objectStart()
            out.key("Successful")
            out.arrayStart()
            for id in result.successful {
                out.element()
                out.objectStart()
                out.member("Id", id)
                out.objectEnd()
            }
            out.arrayEnd()
            writeFailed(result.failed, to: &out)
            out.objectEnd()
            return out.bytes
        case .receiveMessage(let messages):
            // botocore accepts a missing Messages; JS v3 and Go iterate an absent list fine too.
            var capacity = 16
            for message in messages { capacity += message.body.utf8.count + 256 }
            var out = JSONOutput(reservingCapacity: capacity)
            out.objectStart()
            if !messages.isEmpty {
                out.key("Messages")
                out.arrayStart()
                for message in messages {
                    out.element()
                    writeReceivedMessage(message, to: &out)
                }
                out.arrayEnd()
            }
            out.objectEnd()
            return out.bytes
        case .sendMessage(let result):
            var out = JSONOutput(reservingCapacity: 256)
            out.objectStart()
            writeSendResult(result, to: &out)
            out.objectEnd()
            return out.bytes
        case .sendMessageBatch(let batch):
            var out = JSONOutput(reservingCapacity: 64 + 224 * (batch.successful.count + batch.failed.count))
            out.objectStart()
            out.key("Successful")
            out.arrayStart()
            for entry in batch.successful {
                out.element()
                out.objectStart()
                out.member("Id", entry.id)
                writeSendResult(entry.result, to: &out)
                out.objectEnd()
            }
            out.arrayEnd()
            writeFailed(batch.failed, to: &out)
            out.objectEnd()
            return out.bytes
        default:
            return JSONWriter.serialize(body(response))
        }
    }

    static func writeFailed(_ failed: [BatchResultErrorEntry], to out: inout JSONOutput) {
        out.key("Failed")
        out.arrayStart()
        for entry in failed {
            out.element()
            out.objectStart()
            out.member("Id", entry.id)
            out.member("SenderFault", entry.senderFault)
            out.member("Code", entry.code)
            out.member("Message", entry.message)
            out.objectEnd()
        }
        out.arrayEnd()
    }

    static func writeSendResult(_ result: SendMessageResult, to out: inout JSONOutput) {
        out.member("MessageId", result.messageId)
        out.member("MD5OfMessageBody", result.md5OfMessageBody)
        out.member("MD5OfMessageAttributes", result.md5OfMessageAttributes)
        out.member("MD5OfMessageSystemAttributes", result.md5OfMessageSystemAttributes)
        out.member("SequenceNumber", result.sequenceNumber)
    }

    static func writeReceivedMessage(_ message: ReceivedMessage, to out: inout JSONOutput) {
        out.objectStart()
        out.member("MessageId", message.messageId)
        out.member("ReceiptHandle", message.receiptHandle)
        out.member("MD5OfBody", message.md5OfBody)
        out.member("Body", message.body)
        if !message.attributes.isEmpty { out.stringMap("Attributes", message.attributes) }
        if !message.messageAttributes.isEmpty {
            out.key("MessageAttributes")
            out.objectStart()
            for (name, value) in message.messageAttributes.sorted(by: { $0.key < $1.key }) {
                out.key(name)
                out.objectStart()
                out.member("DataType", value.dataType)
                out.member("StringValue", value.stringValue)
                if let b = value.binaryValue { out.member("BinaryValue", Base64.encode(b)) }
                out.objectEnd()
            }
            out.objectEnd()
        }
        out.member("MD5OfMessageAttributes", message.md5OfMessageAttributes)
        out.objectEnd()
    }

    static func body(_ response: SQSResponse) -> JSONValue {
        switch response {
        case .addPermission, .changeMessageVisibility, .deleteMessage, .deleteQueue, .purgeQueue,
            .removePermission, .setQueueAttributes, .tagQueue, .untagQueue:
            return .object([:])
        case .cancelMessageMoveTask(let moved):
            return .object(["ApproximateNumberOfMessagesMoved": .int64(moved)])
        case .changeMessageVisibilityBatch(let result), .deleteMessageBatch(let result):
            return .object([
                "Successful": .array(result.successful.map { .object(["Id": .string($0)]) }),
                "Failed": .array(result.failed.map(errorEntry)),
            ])
        case .createQueue(let url), .getQueueUrl(let url):
            return .object(["QueueUrl": .string(url)])
        case .getQueueAttributes(let attributes):
            return attributes.isEmpty ? .object([:]) : .object(["Attributes": stringMap(attributes)])
        case .listDeadLetterSourceQueues(let urls, let nextToken):
            var members: [String: JSONValue] = ["queueUrls": .array(urls.map(JSONValue.string))]
            if let nextToken { members["NextToken"] = .string(nextToken) }
            return .object(members)
        case .listQueues(let urls, let nextToken):
            var members: [String: JSONValue] = [:]
            if !urls.isEmpty { members["QueueUrls"] = .array(urls.map(JSONValue.string)) }
            if let nextToken { members["NextToken"] = .string(nextToken) }
            return .object(members)
        case .listMessageMoveTasks(let tasks):
            return .object(["Results": .array(tasks.map(moveTask))])
        case .listQueueTags(let tags):
            return tags.isEmpty ? .object([:]) : .object(["Tags": stringMap(tags)])
        case .receiveMessage(let messages):
            // botocore accepts a missing Messages; JS v3 and Go iterate an absent list fine too.
            return messages.isEmpty ? .object([:]) : .object(["Messages": .array(messages.map(receivedMessage))])
        case .sendMessage(let result):
            return .object(sendResult(result))
        case .sendMessageBatch(let batch):
            return .object([
                "Successful": .array(
                    batch.successful.map { entry in
                        var members = sendResult(entry.result)
                        members["Id"] = .string(entry.id)
                        return .object(members)
                    }),
                "Failed": .array(batch.failed.map(errorEntry)),
            ])
        case .startMessageMoveTask(let handle):
            return .object(["TaskHandle": .string(handle)])
        }
    }

    /// `{"__type": "com.amazonaws.sqs#<Shape>", "message": ...}` (docs/sqs-wire.md, "Errors").
    static func body(_ error: SQSError) -> JSONValue {
        .object(["__type": .string(error.code.jsonType), "message": .string(error.message)])
    }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(map.mapValues(JSONValue.string))
    }

    static func errorEntry(_ entry: BatchResultErrorEntry) -> JSONValue {
        var members: [String: JSONValue] = [
            "Id": .string(entry.id), "SenderFault": .bool(entry.senderFault), "Code": .string(entry.code),
        ]
        if let message = entry.message { members["Message"] = .string(message) }
        return .object(members)
    }

    static func sendResult(_ result: SendMessageResult) -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "MessageId": .string(result.messageId), "MD5OfMessageBody": .string(result.md5OfMessageBody),
        ]
        if let md5 = result.md5OfMessageAttributes { members["MD5OfMessageAttributes"] = .string(md5) }
        if let md5 = result.md5OfMessageSystemAttributes { members["MD5OfMessageSystemAttributes"] = .string(md5) }
        if let sequence = result.sequenceNumber { members["SequenceNumber"] = .string(sequence) }
        return members
    }

    static func receivedMessage(_ message: ReceivedMessage) -> JSONValue {
        var members: [String: JSONValue] = [
            "MessageId": .string(message.messageId), "ReceiptHandle": .string(message.receiptHandle),
            "MD5OfBody": .string(message.md5OfBody), "Body": .string(message.body),
        ]
        if !message.attributes.isEmpty { members["Attributes"] = stringMap(message.attributes) }
        if !message.messageAttributes.isEmpty {
            members["MessageAttributes"] = .object(message.messageAttributes.mapValues(attributeValue))
        }
        if let md5 = message.md5OfMessageAttributes { members["MD5OfMessageAttributes"] = .string(md5) }
        return .object(members)
    }

    static func attributeValue(_ value: MessageAttributeValue) -> JSONValue {
        var members: [String: JSONValue] = ["DataType": .string(value.dataType)]
        if let s = value.stringValue { members["StringValue"] = .string(s) }
        if let b = value.binaryValue { members["BinaryValue"] = .string(Base64.encode(b)) }
        return .object(members)
    }

    static func moveTask(_ task: MessageMoveTask) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let v = task.taskHandle { members["TaskHandle"] = .string(v) }
        if let v = task.status { members["Status"] = .string(v) }
        if let v = task.sourceArn { members["SourceArn"] = .string(v) }
        if let v = task.destinationArn { members["DestinationArn"] = .string(v) }
        if let v = task.maxNumberOfMessagesPerSecond { members["MaxNumberOfMessagesPerSecond"] = .int(v) }
        if let v = task.approximateNumberOfMessagesMoved { members["ApproximateNumberOfMessagesMoved"] = .int64(v) }
        if let v = task.approximateNumberOfMessagesToMove { members["ApproximateNumberOfMessagesToMove"] = .int64(v) }
        if let v = task.failureReason { members["FailureReason"] = .string(v) }
        if let v = task.startedTimestamp { members["StartedTimestamp"] = .int64(v) }
        return .object(members)
    }
}

/// Typed responses and errors -> AWS JSON 1.0 bodies, member names exactly as botocore's SQS
/// model has them (SQS-API.md a1): PascalCase, except ListDeadLetterSourceQueues' `queueUrls`;
/// attribute values are strings, blobs base64, empty outputs `{}`.
enum SQSJSONEncoder {
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
                "Successful": .array(batch.successful.map { entry in
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

    /// `{"__type": "com.amazonaws.sqs#<Shape>", "message": ...}` (a1).
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

import FerryQueue

/// Typed responses and errors -> query-protocol XML (docs/sqs-wire.md, "Query protocol"): `<XResponse>` around the
/// `<XResult>` result wrapper and `<ResponseMetadata>`; lists flattened; maps as
/// `<Attribute><Name/><Value/></Attribute>`, `<Tag><Key/><Value/></Tag>`.
enum SQSXMLEncoder {
    static let namespace = "http://queue.amazonaws.com/doc/2012-11-05/"

    static func document(_ response: SQSResponse, requestId: String) -> String {
        let action = response.operation.rawValue
        return XMLWriter.responseDocument(
            action: action, namespace: namespace, result: resultBody(response),
            requestId: requestId)
    }

    /// `<ErrorResponse><Error><Type/><Code/><Message/><Detail/></Error><RequestId/></ErrorResponse>`.
    static func document(_ error: SQSError, requestId: String) -> String {
        var xml = XMLWriter()
        xml.raw("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"\(namespace)\">")
        xml.element("Error") { e in
            e.element("Type", error.code.fault.rawValue)
            e.element("Code", error.code.legacyCode)
            e.element("Message", queryMessage(error))
            e.raw("<Detail/>")
        }
        xml.element("RequestId", requestId)
        xml.raw("</ErrorResponse>")
        return xml.text
    }

    /// The content of the result wrapper; nil for operations with no output.
    static func resultBody(_ response: SQSResponse) -> String? {
        var x = XMLWriter()
        switch response {
        case .addPermission, .changeMessageVisibility, .deleteMessage, .deleteQueue, .purgeQueue,
            .removePermission, .setQueueAttributes, .tagQueue, .untagQueue:
            return nil
        case .cancelMessageMoveTask(let moved):
            x.element("ApproximateNumberOfMessagesMoved", String(moved))
        case .changeMessageVisibilityBatch(let result):
            batch(result, entryName: "ChangeMessageVisibilityBatchResultEntry", into: &x)
        case .deleteMessageBatch(let result):
            batch(result, entryName: "DeleteMessageBatchResultEntry", into: &x)
        case .createQueue(let url), .getQueueUrl(let url):
            x.element("QueueUrl", url)
        case .getQueueAttributes(let attributes):
            pairs(attributes, element: "Attribute", keyName: "Name", into: &x)
        case .listDeadLetterSourceQueues(let urls, let nextToken), .listQueues(let urls, let nextToken):
            for url in urls { x.element("QueueUrl", url) }
            x.optional("NextToken", nextToken)
        case .listMessageMoveTasks(let tasks):
            for task in tasks { x.element("ListMessageMoveTasksResultEntry") { moveTask(task, into: &$0) } }
        case .listQueueTags(let tags):
            pairs(tags, element: "Tag", keyName: "Key", into: &x)
        case .receiveMessage(let messages):
            for message in messages { x.element("Message") { receivedMessage(message, into: &$0) } }
        case .sendMessage(let result):
            sendResult(result, into: &x)
        case .sendMessageBatch(let result):
            for entry in result.successful {
                x.element("SendMessageBatchResultEntry") { e in
                    e.element("Id", entry.id)
                    sendResult(entry.result, into: &e)
                }
            }
            for failure in result.failed { errorEntry(failure, into: &x) }
        case .startMessageMoveTask(let handle):
            x.element("TaskHandle", handle)
        }
        return x.text
    }

    static func pairs(_ map: [String: String], element: String, keyName: String, into x: inout XMLWriter) {
        for key in map.keys.sorted() {
            x.element(element) { e in
                e.element(keyName, key)
                e.element("Value", map[key]!)
            }
        }
    }

    static func batch(_ result: BatchResult, entryName: String, into x: inout XMLWriter) {
        for id in result.successful { x.element(entryName) { $0.element("Id", id) } }
        for failure in result.failed { errorEntry(failure, into: &x) }
    }

    static func errorEntry(_ entry: BatchResultErrorEntry, into x: inout XMLWriter) {
        x.element("BatchResultErrorEntry") { e in
            e.element("Id", entry.id)
            e.element("SenderFault", entry.senderFault ? "true" : "false")
            e.element("Code", entry.code)
            e.optional("Message", entry.message)
        }
    }

    static func sendResult(_ result: SendMessageResult, into x: inout XMLWriter) {
        x.element("MessageId", result.messageId)
        x.element("MD5OfMessageBody", result.md5OfMessageBody)
        x.optional("MD5OfMessageAttributes", result.md5OfMessageAttributes)
        x.optional("MD5OfMessageSystemAttributes", result.md5OfMessageSystemAttributes)
        x.optional("SequenceNumber", result.sequenceNumber)
    }

    static func receivedMessage(_ message: ReceivedMessage, into x: inout XMLWriter) {
        x.element("MessageId", message.messageId)
        x.element("ReceiptHandle", message.receiptHandle)
        x.element("MD5OfBody", message.md5OfBody)
        x.element("Body", message.body)
        pairs(message.attributes, element: "Attribute", keyName: "Name", into: &x)
        x.optional("MD5OfMessageAttributes", message.md5OfMessageAttributes)
        for name in message.messageAttributes.keys.sorted() {
            let value = message.messageAttributes[name]!
            x.element("MessageAttribute") { e in
                e.element("Name", name)
                e.element("Value") { v in
                    v.optional("StringValue", value.stringValue)
                    v.optional("BinaryValue", value.binaryValue.map(Base64.encode))
                    v.element("DataType", value.dataType)
                }
            }
        }
    }

    static func moveTask(_ task: MessageMoveTask, into x: inout XMLWriter) {
        x.optional("TaskHandle", task.taskHandle)
        x.optional("Status", task.status)
        x.optional("SourceArn", task.sourceArn)
        x.optional("DestinationArn", task.destinationArn)
        x.optional("MaxNumberOfMessagesPerSecond", task.maxNumberOfMessagesPerSecond.map(String.init))
        x.optional("ApproximateNumberOfMessagesMoved", task.approximateNumberOfMessagesMoved.map(String.init))
        x.optional("ApproximateNumberOfMessagesToMove", task.approximateNumberOfMessagesToMove.map(String.init))
        x.optional("FailureReason", task.failureReason)
        x.optional("StartedTimestamp", task.startedTimestamp.map(String.init))
    }

    /// The query protocol words one answer differently from the JSON protocol (recorded:
    /// test_non_existent_queue / queue-does-not-exist-query).
    static func queryMessage(_ error: SQSError) -> String {
        error == .noSuchQueue ? "The specified queue does not exist for this wsdl version." : error.message
    }
}

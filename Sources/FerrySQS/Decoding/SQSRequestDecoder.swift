/// Members -> typed `SQSRequest`, one small function per operation. Shared by the JSON and the
/// query protocol; both hand over the members in the JSON model's shape.
enum SQSRequestDecoder {
    static func decode(_ operation: SQSOperation, _ f: RequestFields) throws(SQSError) -> SQSRequest {
        switch operation {
        case .addPermission:
            return .addPermission(try addPermission(f))
        case .removePermission:
            return .removePermission(
                RemovePermissionRequest(
                    queueUrl: try f.requiredString("QueueUrl"), label: try f.requiredString("Label")))
        case .cancelMessageMoveTask:
            return .cancelMessageMoveTask(CancelMessageMoveTaskRequest(taskHandle: try f.requiredString("TaskHandle")))
        case .changeMessageVisibility:
            return .changeMessageVisibility(try changeMessageVisibility(f))
        case .changeMessageVisibilityBatch:
            return .changeMessageVisibilityBatch(try changeMessageVisibilityBatch(f))
        case .createQueue:
            return .createQueue(try createQueue(f))
        case .deleteMessage:
            return .deleteMessage(
                DeleteMessageRequest(
                    queueUrl: try f.requiredString("QueueUrl"), receiptHandle: try f.requiredString("ReceiptHandle")))
        case .deleteMessageBatch:
            return .deleteMessageBatch(try deleteMessageBatch(f))
        case .deleteQueue:
            return .deleteQueue(QueueRequest(queueUrl: try f.requiredString("QueueUrl")))
        case .purgeQueue:
            return .purgeQueue(QueueRequest(queueUrl: try f.requiredString("QueueUrl")))
        case .listQueueTags:
            return .listQueueTags(QueueRequest(queueUrl: try f.requiredString("QueueUrl")))
        case .getQueueAttributes:
            return .getQueueAttributes(
                GetQueueAttributesRequest(
                    queueUrl: try f.requiredString("QueueUrl"), attributeNames: try f.stringList("AttributeNames")))
        case .setQueueAttributes:
            return .setQueueAttributes(
                SetQueueAttributesRequest(
                    queueUrl: try f.requiredString("QueueUrl"), attributes: try f.requiredStringMap("Attributes")))
        case .getQueueUrl:
            return .getQueueUrl(
                GetQueueUrlRequest(
                    queueName: try f.requiredString("QueueName"),
                    queueOwnerAWSAccountId: try f.string("QueueOwnerAWSAccountId")))
        case .listQueues:
            return .listQueues(try listQueues(f))
        case .listDeadLetterSourceQueues:
            return .listDeadLetterSourceQueues(try listDeadLetterSourceQueues(f))
        case .listMessageMoveTasks:
            return .listMessageMoveTasks(try listMessageMoveTasks(f))
        case .startMessageMoveTask:
            return .startMessageMoveTask(try startMessageMoveTask(f))
        case .receiveMessage:
            return .receiveMessage(try receiveMessage(f))
        case .sendMessage:
            let message = try outgoingMessage(f)
            try MessageValidation.validate(message)
            return .sendMessage(SendMessageRequest(queueUrl: try f.requiredString("QueueUrl"), message: message))
        case .sendMessageBatch:
            return .sendMessageBatch(try sendMessageBatch(f))
        case .tagQueue:
            return .tagQueue(
                TagQueueRequest(queueUrl: try f.requiredString("QueueUrl"), tags: try f.requiredStringMap("Tags")))
        case .untagQueue:
            return .untagQueue(UntagQueueRequest(queueUrl: try f.requiredString("QueueUrl"), tagKeys: try tagKeys(f)))
        }
    }

    static func addPermission(_ f: RequestFields) throws(SQSError) -> AddPermissionRequest {
        AddPermissionRequest(
            queueUrl: try f.requiredString("QueueUrl"), label: try f.requiredString("Label"),
            awsAccountIds: try f.requiredStringList("AWSAccountIds"), actions: try f.requiredStringList("Actions"))
    }

    static func changeMessageVisibility(_ f: RequestFields) throws(SQSError) -> ChangeMessageVisibilityRequest {
        ChangeMessageVisibilityRequest(
            queueUrl: try f.requiredString("QueueUrl"), receiptHandle: try f.requiredString("ReceiptHandle"),
            visibilityTimeout: try f.requiredInt("VisibilityTimeout", in: 0...SQSLimits.visibilityTimeoutSecondsMax))
    }

    static func createQueue(_ f: RequestFields) throws(SQSError) -> CreateQueueRequest {
        let name = try f.requiredString("QueueName")
        try MessageValidation.validateQueueName(name)
        return CreateQueueRequest(
            queueName: name, attributes: try f.stringMap("Attributes"), tags: try f.stringMap("tags"))
    }

    static func listQueues(_ f: RequestFields) throws(SQSError) -> ListQueuesRequest {
        ListQueuesRequest(
            queueNamePrefix: try f.string("QueueNamePrefix"), nextToken: try f.string("NextToken"),
            maxResults: try f.int("MaxResults", in: 1...SQSLimits.listResultsMax))
    }

    static func listDeadLetterSourceQueues(_ f: RequestFields) throws(SQSError) -> ListDeadLetterSourceQueuesRequest {
        ListDeadLetterSourceQueuesRequest(
            queueUrl: try f.requiredString("QueueUrl"), nextToken: try f.string("NextToken"),
            maxResults: try f.int("MaxResults", in: 1...SQSLimits.listResultsMax))
    }

    static func listMessageMoveTasks(_ f: RequestFields) throws(SQSError) -> ListMessageMoveTasksRequest {
        ListMessageMoveTasksRequest(
            sourceArn: try f.requiredString("SourceArn"),
            maxResults: try f.int("MaxResults", in: 1...SQSLimits.moveTasksListedMax))
    }

    static func startMessageMoveTask(_ f: RequestFields) throws(SQSError) -> StartMessageMoveTaskRequest {
        StartMessageMoveTaskRequest(
            sourceArn: try f.requiredString("SourceArn"), destinationArn: try f.string("DestinationArn"),
            maxNumberOfMessagesPerSecond: try f.int(
                "MaxNumberOfMessagesPerSecond",
                in: 1...SQSLimits.moveTaskMessagesPerSecondMax))
    }

    /// An empty TagKeys list is an invalid value, not a missing one (moto's AWS-checked wording; see
    /// docs/sqs-compatibility.md).
    static func tagKeys(_ f: RequestFields) throws(SQSError) -> [String] {
        guard f.value("TagKeys") != nil else { throw .missingParameter("TagKeys") }
        let keys = try f.stringList("TagKeys")
        if keys.isEmpty || keys.contains(where: { $0.isEmpty || $0.count > 128 }) {
            throw SQSError(.invalidParameterValue, "Tag keys must be between 1 and 128 characters in length.")
        }
        return keys
    }

    static func outgoingMessage(_ f: RequestFields) throws(SQSError) -> OutgoingMessage {
        // An empty body is kept (and then refused by validation as missing); absent is missing.
        guard let body = try f.string("MessageBody") else { throw .missingParameter("MessageBody") }
        return OutgoingMessage(
            body: body, delaySeconds: try f.int("DelaySeconds"),
            messageAttributes: try f.messageAttributes("MessageAttributes"),
            messageSystemAttributes: try f.messageAttributes("MessageSystemAttributes"),
            messageDeduplicationId: try f.string("MessageDeduplicationId"),
            messageGroupId: try f.string("MessageGroupId"))
    }

    static func receiveMessage(_ f: RequestFields) throws(SQSError) -> ReceiveMessageRequest {
        let systemNames = systemAttributeNames(
            try f.stringList("MessageSystemAttributeNames"),
            deprecated: try f.stringList("AttributeNames"))
        let attemptId = try f.string("ReceiveRequestAttemptId")
        if let attemptId { try MessageValidation.validateFifoId(attemptId, name: "ReceiveRequestAttemptId") }
        return ReceiveMessageRequest(
            queueUrl: try f.requiredString("QueueUrl"),
            messageSystemAttributeNames: systemNames,
            messageAttributeNames: try f.stringList("MessageAttributeNames"),
            maxNumberOfMessages: try f.int("MaxNumberOfMessages", in: 1...SQSLimits.receiveMessagesMax),
            visibilityTimeout: try f.int("VisibilityTimeout", in: 0...SQSLimits.visibilityTimeoutSecondsMax),
            waitTimeSeconds: try f.int("WaitTimeSeconds", in: 0...SQSLimits.waitTimeSecondsMax),
            receiveRequestAttemptId: attemptId)
    }

    /// `MessageSystemAttributeNames` and the deprecated `AttributeNames` as one list ("Operations"), in that order.
    static func systemAttributeNames(_ names: [String], deprecated: [String]) -> [String] {
        var all = names
        for name in deprecated where !all.contains(name) { all.append(name) }
        return all
    }

    /// Batch entries: the entry list's shape and ids are checked for the whole request
    /// (EmptyBatchRequest, TooManyEntriesInBatchRequest, InvalidBatchEntryId,
    /// BatchEntryIdsNotDistinct); everything about one entry's content fails that entry alone and
    /// is reported in the response's `Failed`, so the other entries still go through.
    static func entries<Entry>(
        _ f: RequestFields, entryName: String,
        _ decodeEntry: (String, RequestFields) throws(SQSError) -> Entry
    )
        throws(SQSError) -> (entries: [Entry], failed: [BatchResultErrorEntry])
    {
        let raw = try f.structureList("Entries")
        var ids: [String] = []
        for entry in raw { ids.append(try entry.string("Id") ?? "") }
        try MessageValidation.validateBatch(ids: ids, entryName: entryName)
        var entries: [Entry] = []
        var failed: [BatchResultErrorEntry] = []
        for (id, entry) in zip(ids, raw) {
            do {
                entries.append(try decodeEntry(id, entry))
            } catch {
                failed.append(BatchResultErrorEntry(id: id, error: error))
            }
        }
        return (entries, failed)
    }

    static func sendMessageBatch(_ f: RequestFields) throws(SQSError) -> SendMessageBatchRequest {
        let queueUrl = try f.requiredString("QueueUrl")
        let (parsed, _) = try entries(f, entryName: "SendMessageBatchRequestEntry") { (id, entry) throws(SQSError) in
            SendMessageBatchRequest.Entry(id: id, message: try outgoingMessage(entry))
        }
        // The total counts every entry, an invalid one too: SQS refuses the whole request beyond 1 MiB, even
        // when a single oversized entry is what takes it there.
        try checkPayload(parsed)
        let (entries, failed) = try Self.entries(f, entryName: "SendMessageBatchRequestEntry") {
            (id, entry) throws(SQSError) in
            let message = try outgoingMessage(entry)
            try MessageValidation.validate(message)
            return SendMessageBatchRequest.Entry(id: id, message: message)
        }
        return SendMessageBatchRequest(queueUrl: queueUrl, entries: entries, failed: failed)
    }

    /// A batch's messages together are at most `batchPayloadBytesMax` (docs/sqs-wire.md, "Operations").
    static func checkPayload(_ entries: [SendMessageBatchRequest.Entry]) throws(SQSError) {
        let payloadBytes = entries.reduce(0) { $0 + MessageValidation.sizeBytes(of: $1.message) }
        if payloadBytes > SQSLimits.batchPayloadBytesMax {
            throw SQSError(
                .batchRequestTooLong,
                "Batch requests cannot be longer than \(SQSLimits.batchPayloadBytesMax) bytes. You have sent \(payloadBytes) bytes."
            )
        }
    }

    static func deleteMessageBatch(_ f: RequestFields) throws(SQSError) -> DeleteMessageBatchRequest {
        let queueUrl = try f.requiredString("QueueUrl")
        let (entries, failed) = try entries(f, entryName: "DeleteMessageBatchRequestEntry") {
            (id, entry) throws(SQSError) in
            DeleteMessageBatchRequest.Entry(id: id, receiptHandle: try entry.requiredString("ReceiptHandle"))
        }
        return DeleteMessageBatchRequest(queueUrl: queueUrl, entries: entries, failed: failed)
    }

    static func changeMessageVisibilityBatch(_ f: RequestFields) throws(SQSError) -> ChangeMessageVisibilityBatchRequest
    {
        let queueUrl = try f.requiredString("QueueUrl")
        let (entries, failed) = try entries(f, entryName: "ChangeMessageVisibilityBatchRequestEntry") {
            (id, entry) throws(SQSError) in
            ChangeMessageVisibilityBatchRequest.Entry(
                id: id, receiptHandle: try entry.requiredString("ReceiptHandle"),
                visibilityTimeout: try entry.int("VisibilityTimeout", in: 0...SQSLimits.visibilityTimeoutSecondsMax))
        }
        return ChangeMessageVisibilityBatchRequest(queueUrl: queueUrl, entries: entries, failed: failed)
    }
}

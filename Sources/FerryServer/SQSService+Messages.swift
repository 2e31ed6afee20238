import FerryQueue
import FerrySQS

/// SendMessage(Batch), DeleteMessage(Batch), ChangeMessageVisibility(Batch) (docs/sqs-wire.md, "Operations", "Message
/// limits", "Message checksums", "Semantics"). Batches: entries the decoder refused (`failed` of the request) and
/// entries FerryQueue's stateless checks refuse never reach the log; they join the machine's per-entry failures in
/// `Failed[]`.
extension SQSService {
    // MARK: - Send

    func sendMessage(_ r: SendMessageRequest, _ respond: @escaping Respond) {
        let entry = Self.sendEntry(id: "", r.message)
        // The body passed FerrySQS's check, which a SendMessageRequest proves: the rest needs checking here.
        if let error = Self.validate({ try QueueValidation.validateSendEntryExceptBody(entry) }) {
            return respond(.failure(error))
        }
        withQueue(r.queueUrl, respond) { [unowned self] name in
            let entry = Self.withContentDeduplicationId(entry, queueName: name)
            self.submit(.sendMessages(queueName: name, entries: [entry], isBatch: false), respond) { result in
                Self.expect(result) { result in
                    guard case .sent(let entries) = result, entries.count == 1,
                        case .success(let sent) = entries[0].result
                    else { return nil }
                    return .sendMessage(
                        SendMessageResult(
                            messageId: sent.messageId, message: r.message,
                            bodyMD5: entry.bodyMD5, sequenceNumber: sent.sequenceNumber))
                }
            }
        }
    }

    func sendMessageBatch(_ r: SendMessageBatchRequest, _ respond: @escaping Respond) {
        var failed = r.failed
        var entries: [SendEntry] = []
        var messages: [String: (message: OutgoingMessage, bodyMD5: BodyMD5?)] = [:]
        for item in r.entries {
            let entry = Self.sendEntry(id: item.id, item.message)
            if let error = Self.validate({ try QueueValidation.validateSendEntry(entry) }) {
                failed.append(BatchResultErrorEntry(id: item.id, error: error))
                continue
            }
            entries.append(entry)
            messages[item.id] = (item.message, entry.bodyMD5)
        }
        withQueue(r.queueUrl, respond) { [unowned self] name in
            guard !entries.isEmpty else {
                return respond(.success(.sendMessageBatch(SendMessageBatchResult(successful: [], failed: failed))))
            }
            let entries = entries.map { Self.withContentDeduplicationId($0, queueName: name) }
            self.submit(.sendMessages(queueName: name, entries: entries, isBatch: true), respond) { result in
                Self.expect(result) { result in
                    guard case .sent(let results) = result else { return nil }
                    var successful: [SendMessageBatchResult.Entry] = []
                    var allFailed = failed
                    for item in results {
                        switch item.result {
                        case .success(let sent):
                            let sentMessage = messages[item.id]!
                            successful.append(
                                .init(
                                    id: item.id,
                                    result: SendMessageResult(
                                        messageId: sent.messageId, message: sentMessage.message,
                                        bodyMD5: sentMessage.bodyMD5,
                                        sequenceNumber: sent.sequenceNumber)))
                        case .failure(let error):
                            allFailed.append(SQSErrorMapping.entry(id: item.id, error))
                        }
                    }
                    return .sendMessageBatch(SendMessageBatchResult(successful: successful, failed: allFailed))
                }
            }
        }
    }

    /// The machine's form of one message: body bytes exactly as received (c, rule 3), attributes sorted
    /// by name so the log entry is deterministic, and the body's MD5, hashed here once: the send's response
    /// and every later receive of the message answer with it.
    static func sendEntry(id: String, _ message: OutgoingMessage) -> SendEntry {
        let attributes = message.messageAttributes.keys.sorted().map { name -> MessageAttribute in
            let value = message.messageAttributes[name]!
            let payload: MessageAttribute.Value =
                value.binaryValue.map { .binary($0) } ?? .string(value.stringValue ?? "")
            return MessageAttribute(name: name, dataType: value.dataType, value: payload)
        }
        return SendEntry(
            id: id, body: Array(message.body.utf8), delaySeconds: message.delaySeconds, attributes: attributes,
            awsTraceHeader: message.messageSystemAttributes["AWSTraceHeader"]?.stringValue,
            messageGroupId: message.messageGroupId, messageDeduplicationId: message.messageDeduplicationId,
            bodyMD5: MessageChecksums.bodyMD5(message.body))
    }

    /// A send to a FIFO queue without a MessageDeduplicationId carries the body's SHA-256, hashed here once:
    /// the deduplication id if the queue has ContentBasedDeduplication when the send applies (the queue's
    /// attributes are the machine's to read, so the edge does not look; without the attribute the machine
    /// refuses the send and the hash goes unused). A queue is FIFO exactly when its name ends in `.fifo`.
    static func withContentDeduplicationId(_ entry: SendEntry, queueName: String) -> SendEntry {
        guard entry.messageDeduplicationId == nil, queueName.hasSuffix(".fifo") else { return entry }
        var entry = entry
        entry.contentDeduplicationId = entry.body.withUnsafeBytes { MessageChecksums.sha256Hex(of: $0) }
        return entry
    }

    // MARK: - Delete and change visibility

    func deleteMessage(_ r: DeleteMessageRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.withMachineHandle(r.receiptHandle, queueName: name, respond) { handle in
                self.submit(
                    .deleteMessages(queueName: name, entries: [HandleEntry(receiptHandle: handle)], isBatch: false),
                    respond
                ) {
                    Self.expect($0) { _ in .deleteMessage }
                }
            }
        }
    }

    func deleteMessageBatch(_ r: DeleteMessageBatchRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            var failed = r.failed
            var entries: [HandleEntry] = []
            for item in r.entries {
                switch self.machineHandle(item.receiptHandle, queueName: name) {
                case .success(let handle): entries.append(HandleEntry(id: item.id, receiptHandle: handle))
                case .failure(let error): failed.append(SQSErrorMapping.entry(id: item.id, error))
                }
            }
            guard !entries.isEmpty else {
                return respond(.success(.deleteMessageBatch(BatchResult(successful: [], failed: failed))))
            }
            self.submit(.deleteMessages(queueName: name, entries: entries, isBatch: true), respond) { result in
                Self.expect(result) { result in
                    guard case .deleted(let results) = result else { return nil }
                    return .deleteMessageBatch(Self.batchResult(results, failed: failed))
                }
            }
        }
    }

    func changeMessageVisibility(_ r: ChangeMessageVisibilityRequest, _ respond: @escaping Respond) {
        if let error = Self.validate({ try QueueValidation.validateVisibilityTimeout(r.visibilityTimeout) }) {
            return respond(.failure(error))
        }
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.withMachineHandle(r.receiptHandle, queueName: name, respond) { handle in
                let entry = HandleEntry(receiptHandle: handle, visibilityTimeoutSeconds: r.visibilityTimeout)
                self.submit(.changeVisibility(queueName: name, entries: [entry], isBatch: false), respond) {
                    Self.expect($0) { _ in .changeMessageVisibility }
                }
            }
        }
    }

    /// An entry without VisibilityTimeout (optional in the model) fails alone with MissingParameter rather
    /// than guessing a value: 0 would make a message visible the caller meant to keep.
    func changeMessageVisibilityBatch(_ r: ChangeMessageVisibilityBatchRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            var failed = r.failed
            var entries: [HandleEntry] = []
            for item in r.entries {
                guard let timeout = item.visibilityTimeout else {
                    failed.append(BatchResultErrorEntry(id: item.id, error: .missingParameter("VisibilityTimeout")))
                    continue
                }
                if let error = Self.validate({ try QueueValidation.validateVisibilityTimeout(timeout) }) {
                    failed.append(BatchResultErrorEntry(id: item.id, error: error))
                    continue
                }
                switch self.machineHandle(item.receiptHandle, queueName: name) {
                case .success(let handle):
                    entries.append(HandleEntry(id: item.id, receiptHandle: handle, visibilityTimeoutSeconds: timeout))
                case .failure(let error):
                    failed.append(SQSErrorMapping.entry(id: item.id, error))
                }
            }
            guard !entries.isEmpty else {
                return respond(.success(.changeMessageVisibilityBatch(BatchResult(successful: [], failed: failed))))
            }
            self.submit(.changeVisibility(queueName: name, entries: entries, isBatch: true), respond) { result in
                Self.expect(result) { result in
                    guard case .visibilityChanged(let results) = result else { return nil }
                    return .changeMessageVisibilityBatch(Self.batchResult(results, failed: failed))
                }
            }
        }
    }

    static func batchResult(_ results: [EntryResult<QueueResult.Unit>], failed: [BatchResultErrorEntry]) -> BatchResult
    {
        var successful: [String] = []
        var allFailed = failed
        for item in results {
            switch item.result {
            case .success: successful.append(item.id)
            case .failure(let error): allFailed.append(SQSErrorMapping.entry(id: item.id, error))
            }
        }
        return BatchResult(successful: successful, failed: allFailed)
    }
}

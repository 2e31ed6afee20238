/// SendMessage and SendMessageBatch (docs/sqs-wire.md, "Operations", "Message limits", "FIFO queues"): validation,
/// delay, FIFO groups and the deduplication window.
extension QueueMachine {
    mutating func sendMessages(_ name: String, _ entries: [SendEntry], isBatch: Bool) -> QueueResult {
        do {
            if isBatch {
                try QueueValidation.validateSendBatch(entries)
            } else {
                precondition(entries.count == 1, "SendMessage carries exactly one entry")
            }
        } catch let error as QueueError {
            return .failed(error)
        } catch {
            preconditionFailure("validation throws QueueError only")
        }
        let now = nowMs
        let outcome: Result<[EntryResult<SentMessage>], QueueError>? = withQueue(name) { queue in
            if isBatch, let error = queue.fifoBatchError(entries) { return .failure(error) }
            return .success(
                entries.map { entry in
                    EntryResult(id: entry.id, Result { try queue.send(entry, now: now) }.mapError { $0 as! QueueError })
                })
        }
        guard let outcome else { return .failed(.noQueue(name)) }
        let results: [EntryResult<SentMessage>]
        switch outcome {
        case .success(let sent): results = sent
        case .failure(let error): return .failed(error)
        }
        if !isBatch, case .failure(let error) = results[0].result { return .failed(error) }
        return .sent(results)
    }
}

extension QueueState {
    /// On a FIFO queue, a batch entry without a group, or without a deduplication id where the queue does not
    /// derive one, fails the whole batch: AWS refuses the request before looking at any entry's content.
    func fifoBatchError(_ entries: [SendEntry]) -> QueueError? {
        guard isFifo else { return nil }
        if entries.contains(where: { $0.messageGroupId == nil }) { return .batchEntryWithoutGroup }
        if !attributes.contentBasedDeduplication, entries.contains(where: { $0.messageDeduplicationId == nil }) {
            return .noDeduplicationId
        }
        return nil
    }

    /// Validates and enqueues one message, or answers a duplicate with the original's id.
    mutating func send(_ entry: SendEntry, now: Int64) throws -> SentMessage {
        try QueueValidation.validateSendEntry(entry)
        guard entry.sizeBytes <= attributes.maximumMessageSizeBytes else {
            throw QueueError.messageTooLong(maximumBytes: attributes.maximumMessageSizeBytes)
        }
        if isFifo { return try sendFifo(entry, now: now) }
        if entry.messageDeduplicationId != nil {
            throw QueueError.invalidParameter(
                "MessageDeduplicationId",
                "The request includes a parameter that is not valid for this queue type.")
        }
        let delayMs = Int64(entry.delaySeconds ?? attributes.delaySeconds) * 1000
        let extras = MessageExtras.make(
            attributes: entry.attributes, awsTraceHeader: entry.awsTraceHeader,
            messageGroupId: entry.messageGroupId, messageDeduplicationId: nil)
        let seq = append(
            body: MessageBody.make(entry.body, md5: entry.bodyMD5), sentMs: now, visibleAtMs: now + delayMs,
            receiveCount: 0,
            firstReceiveMs: 0, extras: extras, groupName: nil, now: now)
        return SentMessage(
            storedMessageId: .minted(queue: id, seq: seq), sequenceNumber: nil,
            wasDuplicate: false)
    }

    /// FIFO: a group is required, per-message delay is not allowed, and a deduplication id (explicit or the
    /// body's SHA-256) seen in the last 5 minutes returns the original message's id without enqueuing.
    private mutating func sendFifo(_ entry: SendEntry, now: Int64) throws -> SentMessage {
        guard let group = entry.messageGroupId else {
            throw QueueError(.missingParameter, "The request must contain the parameter MessageGroupId.")
        }
        if let delay = entry.delaySeconds, delay != 0 {
            throw QueueError.invalidParameter(
                "DelaySeconds", value: String(delay),
                "The request include parameter that is not valid for this queue type.")
        }
        let dedupId: String
        if let explicit = entry.messageDeduplicationId {
            dedupId = explicit
        } else if attributes.contentBasedDeduplication {
            dedupId = entry.contentDeduplicationId ?? SHA256.hexDigest(entry.body)
        } else {
            throw QueueError.noDeduplicationId
        }
        let key = dedupKey(group: group, dedupId: dedupId)
        expireDedup(now: now)
        if let record = dedup[key] {
            precondition(record.expiresAtMs > now, "expired dedup records are dropped before lookups")
            return SentMessage(
                storedMessageId: .minted(queue: id, seq: record.seq),
                sequenceNumber: MessageIdentity.sequenceNumber(record.seq), wasDuplicate: true)
        }
        let extras = MessageExtras.make(
            attributes: entry.attributes, awsTraceHeader: entry.awsTraceHeader,
            messageGroupId: group, messageDeduplicationId: dedupId)
        let delayMs = Int64(attributes.delaySeconds) * 1000
        let seq = append(
            body: MessageBody.make(entry.body, md5: entry.bodyMD5), sentMs: now, visibleAtMs: now + delayMs,
            receiveCount: 0,
            firstReceiveMs: 0, extras: extras, groupName: group, now: now)
        let expiresAtMs = now + QueueLimits.dedupWindowMs
        dedup[key] = DedupRecord(seq: seq, expiresAtMs: expiresAtMs)
        dedupExpiry.append(ExpiryEntry(expiresAtMs: expiresAtMs, key: key))
        return SentMessage(
            storedMessageId: .minted(queue: id, seq: seq),
            sequenceNumber: MessageIdentity.sequenceNumber(seq), wasDuplicate: false)
    }

    /// DeduplicationScope `queue`: the id alone; `messageGroup`: the (group, id) pair (localstack #10460).
    /// Group ids are printable ASCII, so the separator cannot occur in one.
    func dedupKey(group: String, dedupId: String) -> String {
        attributes.deduplicationScope == .messageGroup ? group + "\u{1}" + dedupId : dedupId
    }

    mutating func expireDedup(now: Int64) {
        while let first = dedupExpiry.first, first.expiresAtMs <= now {
            _ = dedupExpiry.popFirst()
            if let record = dedup[first.key], record.expiresAtMs == first.expiresAtMs { dedup[first.key] = nil }
        }
    }
}

import FerryQueue

/// The model's message operations: send, receive (standard and FIFO, redrive, attempt ids), delete and
/// change visibility by receipt handle.
extension SQSReferenceModel {
    // MARK: Send

    mutating func send(_ name: String, _ entries: [SendEntry], isBatch: Bool, _ judge: inout Judge) {
        if isBatch {
            if entries.isEmpty { return judge.expectError(.emptyBatchRequest) }
            if entries.count > QueueLimits.batchEntriesMax { return judge.expectError(.tooManyEntriesInBatchRequest) }
            if Set(entries.map(\.id)).count != entries.count { return judge.expectError(.batchEntryIdsNotDistinct) }
            if entries.reduce(0, { $0 + $1.sizeBytes }) > QueueLimits.batchBytesMax {
                return judge.expectError(.batchRequestTooLong)
            }
        }
        // Taken out of the table while it changes (put back on every return), so its tables are not copied.
        guard var queue = queues.removeValue(forKey: name) else { return judge.expectError(.queueDoesNotExist) }
        defer { queues[name] = queue }
        if isBatch, queue.isFifo,
            entries.contains(where: { $0.messageGroupId == nil || $0.messageDeduplicationId == nil })
        {
            return judge.expectError(.invalidParameterValue)
        }
        var expected: [Outcome] = []
        for entry in entries {
            if let refusal = Self.refusal(entry, queue) {
                expected.append(refusal)
            } else if queue.isFifo, let dedupId = entry.messageDeduplicationId {
                let key = queue.dedupByGroup ? (entry.messageGroupId ?? "") + "\u{1}" + dedupId : dedupId
                if let original = queue.dedup[key], original.untilMs > nowMs {
                    expected.append(.duplicate(of: original.messageId, sequenceNumber: original.sequenceNumber))
                } else {
                    expected.append(.enqueued)
                }
            } else {
                expected.append(.enqueued)
            }
        }
        guard let results = judge.sendResults(expected, isBatch: isBatch) else { return }
        for (entry, (outcome, result)) in zip(entries, zip(expected, results)) {
            guard case .enqueued = outcome, case .success(let sent) = result.result else { continue }
            if !mintedIds.insert(sent.messageId).inserted {
                judge.fail("send minted message id \(sent.messageId) a second time")
            }
            if queue.isFifo, let group = entry.messageGroupId {
                let number = sent.sequenceNumber ?? ""
                if let last = queue.lastSequenceNumber[group], (number.count, number) <= (last.count, last) {
                    judge.fail(
                        "sequence number \(number) of \(sent.messageId) does not grow past \(last) in group \(group)")
                }
                queue.lastSequenceNumber[group] = number
            }
            let visibleAt =
                nowMs + (queue.isFifo ? queue.delayMs : entry.delaySeconds.map { Int64($0) * 1000 } ?? queue.delayMs)
            Self.append(
                &queue,
                Message(
                    seq: 0, messageId: sent.messageId, entry: entry, sentMs: nowMs, visibleAtMs: visibleAt,
                    sequenceNumber: sent.sequenceNumber), nowMs)
            if queue.isFifo, let dedupId = entry.messageDeduplicationId {
                let key = queue.dedupByGroup ? (entry.messageGroupId ?? "") + "\u{1}" + dedupId : dedupId
                queue.dedup[key] = (sent.messageId, sent.sequenceNumber, nowMs + Self.dedupWindowMs)
            }
        }
    }

    /// SQS's refusal of this one message (docs/sqs-wire.md, "Message limits"), or nil. A message over a limit of b3 fails with
    /// whatever error the edge's validation gives (Q-limit compares the two).
    static func refusal(_ entry: SendEntry, _ queue: Queue) -> Outcome? {
        if entry.sizeBytes > min(QueueLimits.messageBytesMax, queue.maximumMessageBytes) {
            return .failure(.invalidParameterValue)
        }
        let overLimit =
            entry.attributes.count > QueueLimits.messageAttributesMax
            || entry.attributes.contains {
                $0.name.count > QueueLimits.messageAttributeNameCharactersMax
                    || $0.dataType.count > QueueLimits.messageAttributeTypeCharactersMax
            }
            || (entry.awsTraceHeader?.utf8.count ?? 0) > QueueLimits.traceHeaderBytesMax
            || (entry.messageGroupId?.count ?? 0) > QueueLimits.fifoIdCharactersMax
            || (entry.messageDeduplicationId?.count ?? 0) > QueueLimits.fifoIdCharactersMax
        if overLimit { return .failure(nil) }
        if queue.isFifo {
            if entry.messageGroupId == nil { return .failure(.missingParameter) }
            if entry.messageDeduplicationId == nil || (entry.delaySeconds ?? 0) != 0 {
                return .failure(.invalidParameterValue)
            }
        } else if entry.messageDeduplicationId != nil {
            return .failure(.invalidParameterValue)
        }
        return nil
    }

    // MARK: Receive

    mutating func receive(_ request: ReceiveRequest, _ judge: inout Judge) {
        guard (1...10).contains(request.maxMessages),
            (0...43_200).contains(request.visibilityTimeoutSeconds ?? 0)
        else { return judge.expectError(.invalidParameterValue) }
        guard queues[request.queueName] != nil else { return judge.expectError(.queueDoesNotExist) }
        let redrive = queues[request.queueName]!.redrive.flatMap {
            queues[$0.target] != nil && $0.target != request.queueName ? $0 : nil
        }
        var queue = queues.removeValue(forKey: request.queueName)!  // out of the table while it changes: no copy
        defer { queues[request.queueName] = queue }
        let visibilityMs = request.visibilityTimeoutSeconds.map { Int64($0) * 1000 } ?? queue.visibilityMs
        var delivered: [Int] = []
        var moved: [Message] = []
        if queue.isFifo {
            queue.attempts = queue.attempts.filter { $0.value.untilMs > nowMs }
            if let attemptId = request.receiveRequestAttemptId, visibilityMs > 0,
                let retried = retry(&queue, attemptId, visibilityMs)
            {
                judge.expectReceived(retried.map { queue.messages[$0]! }, newHandles: false, arnPrefix: arnPrefix)
                return
            }
            var touched: [String] = []
            while delivered.count < request.maxMessages, !queue.groupQueue.isEmpty {
                let group = queue.groupQueue.removeFirst()
                queue.queuedGroups.remove(group)
                touched.append(group)
                guard !(queue.groups[group] ?? []).contains(where: { queue.messages[$0]!.isInFlight(nowMs) }) else {
                    continue
                }
                for seq in queue.groups[group] ?? [] {
                    guard delivered.count < request.maxMessages else { break }
                    guard queue.messages[seq]!.isVisible(nowMs) else { break }
                    take(&queue, seq, visibilityMs, redrive, &delivered, &moved)
                }
            }
            for group in touched { Self.refreshGroup(&queue, group, nowMs) }
        } else {
            var stillVisible: [Int] = []
            while delivered.count < request.maxMessages, !queue.ready.isEmpty {
                let seq = queue.ready.removeFirst()
                guard let message = queue.messages[seq], message.isVisible(nowMs) else { continue }
                let before = delivered.count
                take(&queue, seq, visibilityMs, redrive, &delivered, &moved)
                if visibilityMs == 0 && delivered.count > before { stillVisible.append(seq) }
            }
            queue.ready += stillVisible
        }
        judge.expectReceived(delivered.map { queue.messages[$0]! }, newHandles: true, arnPrefix: arnPrefix)
        learnHandles(&queue, delivered, &judge)
        if queue.isFifo, let attemptId = request.receiveRequestAttemptId, !delivered.isEmpty, visibilityMs > 0 {
            queue.attempts[attemptId] = (
                delivered.map { ($0, queue.messages[$0]!.receiveCount, queue.messages[$0]!.visibleAtMs) },
                nowMs + Self.attemptWindowMs
            )
        }
        if let redrive, !moved.isEmpty { moveToDeadLetterQueue(moved, from: queue.name, redrive) }
    }

    /// What a receive's answer teaches the model: each delivered message's new handle, and the ids the
    /// machine minted for a topic's fan-out copies.
    private mutating func learnHandles(_ queue: inout Queue, _ delivered: [Int], _ judge: inout Judge) {
        if case .received(let got) = judge.output, got.count == delivered.count {
            for (seq, message) in zip(delivered, got) {
                if queue.handles[message.receiptHandle] != nil {
                    judge.fail(
                        "receive returned handle \(message.receiptHandle) of \(message.messageId) again: a handle is new on every receive"
                    )
                }
                if queue.messages[seq]!.messageId.isEmpty {
                    // A topic's fan-out copy: its id is the machine's, learnt now and unique like every other.
                    if !mintedIds.insert(message.messageId).inserted {
                        judge.fail("fan-out copy received as \(message.messageId), an id minted before")
                    }
                    queue.messages[seq]!.messageId = message.messageId
                }
                queue.handles[message.receiptHandle] = (seq, queue.messages[seq]!.receiveCount)
                queue.messages[seq]!.latestHandle = message.receiptHandle
                if queue.messages[seq]!.sequenceNumber == nil {
                    queue.messages[seq]!.sequenceNumber = message.sequenceNumber
                }
            }
        }
    }

    /// Messages a receive found at maxReceiveCount go to the redrive policy's dead-letter queue.
    private mutating func moveToDeadLetterQueue(_ moved: [Message], from source: String, _ redrive: Redrive) {
        var target = queues.removeValue(forKey: redrive.target)!
        for message in moved {
            var copy = message
            copy.deadLetterSource = source
            // FIFO dead-letter queues restart the retention clock at the move (docs/sqs-wire.md, "Dead-letter queues").
            if target.isFifo { copy.sentMs = nowMs }
            copy.visibleAtMs = nowMs
            copy.sequenceNumber = target.isFifo ? nil : copy.sequenceNumber
            Self.append(&target, copy, nowMs)
            movedByLastCommand.append(message.messageId)
        }
        queues[redrive.target] = target
    }

    /// One visible message met by a receive: expired ones go, ones received maxReceiveCount times move to
    /// the dead-letter queue, the rest are delivered.
    private func take(
        _ queue: inout Queue, _ seq: Int, _ visibilityMs: Int64, _ redrive: Redrive?,
        _ delivered: inout [Int], _ moved: inout [Message]
    ) {
        let message = queue.messages[seq]!
        if queue.isExpired(message, nowMs) {
            Self.remove(&queue, seq, nowMs, refreshing: false)
        } else if let redrive, message.receiveCount >= redrive.maxReceiveCount {
            moved.append(message)
            Self.remove(&queue, seq, nowMs, refreshing: false)
        } else {
            queue.messages[seq]!.receiveCount += 1
            if message.receiveCount == 0 { queue.messages[seq]!.firstReceiveMs = nowMs }
            queue.messages[seq]!.lastReceiveMs = nowMs
            Self.setVisibleAt(&queue, seq, nowMs + visibilityMs, nowMs)
            delivered.append(seq)
        }
    }

    /// A FIFO retry with the same ReceiveRequestAttemptId: the same messages and handles, visibility reset,
    /// if none was deleted or had its visibility changed since; nil otherwise.
    private func retry(_ queue: inout Queue, _ attemptId: String, _ visibilityMs: Int64) -> [Int]? {
        guard let attempt = queue.attempts[attemptId] else { return nil }
        for item in attempt.items {
            guard let message = queue.messages[item.seq], message.receiveCount == item.receives,
                message.visibleAtMs == item.deadlineMs, message.isInFlight(nowMs)
            else { return nil }
        }
        var items = attempt.items
        for k in items.indices where items[k].deadlineMs != nowMs + visibilityMs {
            Self.setVisibleAt(&queue, items[k].seq, nowMs + visibilityMs, nowMs)
            items[k].deadlineMs = nowMs + visibilityMs
        }
        queue.attempts[attemptId] = (items, attempt.untilMs)
        return items.map(\.seq)
    }

    // MARK: Delete and change visibility

    mutating func handleCommand(
        _ name: String, _ entries: [HandleEntry], isBatch: Bool, _ judge: inout Judge,
        _ body: (inout Queue, HandleEntry) -> QueueErrorCode?
    ) {
        if isBatch {
            if entries.isEmpty { return judge.expectError(.emptyBatchRequest) }
            if entries.count > QueueLimits.batchEntriesMax { return judge.expectError(.tooManyEntriesInBatchRequest) }
            if Set(entries.map(\.id)).count != entries.count { return judge.expectError(.batchEntryIdsNotDistinct) }
        }
        guard var queue = queues.removeValue(forKey: name) else { return judge.expectError(.queueDoesNotExist) }
        defer { queues[name] = queue }
        let expected = entries.map { entry in body(&queue, entry).map { Outcome.failure($0) } ?? .done }
        judge.handleResults(expected, isBatch: isBatch)
    }

    /// docs/sqs-wire.md, "Visibility and receipt handles": only the latest handle deletes a FIFO message, while it is in flight; on a standard
    /// queue an older handle succeeds (and Ferry deletes). A handle this queue never issued is invalid; one
    /// of a message already gone succeeds.
    static func delete(_ queue: inout Queue, _ handle: String, _ now: Int64) -> QueueErrorCode? {
        guard let issued = queue.handles[handle] else { return .receiptHandleIsInvalid }
        guard let message = queue.messages[issued.seq] else { return nil }
        if queue.isFifo, issued.receive != message.receiveCount || !message.isInFlight(now) {
            return .invalidParameterValue
        }
        remove(&queue, issued.seq, now)
        return nil
    }

    /// docs/sqs-wire.md, "Visibility and receipt handles": the new timeout counts from now, 0 makes the message visible at once, at most 12 hours
    /// since the receive; with an older handle, or for a message not in flight, a standard queue answers
    /// OK and does nothing, a FIFO queue refuses.
    static func changeVisibility(_ queue: inout Queue, _ handle: String, seconds: Int, _ now: Int64) -> QueueErrorCode?
    {
        guard (0...43_200).contains(seconds) else { return .invalidParameterValue }
        guard let issued = queue.handles[handle] else { return .receiptHandleIsInvalid }
        guard let message = queue.messages[issued.seq], issued.receive == message.receiveCount else {
            return queue.isFifo ? .invalidParameterValue : nil
        }
        guard message.isInFlight(now) else { return queue.isFifo ? .messageNotInflight : nil }
        let deadline = now + Int64(seconds) * 1000
        guard deadline - message.lastReceiveMs <= visibilityTotalMaxMs else { return .invalidParameterValue }
        if seconds == 0 {
            queue.messages[issued.seq]!.visibleAtMs = now
            if queue.isFifo {
                refreshGroup(&queue, message.entry.messageGroupId ?? "", now)
            } else {
                queue.ready.append(issued.seq)
            }
        } else if deadline != message.visibleAtMs {
            setVisibleAt(&queue, issued.seq, deadline, now)
        }
        return nil
    }
}

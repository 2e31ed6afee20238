/// ReceiveMessage (docs/sqs-wire.md, "Receive", "FIFO queues"): standard queues take visible messages in the order they
/// became visible; FIFO queues take from unlocked groups, as many of one group as possible, in order. A message
/// received more than its queue's maxReceiveCount moves to the dead-letter queue instead (at receive time).
extension QueueMachine {
    mutating func receiveMessages(_ request: ReceiveRequest) -> QueueResult {
        do {
            try QueueValidation.validateReceive(request)
        } catch let error as QueueError {
            return .failed(error)
        } catch {
            preconditionFailure("validation throws QueueError only")
        }
        guard let id = queueIdByName[request.queueName] else { return .failed(.noQueue(request.queueName)) }
        // Copy out only what is needed: holding a copy of the queue would force its arrays to be copied on write.
        let sourceName = request.queueName
        let sourceAttributes = queues[id]!.attributes
        var redrive: (target: QueueID, maxReceiveCount: Int)?
        if let policy = sourceAttributes.redrivePolicy, let target = queueId(forArn: policy.deadLetterTargetArn),
            target != id
        {
            redrive = (target, policy.maxReceiveCount)
        }
        let visibilityMs = Int64(request.visibilityTimeoutSeconds ?? sourceAttributes.visibilityTimeoutSeconds) * 1000
        let context = ReceiveContext(
            maxMessages: request.maxMessages, visibilityMs: visibilityMs, maxReceiveCount: redrive?.maxReceiveCount,
            attemptId: request.receiveRequestAttemptId, now: nowMs, arnPrefix: arnPrefix)
        let outcome = withQueue(id: id) { queue in
            queue.isFifo ? Result { try queue.receiveFifo(context) } : Result { try queue.receiveStandard(context) }
        }!
        switch outcome {
        case .failure(let error):
            return .failed(error as! QueueError)
        case .success(let (messages, moved)):
            if let redrive, !moved.isEmpty { deliverMoved(moved, to: redrive.target, fromDeadLetterSource: sourceName) }
            return .received(messages)
        }
    }
}

/// What one receive needs to know beyond the queue.
struct ReceiveContext {
    var maxMessages: Int
    var visibilityMs: Int64
    /// Set when a dead-letter queue exists for the queue.
    var maxReceiveCount: Int?
    var attemptId: String?
    var now: Int64
    var arnPrefix: String
}

/// A message leaving its queue (to a dead-letter queue, or by a move task), with what it keeps.
struct OutgoingMessage {
    var body: MessageBody
    var sentMs: Int64
    var receiveCount: UInt32
    var firstReceiveMs: Int64
    var messageId: String
    var extras: MessageExtras?
}

extension QueueState {
    mutating func receiveStandard(_ context: ReceiveContext) throws -> ([ReceivedMessage], [OutgoingMessage]) {
        let now = context.now
        guard inflightCount < QueueLimits.inflightMessagesMax else {
            throw QueueError(.overLimit, "Too many messages in flight (at most \(QueueLimits.inflightMessagesMax)).")
        }
        var delivered: [ReceivedMessage] = []
        var moved: [OutgoingMessage] = []
        var stillVisible: [UInt64] = []
        while delivered.count < context.maxMessages, inflightCount < QueueLimits.inflightMessagesMax,
            let seq = ready.popFirst()
        {
            guard let index = index(of: seq), slots[index].isLive, slots[index].isVisible(now: now) else { continue }
            if isExpired(slots[index], now: now) {
                remove(at: index, now: now)
                continue
            }
            if let max = context.maxReceiveCount, slots[index].receiveCount >= UInt32(max) {
                moved.append(outgoing(at: index))
                remove(at: index, now: now)
                continue
            }
            delivered.append(deliver(at: index, context))
            if context.visibilityMs == 0 { stillVisible.append(seq) }
        }
        for seq in stillVisible { ready.append(seq) }
        return (delivered, moved)
    }

    mutating func receiveFifo(_ context: ReceiveContext) throws -> ([ReceivedMessage], [OutgoingMessage]) {
        let now = context.now
        expireAttempts(now: now)
        if let attemptId = context.attemptId, let retry = retryAttempt(attemptId, context) { return (retry, []) }
        var delivered: [ReceivedMessage] = []
        var moved: [OutgoingMessage] = []
        var touched: [UInt32] = []
        while delivered.count < context.maxMessages, inflightCount < QueueLimits.inflightMessagesMax,
            let group = readyGroups.popFirst()
        {
            precondition(groups[group] != nil, "queued groups are never freed")
            groups[group]!.isQueuedReady = false
            touched.append(group)
            guard groups[group]!.inflight == 0 else { continue }
            var position = 0
            while delivered.count < context.maxMessages, inflightCount < QueueLimits.inflightMessagesMax,
                position < groups[group]!.members.count
            {
                let seq = groups[group]!.members[position]
                position += 1
                guard let index = index(of: seq), slots[index].isLive else { continue }
                precondition(!slots[index].isInFlight(now: now), "an unlocked group has nothing in flight")
                guard slots[index].isVisible(now: now) else { break }
                if isExpired(slots[index], now: now) {
                    remove(at: index, now: now, refreshingGroup: false)
                } else if let max = context.maxReceiveCount, slots[index].receiveCount >= UInt32(max) {
                    moved.append(outgoing(at: index))
                    remove(at: index, now: now, refreshingGroup: false)
                } else {
                    delivered.append(deliver(at: index, context))
                }
            }
        }
        // Refreshed only now, so a group unlocked again (visibility 0) is not served twice by one receive.
        for group in touched { refreshGroup(group, now: now) }
        if let attemptId = context.attemptId, !delivered.isEmpty, context.visibilityMs > 0 {
            recordAttempt(attemptId, delivered: delivered, now: now)
        }
        return (delivered, moved)
    }

    /// Moves the visible message at `index` in flight: counts the receive, stamps the first receive, mints the
    /// handle (epoch = the new receive count).
    private mutating func deliver(at index: Int, _ context: ReceiveContext) -> ReceivedMessage {
        let now = context.now
        precondition(slots[index].isLive && slots[index].isVisible(now: now), "only visible messages are delivered")
        slots[index].receiveCount += 1
        if slots[index].receiveCount == 1 { slots[index].firstReceiveMs = now }
        slots[index].lastReceiveMs = now
        slots[index].visibleAtMs = now + context.visibilityMs
        if context.visibilityMs > 0 {
            visibleCount -= 1
            inflightCount += 1
            timers.push(
                TimerEntry(
                    deadlineMs: slots[index].visibleAtMs, seq: slots[index].seq,
                    epoch: slots[index].receiveCount))
            if isFifo { groups[slots[index].group]!.inflight += 1 }
        }
        return receivedMessage(at: index, arnPrefix: context.arnPrefix)
    }

    func receivedMessage(at index: Int, arnPrefix: String) -> ReceivedMessage {
        let slot = slots[index]
        let extras = slot.extras
        return ReceivedMessage(
            storedMessageId: extras?.originalMessageId.map { .text($0) } ?? .minted(queue: id, seq: slot.seq),
            storedReceiptHandle: .minted(ReceiptHandle(queue: id, seq: slot.seq, epoch: slot.receiveCount)),
            storedBody: .shared(SharedMessageBody(body: slot.body!)),
            attributes: extras?.attributes ?? [],
            sentTimestampMs: slot.sentMs,
            approximateReceiveCount: Int(slot.receiveCount),
            approximateFirstReceiveTimestampMs: slot.firstReceiveMs,
            sequenceNumber: isFifo ? MessageIdentity.sequenceNumber(slot.seq) : nil,
            messageGroupId: extras?.messageGroupId,
            messageDeduplicationId: extras?.messageDeduplicationId,
            awsTraceHeader: extras?.awsTraceHeader,
            deadLetterQueueSourceArn: extras?.deadLetterSourceQueueName.map { arnPrefix + $0 },
            bodyMD5: slot.body!.md5)
    }

    func isExpired(_ slot: MessageSlot, now: Int64) -> Bool { slot.sentMs + retentionMs <= now }

    func outgoing(at index: Int) -> OutgoingMessage {
        let slot = slots[index]
        return OutgoingMessage(
            body: slot.body!, sentMs: slot.sentMs, receiveCount: slot.receiveCount,
            firstReceiveMs: slot.firstReceiveMs, messageId: messageId(of: slot), extras: slot.extras)
    }

    // MARK: ReceiveRequestAttemptId

    /// The same messages with the same handles, visibility reset, if none was deleted or had its visibility
    /// changed since (docs/sqs-wire.md, "FIFO queues"); nil means "receive afresh".
    private mutating func retryAttempt(_ attemptId: String, _ context: ReceiveContext) -> [ReceivedMessage]? {
        guard context.visibilityMs > 0, var attempt = attempts[attemptId] else { return nil }
        let now = context.now
        var indices: [Int] = []
        for item in attempt.items {
            guard let index = index(of: item.seq), slots[index].isLive, slots[index].receiveCount == item.epoch,
                slots[index].visibleAtMs == item.deadlineMs, slots[index].isInFlight(now: now)
            else { return nil }
            indices.append(index)
        }
        let deadline = now + context.visibilityMs
        for (n, index) in indices.enumerated() where slots[index].visibleAtMs != deadline {
            slots[index].visibleAtMs = deadline
            attempt.items[n].deadlineMs = slots[index].visibleAtMs
            timers.push(
                TimerEntry(
                    deadlineMs: slots[index].visibleAtMs, seq: slots[index].seq, epoch: slots[index].receiveCount))
        }
        attempts[attemptId] = attempt
        return indices.map { receivedMessage(at: $0, arnPrefix: context.arnPrefix) }
    }

    private mutating func recordAttempt(_ attemptId: String, delivered: [ReceivedMessage], now: Int64) {
        var items: [TimerEntry] = []
        for message in delivered {
            let handle = ReceiptHandle(text: message.receiptHandle)!
            let slot = slots[index(of: handle.seq)!]
            items.append(TimerEntry(deadlineMs: slot.visibleAtMs, seq: slot.seq, epoch: slot.receiveCount))
        }
        let expiresAtMs = now + QueueLimits.receiveAttemptWindowMs
        attempts[attemptId] = ReceiveAttempt(expiresAtMs: expiresAtMs, items: items)
        attemptExpiry.append(ExpiryEntry(expiresAtMs: expiresAtMs, key: attemptId))
    }

    mutating func expireAttempts(now: Int64) {
        while let first = attemptExpiry.first, first.expiresAtMs <= now {
            _ = attemptExpiry.popFirst()
            if let attempt = attempts[first.key], attempt.expiresAtMs == first.expiresAtMs { attempts[first.key] = nil }
        }
    }
}

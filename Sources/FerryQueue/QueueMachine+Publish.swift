/// Publish and PublishBatch: one command that deduplicates (FIFO topics), filters, and enqueues into every
/// matching subscription's queue, all in one apply (docs/design.md, "Topics and fan-out"). No delivery is
/// ever retried or deferred: a queue that is missing or refuses the message sends it to the subscription's
/// dead-letter queue, or counts it on the subscription.
extension QueueMachine {
    mutating func publish(_ topicName: String, _ entries: [PublishEntry], isBatch: Bool, endpointBase: String) -> QueueResult {
        guard !entries.isEmpty, isBatch || entries.count == 1 else {
            return .failed(QueueError(.emptyBatchRequest, "The batch request doesn't contain any entries"))
        }
        guard var topic = topics.removeValue(forKey: topicName) else { return .failed(.topicNotFound) }
        let results = entries.map { entry in
            EntryResult(id: entry.id, publishOne(entry, on: &topic, endpointBase: endpointBase))
        }
        topics[topicName] = topic
        if !isBatch, case .failure(let error) = results[0].result { return .failed(error) }
        return .published(results)
    }

    private mutating func publishOne(_ entry: PublishEntry, on topic: inout TopicState,
                                     endpointBase: String) -> Result<PublishedMessage, QueueError> {
        if let error = TopicValidation.publishEntryError(entry, isFifoTopic: topic.isFifo) { return .failure(error) }
        var dedupId: String?
        if topic.isFifo {
            if let explicit = entry.messageDeduplicationId {
                dedupId = explicit
            } else if topic.contentBasedDeduplication {
                dedupId = entry.contentDeduplicationId ?? SHA256.hexDigest(Array(entry.message.utf8))
            } else {
                return .failure(.snsInvalid(
                    "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"))
            }
            topic.expireDedup(now: nowMs)
            if let record = topic.dedup[dedupId!] {
                return .success(PublishedMessage(messageId: topic.messageId(seq: record.seq),
                                                 sequenceNumber: MessageIdentity.sequenceNumber(record.seq)))
            }
        }
        let seq = topic.nextPublishSeq
        topic.nextPublishSeq += 1
        if let dedupId {
            let expiresAtMs = nowMs + QueueLimits.dedupWindowMs
            topic.dedup[dedupId] = DedupRecord(seq: seq, expiresAtMs: expiresAtMs)
            topic.dedupExpiry.append(ExpiryEntry(expiresAtMs: expiresAtMs, key: dedupId))
        }
        let messageId = topic.messageId(seq: seq)
        let sequenceNumber = topic.isFifo ? MessageIdentity.sequenceNumber(seq) : nil
        let notification = Notification(messageId: messageId, sequenceNumber: sequenceNumber, topicArn: topicArn(topic.name),
                                        entry: entry, timestampMs: nowMs, endpointBase: endpointBase)
        for number in topic.subscriptionNumbers {
            guard let subscription = subscriptions[number], subscription.accepts(entry) else { continue }
            deliver(notification, to: subscription, dedupId: dedupId)
        }
        return .success(PublishedMessage(messageId: messageId, sequenceNumber: sequenceNumber))
    }

    /// Enqueues one notification into the subscription's queue, else its dead-letter queue, else counts it.
    private mutating func deliver(_ notification: Notification, to subscription: Subscription, dedupId: String?) {
        let message: SendEntry
        if subscription.rawMessageDelivery {
            message = SendEntry(body: Array(notification.entry.message.utf8), attributes: notification.entry.attributes,
                                messageGroupId: notification.entry.messageGroupId, messageDeduplicationId: dedupId)
        } else {
            let body = notification.envelope(subscriptionArn: subscriptionArn(subscription))
            message = SendEntry(body: Array(body.utf8), messageGroupId: notification.entry.messageGroupId,
                                messageDeduplicationId: dedupId)
        }
        if enqueue(message, intoArn: subscription.endpoint) { return }
        if let target = subscription.deadLetterTargetArn, enqueue(message, intoArn: target) { return }
        subscriptions[subscription.number]?.deliveriesFailed += 1
    }

    /// True when the queue exists and took the message (a FIFO queue's own deduplication counts as taken).
    private mutating func enqueue(_ message: SendEntry, intoArn arn: String) -> Bool {
        guard let id = queueId(forArn: arn) else { return false }
        let now = nowMs
        var message = message
        if queues[id]?.isFifo == false { message.messageDeduplicationId = nil }
        let sent: Bool? = withQueue(id: id) { queue in (try? queue.send(message, now: now)) != nil }
        return sent ?? false
    }
}

extension TopicValidation {
    /// Checks that depend on the topic's type; the rest ran at the edge.
    static func publishEntryError(_ entry: PublishEntry, isFifoTopic: Bool) -> QueueError? {
        if entry.message.isEmpty { return .snsInvalid("Empty message") }
        if entry.sizeBytes > TopicLimits.messageBytesMax {
            return .snsInvalid("Message too long")
        }
        if isFifoTopic {
            if entry.messageGroupId == nil {
                return .snsInvalid("The MessageGroupId parameter is required for FIFO topics")
            }
        } else if entry.messageDeduplicationId != nil {
            return .snsInvalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
        }
        return nil
    }
}

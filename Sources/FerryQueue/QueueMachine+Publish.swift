/// Publish and PublishBatch: one command that deduplicates (FIFO topics), filters, and enqueues into every
/// matching subscription's queue, all in one apply (docs/design.md, "Topics and fan-out"). No delivery is
/// ever retried or deferred: a queue that is missing or refuses the message sends it to the subscription's
/// dead-letter queue, or counts it on the subscription. A batch is all or nothing: an entry the topic refuses
/// fails the whole request, as AWS answers (recorded: test_publish_batch_exceptions).
extension QueueMachine {
    mutating func publish(
        _ topicName: String, _ entries: [PublishEntry], isBatch: Bool, endpointBase: String
    ) -> QueueResult {
        guard !entries.isEmpty, isBatch || entries.count == 1 else {
            return .failed(QueueError(.emptyBatchRequest, "The batch request doesn't contain any entries"))
        }
        guard var topic = topics.removeValue(forKey: topicName) else { return .failed(.topicNotFound) }
        for entry in entries {
            if let error = TopicValidation.publishEntryError(entry, topic: topic) {
                topics[topicName] = topic
                return .failed(error)
            }
        }
        let results = entries.map { entry in
            EntryResult(id: entry.id, publishOne(entry, on: &topic, endpointBase: endpointBase))
        }
        topics[topicName] = topic
        if !isBatch, case .failure(let error) = results[0].result { return .failed(error) }
        return .published(results)
    }

    private mutating func publishOne(
        _ entry: PublishEntry, on topic: inout TopicState,
        endpointBase: String
    ) -> Result<PublishedMessage, QueueError> {
        var dedupId: String?
        if topic.isFifo {
            dedupId =
                entry.messageDeduplicationId ?? entry.contentDeduplicationId
                ?? SHA256.hexDigest(Array(entry.message.utf8))
            topic.expireDedup(now: nowMs)
            if let record = topic.dedup[dedupId!] {
                publishTally.duplicates += 1
                return .success(
                    PublishedMessage(
                        messageId: topic.messageId(seq: record.seq),
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
        let notification = Notification(
            messageId: messageId, sequenceNumber: sequenceNumber, topicArn: topicArn(topic.name),
            entry: entry, timestampMs: nowMs, endpointBase: endpointBase,
            signatureVersion: topic.storedAttributes["SignatureVersion"] == "2" ? "2" : "1")
        if topic.isFifo { publishTally.fifoPublished += 1 } else { publishTally.standardPublished += 1 }
        // What does not depend on the subscription is built once, on first need: the filters' view of the
        // publish, the raw body's bytes, and the envelope (all but its UnsubscribeURL's subscription ARN).
        var filterView = PublishFilterView(entry)
        var rawBody: [UInt8]?
        var envelope: NotificationEnvelope?
        for number in topic.subscriptionNumbers {
            guard let subscription = subscriptions[number] else { continue }
            guard filterView.accepts(subscription) else {
                publishTally.filteredOut += 1
                continue
            }
            let message: SendEntry
            if subscription.rawMessageDelivery {
                if rawBody == nil { rawBody = Array(entry.message.utf8) }
                message = SendEntry(
                    body: rawBody!, attributes: entry.attributes, messageGroupId: entry.messageGroupId,
                    messageDeduplicationId: dedupId)
            } else {
                if envelope == nil { envelope = notification.envelope() }
                message = SendEntry(
                    body: envelope!.body(subscriptionArn: subscriptionArn(subscription)),
                    messageGroupId: entry.messageGroupId, messageDeduplicationId: dedupId)
            }
            deliver(message, to: subscription, fromFifoTopic: topic.isFifo)
        }
        return .success(PublishedMessage(messageId: messageId, sequenceNumber: sequenceNumber))
    }

    /// Enqueues one subscription's copy into its queue, else its dead-letter queue, else counts it.
    private mutating func deliver(_ message: SendEntry, to subscription: Subscription, fromFifoTopic: Bool) {
        if enqueue(message, intoArn: subscription.endpoint, fromFifoTopic: fromFifoTopic) {
            publishTally.delivered += 1
            return
        }
        if let target = subscription.deadLetterTargetArn,
            enqueue(message, intoArn: target, fromFifoTopic: fromFifoTopic)
        {
            publishTally.deadLettered += 1
            return
        }
        publishTally.failed += 1
        subscriptions[subscription.number]?.deliveriesFailed += 1
    }

    /// True when the queue exists and took the message (a FIFO queue's own deduplication counts as taken).
    /// A standard queue gets no deduplication id, and from a FIFO topic no group id either: AWS delivers a FIFO
    /// topic's messages to a standard queue without FIFO semantics (recorded: test_fifo_topic_to_regular_sqs).
    /// A standard topic's MessageGroupId does reach a standard queue (recorded: test_publish_message_group_id).
    private mutating func enqueue(_ message: SendEntry, intoArn arn: String, fromFifoTopic: Bool) -> Bool {
        guard let id = queueId(forArn: arn) else { return false }
        let now = nowMs
        var message = message
        if queues[id]?.isFifo == false {
            message.messageDeduplicationId = nil
            if fromFifoTopic { message.messageGroupId = nil }
        }
        let sent: Bool? = withQueue(id: id) { queue in (try? queue.send(message, now: now)) != nil }
        return sent ?? false
    }
}

extension TopicValidation {
    /// Checks that depend on the topic; the rest ran at the edge.
    static func publishEntryError(_ entry: PublishEntry, topic: TopicState) -> QueueError? {
        if entry.message.isEmpty { return .snsInvalid("Empty message") }
        if entry.sizeBytes > TopicLimits.messageBytesMax {
            return .snsInvalid("Message too long")
        }
        if topic.isFifo {
            if entry.messageGroupId == nil {
                return .snsInvalid("The MessageGroupId parameter is required for FIFO topics")
            }
            if entry.messageDeduplicationId == nil && !topic.contentBasedDeduplication {
                return .snsInvalid(
                    "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
                )
            }
        } else if entry.messageDeduplicationId != nil {
            return .snsInvalid(
                "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
            )
        }
        return nil
    }
}

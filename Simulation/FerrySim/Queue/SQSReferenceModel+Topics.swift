import FerryQueue

/// SNS topics fanning out to the model's queues (docs/sns-wire.md, "Delivery"), written from SNS's rules: a
/// publish enqueues into each subscription, in subscription order, whose filter accepts it, within the same
/// command: the JSON envelope or (RawMessageDelivery) the message with its attributes, with the publish's
/// group id and, for FIFO queues only, its deduplication id. A FIFO topic takes standard queues too and
/// delivers to them without group or deduplication id. A queue that is missing or refuses the message
/// sends it to the subscription's dead-letter queue, else the failure is counted. A FIFO topic deduplicates
/// for 5 minutes of stamp time: a duplicate answers the original MessageId and enqueues nothing. A batch
/// with an entry the topic refuses fails whole.
///
/// Taken from the machine and checked for what SNS promises: subscription ARNs (under the topic, unique),
/// topic MessageIds (unique), FIFO sequence numbers (growing within the topic), and the message ids of the
/// copies enqueued (adopted at their first receive). Not modelled (unjudged, and the workload sends none):
/// tags, topic attributes other than ContentBasedDeduplication, attribute and policy validation, filter
/// shapes other than `TopicFilterModel`'s, MessageStructure.
extension SQSReferenceModel {
    struct Topic {
        let isFifo: Bool
        var contentBasedDeduplication: Bool
        /// In creation order: the order a publish delivers in.
        var subscriptions: [TopicSubscription] = []
        /// FIFO: deduplication id -> the original publish, until the window ends.
        var dedup: [String: (messageId: String, sequenceNumber: String?, untilMs: Int64)] = [:]
        var lastSequenceNumber: String?
    }

    struct TopicSubscription {
        var arn: String
        let queueArn: String
        var raw = false
        var filterText: String?
        var filter: TopicFilterModel?
        var bodyScope = false
        var redrivePolicyText: String?
        var deadLetterArn: String?
        var failures = 0

        func accepts(_ entry: PublishEntry) -> Bool {
            guard let filter else { return true }
            return bodyScope ? filter.matches(body: entry.message) : filter.matches(attributes: entry.attributes)
        }

        /// SNS's subscription attributes; false for one the model does not read (a workload error).
        mutating func set(_ name: String, _ value: String) -> Bool {
            switch name {
            case "RawMessageDelivery": raw = value.lowercased() == "true"
            case "FilterPolicyScope": bodyScope = value == "MessageBody"
            case "FilterPolicy":
                filterText = value.isEmpty ? nil : value
                filter = value.isEmpty ? nil : TopicFilterModel.parse(value)
                return value.isEmpty || filter != nil
            case "RedrivePolicy":
                redrivePolicyText = value.isEmpty ? nil : value
                deadLetterArn = value.isEmpty ? nil : TinyJSON.member("deadLetterTargetArn", of: value)
            default: return false
            }
            return true
        }
    }

    var snsArnPrefix: String { "arn:aws:sns:" + arnPrefix.dropFirst("arn:aws:sqs:".count) }

    mutating func topicCommand(_ command: TopicCommand, _ judge: inout Judge) {
        switch command {
        case .createTopic(let name, let attributes, _):
            let value = { (key: String) in attributes.last { $0.key == key }?.value.lowercased() }
            if let existing = topics[name] {
                if (value("ContentBasedDeduplication") ?? "false") != String(existing.contentBasedDeduplication) {
                    return judge.expectError(.invalidParameter)
                }
                return judge.expect(.topicCreated(topicArn: snsArnPrefix + name))
            }
            guard case .topicCreated = judge.output else {
                return judge.expect(.topicCreated(topicArn: snsArnPrefix + name))
            }
            topics[name] = Topic(
                isFifo: value("FifoTopic") == "true",
                contentBasedDeduplication: value("ContentBasedDeduplication") == "true")
            judge.expect(.topicCreated(topicArn: snsArnPrefix + name))
        case .deleteTopic(let name):
            topics[name] = nil
            judge.expectDone()
        case .setTopicAttribute(let name, let attribute, let value):
            guard topics[name] != nil else { return judge.expectError(.notFound) }
            guard case .done = judge.output else { return }  // validation is not modelled
            if attribute == "ContentBasedDeduplication" {
                topics[name]!.contentBasedDeduplication = value.lowercased() == "true"
            }
        case .subscribe(let topicName, let endpoint, let attributes): subscribe(topicName, endpoint, attributes, &judge)
        case .unsubscribe(let arn):
            guard let (name, position) = subscription(arn) else { return judge.expectDone() }  // gone: still success
            topics[name]!.subscriptions.remove(at: position)
            judge.expectDone()
        case .setSubscriptionAttribute(let arn, let attribute, let value):
            guard let (name, position) = subscription(arn) else { return judge.expectError(.notFound) }
            guard case .done = judge.output else { return }  // validation is not modelled
            if !topics[name]!.subscriptions[position].set(attribute, value) {
                judge.fail("the model cannot read subscription attribute \(attribute)=\(value)")
            }
        case .tagTopic, .untagTopic:
            return
        case .publish(let topicName, let entries, let isBatch, let endpointBase):
            publish(topicName, entries, isBatch: isBatch, endpointBase: endpointBase, &judge)
        }
    }

    private func subscription(_ arn: String) -> (String, Int)? {
        for (name, topic) in topics {
            if let position = topic.subscriptions.firstIndex(where: { $0.arn == arn }) { return (name, position) }
        }
        return nil
    }

    private mutating func subscribe(
        _ topicName: String, _ endpoint: String, _ attributes: [KeyValue], _ judge: inout Judge
    ) {
        guard let topic = topics[topicName] else { return judge.expectError(.notFound) }
        // SNS delivers a standard topic to standard queues only; a FIFO topic to either kind.
        guard topic.isFifo || !endpoint.hasSuffix(".fifo") else { return judge.expectError(.invalidParameter) }
        var candidate = TopicSubscription(arn: "", queueArn: endpoint)
        for pair in attributes where !candidate.set(pair.key, pair.value) {
            return judge.fail("the model cannot read subscription attribute \(pair.key)=\(pair.value)")
        }
        if let existing = topic.subscriptions.first(where: { $0.queueArn == endpoint }) {
            // Subscribing again answers the subscription there is (with other settings SNS refuses).
            let same =
                existing.raw == candidate.raw && existing.filterText == candidate.filterText
                && existing.bodyScope == candidate.bodyScope
                && existing.redrivePolicyText == candidate.redrivePolicyText
            guard attributes.isEmpty || same else { return judge.expectError(.invalidParameter) }
            return judge.expect(.subscribed(subscriptionArn: existing.arn))
        }
        guard case .subscribed(let arn) = judge.output else {
            return judge.fail("the model expects a new subscription, the machine answered \(abbreviated(judge.output))")
        }
        if !arn.hasPrefix(snsArnPrefix + topicName + ":") || subscription(arn) != nil {
            return judge.fail("subscription ARN \(arn) is not new, or not under its topic")
        }
        candidate.arn = arn  // the machine's, checked above
        topics[topicName]!.subscriptions.append(candidate)
    }

    // MARK: Publish

    /// SNS's refusal of one publish entry (docs/sns-wire.md, "Operations"), or nil.
    private static func publishRefusal(_ entry: PublishEntry, _ topic: Topic) -> Outcome? {
        let bytes = entry.message.utf8.count + entry.attributes.reduce(0) { $0 + $1.sizeBytes }
        if entry.message.isEmpty || bytes > 262_144 { return .failure(.invalidParameter) }
        if topic.isFifo {
            if entry.messageGroupId == nil { return .failure(.invalidParameter) }
            if entry.messageDeduplicationId == nil && !topic.contentBasedDeduplication {
                return .failure(.invalidParameter)
            }
        } else if entry.messageDeduplicationId != nil {
            return .failure(.invalidParameter)
        }
        return nil
    }

    private mutating func publish(
        _ topicName: String, _ entries: [PublishEntry], isBatch: Bool, endpointBase: String,
        _ judge: inout Judge
    ) {
        if entries.isEmpty { return judge.expectError(.emptyBatchRequest) }
        // Taken out of the table while it changes (put back on every return), so its tables are not copied.
        guard var topic = topics.removeValue(forKey: topicName) else { return judge.expectError(.notFound) }
        defer { topics[topicName] = topic }
        if case .failure(let code)? = entries.lazy.compactMap({ Self.publishRefusal($0, topic) }).first {
            return judge.expectError(code)
        }
        let results: [EntryResult<PublishedMessage>]
        switch judge.output {
        case .published(let r) where r.count == entries.count: results = r
        default:
            return judge.fail(
                "the model expects \(entries.count) publish results, the machine answered \(abbreviated(judge.output))")
        }
        for (n, (entry, result)) in zip(entries, results).enumerated() {
            guard case .success(let published) = result.result else {
                return judge.fail(
                    "publish entry \(n): the model expects it published, the machine answered \(result.result)")
            }
            let dedupId =
                topic.isFifo ? entry.messageDeduplicationId ?? SHA256.hexDigest(Array(entry.message.utf8)) : nil
            // An entry whose window has ended is as good as gone (the model's clock never runs backwards).
            if let dedupId, let original = topic.dedup[dedupId], original.untilMs > nowMs {
                if published.messageId != original.messageId || published.sequenceNumber != original.sequenceNumber {
                    judge.fail(
                        "publish entry \(n): a duplicate of \(original.messageId) (dedup id \(dedupId)) answered \(published)"
                    )
                }
                continue  // a duplicate enqueues nothing
            }
            if !mintedIds.insert(published.messageId).inserted {
                judge.fail("publish minted MessageId \(published.messageId) a second time")
            }
            if topic.isFifo {
                let number = published.sequenceNumber ?? ""
                if let last = topic.lastSequenceNumber, (number.count, number) <= (last.count, last) {
                    judge.fail("topic \(topicName): sequence number \(number) does not grow past \(last)")
                }
                topic.lastSequenceNumber = number
            } else if published.sequenceNumber != nil {
                judge.fail("a standard topic's publish answered sequence number \(published.sequenceNumber!)")
            }
            if let dedupId {
                topic.dedup[dedupId] = (published.messageId, published.sequenceNumber, nowMs + Self.dedupWindowMs)
            }
            var envelope: TopicEnvelopeModel?  // rendered on first need, once for all subscriptions
            for k in topic.subscriptions.indices where topic.subscriptions[k].accepts(entry) {
                let subscription = topic.subscriptions[k]
                if !subscription.raw && envelope == nil {
                    envelope = TopicEnvelopeModel(
                        messageId: published.messageId, sequenceNumber: published.sequenceNumber,
                        topicArn: snsArnPrefix + topicName, entry: entry, timestampMs: nowMs,
                        endpointBase: endpointBase)
                }
                let message =
                    subscription.raw
                    ? SendEntry(
                        body: Array(entry.message.utf8), attributes: entry.attributes,
                        messageGroupId: entry.messageGroupId,
                        messageDeduplicationId: dedupId)
                    : SendEntry(
                        body: Array(envelope!.text(subscriptionArn: subscription.arn).utf8),
                        messageGroupId: entry.messageGroupId,
                        messageDeduplicationId: dedupId)
                if enqueue(message, into: subscription.queueArn, fromFifoTopic: topic.isFifo) { continue }
                if let target = subscription.deadLetterArn, enqueue(message, into: target, fromFifoTopic: topic.isFifo)
                {
                    continue
                }
                topic.subscriptions[k].failures += 1
            }
        }
    }

    /// A fan-out copy into the queue `arn` names: false when there is no such queue or it refuses the message
    /// (a FIFO queue's own deduplication swallowing it counts as taken). Its message id is learnt at its
    /// first receive.
    private mutating func enqueue(_ message: SendEntry, into arn: String, fromFifoTopic: Bool) -> Bool {
        // Taken out of the table while it changes (put back on every return), so its tables are not copied.
        guard arn.hasPrefix(arnPrefix), var queue = queues.removeValue(forKey: String(arn.dropFirst(arnPrefix.count)))
        else { return false }
        defer { queues[queue.name] = queue }
        var message = message
        if !queue.isFifo {
            message.messageDeduplicationId = nil
            if fromFifoTopic { message.messageGroupId = nil }
        }
        if Self.refusal(message, queue) != nil { return false }
        if queue.isFifo, let dedupId = message.messageDeduplicationId {
            let key = queue.dedupByGroup ? (message.messageGroupId ?? "") + "\u{1}" + dedupId : dedupId
            if let original = queue.dedup[key], original.untilMs > nowMs { return true }
            queue.dedup[key] = ("", nil, nowMs + Self.dedupWindowMs)
        }
        Self.append(
            &queue, Message(seq: 0, messageId: "", entry: message, sentMs: nowMs, visibleAtMs: nowMs + queue.delayMs),
            nowMs)
        return true
    }
}

extension TinyJSON {
    /// A string member of a JSON object's top level.
    static func member(_ name: String, of text: String) -> String? {
        var reader = TinyJSON(text)
        guard case .object(let members)? = reader.document(),
            case .string(let value)? = members.first(where: { $0.0 == name })?.1
        else {
            return nil
        }
        return value
    }
}

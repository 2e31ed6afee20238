/// Topic and subscription lifecycle (docs/sns-wire.md, "Operations"). Publish is in
/// QueueMachine+Publish.swift.
extension QueueMachine {
    mutating func applyTopic(_ command: TopicCommand) -> QueueResult {
        switch command {
        case .createTopic(let name, let attributes, let tags): return createTopic(name, attributes, tags)
        case .deleteTopic(let name): return deleteTopic(name)
        case .setTopicAttribute(let name, let attribute, let value): return setTopicAttribute(name, attribute, value)
        case .subscribe(let topicName, let endpoint, let attributes): return subscribe(topicName, endpoint, attributes)
        case .unsubscribe(let arn): return unsubscribe(arn)
        case .setSubscriptionAttribute(let arn, let attribute, let value):
            return setSubscriptionAttribute(arn, attribute, value)
        case .tagTopic(let name, let tags): return tagTopic(name, tags)
        case .untagTopic(let name, let keys): return untagTopic(name, keys)
        case .publish(let topicName, let entries, let isBatch, let endpointBase):
            return publish(topicName, entries, isBatch: isBatch, endpointBase: endpointBase)
        }
    }

    func topicArn(_ name: String) -> String {
        TopicARN(region: config.region, accountId: config.accountId, topicName: name).text
    }

    func subscriptionArn(_ subscription: Subscription) -> String {
        TopicARN(
            region: config.region, accountId: config.accountId, topicName: subscription.topicName,
            subscriptionId: subscription.uuid
        ).text
    }

    /// The subscription an ARN names, if it is ours and exists.
    func subscriptionNumber(forArn text: String) -> UInt64? {
        guard let arn = TopicARN(text), arn.region == config.region, arn.accountId == config.accountId,
            let uuid = arn.subscriptionId, let number = subscriptionNumberByUuid[uuid],
            subscriptions[number]?.topicName == arn.topicName
        else { return nil }
        return number
    }

    mutating func createTopic(_ name: String, _ raw: [KeyValue], _ tags: [KeyValue]) -> QueueResult {
        let settings: TopicValidation.CreateSettings
        do {
            settings = try TopicValidation.validateCreate(name: name, attributes: raw, tags: tags)
        } catch {
            return .failed(error)
        }
        if let existing = topics[name] {
            // Create-or-get: the same attributes answer the same ARN (AWS refuses different ones).
            let same =
                existing.contentBasedDeduplication == settings.contentBasedDeduplication
                && settings.stored.allSatisfy { existing.storedAttributes[$0.key] == $0.value }
            guard same else {
                return .failed(.snsInvalid("Attributes Reason: Topic already exists with different attributes"))
            }
            // Tags given again must be the topic's (recorded: test_create_duplicate_topic_with_more_tags).
            guard
                tags.isEmpty
                    || tags.count == existing.tags.count && tags.allSatisfy({ existing.tags[$0.key] == $0.value })
            else {
                return .failed(.snsInvalid("Tags Reason: Topic already exists with different tags"))
            }
            return .topicCreated(topicArn: topicArn(name))
        }
        guard topics.count < TopicLimits.topicsMax else {
            return .failed(QueueError(.invalidParameter, "Invalid parameter: Topic limit exceeded"))
        }
        var topic = TopicState(
            number: nextTopicNumber, name: name, isFifo: settings.isFifo,
            contentBasedDeduplication: settings.contentBasedDeduplication)
        nextTopicNumber += 1
        topic.storedAttributes = settings.stored
        for tag in tags { topic.tags[tag.key] = tag.value }
        topics[name] = topic
        return .topicCreated(topicArn: topicArn(name))
    }

    /// Deletes the topic and its subscriptions; a missing topic is no error (AWS: DeleteTopic is idempotent).
    mutating func deleteTopic(_ name: String) -> QueueResult {
        guard let topic = topics.removeValue(forKey: name) else { return .done }
        for number in topic.subscriptionNumbers {
            if let subscription = subscriptions.removeValue(forKey: number) {
                subscriptionNumberByUuid[subscription.uuid] = nil
            }
        }
        return .done
    }

    mutating func setTopicAttribute(_ name: String, _ attribute: String, _ value: String) -> QueueResult {
        guard var topic = topics[name] else { return .failed(.topicNotFound) }
        do {
            try TopicValidation.validateSet(attribute: attribute, value: value, isFifo: topic.isFifo)
        } catch {
            return .failed(error)
        }
        if attribute == "ContentBasedDeduplication" {
            topic.contentBasedDeduplication = value.lowercased() == "true"
        } else {
            topic.storedAttributes[attribute] = value
        }
        topics[name] = topic
        return .done
    }

    mutating func subscribe(_ topicName: String, _ endpoint: String, _ raw: [KeyValue]) -> QueueResult {
        guard var topic = topics[topicName] else { return .failed(.topicNotFound) }
        guard let queueArn = QueueARN(endpoint), queueArn.region == config.region else {
            return .failed(.snsInvalid("SQS endpoint ARN"))
        }
        // A FIFO topic also takes standard queues (AWS since 2023); a standard topic takes no FIFO queue.
        if queueArn.queueName.hasSuffix(".fifo") && !topic.isFifo {
            return .failed(
                .snsInvalid(
                    "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"))
        }
        var candidate = Subscription(number: nextSubscriptionNumber, topicName: topicName, endpoint: endpoint)
        // The scope first: the policy is parsed for the scope it will run under.
        for pair in raw.filter({ $0.key == "FilterPolicyScope" }) + raw.filter({ $0.key != "FilterPolicyScope" }) {
            if let error = candidate.set(pair.key, pair.value, subscribing: true) { return .failed(error) }
        }
        if let error = candidate.deadLetterError(topicIsFifo: topic.isFifo, frame: "Attributes Reason: ") {
            return .failed(error)
        }
        let sameEndpoint = topic.subscriptionNumbers.first { subscriptions[$0]?.endpoint == endpoint }
        if let number = sameEndpoint, let existing = subscriptions[number] {
            // Subscribing again answers the existing subscription; with other attributes it is refused.
            guard raw.isEmpty || existing.sameSettings(as: candidate) else {
                return .failed(.snsInvalid("Attributes Reason: Subscription already exists with different attributes"))
            }
            return .subscribed(subscriptionArn: subscriptionArn(existing))
        }
        guard topic.subscriptionNumbers.count < TopicLimits.subscriptionsPerTopicMax,
            subscriptions.count < TopicLimits.subscriptionsMax
        else {
            return .failed(
                QueueError(
                    .invalidParameter,
                    "Invalid parameter: Subscription limit exceeded (at most \(TopicLimits.subscriptionsPerTopicMax) per topic)"
                ))
        }
        nextSubscriptionNumber += 1
        subscriptions[candidate.number] = candidate
        subscriptionNumberByUuid[candidate.uuid] = candidate.number
        topic.subscriptionNumbers.append(candidate.number)
        topics[topicName] = topic
        return .subscribed(subscriptionArn: subscriptionArn(candidate))
    }

    /// Unsubscribing a subscription that is gone succeeds (AWS: recorded test_unsubscribe_from_non_existing_subscription).
    mutating func unsubscribe(_ arn: String) -> QueueResult {
        guard let number = subscriptionNumber(forArn: arn), let subscription = subscriptions.removeValue(forKey: number)
        else {
            return .done
        }
        subscriptionNumberByUuid[subscription.uuid] = nil
        topics[subscription.topicName]?.subscriptionNumbers.removeAll { $0 == number }
        return .done
    }

    mutating func setSubscriptionAttribute(_ arn: String, _ attribute: String, _ value: String) -> QueueResult {
        guard let number = subscriptionNumber(forArn: arn), var subscription = subscriptions[number] else {
            return .failed(.subscriptionNotFound)
        }
        if let error = subscription.set(attribute, value, subscribing: false) { return .failed(error) }
        if let error = subscription.deadLetterError(
            topicIsFifo: topics[subscription.topicName]?.isFifo == true, frame: "")
        {
            return .failed(error)
        }
        subscriptions[number] = subscription
        return .done
    }

    mutating func tagTopic(_ name: String, _ tags: [KeyValue]) -> QueueResult {
        guard var topic = topics[name] else { return .failed(QueueError(.resourceNotFound, "Resource does not exist")) }
        for tag in tags { topic.tags[tag.key] = tag.value }
        guard topic.tags.count <= TopicLimits.tagsPerTopicMax else {
            return .failed(
                QueueError(.tagLimitExceeded, "Could not complete request: tag quota of per resource exceeded"))
        }
        topics[name] = topic
        return .done
    }

    mutating func untagTopic(_ name: String, _ keys: [String]) -> QueueResult {
        guard topics[name] != nil else { return .failed(QueueError(.resourceNotFound, "Resource does not exist")) }
        for key in keys { topics[name]!.tags[key] = nil }
        return .done
    }
}

extension Subscription {
    static let settableAttributes = [
        "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
        "RedrivePolicy",
    ]

    /// Applies one attribute; the error is AWS's for an invalid one. At Subscribe AWS frames a bad filter
    /// policy as "Attributes Reason: FilterPolicy: ..." and at SetSubscriptionAttributes as "FilterPolicy: ...".
    mutating func set(_ name: String, _ value: String, subscribing: Bool) -> QueueError? {
        let frame = subscribing ? "Attributes Reason: " : ""
        switch name {
        case "RawMessageDelivery":
            switch value.lowercased() {
            case "true": rawMessageDelivery = true
            case "false": rawMessageDelivery = false
            default: return .snsInvalid("\(frame)RawMessageDelivery: Invalid value [\(value)]. Must be true or false.")
            }
        case "FilterPolicyScope":
            guard let scope = FilterPolicy.Scope(rawValue: value) else {
                return .snsInvalid(
                    "FilterPolicyScope: Invalid value [\(value)]. Please use either MessageBody or MessageAttributes")
            }
            if let text = filterPolicyText {
                do {
                    filterPolicy = try FilterPolicy.parse(text, scope: scope)
                } catch {
                    return Self.policyError(error, frame: frame)
                }
            }
            filterPolicyScope = scope
        case "FilterPolicy":
            if value.isEmpty {
                filterPolicyText = nil
                filterPolicy = nil
                return nil
            }
            do {
                filterPolicy = try FilterPolicy.parse(value, scope: filterPolicyScope)
            } catch {
                return Self.policyError(error, frame: frame)
            }
            filterPolicyText = value
        case "RedrivePolicy":
            if value.isEmpty {
                redrivePolicyText = nil
                deadLetterTargetArn = nil
                return nil
            }
            guard let members = MiniJSON.parseObject(value) else {
                return .snsInvalid("\(frame)RedrivePolicy: failed to parse JSON. Unexpected character or end of input")
            }
            guard case .string(let target)? = members.first(where: { $0.0 == "deadLetterTargetArn" })?.1,
                QueueARN(target) != nil
            else {
                return .snsInvalid("\(frame)RedrivePolicy: deadLetterTargetArn is an invalid arn")
            }
            redrivePolicyText = value
            deadLetterTargetArn = target
        case "DeliveryPolicy":
            return .snsInvalid("\(frame)DeliveryPolicy: delivery policies apply to HTTP/S subscriptions only")
        default:
            return .snsInvalid("\(frame)AttributeName")
        }
        return nil
    }

    /// A FIFO queue subscribed to a FIFO topic needs a FIFO dead-letter queue (recorded: test_validations_for_fifo).
    func deadLetterError(topicIsFifo: Bool, frame: String) -> QueueError? {
        guard topicIsFifo, endpoint.hasSuffix(".fifo"), let target = deadLetterTargetArn, !target.hasSuffix(".fifo")
        else { return nil }
        return .snsInvalid(
            "\(frame)RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
    }

    private static func policyError(_ error: FilterPolicy.Invalid, frame: String) -> QueueError {
        if error.reason == "nested" { return .snsInvalid(FilterPolicy.nestedUnderAttributesScope) }
        return .snsInvalid("\(frame)FilterPolicy: \(error.reason)")
    }

    func sameSettings(as other: Subscription) -> Bool {
        rawMessageDelivery == other.rawMessageDelivery && filterPolicyText == other.filterPolicyText
            && filterPolicyScope == other.filterPolicyScope && redrivePolicyText == other.redrivePolicyText
    }
}

/// Read-only questions about topics and subscriptions (ListTopics, GetTopicAttributes, ...).
extension QueueMachine {
    public func topicExists(_ name: String) -> Bool { topics[name] != nil }

    public var topicCount: Int { topics.count }

    public var subscriptionCount: Int { subscriptions.count }

    /// Topic ARNs sorted by name, one page after `nextToken` (the last name of the previous page).
    public func listTopics(nextToken: String?) -> (arns: [String], nextToken: String?) {
        let names = topics.keys.sorted()
        let start = nextToken.map { token in names.firstIndex { $0 > token } ?? names.count } ?? 0
        let end = min(names.count, start + TopicLimits.listTopicsPageSize)
        let page = Array(names[start..<end])
        return (page.map(topicArn), end < names.count ? page.last : nil)
    }

    public func getTopicAttributes(_ name: String) -> Result<[KeyValue], QueueError> {
        guard let topic = topics[name] else { return .failure(.topicNotFound) }
        var all: [String: String] = topic.storedAttributes
        all["TopicArn"] = topicArn(name)
        all["Owner"] = config.accountId
        all["DisplayName"] = topic.storedAttributes["DisplayName"] ?? ""
        all["SubscriptionsConfirmed"] = String(topic.subscriptionNumbers.count)
        all["SubscriptionsPending"] = "0"
        all["SubscriptionsDeleted"] = "0"
        all["EffectiveDeliveryPolicy"] = Self.defaultDeliveryPolicy
        if all["Policy"] == nil { all["Policy"] = defaultTopicPolicy(name) }
        if topic.isFifo {
            all["FifoTopic"] = "true"
            all["ContentBasedDeduplication"] = topic.contentBasedDeduplication ? "true" : "false"
        }
        return .success(all.keys.sorted().map { KeyValue($0, all[$0]!) })
    }

    static let defaultDeliveryPolicy =
        #"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#

    /// The access policy AWS gives a topic that was created without one (recorded: test_create_topic_with_attributes).
    func defaultTopicPolicy(_ name: String) -> String {
        let actions = [
            "GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission", "DeleteTopic",
            "Subscribe", "ListSubscriptionsByTopic", "Publish",
        ].map { "\"SNS:\($0)\"" }.joined(separator: ",")
        return
            #"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["#
            + actions + #"],"Resource":""# + topicArn(name) + #"","Condition":{"StringEquals":{"AWS:SourceOwner":""#
            + config.accountId
            + #""}}}]}"#
    }

    public func listTopicTags(_ name: String) -> Result<[KeyValue], QueueError> {
        guard let topic = topics[name] else {
            return .failure(QueueError(.resourceNotFound, "Resource does not exist"))
        }
        return .success(topic.tags.keys.sorted().map { KeyValue($0, topic.tags[$0]!) })
    }

    /// One listed subscription.
    public struct SubscriptionSummary: Equatable, Sendable {
        public var subscriptionArn: String
        public var owner: String
        public var `protocol`: String
        public var endpoint: String
        public var topicArn: String
    }

    /// Every subscription (or the topic's) in creation order; the token is the last listed subscription's number.
    public func listSubscriptions(
        topicName: String? = nil, nextToken: String?
    ) -> Result<(subscriptions: [SubscriptionSummary], nextToken: String?), QueueError> {
        let numbers: [UInt64]
        if let topicName {
            guard let topic = topics[topicName] else { return .failure(.topicNotFound) }
            numbers = topic.subscriptionNumbers
        } else {
            numbers = subscriptions.keys.sorted()
        }
        var after: UInt64 = 0
        if let nextToken {
            guard let value = UInt64(nextToken) else { return .failure(.snsInvalid("NextToken")) }
            after = value
        }
        let remaining = numbers.filter { $0 > after }
        let page = remaining.prefix(TopicLimits.listSubscriptionsPageSize)
        let summaries = page.compactMap { subscriptions[$0] }.map { subscription in
            SubscriptionSummary(
                subscriptionArn: subscriptionArn(subscription), owner: config.accountId, protocol: "sqs",
                endpoint: subscription.endpoint, topicArn: topicArn(subscription.topicName))
        }
        return .success((summaries, remaining.count > page.count ? page.last.map(String.init) : nil))
    }

    public func getSubscriptionAttributes(_ arn: String) -> Result<[KeyValue], QueueError> {
        guard let number = subscriptionNumber(forArn: arn), let subscription = subscriptions[number] else {
            return .failure(.subscriptionNotFound)
        }
        var all: [String: String] = [
            "SubscriptionArn": subscriptionArn(subscription), "TopicArn": topicArn(subscription.topicName),
            "Owner": config.accountId, "Protocol": "sqs", "Endpoint": subscription.endpoint,
            "PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true",
            "RawMessageDelivery": subscription.rawMessageDelivery ? "true" : "false",
            "SubscriptionPrincipal": "arn:aws:iam::\(config.accountId):root",
        ]
        if let policy = subscription.filterPolicyText {
            all["FilterPolicy"] = policy
            all["FilterPolicyScope"] = subscription.filterPolicyScope.rawValue
        }
        if let redrive = subscription.redrivePolicyText { all["RedrivePolicy"] = redrive }
        return .success(all.keys.sorted().map { KeyValue($0, all[$0]!) })
    }

    /// Deliveries the subscription could not make and no dead-letter queue took (Ferry's own figure).
    public func subscriptionDeliveriesFailed(_ arn: String) -> UInt64? {
        subscriptionNumber(forArn: arn).flatMap { subscriptions[$0]?.deliveriesFailed }
    }

    /// The topic name an ARN of this cluster names, if that topic exists.
    public func topicName(forArn text: String) -> String? {
        guard let arn = TopicARN(text), arn.subscriptionId == nil, arn.region == config.region,
            arn.accountId == config.accountId, topics[arn.topicName] != nil
        else { return nil }
        return arn.topicName
    }
}

/// One SNS topic (docs/sns-wire.md, "Operations"). Its subscriptions live in the machine's table, listed here by
/// number in creation order, which is the order a publish delivers in.
struct TopicState: Sendable {
    let number: UInt32
    let name: String
    let isFifo: Bool
    var contentBasedDeduplication: Bool
    /// Attributes stored and echoed without effect (DisplayName, Policy, DeliveryPolicy, ...).
    var storedAttributes: [String: String] = [:]
    var tags: [String: String] = [:]
    var subscriptionNumbers: [UInt64] = []
    /// Numbers the publishes of this topic; with `number` it derives their MessageIds.
    var nextPublishSeq: UInt64 = 1
    /// FIFO: deduplication id -> the original publish's seq, for the 5-minute window.
    var dedup: [String: DedupRecord] = [:]
    var dedupExpiry = FifoBuffer<ExpiryEntry>()

    init(number: UInt32, name: String, isFifo: Bool, contentBasedDeduplication: Bool) {
        self.number = number
        self.name = name
        self.isFifo = isFifo
        self.contentBasedDeduplication = contentBasedDeduplication
    }

    /// Topic message ids share the UUID layout of queue message ids; the top bit of the 32-bit owner field
    /// keeps them apart (queue ids never reach 2^31).
    func messageId(seq: UInt64) -> String { MessageIdentity.messageId(queue: 0x8000_0000 | number, seq: seq) }

    mutating func expireDedup(now: Int64) {
        while let first = dedupExpiry.first, first.expiresAtMs <= now {
            _ = dedupExpiry.popFirst()
            if let record = dedup[first.key], record.expiresAtMs == first.expiresAtMs { dedup[first.key] = nil }
        }
    }
}

/// A topic's subscription of one SQS queue.
struct Subscription: Sendable {
    let number: UInt64
    let topicName: String
    /// The queue's ARN.
    let endpoint: String
    var rawMessageDelivery = false
    var filterPolicyText: String?
    var filterPolicyScope: FilterPolicy.Scope = .messageAttributes
    /// Parsed from `filterPolicyText` and `filterPolicyScope`; not stored in snapshots.
    var filterPolicy: FilterPolicy?
    var redrivePolicyText: String?
    /// From `redrivePolicyText`: where a message goes that the queue refuses or that has no queue.
    var deadLetterTargetArn: String?
    /// Deliveries that found no queue or were refused, and no dead-letter queue took (counted, never retried).
    var deliveriesFailed: UInt64 = 0

    init(number: UInt64, topicName: String, endpoint: String) {
        self.number = number
        self.topicName = topicName
        self.endpoint = endpoint
    }

    /// The last segment of the subscription's ARN: UUID-formatted, derived from its number.
    static func uuid(number: UInt64) -> String { MessageIdentity.messageId(queue: 0x4000_0000, seq: number) }

    var uuid: String { Self.uuid(number: number) }
}

/// `arn:aws:sns:{region}:{account}:{topic}`, and a subscription's `...:{topic}:{uuid}`.
public struct TopicARN: Equatable, Sendable {
    public var region: String
    public var accountId: String
    public var topicName: String
    /// Set for a subscription ARN.
    public var subscriptionId: String?

    public init(region: String, accountId: String, topicName: String, subscriptionId: String? = nil) {
        self.region = region
        self.accountId = accountId
        self.topicName = topicName
        self.subscriptionId = subscriptionId
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 || parts.count == 7, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sns",
            !parts[5].isEmpty
        else { return nil }
        region = String(parts[3])
        accountId = String(parts[4])
        topicName = String(parts[5])
        subscriptionId = parts.count == 7 ? String(parts[6]) : nil
        if let subscriptionId, subscriptionId.isEmpty { return nil }
    }

    public var text: String {
        let topic = "arn:aws:sns:\(region):\(accountId):\(topicName)"
        return subscriptionId.map { "\(topic):\($0)" } ?? topic
    }
}

public enum TopicLimits {
    /// AWS allows 100,000 topics per account; a cluster holds fewer.
    public static let topicsMax = 10_000
    public static let topicNameCharactersMax = 256
    /// Every subscription of a topic receives a copy in the same command, so the fan-out is bounded
    /// (AWS allows millions, delivered asynchronously).
    public static let subscriptionsPerTopicMax = 100
    public static let subscriptionsMax = 100_000
    /// Publish: message plus attributes.
    public static let messageBytesMax = 262_144
    public static let subjectCharactersMax = 100
    public static let messageAttributesMax = 10
    public static let publishBatchEntriesMax = 10
    public static let tagsPerTopicMax = 50
    public static let listTopicsPageSize = 100
    public static let listSubscriptionsPageSize = 100
}

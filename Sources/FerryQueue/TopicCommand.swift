/// One message of Publish or PublishBatch, as the API layer validated it (docs/sns-wire.md, "Delivery").
/// `message` is already the text SQS subscribers get: with MessageStructure=json the edge picked the `sqs`
/// (else `default`) member.
public struct PublishEntry: Equatable, Sendable {
    /// The batch entry id ("" for Publish).
    public var id: String
    public var message: String
    public var subject: String?
    /// SNS attribute types: String, String.Array, Number, Binary (with optional custom labels on the first three).
    public var attributes: [MessageAttribute]
    public var messageGroupId: String?
    public var messageDeduplicationId: String?
    /// The message's SHA-256 in lowercase hex, hashed at the edge for a FIFO topic's publish without a
    /// MessageDeduplicationId (as `SendEntry.contentDeduplicationId`); nil in commands written before it was
    /// carried, and then the machine hashes the message.
    public var contentDeduplicationId: String?

    public init(
        id: String = "", message: String, subject: String? = nil, attributes: [MessageAttribute] = [],
        messageGroupId: String? = nil, messageDeduplicationId: String? = nil,
        contentDeduplicationId: String? = nil
    ) {
        self.id = id
        self.message = message
        self.subject = subject
        self.attributes = attributes
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
        self.contentDeduplicationId = contentDeduplicationId
    }

    /// What SNS's 256 KB limit bounds: the message and its attributes.
    public var sizeBytes: Int { message.utf8.count + attributes.reduce(0) { $0 + $1.sizeBytes } }
}

/// Topic and subscription changes, and Publish: state changes of the pub/sub side, replicated like every
/// queue command (docs/design.md, "Topics and fan-out"). A publish is one command however many queues it
/// reaches: the machine filters and enqueues into every matching subscription's queue when it applies it.
public enum TopicCommand: Equatable, Sendable {
    case createTopic(name: String, attributes: [KeyValue], tags: [KeyValue])
    case deleteTopic(name: String)
    case setTopicAttribute(name: String, attribute: String, value: String)
    /// Protocol `sqs` only (the edge refuses others); `endpoint` is the queue's ARN.
    case subscribe(topicName: String, endpoint: String, attributes: [KeyValue])
    case unsubscribe(subscriptionArn: String)
    case setSubscriptionAttribute(subscriptionArn: String, attribute: String, value: String)
    case tagTopic(name: String, tags: [KeyValue])
    case untagTopic(name: String, keys: [String])
    /// `endpointBase` is the cluster's advertised URL, for the envelope's UnsubscribeURL and SigningCertURL:
    /// carried in the command so every replica writes the same envelope.
    case publish(topicName: String, entries: [PublishEntry], isBatch: Bool, endpointBase: String)
}

/// What Publish reports per entry.
public struct PublishedMessage: Equatable, Sendable {
    public var messageId: String
    /// FIFO topics only.
    public var sequenceNumber: String?

    public init(messageId: String, sequenceNumber: String?) {
        self.messageId = messageId
        self.sequenceNumber = sequenceNumber
    }
}

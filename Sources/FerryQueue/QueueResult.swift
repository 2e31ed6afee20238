/// One batch entry's outcome: its id and either a value or an error (SQS `Successful[]` / `Failed[]`).
public struct EntryResult<Success: Equatable & Sendable>: Equatable, Sendable {
    public var id: String
    public var result: Result<Success, QueueError>

    public init(id: String, _ result: Result<Success, QueueError>) {
        self.id = id
        self.result = result
    }
}

/// What SendMessage reports per entry. MD5s are the API layer's: it has the bytes it was sent.
public struct SentMessage: Equatable, Sendable {
    public var messageId: String
    /// FIFO only.
    public var sequenceNumber: String?
    /// True when the deduplication window swallowed this send and `messageId` is the original's.
    public var wasDuplicate: Bool

    public init(messageId: String, sequenceNumber: String?, wasDuplicate: Bool) {
        self.messageId = messageId
        self.sequenceNumber = sequenceNumber
        self.wasDuplicate = wasDuplicate
    }
}

/// A delivered message with every system attribute; the API layer filters by the names the client asked
/// for and computes MD5OfBody / MD5OfMessageAttributes over what it returns (docs/sqs-wire.md, "Message checksums").
public struct ReceivedMessage: Equatable, Sendable {
    public var messageId: String
    public var receiptHandle: String
    public var body: [UInt8]
    public var attributes: [MessageAttribute]
    public var sentTimestampMs: Int64
    public var approximateReceiveCount: Int
    public var approximateFirstReceiveTimestampMs: Int64
    public var sequenceNumber: String?
    public var messageGroupId: String?
    public var messageDeduplicationId: String?
    public var awsTraceHeader: String?
    public var deadLetterQueueSourceArn: String?
    /// The body's MD5 as computed when it was sent; nil for a message sent before it was carried.
    public var bodyMD5: BodyMD5?

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// The outcome of applying one command. Whole-request failures are `.failed`; batch operations report
/// per-entry results even when every entry failed.
public enum QueueResult: Equatable, Sendable {
    case failed(QueueError)
    case done
    case queueCreated(name: String)
    case sent([EntryResult<SentMessage>])
    case received([ReceivedMessage])
    case deleted([EntryResult<Unit>])
    case visibilityChanged([EntryResult<Unit>])
    case moveTaskStarted(taskHandle: String)
    case moveTaskCancelled(approximateNumberOfMessagesMoved: Int)
    case topicCreated(topicArn: String)
    case subscribed(subscriptionArn: String)
    case published([EntryResult<PublishedMessage>])

    /// A value for results that carry nothing (an empty `Successful[]` entry).
    public struct Unit: Equatable, Sendable { public init() {} }

    public var error: QueueError? {
        if case .failed(let e) = self { return e }
        return nil
    }
}

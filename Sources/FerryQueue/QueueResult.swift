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
    /// Written out when read: every replica applies every send, and only the node that answers reads it.
    public var messageId: String {
        get { storedMessageId.text }
        set { storedMessageId = .text(newValue) }
    }
    var storedMessageId: DeferredMessageId
    /// FIFO only.
    public var sequenceNumber: String?
    /// True when the deduplication window swallowed this send and `messageId` is the original's.
    public var wasDuplicate: Bool

    public init(messageId: String, sequenceNumber: String?, wasDuplicate: Bool) {
        self.init(storedMessageId: .text(messageId), sequenceNumber: sequenceNumber, wasDuplicate: wasDuplicate)
    }

    init(storedMessageId: DeferredMessageId, sequenceNumber: String?, wasDuplicate: Bool) {
        self.storedMessageId = storedMessageId
        self.sequenceNumber = sequenceNumber
        self.wasDuplicate = wasDuplicate
    }
}

/// A delivered message with every system attribute; the API layer filters by the names the client asked
/// for and computes MD5OfBody / MD5OfMessageAttributes over what it returns (docs/sqs-wire.md, "Message checksums").
///
/// Every replica applies every receive, and only the node that answers the client reads what it returned: the
/// message id, the receipt handle and the body are made (written out, copied) only when read.
public struct ReceivedMessage: Equatable, Sendable {
    public var messageId: String {
        get { storedMessageId.text }
        set { storedMessageId = .text(newValue) }
    }
    var storedMessageId: DeferredMessageId
    public var receiptHandle: String {
        get { storedReceiptHandle.text }
        set { storedReceiptHandle = .text(newValue) }
    }
    var storedReceiptHandle: DeferredReceiptHandle
    public var body: [UInt8] {
        get { storedBody.bytes }
        set { storedBody = .bytes(newValue) }
    }
    var storedBody: ReceivedBody
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

    public var bodyText: String { storedBody.text }
}

extension ReceivedMessage {
    public init(
        messageId: String, receiptHandle: String, body: [UInt8], attributes: [MessageAttribute],
        sentTimestampMs: Int64, approximateReceiveCount: Int, approximateFirstReceiveTimestampMs: Int64,
        sequenceNumber: String?, messageGroupId: String?, messageDeduplicationId: String?, awsTraceHeader: String?,
        deadLetterQueueSourceArn: String?, bodyMD5: BodyMD5? = nil
    ) {
        self.init(
            storedMessageId: .text(messageId), storedReceiptHandle: .text(receiptHandle), storedBody: .bytes(body),
            attributes: attributes,
            sentTimestampMs: sentTimestampMs, approximateReceiveCount: approximateReceiveCount,
            approximateFirstReceiveTimestampMs: approximateFirstReceiveTimestampMs, sequenceNumber: sequenceNumber,
            messageGroupId: messageGroupId, messageDeduplicationId: messageDeduplicationId,
            awsTraceHeader: awsTraceHeader, deadLetterQueueSourceArn: deadLetterQueueSourceArn, bodyMD5: bodyMD5)
    }
}

/// A message id in a result: written out from the queue and slot it was first sent to when read, or text.
enum DeferredMessageId: Equatable, Sendable {
    case minted(queue: QueueID, seq: UInt64)
    case text(String)

    var text: String {
        switch self {
        case .minted(let queue, let seq): return MessageIdentity.messageId(queue: queue, seq: seq)
        case .text(let text): return text
        }
    }

    static func == (lhs: DeferredMessageId, rhs: DeferredMessageId) -> Bool { lhs.text == rhs.text }
}

/// A receipt handle in a result: written out from its fields when read, or text.
enum DeferredReceiptHandle: Equatable, Sendable {
    case minted(ReceiptHandle)
    case text(String)

    var text: String {
        switch self {
        case .minted(let handle): return handle.text
        case .text(let text): return text
        }
    }

    static func == (lhs: DeferredReceiptHandle, rhs: DeferredReceiptHandle) -> Bool { lhs.text == rhs.text }
}

/// A received message's body: the queue's own immutable storage, shared until someone reads it, or bytes.
enum ReceivedBody: Equatable, Sendable {
    case shared(SharedMessageBody)
    case bytes([UInt8])

    var bytes: [UInt8] {
        switch self {
        case .shared(let shared): return shared.body.bytes
        case .bytes(let bytes): return bytes
        }
    }

    /// The body as text, in one copy (`String(decoding:)` repairs anything not UTF-8, as before).
    var text: String {
        switch self {
        case .shared(let shared): return shared.body.withBytes { String(decoding: $0, as: UTF8.self) }
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func == (lhs: ReceivedBody, rhs: ReceivedBody) -> Bool {
        switch (lhs, rhs) {
        case (.shared(let a), .shared(let b)) where a.body === b.body: return true
        default: return lhs.bytes == rhs.bytes
        }
    }
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

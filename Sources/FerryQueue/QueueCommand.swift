/// What the leader stamps on every command: the log index it lands at and the leader's clock. The machine
/// keeps `now = max(now, timeMs)`, so a leader whose clock steps back cannot make time run backwards
/// (docs/simulation.md, "Planted bugs", bug 35: lease expiry judged by one node's wall clock).
public struct CommandStamp: Equatable, Sendable {
    public var logIndex: UInt64
    public var timeMs: Int64

    public init(logIndex: UInt64, timeMs: Int64) {
        self.logIndex = logIndex
        self.timeMs = timeMs
    }
}

/// One name/value pair; attributes and tags travel as arrays of these, sorted by name, so their encoding is
/// deterministic.
public struct KeyValue: Equatable, Sendable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A message attribute (docs/sqs-wire.md, "Message limits"). `dataType` is the full type, label included (`String.LN`).
public struct MessageAttribute: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case string(String)
        case binary([UInt8])
    }

    public var name: String
    public var dataType: String
    public var value: Value

    public init(name: String, dataType: String, value: Value) {
        self.name = name
        self.dataType = dataType
        self.value = value
    }

    /// Bytes this attribute counts against MaximumMessageSize: name, type and value.
    public var sizeBytes: Int {
        let valueBytes: Int
        switch value {
        case .string(let s): valueBytes = s.utf8.count
        case .binary(let b): valueBytes = b.count
        }
        return name.utf8.count + dataType.utf8.count + valueBytes
    }
}

/// One message of a SendMessage or SendMessageBatch. `id` is the batch entry id ("" for SendMessage).
public struct SendEntry: Equatable, Sendable {
    public var id: String
    public var body: [UInt8]
    /// nil: the queue's DelaySeconds.
    public var delaySeconds: Int?
    public var attributes: [MessageAttribute]
    public var awsTraceHeader: String?
    public var messageGroupId: String?
    public var messageDeduplicationId: String?
    /// The body's MD5, computed where the message arrived (see `BodyMD5`); nil in commands written before
    /// it was carried.
    public var bodyMD5: BodyMD5?
    /// The deduplication id a queue with ContentBasedDeduplication gives a message without an explicit one:
    /// the body's SHA-256 in lowercase hex, hashed once where the message arrived (FerryQueue imports no hash
    /// library; the SQS layer does), for every send to a FIFO queue without a MessageDeduplicationId. nil in
    /// commands written before it was carried, and in what the machine builds itself (notifications): then
    /// the machine hashes the body when it applies the send (`SHA256`).
    public var contentDeduplicationId: String?

    public init(
        id: String = "", body: [UInt8], delaySeconds: Int? = nil, attributes: [MessageAttribute] = [],
        awsTraceHeader: String? = nil, messageGroupId: String? = nil, messageDeduplicationId: String? = nil,
        bodyMD5: BodyMD5? = nil, contentDeduplicationId: String? = nil
    ) {
        self.id = id
        self.body = body
        self.bodyMD5 = bodyMD5
        self.contentDeduplicationId = contentDeduplicationId
        self.delaySeconds = delaySeconds
        self.attributes = attributes
        self.awsTraceHeader = awsTraceHeader
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
    }

    /// Body plus attributes: what MaximumMessageSize bounds (AWSTraceHeader does not count).
    public var sizeBytes: Int { body.count + attributes.reduce(0) { $0 + $1.sizeBytes } }
}

public struct ReceiveRequest: Equatable, Sendable {
    public var queueName: String
    public var maxMessages: Int
    /// nil: the queue's VisibilityTimeout.
    public var visibilityTimeoutSeconds: Int?
    /// FIFO only: a retry with the same id returns the same messages and handles (docs/sqs-wire.md, "FIFO queues").
    public var receiveRequestAttemptId: String?

    public init(
        queueName: String, maxMessages: Int = 1, visibilityTimeoutSeconds: Int? = nil,
        receiveRequestAttemptId: String? = nil
    ) {
        self.queueName = queueName
        self.maxMessages = maxMessages
        self.visibilityTimeoutSeconds = visibilityTimeoutSeconds
        self.receiveRequestAttemptId = receiveRequestAttemptId
    }
}

/// One entry of DeleteMessage(Batch) or ChangeMessageVisibility(Batch); `visibilityTimeoutSeconds` is unused
/// by deletes.
public struct HandleEntry: Equatable, Sendable {
    public var id: String
    public var receiptHandle: String
    public var visibilityTimeoutSeconds: Int

    public init(id: String = "", receiptHandle: String, visibilityTimeoutSeconds: Int = 0) {
        self.id = id
        self.receiptHandle = receiptHandle
        self.visibilityTimeoutSeconds = visibilityTimeoutSeconds
    }
}

public struct MoveTaskRequest: Equatable, Sendable {
    public var sourceArn: String
    /// nil: each message goes back to the queue it was dead-lettered from.
    public var destinationArn: String?
    /// nil: `QueueLimits.moveTaskRatePerSecondDefault`.
    public var maxMessagesPerSecond: Int?

    public init(sourceArn: String, destinationArn: String? = nil, maxMessagesPerSecond: Int? = nil) {
        self.sourceArn = sourceArn
        self.destinationArn = destinationArn
        self.maxMessagesPerSecond = maxMessagesPerSecond
    }
}

/// Every state change is one of these, proposed through Raft and applied in log order on every replica.
/// Single-message operations are batches of one; the API layer unwraps the one entry's result.
public enum QueueCommand: Equatable, Sendable {
    case createQueue(name: String, attributes: [KeyValue], tags: [KeyValue])
    case deleteQueue(name: String)
    case setQueueAttributes(name: String, attributes: [KeyValue])
    case tagQueue(name: String, tags: [KeyValue])
    case untagQueue(name: String, keys: [String])
    case purgeQueue(name: String)
    case sendMessages(queueName: String, entries: [SendEntry], isBatch: Bool)
    case receiveMessages(ReceiveRequest)
    case deleteMessages(queueName: String, entries: [HandleEntry], isBatch: Bool)
    case changeVisibility(queueName: String, entries: [HandleEntry], isBatch: Bool)
    case startMessageMoveTask(MoveTaskRequest)
    case cancelMessageMoveTask(taskHandle: String)
    /// Adds the grant to the queue's Policy as a statement built while applying, so concurrent grants
    /// proposed on different nodes all land (no read-modify-write at the edge).
    case addPermission(queueName: String, grant: PermissionGrant)
    /// Removes the statements labelled `label` from the queue's Policy.
    case removePermission(queueName: String, label: String)
    /// Topics, subscriptions and Publish (wire tags 40 and up).
    case topic(TopicCommand)
    /// Proposed periodically by the leader: expires retention, dedup and attempt windows, delete cooldowns,
    /// and advances move tasks. Carries nothing: time comes from its stamp.
    case tick
}

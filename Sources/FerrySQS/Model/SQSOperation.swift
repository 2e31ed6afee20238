/// The 23 operations of the SQS model (docs/sqs-wire.md, "Operations"). The raw value is the name after
/// `AmazonSQS.` in `X-Amz-Target` and the query protocol's `Action`.
public enum SQSOperation: String, Sendable, CaseIterable {
    case addPermission = "AddPermission"
    case cancelMessageMoveTask = "CancelMessageMoveTask"
    case changeMessageVisibility = "ChangeMessageVisibility"
    case changeMessageVisibilityBatch = "ChangeMessageVisibilityBatch"
    case createQueue = "CreateQueue"
    case deleteMessage = "DeleteMessage"
    case deleteMessageBatch = "DeleteMessageBatch"
    case deleteQueue = "DeleteQueue"
    case getQueueAttributes = "GetQueueAttributes"
    case getQueueUrl = "GetQueueUrl"
    case listDeadLetterSourceQueues = "ListDeadLetterSourceQueues"
    case listMessageMoveTasks = "ListMessageMoveTasks"
    case listQueueTags = "ListQueueTags"
    case listQueues = "ListQueues"
    case purgeQueue = "PurgeQueue"
    case receiveMessage = "ReceiveMessage"
    case removePermission = "RemovePermission"
    case sendMessage = "SendMessage"
    case sendMessageBatch = "SendMessageBatch"
    case setQueueAttributes = "SetQueueAttributes"
    case startMessageMoveTask = "StartMessageMoveTask"
    case tagQueue = "TagQueue"
    case untagQueue = "UntagQueue"
}

/// The request limits that need no queue state; checked while decoding (docs/sqs-wire.md, "Operations", "Message
/// limits").
public enum SQSLimits {
    /// Entries per batch request (SQS: 1-10).
    public static let batchEntriesMax = 10
    /// Batch entry id length (SQS: ≤80 chars of `[A-Za-z0-9_-]`).
    public static let batchEntryIdCharsMax = 80
    /// Summed payload of a SendMessageBatch (SQS: ≤ 1 MiB): bodies plus attribute names, types, values.
    public static let batchPayloadBytesMax = 1_048_576
    /// Largest possible message (SQS: MaximumMessageSize ≤ 1 MiB). The queue's own, smaller,
    /// MaximumMessageSize is checked by the queue engine.
    public static let messageBytesMax = 1_048_576
    /// Message attributes per message (docs/sqs-wire.md, "Message limits").
    public static let messageAttributesMax = 10
    /// Attribute name length (docs/sqs-wire.md, "Message limits").
    public static let messageAttributeNameCharsMax = 256
    /// Per-message and queue delay (SQS: DelaySeconds 0-900).
    public static let delaySecondsMax = 900
    /// Visibility timeout (SQS: 0-43200, 12 h).
    public static let visibilityTimeoutSecondsMax = 43_200
    /// Long-poll wait (SQS: 0-20).
    public static let waitTimeSecondsMax = 20
    /// Messages per receive (SQS: 1-10).
    public static let receiveMessagesMax = 10
    /// ListQueues / ListDeadLetterSourceQueues page size (SQS: 1-1000).
    public static let listResultsMax = 1000
    /// Queue name length (SQS: 1-80, `.fifo` included).
    public static let queueNameCharsMax = 80
    /// MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId (SQS: ≤128 chars).
    public static let fifoIdCharsMax = 128
    /// ListMessageMoveTasks page size (SQS: up to the 10 most recent tasks).
    public static let moveTasksListedMax = 10
    /// StartMessageMoveTask rate (SQS: ≤500 per second).
    public static let moveTaskMessagesPerSecondMax = 500
}

/// Typed SQS requests: one case per operation, each holding only its own members (docs/sqs-wire.md, "Operations").
/// Names follow the SQS model; queues are addressed by their URL string as sent.
public enum SQSRequest: Sendable, Equatable {
    case addPermission(AddPermissionRequest)
    case cancelMessageMoveTask(CancelMessageMoveTaskRequest)
    case changeMessageVisibility(ChangeMessageVisibilityRequest)
    case changeMessageVisibilityBatch(ChangeMessageVisibilityBatchRequest)
    case createQueue(CreateQueueRequest)
    case deleteMessage(DeleteMessageRequest)
    case deleteMessageBatch(DeleteMessageBatchRequest)
    case deleteQueue(QueueRequest)
    case getQueueAttributes(GetQueueAttributesRequest)
    case getQueueUrl(GetQueueUrlRequest)
    case listDeadLetterSourceQueues(ListDeadLetterSourceQueuesRequest)
    case listMessageMoveTasks(ListMessageMoveTasksRequest)
    case listQueueTags(QueueRequest)
    case listQueues(ListQueuesRequest)
    case purgeQueue(QueueRequest)
    case receiveMessage(ReceiveMessageRequest)
    case removePermission(RemovePermissionRequest)
    case sendMessage(SendMessageRequest)
    case sendMessageBatch(SendMessageBatchRequest)
    case setQueueAttributes(SetQueueAttributesRequest)
    case startMessageMoveTask(StartMessageMoveTaskRequest)
    case tagQueue(TagQueueRequest)
    case untagQueue(UntagQueueRequest)
}

/// A message attribute value ("Message limits"). Exactly one of `stringValue` / `binaryValue` is set after
/// decoding; the list values are "reserved" on AWS and rejected by the decoder.
public struct MessageAttributeValue: Sendable, Equatable {
    /// `String`, `Number` or `Binary`, optionally followed by `.label`.
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: [UInt8]?

    public init(dataType: String, stringValue: String? = nil, binaryValue: [UInt8]? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    public static func string(_ value: String, dataType: String = "String") -> MessageAttributeValue {
        MessageAttributeValue(dataType: dataType, stringValue: value)
    }

    public static func binary(_ value: [UInt8], dataType: String = "Binary") -> MessageAttributeValue {
        MessageAttributeValue(dataType: dataType, binaryValue: value)
    }
}

/// Requests that carry nothing but the queue: DeleteQueue, PurgeQueue, ListQueueTags.
public struct QueueRequest: Sendable, Equatable {
    public var queueUrl: String

    public init(queueUrl: String) { self.queueUrl = queueUrl }
}

public struct CreateQueueRequest: Sendable, Equatable {
    public var queueName: String
    public var attributes: [String: String]
    /// Sent as lowercase `tags` in JSON (docs/sqs-wire.md, "Operations").
    public var tags: [String: String]

    public init(queueName: String, attributes: [String: String] = [:], tags: [String: String] = [:]) {
        self.queueName = queueName
        self.attributes = attributes
        self.tags = tags
    }
}

public struct GetQueueUrlRequest: Sendable, Equatable {
    public var queueName: String
    public var queueOwnerAWSAccountId: String?

    public init(queueName: String, queueOwnerAWSAccountId: String? = nil) {
        self.queueName = queueName
        self.queueOwnerAWSAccountId = queueOwnerAWSAccountId
    }
}

public struct ListQueuesRequest: Sendable, Equatable {
    public var queueNamePrefix: String?
    public var nextToken: String?
    public var maxResults: Int?

    public init(queueNamePrefix: String? = nil, nextToken: String? = nil, maxResults: Int? = nil) {
        self.queueNamePrefix = queueNamePrefix
        self.nextToken = nextToken
        self.maxResults = maxResults
    }
}

public struct GetQueueAttributesRequest: Sendable, Equatable {
    public var queueUrl: String
    public var attributeNames: [String]

    public init(queueUrl: String, attributeNames: [String] = []) {
        self.queueUrl = queueUrl
        self.attributeNames = attributeNames
    }
}

public struct SetQueueAttributesRequest: Sendable, Equatable {
    public var queueUrl: String
    public var attributes: [String: String]

    public init(queueUrl: String, attributes: [String: String] = [:]) {
        self.queueUrl = queueUrl
        self.attributes = attributes
    }
}

public struct TagQueueRequest: Sendable, Equatable {
    public var queueUrl: String
    public var tags: [String: String]

    public init(queueUrl: String, tags: [String: String] = [:]) {
        self.queueUrl = queueUrl
        self.tags = tags
    }
}

public struct UntagQueueRequest: Sendable, Equatable {
    public var queueUrl: String
    public var tagKeys: [String]

    public init(queueUrl: String, tagKeys: [String] = []) {
        self.queueUrl = queueUrl
        self.tagKeys = tagKeys
    }
}

/// The message part shared by SendMessage and each SendMessageBatch entry.
public struct OutgoingMessage: Sendable, Equatable {
    /// Byte-exact as received (docs/sqs-wire.md, "Message checksums", rule 3).
    public var body: String
    public var delaySeconds: Int?
    public var messageAttributes: [String: MessageAttributeValue]
    /// Only `AWSTraceHeader` (docs/sqs-wire.md, "Operations").
    public var messageSystemAttributes: [String: MessageAttributeValue]
    public var messageDeduplicationId: String?
    public var messageGroupId: String?

    public init(
        body: String, delaySeconds: Int? = nil,
        messageAttributes: [String: MessageAttributeValue] = [:],
        messageSystemAttributes: [String: MessageAttributeValue] = [:],
        messageDeduplicationId: String? = nil, messageGroupId: String? = nil
    ) {
        self.body = body
        self.delaySeconds = delaySeconds
        self.messageAttributes = messageAttributes
        self.messageSystemAttributes = messageSystemAttributes
        self.messageDeduplicationId = messageDeduplicationId
        self.messageGroupId = messageGroupId
    }
}

/// Built only by the decoders, and only after `MessageValidation.validate(message)` passed: holding one proves
/// the message's stateless checks did, its body's in particular (not empty, XML characters only), so the node
/// need not scan the body again before proposing it (`QueueValidation.validateSendEntryExceptBody`).
public struct SendMessageRequest: Sendable, Equatable {
    public let queueUrl: String
    public let message: OutgoingMessage

    init(queueUrl: String, message: OutgoingMessage) {
        self.queueUrl = queueUrl
        self.message = message
    }
}

public struct SendMessageBatchRequest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var message: OutgoingMessage

        public init(id: String, message: OutgoingMessage) {
            self.id = id
            self.message = message
        }
    }
    public var queueUrl: String
    public var entries: [Entry]
    /// Entries refused by the stateless checks ("Operations", "Message limits"), already shaped for the response's
    /// `Failed`; the node appends its own failures and reports both.
    public var failed: [BatchResultErrorEntry]

    public init(queueUrl: String, entries: [Entry] = [], failed: [BatchResultErrorEntry] = []) {
        self.queueUrl = queueUrl
        self.entries = entries
        self.failed = failed
    }
}

public struct ReceiveMessageRequest: Sendable, Equatable {
    public var queueUrl: String
    /// The union of `MessageSystemAttributeNames` and the deprecated `AttributeNames` (docs/sqs-wire.md, "Operations").
    public var messageSystemAttributeNames: [String]
    /// `All`, `.*`, exact names or prefixes like `bar.*`.
    public var messageAttributeNames: [String]
    public var maxNumberOfMessages: Int?
    public var visibilityTimeout: Int?
    public var waitTimeSeconds: Int?
    public var receiveRequestAttemptId: String?

    public init(
        queueUrl: String, messageSystemAttributeNames: [String] = [], messageAttributeNames: [String] = [],
        maxNumberOfMessages: Int? = nil, visibilityTimeout: Int? = nil, waitTimeSeconds: Int? = nil,
        receiveRequestAttemptId: String? = nil
    ) {
        self.queueUrl = queueUrl
        self.messageSystemAttributeNames = messageSystemAttributeNames
        self.messageAttributeNames = messageAttributeNames
        self.maxNumberOfMessages = maxNumberOfMessages
        self.visibilityTimeout = visibilityTimeout
        self.waitTimeSeconds = waitTimeSeconds
        self.receiveRequestAttemptId = receiveRequestAttemptId
    }
}

public struct DeleteMessageRequest: Sendable, Equatable {
    public var queueUrl: String
    public var receiptHandle: String

    public init(queueUrl: String, receiptHandle: String) {
        self.queueUrl = queueUrl
        self.receiptHandle = receiptHandle
    }
}

public struct DeleteMessageBatchRequest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var receiptHandle: String

        public init(id: String, receiptHandle: String) {
            self.id = id
            self.receiptHandle = receiptHandle
        }
    }
    public var queueUrl: String
    public var entries: [Entry]
    /// Entries refused by the stateless checks ("Operations", "Message limits"), already shaped for the response's
    /// `Failed`; the node appends its own failures and reports both.
    public var failed: [BatchResultErrorEntry]

    public init(queueUrl: String, entries: [Entry] = [], failed: [BatchResultErrorEntry] = []) {
        self.queueUrl = queueUrl
        self.entries = entries
        self.failed = failed
    }
}

public struct ChangeMessageVisibilityRequest: Sendable, Equatable {
    public var queueUrl: String
    public var receiptHandle: String
    public var visibilityTimeout: Int

    public init(queueUrl: String, receiptHandle: String, visibilityTimeout: Int) {
        self.queueUrl = queueUrl
        self.receiptHandle = receiptHandle
        self.visibilityTimeout = visibilityTimeout
    }
}

public struct ChangeMessageVisibilityBatchRequest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var receiptHandle: String
        /// Optional in the SQS model; what a missing value means is the queue engine's call.
        public var visibilityTimeout: Int?

        public init(id: String, receiptHandle: String, visibilityTimeout: Int? = nil) {
            self.id = id
            self.receiptHandle = receiptHandle
            self.visibilityTimeout = visibilityTimeout
        }
    }
    public var queueUrl: String
    public var entries: [Entry]
    /// Entries refused by the stateless checks ("Operations", "Message limits"), already shaped for the response's
    /// `Failed`; the node appends its own failures and reports both.
    public var failed: [BatchResultErrorEntry]

    public init(queueUrl: String, entries: [Entry] = [], failed: [BatchResultErrorEntry] = []) {
        self.queueUrl = queueUrl
        self.entries = entries
        self.failed = failed
    }
}

public struct ListDeadLetterSourceQueuesRequest: Sendable, Equatable {
    public var queueUrl: String
    public var nextToken: String?
    public var maxResults: Int?

    public init(queueUrl: String, nextToken: String? = nil, maxResults: Int? = nil) {
        self.queueUrl = queueUrl
        self.nextToken = nextToken
        self.maxResults = maxResults
    }
}

public struct StartMessageMoveTaskRequest: Sendable, Equatable {
    public var sourceArn: String
    public var destinationArn: String?
    public var maxNumberOfMessagesPerSecond: Int?

    public init(sourceArn: String, destinationArn: String? = nil, maxNumberOfMessagesPerSecond: Int? = nil) {
        self.sourceArn = sourceArn
        self.destinationArn = destinationArn
        self.maxNumberOfMessagesPerSecond = maxNumberOfMessagesPerSecond
    }
}

public struct CancelMessageMoveTaskRequest: Sendable, Equatable {
    public var taskHandle: String

    public init(taskHandle: String) {
        self.taskHandle = taskHandle
    }
}

public struct ListMessageMoveTasksRequest: Sendable, Equatable {
    public var sourceArn: String
    public var maxResults: Int?

    public init(sourceArn: String, maxResults: Int? = nil) {
        self.sourceArn = sourceArn
        self.maxResults = maxResults
    }
}

public struct AddPermissionRequest: Sendable, Equatable {
    public var queueUrl: String
    public var label: String
    public var awsAccountIds: [String]
    public var actions: [String]

    public init(queueUrl: String, label: String, awsAccountIds: [String] = [], actions: [String] = []) {
        self.queueUrl = queueUrl
        self.label = label
        self.awsAccountIds = awsAccountIds
        self.actions = actions
    }
}

public struct RemovePermissionRequest: Sendable, Equatable {
    public var queueUrl: String
    public var label: String

    public init(queueUrl: String, label: String) {
        self.queueUrl = queueUrl
        self.label = label
    }
}

extension SQSRequest {
    public var operation: SQSOperation {
        switch self {
        case .addPermission: return .addPermission
        case .cancelMessageMoveTask: return .cancelMessageMoveTask
        case .changeMessageVisibility: return .changeMessageVisibility
        case .changeMessageVisibilityBatch: return .changeMessageVisibilityBatch
        case .createQueue: return .createQueue
        case .deleteMessage: return .deleteMessage
        case .deleteMessageBatch: return .deleteMessageBatch
        case .deleteQueue: return .deleteQueue
        case .getQueueAttributes: return .getQueueAttributes
        case .getQueueUrl: return .getQueueUrl
        case .listDeadLetterSourceQueues: return .listDeadLetterSourceQueues
        case .listMessageMoveTasks: return .listMessageMoveTasks
        case .listQueueTags: return .listQueueTags
        case .listQueues: return .listQueues
        case .purgeQueue: return .purgeQueue
        case .receiveMessage: return .receiveMessage
        case .removePermission: return .removePermission
        case .sendMessage: return .sendMessage
        case .sendMessageBatch: return .sendMessageBatch
        case .setQueueAttributes: return .setQueueAttributes
        case .startMessageMoveTask: return .startMessageMoveTask
        case .tagQueue: return .tagQueue
        case .untagQueue: return .untagQueue
        }
    }
}

import FerryQueue

/// Typed SQS responses, one case per operation (docs/sqs-wire.md, "Operations"). Operations whose output
/// is empty have cases without payload: the query protocol still names them in its XML.
public enum SQSResponse: Sendable, Equatable {
    case addPermission
    case cancelMessageMoveTask(approximateNumberOfMessagesMoved: Int64)
    case changeMessageVisibility
    case changeMessageVisibilityBatch(BatchResult)
    case createQueue(queueUrl: String)
    case deleteMessage
    case deleteMessageBatch(BatchResult)
    case deleteQueue
    case getQueueAttributes(attributes: [String: String])
    case getQueueUrl(queueUrl: String)
    /// Lowercase `queueUrls` in JSON (docs/sqs-wire.md, "Operations").
    case listDeadLetterSourceQueues(queueUrls: [String], nextToken: String?)
    case listMessageMoveTasks([MessageMoveTask])
    case listQueueTags(tags: [String: String])
    case listQueues(queueUrls: [String], nextToken: String?)
    case purgeQueue
    case receiveMessage([ReceivedMessage])
    case removePermission
    case sendMessage(SendMessageResult)
    case sendMessageBatch(SendMessageBatchResult)
    case setQueueAttributes
    case startMessageMoveTask(taskHandle: String)
    case tagQueue
    case untagQueue

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

/// A per-entry failure inside a 200 batch response (docs/sqs-wire.md, "Errors").
public struct BatchResultErrorEntry: Sendable, Equatable {
    public var id: String
    public var senderFault: Bool
    public var code: String
    public var message: String?

    public init(id: String, senderFault: Bool = true, code: String, message: String? = nil) {
        self.id = id
        self.senderFault = senderFault
        self.code = code
        self.message = message
    }

    public init(id: String, error: SQSError) {
        self.init(
            id: id, senderFault: error.code.fault == .sender, code: error.code.rawValue,
            message: error.message)
    }
}

/// DeleteMessageBatch and ChangeMessageVisibilityBatch: successful ids and failures.
public struct BatchResult: Sendable, Equatable {
    public var successful: [String]
    public var failed: [BatchResultErrorEntry]

    public init(successful: [String], failed: [BatchResultErrorEntry] = []) {
        self.successful = successful
        self.failed = failed
    }
}

public struct SendMessageResult: Sendable, Equatable {
    public var messageId: String
    public var md5OfMessageBody: String
    public var md5OfMessageAttributes: String?
    public var md5OfMessageSystemAttributes: String?
    public var sequenceNumber: String?

    public init(
        messageId: String, md5OfMessageBody: String, md5OfMessageAttributes: String? = nil,
        md5OfMessageSystemAttributes: String? = nil, sequenceNumber: String? = nil
    ) {
        self.messageId = messageId
        self.md5OfMessageBody = md5OfMessageBody
        self.md5OfMessageAttributes = md5OfMessageAttributes
        self.md5OfMessageSystemAttributes = md5OfMessageSystemAttributes
        self.sequenceNumber = sequenceNumber
    }

    /// The result for `message`, with the checksums docs/sqs-wire.md, "Message checksums" requires: body MD5 always
    /// (`bodyMD5` when the caller already has it), the attribute MD5s only when attributes were sent.
    public init(messageId: String, message: OutgoingMessage, bodyMD5: BodyMD5? = nil, sequenceNumber: String? = nil) {
        self.init(
            messageId: messageId,
            md5OfMessageBody: bodyMD5.map(MessageChecksums.hex) ?? MessageChecksums.md5OfBody(message.body),
            md5OfMessageAttributes: MessageChecksums.md5OfAttributesIfAny(message.messageAttributes),
            md5OfMessageSystemAttributes: MessageChecksums.md5OfAttributesIfAny(message.messageSystemAttributes),
            sequenceNumber: sequenceNumber)
    }
}

public struct SendMessageBatchResult: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var result: SendMessageResult
        public init(id: String, result: SendMessageResult) {
            self.id = id
            self.result = result
        }
    }
    public var successful: [Entry]
    public var failed: [BatchResultErrorEntry]

    public init(successful: [Entry], failed: [BatchResultErrorEntry] = []) {
        self.successful = successful
        self.failed = failed
    }
}

/// One message in a ReceiveMessage result.
public struct ReceivedMessage: Sendable, Equatable {
    public var messageId: String
    public var receiptHandle: String
    public var body: String
    public var md5OfBody: String
    /// System attributes (`SentTimestamp`...), already filtered to those requested; values are strings.
    public var attributes: [String: String]
    /// Message attributes, already filtered by MessageAttributeNames.
    public var messageAttributes: [String: MessageAttributeValue]
    /// Over the attributes actually returned; nil when none are (docs/sqs-wire.md, "Message checksums", rule 2).
    public var md5OfMessageAttributes: String?

    /// Computes both checksums from what is returned, so they always agree with it; `bodyMD5`, the digest
    /// computed when this very body was sent, spares hashing it again.
    public init(
        messageId: String, receiptHandle: String, body: String, bodyMD5: BodyMD5? = nil,
        attributes: [String: String] = [:], messageAttributes: [String: MessageAttributeValue] = [:]
    ) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.md5OfBody = bodyMD5.map(MessageChecksums.hex) ?? MessageChecksums.md5OfBody(body)
        self.attributes = attributes
        self.messageAttributes = messageAttributes
        self.md5OfMessageAttributes = MessageChecksums.md5OfAttributesIfAny(messageAttributes)
    }
}

public struct MessageMoveTask: Sendable, Equatable {
    public var taskHandle: String?
    public var status: String?
    public var sourceArn: String?
    public var destinationArn: String?
    public var maxNumberOfMessagesPerSecond: Int?
    public var approximateNumberOfMessagesMoved: Int64?
    public var approximateNumberOfMessagesToMove: Int64?
    public var failureReason: String?
    /// Epoch milliseconds.
    public var startedTimestamp: Int64?

    public init(
        taskHandle: String? = nil, status: String? = nil, sourceArn: String? = nil,
        destinationArn: String? = nil, maxNumberOfMessagesPerSecond: Int? = nil,
        approximateNumberOfMessagesMoved: Int64? = nil, approximateNumberOfMessagesToMove: Int64? = nil,
        failureReason: String? = nil, startedTimestamp: Int64? = nil
    ) {
        self.taskHandle = taskHandle
        self.status = status
        self.sourceArn = sourceArn
        self.destinationArn = destinationArn
        self.maxNumberOfMessagesPerSecond = maxNumberOfMessagesPerSecond
        self.approximateNumberOfMessagesMoved = approximateNumberOfMessagesMoved
        self.approximateNumberOfMessagesToMove = approximateNumberOfMessagesToMove
        self.failureReason = failureReason
        self.startedTimestamp = startedTimestamp
    }
}

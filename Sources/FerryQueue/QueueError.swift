/// The SQS error codes FerryQueue produces. The raw value is the JSON `__type` suffix; FerrySQS maps each
/// to its legacy query code and HTTP status (docs/sqs-wire.md, "Errors").
public enum QueueErrorCode: String, Sendable, CaseIterable {
    case queueDoesNotExist = "QueueDoesNotExist"
    case queueNameExists = "QueueNameExists"
    case queueDeletedRecently = "QueueDeletedRecently"
    case purgeQueueInProgress = "PurgeQueueInProgress"
    case overLimit = "OverLimit"
    case invalidParameterValue = "InvalidParameterValue"
    case missingParameter = "MissingParameter"
    case invalidAttributeName = "InvalidAttributeName"
    case invalidAttributeValue = "InvalidAttributeValue"
    case receiptHandleIsInvalid = "ReceiptHandleIsInvalid"
    case messageNotInflight = "MessageNotInflight"
    case invalidMessageContents = "InvalidMessageContents"
    case emptyBatchRequest = "EmptyBatchRequest"
    case tooManyEntriesInBatchRequest = "TooManyEntriesInBatchRequest"
    case batchEntryIdsNotDistinct = "BatchEntryIdsNotDistinct"
    case invalidBatchEntryId = "InvalidBatchEntryId"
    case batchRequestTooLong = "BatchRequestTooLong"
    case resourceNotFoundException = "ResourceNotFoundException"
    case unsupportedOperation = "UnsupportedOperation"
    // SNS codes (topics and subscriptions).
    case notFound = "NotFound"
    case invalidParameter = "InvalidParameter"
    case resourceNotFound = "ResourceNotFound"
    case tagLimitExceeded = "TagLimitExceeded"
}

/// A typed, user-facing error: what the client did wrong or why the state refuses it. Broken invariants
/// are not errors; they stop the process (`precondition`).
public struct QueueError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: QueueErrorCode
    public var message: String

    public init(_ code: QueueErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// AWS's wording, with the offending value when AWS shows it: "Value 5 for parameter DelaySeconds is
    /// invalid. Reason: ...".
    static func invalidParameter(_ name: String, value: String? = nil, _ reason: String) -> QueueError {
        let shown = value.map { "\($0) " } ?? ""
        return QueueError(.invalidParameterValue, "Value \(shown)for parameter \(name) is invalid. Reason: \(reason)")
    }

    /// AWS's text for a message over the queue's MaximumMessageSize (recorded: test_send_oversized_message).
    static func messageTooLong(maximumBytes: Int) -> QueueError {
        QueueError(
            .invalidParameterValue,
            "One or more parameters are invalid. Reason: Message must be shorter than \(maximumBytes) bytes.")
    }

    static func invalidAttributeValue(_ name: String, _ reason: String) -> QueueError {
        QueueError(.invalidAttributeValue, "Invalid value for the parameter \(name). Reason: \(reason)")
    }

    /// AWS names no queue in this text (recorded: test_non_existent_queue).
    static func noQueue(_ name: String) -> QueueError {
        QueueError(.queueDoesNotExist, "The specified queue does not exist.")
    }

    /// A FIFO send without a deduplication id on a queue without content-based deduplication: AWS's bare
    /// sentence, no "Value ... for parameter" frame and no final period (recorded:
    /// test_posting_to_fifo_requires_deduplicationid_group_id).
    static let noDeduplicationId = QueueError(
        .invalidParameterValue,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")

    /// A FIFO SendMessageBatch entry without MessageGroupId fails the whole batch, as InvalidParameterValue
    /// (a single SendMessage says MissingParameter; recorded: test_send_batch_missing_message_group_id_for_fifo_queue).
    static let batchEntryWithoutGroup = QueueError(
        .invalidParameterValue,
        "The request must contain the parameter MessageGroupId.")

    static let receiptHandleExpired = QueueError(
        .invalidParameterValue,
        "Value for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")

    public static func receiptHandleInvalid(_ handle: String) -> QueueError {
        QueueError(.receiptHandleIsInvalid, "The input receipt handle \"\(handle)\" is not a valid receipt handle.")
    }
}

extension QueueError {
    /// SNS's InvalidParameter: "Invalid parameter: <what>".
    static func snsInvalid(_ what: String) -> QueueError { QueueError(.invalidParameter, "Invalid parameter: \(what)") }

    public static let topicNotFound = QueueError(.notFound, "Topic does not exist")
    public static let subscriptionNotFound = QueueError(.notFound, "Subscription does not exist")
}

extension QueueError {
    func encode(into w: inout VarintWriter) {
        w.string(code.rawValue)
        w.string(message)
    }

    static func decode(from r: inout VarintReader) throws -> QueueError {
        let raw = try r.string()
        guard let code = QueueErrorCode(rawValue: raw) else { throw DecodeError("unknown error code \(raw)") }
        return QueueError(code, try r.string())
    }
}

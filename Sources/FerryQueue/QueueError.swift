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

    static func invalidParameter(_ name: String, _ reason: String) -> QueueError {
        QueueError(.invalidParameterValue, "Value for parameter \(name) is invalid. Reason: \(reason)")
    }

    static func invalidAttributeValue(_ name: String, _ reason: String) -> QueueError {
        QueueError(.invalidAttributeValue, "Invalid value for the parameter \(name). Reason: \(reason)")
    }

    static func noQueue(_ name: String) -> QueueError {
        QueueError(.queueDoesNotExist, "The specified queue \(name) does not exist.")
    }

    static let receiptHandleExpired = QueueError(
        .invalidParameterValue,
        "Value for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")

    public static func receiptHandleInvalid(_ handle: String) -> QueueError {
        QueueError(.receiptHandleIsInvalid, "The input receipt handle \"\(handle)\" is not a valid receipt handle.")
    }
}

extension QueueError {
    func encode(into w: inout ByteWriter) {
        w.string(code.rawValue)
        w.string(message)
    }

    static func decode(from r: inout ByteReader) throws -> QueueError {
        let raw = try r.string()
        guard let code = QueueErrorCode(rawValue: raw) else { throw DecodeError("unknown error code \(raw)") }
        return QueueError(code, try r.string())
    }
}

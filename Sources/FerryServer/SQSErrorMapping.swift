import FerryQueue
import FerrySQS

/// FerryQueue's error codes to the SQS wire codes (docs/sqs-wire.md, "Errors"). The two enums share raw values (the
/// JSON `__type` suffix); the table is spelled out so a new code on either side is a compile error here,
/// not a silent InternalFailure.
enum SQSErrorMapping {
    static func code(_ code: QueueErrorCode) -> SQSErrorCode {
        switch code {
        case .queueDoesNotExist: return .queueDoesNotExist
        case .queueNameExists: return .queueNameExists
        case .queueDeletedRecently: return .queueDeletedRecently
        case .purgeQueueInProgress: return .purgeQueueInProgress
        case .overLimit: return .overLimit
        case .invalidParameterValue: return .invalidParameterValue
        case .missingParameter: return .missingParameter
        case .invalidAttributeName: return .invalidAttributeName
        case .invalidAttributeValue: return .invalidAttributeValue
        case .receiptHandleIsInvalid: return .receiptHandleIsInvalid
        case .messageNotInflight: return .messageNotInflight
        case .invalidMessageContents: return .invalidMessageContents
        case .emptyBatchRequest: return .emptyBatchRequest
        case .tooManyEntriesInBatchRequest: return .tooManyEntriesInBatchRequest
        case .batchEntryIdsNotDistinct: return .batchEntryIdsNotDistinct
        case .invalidBatchEntryId: return .invalidBatchEntryId
        case .batchRequestTooLong: return .batchRequestTooLong
        case .resourceNotFoundException: return .resourceNotFoundException
        case .unsupportedOperation: return .unsupportedOperation
        case .notFound: return .notFound
        case .invalidParameter: return .invalidParameter
        case .resourceNotFound: return .resourceNotFound
        case .tagLimitExceeded: return .tagLimitExceeded
        }
    }

    static func map(_ error: QueueError) -> SQSError { SQSError(code(error.code), error.message) }

    /// A failed batch entry as the response's `Failed[]` shows it (code = the JSON shape name, as AWS's
    /// JSON protocol sends it; SenderFault from the code's fault side).
    static func entry(id: String, _ error: QueueError) -> BatchResultErrorEntry {
        BatchResultErrorEntry(id: id, error: map(error))
    }
}

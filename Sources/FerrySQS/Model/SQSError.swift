/// SQS errors as the SDKs parse them (docs/sqs-wire.md, "Errors" and "Signature V4").
///
/// An error carries its JSON shape name (`__type` suffix), the legacy query code sent in
/// `x-amzn-query-error` and in query-protocol XML, the HTTP status and the fault side.
public struct SQSError: Error, Sendable, Equatable {
    public var code: SQSErrorCode
    public var message: String

    public init(_ code: SQSErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// AWS names no queue in this text, whatever was asked for (recorded: test_non_existent_queue).
    public static let noSuchQueue = SQSError(.queueDoesNotExist, "The specified queue does not exist.")

    public static func missingParameter(_ name: String) -> SQSError {
        SQSError(.missingParameter, "The request must contain the parameter \(name).")
    }

    /// AWS's wording: "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: ...".
    public static func invalidParameter(_ name: String, value: String? = nil, _ why: String) -> SQSError {
        let shown = value.map { "\($0) " } ?? ""
        return SQSError(.invalidParameterValue, "Value \(shown)for parameter \(name) is invalid. Reason: \(why)")
    }
}

public enum SQSFault: String, Sendable {
    case sender = "Sender"
    case receiver = "Receiver"
}

/// Every error code Ferry sends. The raw value is the JSON shape name (the `__type` suffix).
public enum SQSErrorCode: String, Sendable, CaseIterable {
    // Modeled errors (docs/sqs-wire.md, "Errors").
    case queueDoesNotExist = "QueueDoesNotExist"
    case queueNameExists = "QueueNameExists"
    case queueDeletedRecently = "QueueDeletedRecently"
    case purgeQueueInProgress = "PurgeQueueInProgress"
    case overLimit = "OverLimit"
    case emptyBatchRequest = "EmptyBatchRequest"
    case tooManyEntriesInBatchRequest = "TooManyEntriesInBatchRequest"
    case batchEntryIdsNotDistinct = "BatchEntryIdsNotDistinct"
    case invalidBatchEntryId = "InvalidBatchEntryId"
    case batchRequestTooLong = "BatchRequestTooLong"
    case messageNotInflight = "MessageNotInflight"
    case unsupportedOperation = "UnsupportedOperation"
    case resourceNotFoundException = "ResourceNotFoundException"
    case receiptHandleIsInvalid = "ReceiptHandleIsInvalid"
    case invalidAttributeName = "InvalidAttributeName"
    case invalidAttributeValue = "InvalidAttributeValue"
    case invalidMessageContents = "InvalidMessageContents"
    case invalidIdFormat = "InvalidIdFormat"
    case requestThrottled = "RequestThrottled"
    case invalidAddress = "InvalidAddress"
    case invalidSecurity = "InvalidSecurity"
    // Unmodeled codes every server needs (docs/sqs-wire.md, "Errors").
    case invalidParameterValue = "InvalidParameterValue"
    case missingParameter = "MissingParameter"
    case invalidAction = "InvalidAction"
    case missingAction = "MissingAction"
    case accessDenied = "AccessDenied"
    case internalFailure = "InternalFailure"
    case serviceUnavailable = "ServiceUnavailable"
    /// The JSON body is not JSON (or not an object); AWS's JSON services call this SerializationException.
    case serializationException = "SerializationException"
    // Authentication (docs/sqs-wire.md, "Signature V4").
    case invalidClientTokenId = "InvalidClientTokenId"
    case signatureDoesNotMatch = "SignatureDoesNotMatch"
    case missingAuthenticationToken = "MissingAuthenticationToken"
    case incompleteSignature = "IncompleteSignature"
    // SNS (docs/sns-wire.md, "Dispatch"): the same query-protocol error shape, SNS's codes.
    case notFound = "NotFound"
    case invalidParameter = "InvalidParameter"
    case resourceNotFound = "ResourceNotFound"
    case tagLimitExceeded = "TagLimitExceeded"
    /// SNS's code for a bad message attribute (recorded: test_empty_or_wrong_message_attributes).
    case parameterValueInvalid = "ParameterValueInvalid"
    /// SNS's code for a request that breaks the API model (a message attribute without DataType).
    case validationError = "ValidationError"

    /// The code of the pre-2023 query protocol, sent in `x-amzn-query-error` and in XML `<Code>`.
    /// botocore turns it into `Error.Code`, which user code compares against (docs/sqs-wire.md, "Errors").
    public var legacyCode: String {
        switch self {
        case .queueDoesNotExist: return "AWS.SimpleQueueService.NonExistentQueue"
        case .queueNameExists: return "QueueAlreadyExists"
        case .queueDeletedRecently, .purgeQueueInProgress, .emptyBatchRequest, .tooManyEntriesInBatchRequest,
            .batchEntryIdsNotDistinct, .invalidBatchEntryId, .batchRequestTooLong, .messageNotInflight,
            .unsupportedOperation:
            return "AWS.SimpleQueueService." + rawValue
        default: return rawValue
        }
    }

    public var status: Int {
        switch self {
        case .purgeQueueInProgress, .overLimit, .requestThrottled, .accessDenied, .invalidClientTokenId,
            .signatureDoesNotMatch, .missingAuthenticationToken:
            return 403
        // Not modeled; real SQS answered 404 (amazon-sqs-java-extended-client-lib #16).
        case .resourceNotFoundException, .receiptHandleIsInvalid, .notFound, .resourceNotFound: return 404
        case .internalFailure: return 500
        // Retried by every SDK: the answer for "no leader yet" (docs/sqs-wire.md, "Errors").
        case .serviceUnavailable: return 503
        default: return 400
        }
    }

    public var fault: SQSFault {
        switch self {
        case .internalFailure, .serviceUnavailable: return .receiver
        default: return .sender
        }
    }

    /// The JSON `__type`: `com.amazonaws.sqs#<Shape>` ("Errors"). Two unmodeled codes carry another shape name
    /// there than in `x-amzn-query-error` (botocore shows it as `Error.QueryErrorCode`; recorded in
    /// test_send_message_with_empty_string_attribute and test_posting_to_fifo_requires_deduplicationid_group_id).
    public var jsonType: String {
        switch self {
        case .invalidParameterValue: return "com.amazonaws.sqs#InvalidParameterValueException"
        case .missingParameter: return "com.amazonaws.sqs#MissingRequiredParameterException"
        default: return "com.amazonaws.sqs#" + rawValue
        }
    }
}

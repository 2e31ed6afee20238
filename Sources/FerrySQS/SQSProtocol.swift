/// The protocol a request arrived in; the response must use the same one (docs/sqs-wire.md, "JSON protocol":
/// "Answer in the protocol of the request", botocore #3169).
public enum SQSWireProtocol: Sendable, Equatable {
    /// AWS JSON 1.0: `X-Amz-Target: AmazonSQS.<Operation>`, JSON in and out.
    case json
    /// The legacy query protocol: form-encoded (or URL query) in, XML out.
    case query
}

/// HTTP request <-> typed SQS request/response, for both wire protocols.
///
/// The node calls, per request:
///
///     let wire = SQSProtocol.wireProtocol(of: http)
///     do {
///         try verifier.verify(http, now: epochSeconds)
///         let request = try SQSProtocol.decode(http).get()
///         let response: SQSResponse = node.handle(request)          // not FerrySQS's job
///         write(SQSProtocol.encode(response, as: wire, requestId: id))
///     } catch let error as SQSError {
///         write(SQSProtocol.encode(error, as: wire, requestId: id))
///     }
public enum SQSProtocol {
    public static let jsonContentType = "application/x-amz-json-1.0"
    public static let xmlContentType = "text/xml"
    static let targetPrefix = "AmazonSQS."

    /// JSON when Content-Type starts with `application/x-amz-json`, otherwise query ("Query protocol").
    public static func wireProtocol(of request: HTTPRequest) -> SQSWireProtocol {
        guard var contentType = request.headers["Content-Type"] else { return .query }
        // Over contiguous UTF-8: iterating the String's UTF8View cost ~1.7k instructions a request.
        if contentType.withUTF8({ $0.allSatisfy { $0 < 0x80 } }) {
            // ASCII: lowercasing folds A-Z only, and a Character is a byte, so a bytewise prefix test agrees.
            return HTTPHeaders.hasPrefixIgnoringCase(contentType, "application/x-amz-json") ? .json : .query
        }
        return contentType.lowercased().hasPrefix("application/x-amz-json") ? .json : .query
    }

    public static func decode(_ request: HTTPRequest) -> Result<SQSRequest, SQSError> {
        decode(request, as: wireProtocol(of: request))
    }

    /// `decode(_:)` for a caller that already has `wireProtocol(of: request)`.
    public static func decode(_ request: HTTPRequest, as wire: SQSWireProtocol) -> Result<SQSRequest, SQSError> {
        Result { () throws(SQSError) -> SQSRequest in
            switch wire {
            case .json: return try decodeJSON(request)
            case .query: return try decodeQuery(request)
            }
        }
    }

    static func decodeJSON(_ request: HTTPRequest) throws(SQSError) -> SQSRequest {
        let operation = try jsonOperation(request)
        if let direct = DirectJSONDecoder.decode(operation, request.body) { return direct }
        return try decodeJSONMembers(operation, request)
    }

    static func jsonOperation(_ request: HTTPRequest) throws(SQSError) -> SQSOperation {
        guard let target = request.headers["X-Amz-Target"] else {
            throw SQSError(.missingAction, "The request must contain the header X-Amz-Target.")
        }
        guard let operation = operation(named: target) else {
            throw SQSError(.invalidAction, "The action \(target) is not valid for this endpoint.")
        }
        return operation
    }

    /// The operation an `X-Amz-Target` names (`AmazonSQS.<Operation>`). The prefix is matched on the UTF-8
    /// bytes, not by Character (dropping Characters cost ~800 instructions a request): it is ASCII, which
    /// no other text is canonically equivalent to, and a combining mark after its `.` leaves a name that is
    /// no operation's, as before.
    static func operation(named target: String) -> SQSOperation? {
        var target = target
        let name: String? = target.withUTF8 { bytes in
            let prefix = targetPrefixBytes
            guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[prefix.count...]), as: UTF8.self)
        }
        return name.flatMap { operationsByName[$0] }
    }

    private static let targetPrefixBytes = Array(targetPrefix.utf8)
    /// `SQSOperation(rawValue:)` as a table: the generated initializer compares the name with each case's in
    /// turn. Keys compare as `String`s, as `rawValue:` does.
    private static let operationsByName = Dictionary(
        uniqueKeysWithValues: SQSOperation.allCases.map { ($0.rawValue, $0) })

    /// Any JSON request, through a `JSONValue` document and `SQSRequestDecoder`: the definition of what is
    /// accepted and of every error.
    static func decodeJSONMembers(_ operation: SQSOperation, _ request: HTTPRequest) throws(SQSError) -> SQSRequest {
        var members: [String: JSONValue] = [:]
        if !request.body.isEmpty {
            let document: JSONValue
            do {
                document = try JSONParser.parse(request.body)
            } catch {
                throw SQSError(
                    .serializationException,
                    "The request body is not valid JSON: \(error.message) at byte \(error.offset).")
            }
            guard case .object(let object) = document else {
                throw SQSError(.serializationException, "The request body must be a JSON object.")
            }
            members = object
        }
        addQueueUrlFromPath(request, to: &members)
        return try SQSRequestDecoder.decode(operation, RequestFields(members, scalarsAreStrings: false))
    }

    static func decodeQuery(_ request: HTTPRequest) throws(SQSError) -> SQSRequest {
        guard let urlPairs = FormDecoding.pairs(request.query) else {
            throw SQSError(.invalidParameterValue, "The query string is not correctly URL-encoded.")
        }
        var pairs = urlPairs
        if !request.body.isEmpty {
            guard let text = String(validating: request.body, as: UTF8.self),
                let bodyPairs = FormDecoding.pairs(text)
            else {
                throw SQSError(.invalidParameterValue, "The request body is not correctly form-encoded.")
            }
            pairs += bodyPairs
        }
        guard let action = pairs.last(where: { $0.0 == "Action" })?.1, !action.isEmpty else {
            throw SQSError(.missingAction, "The request must contain the parameter Action.")
        }
        guard let operation = SQSOperation(rawValue: action) else {
            throw SQSError(.invalidAction, "The action \(action) is not valid for this endpoint.")
        }
        var members = try QueryParameters.fold(pairs, operation: operation)
        addQueueUrlFromPath(request, to: &members)
        return try SQSRequestDecoder.decode(operation, RequestFields(members, scalarsAreStrings: true))
    }

    /// Legacy .NET and Java v1 send requests to the queue URL and drop the QueueUrl parameter
    /// (docs/sqs-wire.md, "Query protocol"): `POST /{account}/{queue}` names the queue.
    static func addQueueUrlFromPath(_ request: HTTPRequest, to members: inout [String: JSONValue]) {
        guard members["QueueUrl"] == nil else { return }
        let segments = request.path.split(separator: "/")
        guard segments.count >= 2 else { return }
        let host = request.headers["Host"] ?? "localhost"
        members["QueueUrl"] = .string("http://\(host)\(request.path)")
    }

    public static func encode(_ response: SQSResponse, as wire: SQSWireProtocol, requestId: String) -> HTTPResponse {
        switch wire {
        case .json:
            return make(
                status: 200, contentType: jsonContentType, requestId: requestId,
                body: SQSJSONEncoder.serialize(response))
        case .query:
            return make(
                status: 200, contentType: xmlContentType, requestId: requestId,
                body: Array(SQSXMLEncoder.document(response, requestId: requestId).utf8))
        }
    }

    /// JSON errors also carry `x-amzn-query-error: <legacy code>;<Sender|Receiver>`, from which
    /// botocore and JS v3 take `Error.Code` (docs/sqs-wire.md, "Errors"): always sent.
    public static func encode(_ error: SQSError, as wire: SQSWireProtocol, requestId: String) -> HTTPResponse {
        switch wire {
        case .json:
            var response = make(
                status: error.code.status, contentType: jsonContentType, requestId: requestId,
                body: JSONWriter.serialize(SQSJSONEncoder.body(error)))
            response.headers.add(
                name: "x-amzn-query-error", value: "\(error.code.legacyCode);\(error.code.fault.rawValue)")
            return response
        case .query:
            return make(
                status: error.code.status, contentType: xmlContentType, requestId: requestId,
                body: Array(SQSXMLEncoder.document(error, requestId: requestId).utf8))
        }
    }

    static func make(status: Int, contentType: String, requestId: String, body: [UInt8]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "x-amzn-RequestId", value: requestId)
        headers.add(name: "Content-Type", value: contentType)
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}

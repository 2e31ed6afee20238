/// Bounds on what one HTTP request may occupy before the parser gives up on it.
///
/// Every bound is a named constant so a test can hit it exactly and an operator can read why it
/// is what it is. Exceeding one yields the specific 4xx named next to it.
public struct HTTPLimits: Sendable, Equatable {
    /// Request line (`POST /{account}/{queue}?... HTTP/1.1`). SDKs POST their parameters, so the
    /// line is short; only query-protocol GETs carry parameters in it. 16 KiB holds a GET with a
    /// few KiB of parameters, twice nginx's default 8 KiB. Exceeded: 414 URI Too Long.
    public var requestLineBytesMax: Int
    /// The whole header section, request line included. A botocore SigV4 request has about 1 KiB
    /// of headers; 32 KiB leaves room for session tokens (~1-2 KiB) and proxies' additions.
    /// Exceeded: 431 Request Header Fields Too Large.
    public var headerBytesMax: Int
    /// Header fields per request. botocore sends ~10, Java v2 ~15. Exceeded: 431.
    public var headerCountMax: Int
    /// Body bytes (Content-Length). A message may be 1 MiB (docs/sqs-wire.md, "Queue attributes": MaximumMessageSize)
    /// and a batch's payload 1 MiB in total ("Operations"), but encoding inflates it: botocore's `json.dumps`
    /// escapes a 4-byte UTF-8 character as a 12-byte surrogate pair, and form encoding turns every
    /// byte into `%XX`, so the worst legal payload is 3 MiB. Plus 1 MiB for member names, ids,
    /// attributes and base64 (4/3) binaries. Exceeded: 413 Content Too Large.
    public var bodyBytesMax: Int

    public init(
        requestLineBytesMax: Int = 16 * 1024,
        headerBytesMax: Int = 32 * 1024,
        headerCountMax: Int = 100,
        bodyBytesMax: Int = 4 * 1024 * 1024
    ) {
        self.requestLineBytesMax = requestLineBytesMax
        self.headerBytesMax = headerBytesMax
        self.headerCountMax = headerCountMax
        self.bodyBytesMax = bodyBytesMax
    }

    public static let standard = HTTPLimits()
}

/// Why a byte stream is not a request Ferry will serve. After one of these the connection is
/// answered with `response` and closed: the stream cannot be resynchronized.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// Malformed syntax (bad request line, header without a colon, obs-fold, bad Content-Length...).
    case badRequest(String)
    /// Request line longer than `requestLineBytesMax`.
    case requestLineTooLong
    /// Header section larger than `headerBytesMax`, or more than `headerCountMax` fields.
    case headersTooLarge(String)
    /// Content-Length above `bodyBytesMax`.
    case bodyTooLarge(Int)
    /// A POST/PUT without Content-Length (and without Transfer-Encoding).
    case lengthRequired
    /// Any Transfer-Encoding: Ferry supports only Content-Length framing (every AWS SDK sends it
    /// for SQS; chunked bodies would only add a smuggling surface). RFC 9112 §6.1: 501.
    case transferEncodingNotImplemented(String)
    /// `Expect` other than `100-continue`.
    case expectationFailed(String)
    /// Not HTTP/1.0 or HTTP/1.1.
    case versionNotSupported(String)

    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .requestLineTooLong: return 414
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        case .lengthRequired: return 411
        case .transferEncodingNotImplemented: return 501
        case .expectationFailed: return 417
        case .versionNotSupported: return 505
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let why): return "Bad request: \(why)"
        case .requestLineTooLong: return "Request line too long"
        case .headersTooLarge(let why): return "Request header fields too large: \(why)"
        case .bodyTooLarge(let length): return "Request body of \(length) bytes is too large"
        case .lengthRequired: return "Content-Length required"
        case .transferEncodingNotImplemented(let coding):
            return "Transfer-Encoding \(coding) is not supported; send Content-Length"
        case .expectationFailed(let expect): return "Expectation \(expect) not supported"
        case .versionNotSupported(let version): return "HTTP version \(version) not supported"
        }
    }

    /// A plain-text response to write before closing the connection. The request's protocol is
    /// unknown at this point, so the body is text, not SQS JSON or XML.
    public var response: HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array((message + "\n").utf8))
    }
}

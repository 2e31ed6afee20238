import FerrySQS

/// An incremental HTTP/1.1 response parser for clients (`ferry` and `ferry bench`; the server only writes
/// responses): feed it bytes as they arrive, get back
/// complete responses, in order (pipelined responses in one chunk, one response split across any
/// number of chunks).
///
/// Framing (RFC 9112 §6.3): a `Content-Length` body; no body for 1xx, 204 and 304 (and for a
/// response to HEAD, which the caller announces with `expectNoBody()`); otherwise the body runs
/// until the connection closes, which the caller reports with `finish()`. `Transfer-Encoding` is
/// refused: Ferry and SQS frame every response with Content-Length. After the first error the parser
/// is dead and the connection must be closed.
///
/// State machine:
///
///     head --(blank line)--> body(length) --(length bytes)--> head
///     head --(blank line, no length)--> untilClose --(finish)--> done
///       \-------------------------- error ---------------------------> failed (terminal)
public struct HTTPResponseParser: Sendable {
    public enum Event: Sendable, Equatable {
        /// A complete response (interim 1xx responses other than 101 are skipped).
        case response(HTTPResponse)
        /// The stream is unusable; close the connection.
        case error(HTTPResponseParseError)
    }

    private enum State: Sendable {
        case head
        case body(HTTPResponse, length: Int)
        case untilClose(HTTPResponse)
        case failed
    }

    public let limits: HTTPLimits
    private var state: State = .head
    private var buffer = HTTPReadBuffer()
    /// Responses still to come that carry no body whatever their headers say (answers to HEAD).
    private var noBodyPending = 0

    public init(limits: HTTPLimits = .standard) {
        self.limits = limits
    }

    /// Whether a previous `feed` or `finish` reported an error.
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// True between responses: no partial response is buffered.
    public var isIdle: Bool {
        if case .head = state { return buffer.unconsumedCount == 0 }
        return false
    }

    /// The next response not yet parsed answers a HEAD request: it has no body.
    public mutating func expectNoBody() { noBodyPending += 1 }

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        if case .failed = state { return [] }
        buffer.append(bytes)
        var events: [Event] = []
        while let event = step() {
            events.append(event)
            if case .error = event {
                fail()
                break
            }
        }
        buffer.compact()
        return events
    }

    /// The peer closed the connection: completes a body that runs until close, and reports a
    /// response cut short as an error.
    public mutating func finish() -> [Event] {
        switch state {
        case .failed:
            return []
        case .untilClose(var response):
            response.body = buffer.takeAll()
            fail()
            return [.response(response)]
        case .body(_, let length):
            let received = buffer.unconsumedCount
            fail()
            return [.error(.truncated("connection closed after \(received) of \(length) body bytes"))]
        case .head:
            let partial = buffer.unconsumedCount
            fail()
            return partial == 0 ? [] : [.error(.truncated("connection closed inside a response head"))]
        }
    }

    private mutating func fail() {
        state = .failed
        buffer.removeAll()
    }

    /// Advances by at most one event; nil when more bytes are needed.
    private mutating func step() -> Event? {
        switch state {
        case .failed, .untilClose:
            return nil
        case .head:
            return stepHead()
        case .body(var response, let length):
            guard buffer.unconsumedCount >= length else { return nil }
            response.body = buffer.take(length)
            state = .head
            return .response(response)
        }
    }

    private mutating func stepHead() -> Event? {
        while true {
            guard let headEnd = buffer.findHead() else {
                if buffer.unconsumedCount > limits.headerBytesMax {
                    return .error(.headersTooLarge(limits.headerBytesMax))
                }
                return nil
            }
            if headEnd.length > limits.headerBytesMax {
                return .error(.headersTooLarge(limits.headerBytesMax))
            }
            let head = buffer.takeHead(headEnd)
            let response: HTTPResponse
            if let (status, headers) = head.withUnsafeBufferPointer({
                HTTPHeadParser.parseResponseASCII($0, headerCountMax: limits.headerCountMax)
            }) {
                response = HTTPResponse(status: status, headers: headers)
            } else {
                do {
                    response = try Self.parseHead(head, limits: limits)
                } catch {
                    return .error(error)
                }
            }
            if response.status >= 100 && response.status < 200 && response.status != 101 {
                continue  // interim response (100 Continue): the final one follows
            }
            let framing: Framing
            do {
                framing = try Self.framing(of: response, noBody: noBodyPending > 0, limits: limits)
            } catch {
                return .error(error)
            }
            if noBodyPending > 0 { noBodyPending -= 1 }
            switch framing {
            case .length(let length):
                state = .body(response, length: length)
                return step()
            case .untilClose:
                state = .untilClose(response)
                return nil
            }
        }
    }

    private enum Framing {
        case length(Int)
        case untilClose
    }

    private static func framing(
        of response: HTTPResponse, noBody: Bool, limits: HTTPLimits
    )
        throws(HTTPResponseParseError) -> Framing
    {
        if noBody || response.status == 204 || response.status == 304 { return .length(0) }
        if let coding = response.headers["Transfer-Encoding"] { throw .transferEncodingNotSupported(coding) }
        let lengths = response.headers.values(for: "Content-Length")
        guard let first = lengths.first else { return .untilClose }
        guard lengths.allSatisfy({ $0 == first }), let length = Int(first), length >= 0,
            first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else {
            throw .malformed("bad Content-Length \(lengths)")
        }
        if length > limits.bodyBytesMax { throw .bodyTooLarge(length) }
        return .length(length)
    }

    /// Status line (`HTTP/1.1 200 OK`) and header fields, up to the last field's line end. Scans the bytes
    /// (lines end in LF, an optional CR before it dropped); only names and values become Strings. Any head:
    /// the common all-ASCII one goes through `HTTPHeadParser.parseResponseASCII` first, and this one gives
    /// the exact error for a bad head.
    static func parseHead(_ head: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPResponseParseError) -> HTTPResponse
    {
        var lines: [Range<Int>] = []
        var lineStart = head.startIndex
        for index in head.indices where head[index] == 0x0A {
            lines.append(lineStart..<index)
            lineStart = index + 1
        }
        lines.append(lineStart..<head.endIndex)
        lines = lines.map { head[$0].last == 0x0D ? $0.lowerBound..<($0.upperBound - 1) : $0 }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let statusRange = lines.first else { throw .malformed("empty response") }
        guard let statusLine = String(validating: head[statusRange], as: UTF8.self) else {
            throw .malformed("header section is not valid UTF-8")
        }
        let status = try parseStatusLine(Substring(statusLine))
        if lines.count - 1 > limits.headerCountMax { throw .headersTooLarge(limits.headerBytesMax) }
        var headers = HTTPHeaders()
        for range in lines.dropFirst() {
            let line = head[range]
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon != line.startIndex else {
                throw .malformed("header field without a name or colon")
            }
            let nameBytes = line[..<colon]
            guard !nameBytes.contains(0x20), !nameBytes.contains(0x09) else {
                throw .malformed("whitespace in a field name")
            }
            var valueBytes = line[(colon + 1)...]
            while let first = valueBytes.first, first == 0x20 || first == 0x09 { valueBytes.removeFirst() }
            while let last = valueBytes.last, last == 0x20 || last == 0x09 { valueBytes.removeLast() }
            guard let name = String(validating: nameBytes, as: UTF8.self),
                let value = String(validating: valueBytes, as: UTF8.self)
            else {
                throw .malformed("header section is not valid UTF-8")
            }
            headers.add(name: name, value: value)
        }
        return HTTPResponse(status: status, headers: headers)
    }

    /// `HTTP/1.x SSS reason`: the reason phrase may be empty or absent.
    static func parseStatusLine(_ line: Substring) throws(HTTPResponseParseError) -> Int {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0" else {
            throw .malformed("bad status line")
        }
        guard parts[1].utf8.count == 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let status = Int(parts[1]), status >= 100
        else {
            throw .malformed("bad status code")
        }
        return status
    }
}

/// Why a byte stream is not a response the client can use; the connection must be closed.
public enum HTTPResponseParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad status line, header field or Content-Length.
    case malformed(String)
    /// Header section above `HTTPLimits.headerBytesMax` bytes (or too many fields).
    case headersTooLarge(Int)
    /// Content-Length above `HTTPLimits.bodyBytesMax`.
    case bodyTooLarge(Int)
    /// Chunked or another transfer coding: not spoken by SQS servers, not supported here.
    case transferEncodingNotSupported(String)
    /// The connection closed in the middle of a response.
    case truncated(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed HTTP response: \(why)"
        case .headersTooLarge(let bytes): return "HTTP response head larger than \(bytes) bytes"
        case .bodyTooLarge(let length): return "HTTP response body of \(length) bytes is too large"
        case .transferEncodingNotSupported(let coding): return "Transfer-Encoding \(coding) is not supported"
        case .truncated(let why): return "truncated HTTP response: \(why)"
        }
    }
}

/// An incremental HTTP/1.1 request parser: feed it bytes as they arrive from a socket, get back
/// complete requests.
///
/// Supports keep-alive and pipelining (several requests in one chunk, a request split across any
/// number of chunks) and Content-Length bodies. It does not support Transfer-Encoding (501, see
/// `HTTPParseError.transferEncodingNotImplemented`). After the first error the parser is dead:
/// the caller writes `error.response` and closes the connection.
///
/// State machine:
///
///     head --(blank line)--> body(length) --(length bytes)--> head
///       \------------------------ error ------------------------> failed (terminal)
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable, Equatable {
        /// A complete request.
        case request(HTTPRequest)
        /// The client sent `Expect: 100-continue` and waits: write `HTTPResponse.continueBytes`.
        case sendContinue
        /// The stream is unusable; write `error.response` with `Connection: close` and close.
        case error(HTTPParseError)
    }

    private enum State: Sendable {
        case head
        case body(HTTPRequest, length: Int)
        case failed
    }

    public let limits: HTTPLimits
    private var state: State = .head
    private var buffer = HTTPReadBuffer()

    public init(limits: HTTPLimits = .standard) {
        self.limits = limits
    }

    /// Whether a previous `feed` reported an error.
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Bytes received but not yet part of a complete request.
    public var bufferedBytes: Int { buffer.unconsumedCount }

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        if case .failed = state { return [] }
        buffer.append(bytes)
        var events: [Event] = []
        while let event = step() {
            events.append(event)
            if case .error = event {
                state = .failed
                buffer.removeAll()
                break
            }
        }
        buffer.compact()
        return events
    }

    /// Advances by at most one event; nil when more bytes are needed.
    private mutating func step() -> Event? {
        switch state {
        case .failed:
            return nil
        case .head:
            return stepHead()
        case .body(let request, let length):
            guard buffer.unconsumedCount >= length else { return nil }
            var complete = request
            complete.body = buffer.take(length)
            state = .head
            return .request(complete)
        }
    }

    private mutating func stepHead() -> Event? {
        buffer.skipEmptyLines()
        if let lineLength = buffer.distanceToFirst(0x0A) {
            if lineLength > limits.requestLineBytesMax { return .error(.requestLineTooLong) }
        } else if buffer.unconsumedCount > limits.requestLineBytesMax {
            return .error(.requestLineTooLong)
        }
        guard let headEnd = buffer.findHead() else {
            if buffer.unconsumedCount > limits.headerBytesMax {
                return .error(.headersTooLarge("more than \(limits.headerBytesMax) bytes"))
            }
            return nil
        }
        if headEnd.length > limits.headerBytesMax {
            return .error(.headersTooLarge("more than \(limits.headerBytesMax) bytes"))
        }
        let head = buffer.takeHead(headEnd)
        let request: HTTPRequest
        let length: Int
        let expectsContinue: Bool
        do {
            request = try HTTPHeadParser.parse(head, limits: limits)
            (length, expectsContinue) = try HTTPHeadParser.framing(of: request, limits: limits)
        } catch {
            return .error(error)
        }
        state = .body(request, length: length)
        if expectsContinue && length > 0 && buffer.unconsumedCount < length { return .sendContinue }
        return step()
    }
}

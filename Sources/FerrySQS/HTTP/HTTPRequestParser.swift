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
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already consumed; compacted lazily so pipelined requests cost O(n).
    private var start = 0
    /// Where the search for the end of the head resumes (no rescanning on every small chunk).
    private var scanFrom = 0

    /// Once this many consumed bytes sit at the front of `buffer`, they are dropped. Large enough
    /// that compaction is rare, small enough that an idle keep-alive connection holds little.
    static let compactBytesMin = 64 * 1024

    public init(limits: HTTPLimits = .standard) {
        self.limits = limits
    }

    /// Whether a previous `feed` reported an error.
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Bytes received but not yet part of a complete request.
    public var bufferedBytes: Int { buffer.count - start }

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        if case .failed = state { return [] }
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while let event = step() {
            events.append(event)
            if case .error = event {
                state = .failed
                buffer = []
                start = 0
                break
            }
        }
        compact()
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
            guard buffer.count - start >= length else { return nil }
            var complete = request
            complete.body = Array(buffer[start..<(start + length)])
            start += length
            scanFrom = start
            state = .head
            return .request(complete)
        }
    }

    private mutating func stepHead() -> Event? {
        // RFC 9112 §2.2: ignore empty lines received before the request line.
        while start < buffer.count, buffer[start] == 0x0D || buffer[start] == 0x0A { start += 1 }
        if scanFrom < start { scanFrom = start }
        if let lineEnd = firstIndex(of: 0x0A, from: start) {
            if lineEnd - start > limits.requestLineBytesMax { return .error(.requestLineTooLong) }
        } else if buffer.count - start > limits.requestLineBytesMax {
            return .error(.requestLineTooLong)
        }
        guard let headEnd = findHeadEnd() else {
            if buffer.count - start > limits.headerBytesMax {
                return .error(.headersTooLarge("more than \(limits.headerBytesMax) bytes"))
            }
            return nil
        }
        if headEnd.contentEnd - start > limits.headerBytesMax {
            return .error(.headersTooLarge("more than \(limits.headerBytesMax) bytes"))
        }
        let head = buffer[start..<headEnd.contentEnd]
        start = headEnd.next
        scanFrom = start
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
        if expectsContinue && length > 0 && buffer.count - start < length { return .sendContinue }
        return step()
    }

    /// The end of the header section: the first empty line (CRLF CRLF, or bare LF LF per RFC 9112 §2.2).
    private mutating func findHeadEnd() -> (contentEnd: Int, next: Int)? {
        var i = max(scanFrom, start)
        while i < buffer.count {
            if buffer[i] == 0x0A {
                if i + 1 < buffer.count, buffer[i + 1] == 0x0A { return (i + 1, i + 2) }
                if i + 2 < buffer.count, buffer[i + 1] == 0x0D, buffer[i + 2] == 0x0A { return (i + 1, i + 3) }
                if i + 2 >= buffer.count { break }  // the terminator may still be arriving
            }
            i += 1
        }
        scanFrom = max(start, i)
        return nil
    }

    private func firstIndex(of byte: UInt8, from: Int) -> Int? {
        var i = from
        while i < buffer.count {
            if buffer[i] == byte { return i }
            i += 1
        }
        return nil
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.count <= HTTPRequestParser.compactBytesMin)
            scanFrom -= start
            start = 0
        } else if start >= HTTPRequestParser.compactBytesMin {
            buffer.removeFirst(start)
            scanFrom -= start
            start = 0
        }
    }
}

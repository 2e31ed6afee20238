/// HTTP/1.1 messages as FerrySQS sees them: a parsed request and a response to serialize.
///
/// Values only; no sockets. The runtime feeds bytes to `HTTPRequestParser` and writes
/// `HTTPResponse.serialized(keepAlive:)` back.

/// The header fields of a request, in arrival order, with their raw values.
///
/// Lookup is case-insensitive (RFC 9110 §5.1). Values are kept exactly as received apart from the
/// optional whitespace around them (RFC 9112 §5), because SigV4 signs the Host header as sent.
///
/// The fields are kept as bytes, names and values back to back in one array, and become `String`s only when
/// asked for: an SDK's request has a dozen fields and the node reads about half of them, so building two
/// strings a field as the head was parsed cost ~4.5k instructions a request (two dozen strings, the long
/// values each an allocation).
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    /// Every field's name then value, as UTF-8, in arrival order.
    private var text: [UInt8] = []
    /// Where each field's name and value lie in `text` (in a parsed head, the colon and blanks between them).
    private var spans: [Span] = []
    /// Each field's `nameKey`, in step with `spans`. Lookups compare these plain words and compare names
    /// only where they match: a dozen lookups among a dozen fields a request.
    private var nameKeys: [UInt64] = []

    private struct Span: Sendable, Equatable {
        var nameStart: Int
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    public init(_ fields: [(name: String, value: String)] = []) {
        for (name, value) in fields { add(name: name, value: value) }
    }

    /// All fields as strings, in arrival order.
    public var fields: [(name: String, value: String)] {
        (0..<spans.count).map { (name(at: $0), value(at: $0)) }
    }

    public mutating func add(name: String, value: String) {
        let nameStart = text.count
        text.append(contentsOf: name.utf8)
        let valueStart = text.count
        text.append(contentsOf: value.utf8)
        spans.append(Span(nameStart: nameStart, nameEnd: valueStart, valueStart: valueStart, valueEnd: text.count))
        nameKeys.append(HTTPHeaders.nameKey(name))
    }

    /// For the head parser: the fields will be `addField`s of `head` (valid UTF-8: the parser checked), kept
    /// whole in one copy.
    package init(head: UnsafeBufferPointer<UInt8>, fieldsExpected: Int) {
        text = Array(head)
        spans.reserveCapacity(fieldsExpected)
        nameKeys.reserveCapacity(fieldsExpected)
    }

    /// Adds the field whose name and value lie at these offsets of the head given to `init(head:fieldsExpected:)`.
    package mutating func addField(name: Range<Int>, value: Range<Int>) {
        spans.append(
            Span(
                nameStart: name.lowerBound, nameEnd: name.upperBound, valueStart: value.lowerBound,
                valueEnd: value.upperBound))
        nameKeys.append(text.withUnsafeBufferPointer { HTTPHeaders.nameKey(UnsafeBufferPointer(rebasing: $0[name])) })
    }

    /// Calls `body` with each field's name and value bytes, in order, without building `String`s.
    func forEachField(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        text.withUnsafeBufferPointer { all in
            for span in spans {
                body(
                    UnsafeBufferPointer(rebasing: all[span.nameStart..<span.nameEnd]),
                    UnsafeBufferPointer(rebasing: all[span.valueStart..<span.valueEnd]))
            }
        }
    }

    /// Bytes of all names and values together.
    var textBytes: Int { spans.reduce(0) { $0 + ($1.nameEnd - $1.nameStart) + ($1.valueEnd - $1.valueStart) } }

    /// The name of the field at `index`, as sent.
    func name(at index: Int) -> String {
        String(decoding: text[spans[index].nameStart..<spans[index].nameEnd], as: UTF8.self)
    }

    /// The value of the field at `index`.
    func value(at index: Int) -> String {
        String(decoding: text[spans[index].valueStart..<spans[index].valueEnd], as: UTF8.self)
    }

    /// Calls `body` with the value bytes of the field at `index`, without building a `String`.
    func withValueBytes<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let span = spans[index]
        return text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[span.valueStart..<span.valueEnd])) }
    }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        firstIndex(of: name).map { value(at: $0) }
    }

    /// The index of the first field at or after `start` named `name` (ASCII case-insensitively).
    func firstIndex(of name: String, from start: Int = 0) -> Int? {
        let key = HTTPHeaders.nameKey(name)
        // A key holds a name of up to 7 bytes whole (and its length); a longer one is confirmed byte by byte.
        let keyIsWholeName = name.utf8.count <= HTTPHeaders.nameKeyBytes
        var i = start
        while i < nameKeys.count {
            if nameKeys[i] == key, keyIsWholeName || nameEquals(at: i, name) { return i }
            i += 1
        }
        return nil
    }

    private func nameEquals(at index: Int, _ name: String) -> Bool {
        var name = name
        let span = spans[index]
        return name.withUTF8 { wanted in
            text.withUnsafeBufferPointer {
                HTTPHeaders.namesEqual(UnsafeBufferPointer(rebasing: $0[span.nameStart..<span.nameEnd]), wanted)
            }
        }
    }

    /// Every value of `name`, in arrival order.
    public func values(for name: String) -> [String] {
        var found: [String] = []
        var next = firstIndex(of: name)
        while let i = next {
            found.append(value(at: i))
            next = firstIndex(of: name, from: i + 1)
        }
        return found
    }

    /// How many fields are named `name`.
    func count(of name: String) -> Int {
        var n = 0
        var next = firstIndex(of: name)
        while let i = next {
            n += 1
            next = firstIndex(of: name, from: i + 1)
        }
        return n
    }

    public func contains(_ name: String) -> Bool { firstIndex(of: name) != nil }

    public var count: Int { spans.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.spans.count == rhs.spans.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    static let nameKeyBytes = 7

    /// A name's first 7 bytes with A-Z folded to a-z (byte i at bits 8i), and its length (capped at 255) in
    /// the top byte. Names that are `namesEqual` have equal keys; for names of up to 7 bytes the converse
    /// holds too.
    static func nameKey(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var key = UInt64(Swift.min(name.count, 255)) << 56
        for i in 0..<Swift.min(name.count, nameKeyBytes) {
            let byte = name[i]
            key |= UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) << UInt64(8 * i)
        }
        return key
    }

    static func nameKey(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { nameKey($0) }
    }

    /// ASCII case-insensitive equality of two names: A-Z match a-z, every other byte compares exactly (field
    /// names are tokens, RFC 9110 §5.6.2, so nothing else needs folding).
    /// Over contiguous UTF-8 buffers (`withUTF8`): zipping two `String.UTF8View`s cost more per request than
    /// every other part of a header lookup.
    static func namesEqual(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a
        var b = b
        return a.withUTF8 { au in b.withUTF8 { bu in namesEqual(au, bu) } }
    }

    static func namesEqual(_ au: UnsafeBufferPointer<UInt8>, _ bu: UnsafeBufferPointer<UInt8>) -> Bool {
        guard au.count == bu.count else { return false }
        for i in 0..<au.count where au[i] != bu[i] {
            let x = au[i] | 0x20
            guard x == bu[i] | 0x20, x >= 0x61, x <= 0x7A else { return false }
        }
        return true
    }

    static func equalsIgnoringCase(_ name: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        name.count == lowercase.utf8CodeUnitCount && hasPrefixIgnoringCase(name, lowercase)
    }

    static func equalsIgnoringCase(_ name: String, _ lowercase: StaticString) -> Bool {
        name.utf8.count == lowercase.utf8CodeUnitCount && hasPrefixIgnoringCase(name, lowercase)
    }

    /// Whether `text` starts with `lowercase` once A-Z are folded to a-z.
    static func hasPrefixIgnoringCase(_ text: String, _ lowercase: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { hasPrefixIgnoringCase($0, lowercase) }
    }

    static func hasPrefixIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count >= lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { wanted in
            for i in 0..<wanted.count {
                let byte = bytes[i]
                guard (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == wanted[i] else { return false }
            }
            return true
        }
    }
}

public enum HTTPVersion: String, Sendable, Equatable {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

/// One complete request, body included.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request-target exactly as sent (origin form, e.g. `/000000000000/q1?Action=ListQueues`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(
        method: String, target: String, version: HTTPVersion = .http11,
        headers: HTTPHeaders, body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The target's path, still percent-encoded (SigV4 canonicalizes the path as sent).
    public var path: String {
        if let q = queryMark { return String(target[..<q]) }
        return target
    }

    /// The raw query string after `?`, without the `?`; empty when there is none.
    public var query: String {
        if let q = queryMark { return String(target[target.index(after: q)...]) }
        return ""
    }

    /// The first `?` Character of the target. An ASCII target is searched bytewise (the usual one is `/`);
    /// otherwise by Character, where a `?` joined to a neighbouring scalar does not count.
    private var queryMark: String.Index? {
        let utf8 = target.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.firstIndex(of: UInt8(ascii: "?")) }
        return target.firstIndex(of: "?")
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool {
        if !headers.contains("connection") {
            return version == .http11
        }
        let tokens = headers.values(for: "Connection")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces().lowercased() }
        switch version {
        case .http11: return !tokens.contains("close")
        case .http10: return tokens.contains("keep-alive")
        }
    }
}

/// A response to serialize. `Content-Length` and `Connection` are added by `serialized`.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The interim response a client waiting on `Expect: 100-continue` needs before it sends the body.
    public static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Status line, headers, `Content-Length`, `Connection`, blank line, body: written into one buffer
    /// sized for all of it (this runs once per response).
    public func serialized(keepAlive: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + headers.textBytes + 4 * headers.count + body.count)
        append("HTTP/1.1 ", to: &out)
        JSONWriter.appendInt(Int64(status), to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: HTTPResponse.reasonPhrase(status).utf8)
        append("\r\n", to: &out)
        headers.forEachField { name, value in
            guard !HTTPHeaders.equalsIgnoringCase(name, "content-length"),
                !HTTPHeaders.equalsIgnoringCase(name, "connection")
            else { return }
            out.append(contentsOf: name)
            append(": ", to: &out)
            out.append(contentsOf: value)
            append("\r\n", to: &out)
        }
        append("Content-Length: ", to: &out)
        JSONWriter.appendInt(Int64(body.count), to: &out)
        append(keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n", to: &out)
        out.append(contentsOf: body)
        return out
    }

    private func append(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 417: return "Expectation Failed"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and horizontal tabs (HTTP's OWS), nothing else. Works on the
    /// UTF-8 bytes: both are ASCII, so no scalar boundary is ever split.
    public func trimmingSpaces() -> String {
        let text = Substring(self)
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while start < end {
            let before = utf8.index(before: end)
            guard utf8[before] == 0x20 || utf8[before] == 0x09 else { break }
            end = before
        }
        return String(text[start..<end])
    }
}

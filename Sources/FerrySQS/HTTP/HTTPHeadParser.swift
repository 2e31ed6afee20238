/// Parses one complete request head (request line and header fields, up to and including the
/// last field's line end) and decides how the body is framed.
package enum HTTPHeadParser {
    static func parse(_ head: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPParseError) -> HTTPRequest {
        if let request = head.withUnsafeBufferPointer({ parseASCII($0, limits: limits) }) { return request }
        return try parseGeneral(head, limits: limits)
    }

    /// The common case in one pass over the bytes: an all-ASCII head that parses without error. nil for
    /// anything else (non-ASCII, any error, any limit hit), which `parseGeneral` then parses or refuses
    /// with the exact error. For ASCII text, splitting on bytes is splitting on Characters (the only
    /// multi-scalar ASCII grapheme is CR LF, and lines are split at LF), so both paths agree.
    static func parseASCII(_ head: UnsafeBufferPointer<UInt8>, limits: HTTPLimits) -> HTTPRequest? {
        guard ASCIIWords.isASCII(head) else { return nil }
        var requestLine: (method: String, target: String, version: HTTPVersion)?
        var headers = HTTPHeaders(head: head, fieldsExpected: 16)  // an SDK's request has 10-12 fields
        var fieldCount = 0
        var hostCount = 0
        let parsed = forEachLineASCII(head) { line, lineOffset in
            guard requestLine != nil else {
                requestLine = parseRequestLineASCII(line)
                return requestLine != nil
            }
            fieldCount += 1
            if isHostField(line) { hostCount += 1 }
            return fieldCount <= limits.headerCountMax && addFieldASCII(line, at: lineOffset, to: &headers)
        }
        guard parsed else { return nil }
        guard let (method, target, version) = requestLine else { return nil }
        if version == .http11 && hostCount != 1 { return nil }
        return HTTPRequest(method: method, target: target, version: version, headers: headers)
    }

    /// A response head (`HTTP/1.1 200 OK` and fields) in one pass over an all-ASCII head, for the client's
    /// parser (FerryClient): the fields kept in one copy of the head as for a request. nil for anything
    /// else (non-ASCII, a malformed line, more than `headerCountMax` fields), which the client then parses
    /// the general way for the exact error.
    package static func parseResponseASCII(
        _ head: UnsafeBufferPointer<UInt8>, headerCountMax: Int
    ) -> (status: Int, headers: HTTPHeaders)? {
        guard ASCIIWords.isASCII(head) else { return nil }
        var status: Int?
        var headers = HTTPHeaders(head: head, fieldsExpected: 8)
        var fieldCount = 0
        let parsed = forEachLineASCII(head) { line, lineOffset in
            guard status != nil else {
                status = parseStatusLineASCII(line)
                return status != nil
            }
            fieldCount += 1
            return fieldCount <= headerCountMax && addFieldASCII(line, at: lineOffset, to: &headers)
        }
        guard parsed else { return nil }
        return status.map { ($0, headers) }
    }

    /// Calls `body` with each non-empty line of an ASCII head (split at LF, a CR before it dropped) and the
    /// line's offset in `head`, while it returns true. False when `body` refused a line, or when an empty
    /// line comes before the end (the parser cut the head at the first one, so one can only be the last;
    /// the general path refuses one anywhere else).
    private static func forEachLineASCII(
        _ head: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Bool
    ) -> Bool {
        var lineStart = 0
        while lineStart < head.count {
            var lineEnd = ASCIIWords.firstIndex(of: 0x0A, in: head, from: lineStart, to: head.count) ?? head.count
            let next = lineEnd + 1
            if lineEnd > lineStart, head[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: head[lineStart..<lineEnd])
            let lineOffset = lineStart
            lineStart = next
            if line.isEmpty {
                guard lineStart >= head.count else { return false }
                continue
            }
            guard body(line, lineOffset) else { return false }
        }
        return true
    }

    /// Adds the field on `line` (at `lineOffset` in the head `headers` keeps); false when it does not parse.
    private static func addFieldASCII(
        _ line: UnsafeBufferPointer<UInt8>, at lineOffset: Int, to headers: inout HTTPHeaders
    ) -> Bool {
        guard let (name, value) = parseFieldASCII(line) else { return false }
        headers.addField(
            name: (lineOffset + name.lowerBound)..<(lineOffset + name.upperBound),
            value: (lineOffset + value.lowerBound)..<(lineOffset + value.upperBound))
        return true
    }

    /// `HTTP/1.x DDD reason` (the reason may be empty or absent): the status code, 100 or more.
    static func parseStatusLineASCII(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard line.count >= 12, line[8] == 0x20, line.count == 12 || line[12] == 0x20,
            UnsafeBufferPointer(rebasing: line[0..<7]).elementsEqual("HTTP/1.".utf8),
            line[7] == UInt8(ascii: "1") || line[7] == UInt8(ascii: "0")
        else { return nil }
        var status = 0
        for i in 9..<12 {
            guard isDigit(line[i]) else { return nil }
            status = status * 10 + Int(line[i] - 0x30)
        }
        return status >= 100 ? status : nil
    }

    /// Whether a field line that parsed is named Host (any case): its first colon is then at 4.
    private static func isHostField(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.count >= 5 && line[4] == UInt8(ascii: ":") && line[0] | 0x20 == UInt8(ascii: "h")
            && line[1] | 0x20 == UInt8(ascii: "o") && line[2] | 0x20 == UInt8(ascii: "s")
            && line[3] | 0x20 == UInt8(ascii: "t")
    }

    static func parseRequestLineASCII(_ line: UnsafeBufferPointer<UInt8>) -> (String, String, HTTPVersion)? {
        guard let firstSpace = line.firstIndex(of: 0x20) else { return nil }
        guard let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 0x20),
            !line[(secondSpace + 1)...].contains(0x20)
        else { return nil }
        let method = UnsafeBufferPointer(rebasing: line[..<firstSpace])
        let target = UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        let version = UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...])
        guard !method.isEmpty, !target.isEmpty, target[0] == UInt8(ascii: "/"),
            method.allSatisfy(isTokenByte), target.allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else { return nil }
        let parsedVersion: HTTPVersion
        if version.elementsEqual("HTTP/1.1".utf8) {
            parsedVersion = .http11
        } else if version.elementsEqual("HTTP/1.0".utf8) {
            parsedVersion = .http10
        } else {
            return nil
        }
        return (String(decoding: method, as: UTF8.self), String(decoding: target, as: UTF8.self), parsedVersion)
    }

    /// A field line of an ASCII head (`ASCIIWords` needs every byte below 0x80): where its name and value lie.
    static func parseFieldASCII(_ line: UnsafeBufferPointer<UInt8>) -> (name: Range<Int>, value: Range<Int>)? {
        guard let colon = ASCIIWords.firstIndex(of: UInt8(ascii: ":"), in: line, from: 0, to: line.count), colon > 0
        else { return nil }
        var start = colon + 1
        var end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        for i in 0..<colon where !ASCIIWords.isTokenByte(line[i]) { return nil }
        guard ASCIIWords.isFieldValue(line, from: start, to: end) else { return nil }
        return (0..<colon, start..<end)
    }

    /// Any head, and the exact error for a bad one.
    static func parseGeneral(_ head: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPParseError) -> HTTPRequest {
        // Split on LF bytes, not on Characters: Swift treats CR LF as one grapheme.
        var lines: [Substring] = []
        for raw in head.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let bytes = raw.last == 0x0D ? raw.dropLast() : raw
            guard let line = String(validating: bytes, as: UTF8.self) else {
                throw .badRequest("header section is not valid UTF-8")
            }
            lines.append(Substring(line))
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else { throw .badRequest("empty request") }
        let (method, target, version) = try parseRequestLine(requestLine)
        let fieldLines = lines.dropFirst()
        if fieldLines.count > limits.headerCountMax {
            throw .headersTooLarge("more than \(limits.headerCountMax) header fields")
        }
        var headers = HTTPHeaders()
        for line in fieldLines {
            let (name, value) = try parseField(line)
            headers.add(name: name, value: value)
        }
        if version == .http11 && headers.values(for: "Host").count != 1 {
            throw .badRequest("HTTP/1.1 requires exactly one Host header")
        }
        return HTTPRequest(method: method, target: target, version: version, headers: headers)
    }

    static func parseRequestLine(_ line: Substring) throws(HTTPParseError) -> (String, String, HTTPVersion) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .badRequest("malformed request line")
        }
        guard parts[0].utf8.allSatisfy(isTokenByte) else { throw .badRequest("malformed method") }
        guard parts[1].utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw .badRequest("malformed request target")
        }
        let target = try originForm(String(parts[1]))
        let versionText = String(parts[2])
        guard let version = HTTPVersion(rawValue: versionText) else {
            let bytes = Array(versionText.utf8)
            let looksLikeHTTP =
                bytes.count == 8 && versionText.hasPrefix("HTTP/")
                && isDigit(bytes[5]) && bytes[6] == UInt8(ascii: ".") && isDigit(bytes[7])
            if looksLikeHTTP { throw .versionNotSupported(versionText) }
            throw .badRequest("malformed HTTP version")
        }
        return (String(parts[0]), target, version)
    }

    /// Origin form (`/path?query`) as is; absolute form (`http://host/path`, RFC 9112 §3.2.2,
    /// sent through forward proxies) reduced to its origin form. `*` and authority form are refused.
    static func originForm(_ target: String) throws(HTTPParseError) -> String {
        if target.hasPrefix("/") { return target }
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            let tail = String(rest[slash...])
            return tail.hasPrefix("?") ? "/" + tail : tail
        }
        throw .badRequest("request target must be a path")
    }

    static func parseField(_ line: Substring) throws(HTTPParseError) -> (String, String) {
        if let first = line.utf8.first, first == 0x20 || first == 0x09 {
            throw .badRequest("obsolete header line folding")
        }
        guard let colon = line.firstIndex(of: ":") else { throw .badRequest("header line without a colon") }
        let name = line[..<colon]
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
            throw .badRequest("malformed header name")
        }
        let value = line[line.index(after: colon)...].trimmingSpaces()
        // Field values: visible characters, spaces, tabs and obs-text; no CR, LF or NUL (RFC 9110 §5.5).
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
            throw .badRequest("control character in header \(name)")
        }
        return (String(name), value)
    }

    /// Body length, and whether the client waits for `100 Continue`.
    static func framing(of request: HTTPRequest, limits: HTTPLimits) throws(HTTPParseError) -> (Int, Bool) {
        if let length = plainContentLength(request.headers, limits: limits) { return (length, false) }
        return try framingGeneral(of: request, limits: limits)
    }

    /// The common case without building lists: no Transfer-Encoding, no Expect, and exactly one
    /// Content-Length of 1-18 digits within the limit. nil for everything else (`framingGeneral`).
    static func plainContentLength(_ headers: HTTPHeaders, limits: HTTPLimits) -> Int? {
        guard let index = headers.firstIndex(of: "content-length"),
            headers.firstIndex(of: "content-length", from: index + 1) == nil,
            !headers.contains("transfer-encoding"), !headers.contains("expect")
        else { return nil }
        let text = headers.value(at: index)
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(isDigit), let value = Int(text),
            value <= limits.bodyBytesMax
        else { return nil }
        return value
    }

    static func framingGeneral(of request: HTTPRequest, limits: HTTPLimits) throws(HTTPParseError) -> (Int, Bool) {
        let encodings = request.headers.values(for: "Transfer-Encoding")
        if !encodings.isEmpty {
            throw .transferEncodingNotImplemented(encodings.joined(separator: ", "))
        }
        var expectsContinue = false
        if let expect = request.headers["Expect"] {
            guard expect.lowercased() == "100-continue" else { throw .expectationFailed(expect) }
            expectsContinue = request.version == .http11
        }
        let lengths = request.headers.values(for: "Content-Length")
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingSpaces() }
        guard let first = lengths.first else {
            let method = request.method
            if method == "POST" || method == "PUT" || method == "PATCH" { throw .lengthRequired }
            return (0, false)
        }
        // RFC 9112 §6.3: differing Content-Length values are unrecoverable (request smuggling).
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy(isDigit) else {
            throw .badRequest("invalid Content-Length")
        }
        guard first.utf8.count <= 18, let length = Int(first) else { throw .bodyTooLarge(Int.max) }
        if length > limits.bodyBytesMax { throw .bodyTooLarge(length) }
        return (length, expectsContinue)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}

import Crypto

/// The SigV4 canonical request, byte for byte as botocore's `SigV4Auth` builds it
/// (docs/sqs-wire.md, "Signature V4", step 3). Built straight into bytes: the verifier hashes it once per
/// request, so it is never a `String` on that path.
enum CanonicalRequest {
    static func build(_ request: HTTPRequest, signedHeaders: [String], payloadHash: String) -> String {
        String(decoding: bytes(request, signedHeaders: signedHeaders, payloadHash: payloadHash.utf8), as: UTF8.self)
    }

    /// The canonical request's bytes: method, URI, query, headers, signed header list and payload hash, one a line.
    static func bytes(_ request: HTTPRequest, signedHeaders: [String], payloadHash: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        // An SDK's canonical request is ~350 bytes; summing the fields' sizes cost more than a rare regrowth.
        out.reserveCapacity(512)
        out += request.method.utf8
        out.append(newline)
        if request.target == "/" {
            out.append(UInt8(ascii: "/"))  // the JSON protocol's target: path `/`, no query
            out.append(newline)
        } else {
            let path = request.path
            if path == "/" { out.append(UInt8(ascii: "/")) } else { out += canonicalURI(path).utf8 }
            out.append(newline)
            let query = request.query
            if !query.isEmpty { out += canonicalQuery(query).utf8 }
        }
        out.append(newline)
        appendCanonicalHeaders(request.headers, signedHeaders: signedHeaders, to: &out)
        out.append(newline)
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ";")) }
            out += name.utf8
        }
        out.append(newline)
        out += payloadHash
        return out
    }

    private static let newline = UInt8(ascii: "\n")

    /// The path as sent, dot segments and empty segments removed (botocore `remove_dot_segments`),
    /// then URI-encoded once more: non-S3 services double-encode an already encoded path.
    static func canonicalURI(_ rawPath: String) -> String {
        guard !rawPath.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: false)
        where !segment.isEmpty && segment != "." {
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
            } else {
                output.append(segment)
            }
        }
        let first = rawPath.hasPrefix("/") ? "/" : ""
        let last = rawPath.hasSuffix("/") && !output.isEmpty ? "/" : ""
        let normalized = first + output.joined(separator: "/") + last
        return normalized.isEmpty ? "/" : FormDecoding.uriEncode(normalized, keepSlash: true)
    }

    /// Parameters decoded and re-encoded with the RFC 3986 unreserved set, sorted by key then
    /// value, `k=v` joined by `&`. A `+` is kept literal (it is `%2B` once re-encoded).
    static func canonicalQuery(_ rawQuery: String) -> String {
        guard !rawQuery.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for part in rawQuery.split(separator: "&") where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = FormDecoding.percentDecode(kv[0], plusIsSpace: false) ?? String(kv[0])
            let value = kv.count > 1 ? (FormDecoding.percentDecode(kv[1], plusIsSpace: false) ?? String(kv[1])) : ""
            pairs.append((FormDecoding.uriEncode(key), FormDecoding.uriEncode(value)))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// `name:value\n` for each signed header in the order given; values trimmed, inner runs of
    /// whitespace collapsed, repeated headers joined with `,`.
    static func canonicalHeaders(_ headers: HTTPHeaders, signedHeaders: [String]) -> String {
        var out: [UInt8] = []
        appendCanonicalHeaders(headers, signedHeaders: signedHeaders, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendCanonicalHeaders(_ headers: HTTPHeaders, signedHeaders: [String], to out: inout [UInt8]) {
        for name in signedHeaders {
            out += name.utf8
            out.append(UInt8(ascii: ":"))
            var next = headers.firstIndex(of: name)
            while let index = next {
                headers.withValueBytes(at: index) { appendCollapsingWhitespace($0, to: &out) }
                next = headers.firstIndex(of: name, from: index + 1)
                if next != nil { out.append(UInt8(ascii: ",")) }
            }
            out.append(newline)
        }
    }

    /// `value` without leading and trailing spaces or tabs, each inner run of them as one space. Copies the
    /// runs between blanks whole: appending byte by byte was a quarter of building the canonical request.
    private static func appendCollapsingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var i = 0
        var end = bytes.count
        while i < end, isBlank(bytes[i]) { i += 1 }
        while end > i, isBlank(bytes[end - 1]) { end -= 1 }
        var runStart = i
        while i < end {
            guard isBlank(bytes[i]) else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            out.append(UInt8(ascii: " "))
            while i < end, isBlank(bytes[i]) { i += 1 }
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<end]))
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        MessageChecksums.hex(SHA256.hash(data: bytes))
    }
}

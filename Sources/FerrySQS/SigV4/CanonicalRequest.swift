import Crypto

/// The SigV4 canonical request, byte for byte as botocore's `SigV4Auth` builds it
/// (docs/sqs-wire.md, "Signature V4", step 3).
enum CanonicalRequest {
    static func build(_ request: HTTPRequest, signedHeaders: [String], payloadHash: String) -> String {
        [
            request.method,
            canonicalURI(request.path),
            canonicalQuery(request.query),
            canonicalHeaders(request.headers, signedHeaders: signedHeaders),
            signedHeaders.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// The path as sent, dot segments and empty segments removed (botocore `remove_dot_segments`),
    /// then URI-encoded once more: non-S3 services double-encode an already encoded path.
    static func canonicalURI(_ rawPath: String) -> String {
        guard !rawPath.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: false) where !segment.isEmpty && segment != "." {
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
        var text = ""
        for name in signedHeaders {
            let values = headers.values(for: name).map { value in
                value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            }
            text += "\(name):\(values.joined(separator: ","))\n"
        }
        return text
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        MessageChecksums.hex(SHA256.hash(data: bytes))
    }
}

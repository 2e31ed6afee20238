/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250115/us-east-1/sqs/aws4_request,
/// SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex>` (docs/sqs-wire.md, "Signature V4", step 1).
struct AuthorizationHeader: Equatable {
    static let algorithm = "AWS4-HMAC-SHA256"
    private static let algorithmPrefix = Array((algorithm + " ").utf8)

    var accessKeyId: String
    var scopeDate: String
    var region: String
    var service: String
    var terminator: String
    var signedHeaders: [String]
    var signature: String

    var scope: String { "\(scopeDate)/\(region)/\(service)/\(terminator)" }

    /// `scope`'s bytes, appended without building the string (the string to sign needs them every request).
    func appendScope(to out: inout [UInt8]) {
        out += scopeDate.utf8
        out.append(UInt8(ascii: "/"))
        out += region.utf8
        out.append(UInt8(ascii: "/"))
        out += service.utf8
        out.append(UInt8(ascii: "/"))
        out += terminator.utf8
    }

    /// Parses over the UTF-8 bytes (the header is ASCII when well formed): splitting by `Character` cost more
    /// than the rest of a request's verification together. Parts are split at `,`, trimmed of spaces and tabs,
    /// then split at their first `=`; both sides must be non-empty; a later duplicate wins.
    static func parse(_ header: String) throws(SQSError) -> AuthorizationHeader {
        var header = header
        return try header.withUTF8 { parse(utf8: $0) }.get()
    }

    /// Over contiguous bytes with integer ranges: slices of a copied array, a generic `elementsEqual` and a
    /// key path cost ~16k instructions a parse; this ~3k.
    private static func parse(utf8 text: UnsafeBufferPointer<UInt8>) -> Result<AuthorizationHeader, SQSError> {
        let whole = trimmed(text, 0..<text.count)
        guard whole.count >= algorithmPrefix.count,
            equals(text, whole.lowerBound..<(whole.lowerBound + algorithmPrefix.count), algorithmPrefix)
        else {
            return .failure(SQSError(.incompleteSignature, "Unsupported AWS 'algorithm': expected '\(algorithm)'."))
        }
        var credential: Range<Int>?
        var signed: Range<Int>?
        var signature: Range<Int>?
        // The parts between commas, one at a time (no array of them: this runs once per request).
        let partsEnd = whole.upperBound
        var partStart = whole.lowerBound + algorithmPrefix.count
        while true {
            let partEnd = firstIndex(of: UInt8(ascii: ","), in: text, partStart..<partsEnd) ?? partsEnd
            let rawPart = partStart..<partEnd
            if !rawPart.isEmpty {
                let part = trimmed(text, rawPart)
                guard let equals = firstIndex(of: UInt8(ascii: "="), in: text, part), equals > part.lowerBound,
                    equals + 1 < part.upperBound
                else {
                    return .failure(
                        SQSError(
                            .incompleteSignature,
                            "Authorization header is malformed: '\(string(text, part))'."))
                }
                let name = part.lowerBound..<equals
                let value = (equals + 1)..<part.upperBound
                if Self.equals(text, name, credentialName) {
                    credential = value
                } else if Self.equals(text, name, signedHeadersName) {
                    signed = value
                } else if Self.equals(text, name, signatureName) {
                    signature = value
                }
            }
            if partEnd == partsEnd { break }
            partStart = partEnd + 1
        }
        guard let credential, let signed, let signature else {
            return .failure(
                SQSError(
                    .incompleteSignature,
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."))
        }
        guard let scope = scopePieces(of: text, credential),
            !scope.0.isEmpty, !scope.1.isEmpty, !scope.2.isEmpty, !scope.3.isEmpty, !scope.4.isEmpty
        else {
            return .failure(
                SQSError(
                    .incompleteSignature,
                    "Credential must have the form <key>/<date>/<region>/<service>/aws4_request."))
        }
        var signedHeaders: [String] = []
        signedHeaders.reserveCapacity(8)
        var nameStart = signed.lowerBound
        while true {
            let nameEnd =
                firstIndex(of: UInt8(ascii: ";"), in: text, nameStart..<signed.upperBound) ?? signed.upperBound
            guard nameEnd > nameStart else {
                return .failure(SQSError(.incompleteSignature, "SignedHeaders is malformed."))
            }
            signedHeaders.append(string(text, nameStart..<nameEnd))
            if nameEnd == signed.upperBound { break }
            nameStart = nameEnd + 1
        }
        return .success(
            AuthorizationHeader(
                accessKeyId: string(text, scope.0), scopeDate: string(text, scope.1), region: string(text, scope.2),
                service: string(text, scope.3), terminator: string(text, scope.4),
                signedHeaders: signedHeaders, signature: string(text, signature)))
    }

    private static let credentialName = Array("Credential".utf8)
    private static let signedHeadersName = Array("SignedHeaders".utf8)
    private static let signatureName = Array("Signature".utf8)

    /// The five ranges of `range` between its four `/`s; nil for any other count of them.
    private static func scopePieces(
        of text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) -> (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>)? {
        var slashes = (0, 0, 0, 0)
        var count = 0
        for index in range where text[index] == UInt8(ascii: "/") {
            switch count {
            case 0: slashes.0 = index
            case 1: slashes.1 = index
            case 2: slashes.2 = index
            case 3: slashes.3 = index
            default: return nil
            }
            count += 1
        }
        guard count == 4 else { return nil }
        return (
            range.lowerBound..<slashes.0, (slashes.0 + 1)..<slashes.1, (slashes.1 + 1)..<slashes.2,
            (slashes.2 + 1)..<slashes.3, (slashes.3 + 1)..<range.upperBound
        )
    }

    private static func firstIndex(of byte: UInt8, in text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        range.first { text[$0] == byte }
    }

    private static func equals(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: [UInt8]) -> Bool {
        guard range.count == literal.count else { return false }
        for i in 0..<literal.count where text[range.lowerBound + i] != literal[i] { return false }
        return true
    }

    private static func string(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func trimmed(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, isSpace(text[start]) { start += 1 }
        while end > start, isSpace(text[end - 1]) { end -= 1 }
        return start..<end
    }
}

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
        for rawPart in pieces(
            of: text, (whole.lowerBound + algorithmPrefix.count)..<whole.upperBound, at: UInt8(ascii: ","))
        where !rawPart.isEmpty {
            let part = trimmed(text, rawPart)
            guard let equals = part.first(where: { text[$0] == UInt8(ascii: "=") }), equals > part.lowerBound,
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
        guard let credential, let signed, let signature else {
            return .failure(
                SQSError(
                    .incompleteSignature,
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."))
        }
        let scope = pieces(of: text, credential, at: UInt8(ascii: "/"))
        guard scope.count == 5, scope.allSatisfy({ !$0.isEmpty }) else {
            return .failure(
                SQSError(
                    .incompleteSignature,
                    "Credential must have the form <key>/<date>/<region>/<service>/aws4_request."))
        }
        let signedHeaders = pieces(of: text, signed, at: UInt8(ascii: ";"))
        guard !signedHeaders.contains(where: { $0.isEmpty }) else {
            return .failure(SQSError(.incompleteSignature, "SignedHeaders is malformed."))
        }
        return .success(
            AuthorizationHeader(
                accessKeyId: string(text, scope[0]), scopeDate: string(text, scope[1]), region: string(text, scope[2]),
                service: string(text, scope[3]), terminator: string(text, scope[4]),
                signedHeaders: signedHeaders.map { string(text, $0) }, signature: string(text, signature)))
    }

    private static let credentialName = Array("Credential".utf8)
    private static let signedHeadersName = Array("SignedHeaders".utf8)
    private static let signatureName = Array("Signature".utf8)

    /// The ranges of `range` between every `separator`, empty pieces kept.
    private static func pieces(
        of text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, at separator: UInt8
    ) -> [Range<Int>] {
        var result: [Range<Int>] = []
        result.reserveCapacity(8)
        var start = range.lowerBound
        for index in range where text[index] == separator {
            result.append(start..<index)
            start = index + 1
        }
        result.append(start..<range.upperBound)
        return result
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

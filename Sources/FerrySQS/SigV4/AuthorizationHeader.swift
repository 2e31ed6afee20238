/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250115/us-east-1/sqs/aws4_request,
/// SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex>` (docs/sqs-wire.md, "Signature V4", step 1).
struct AuthorizationHeader: Equatable {
    static let algorithm = "AWS4-HMAC-SHA256"

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
        let text = Array(header.utf8)
        var start = 0, end = text.count
        while start < end, isSpace(text[start]) { start += 1 }
        while end > start, isSpace(text[end - 1]) { end -= 1 }
        let prefix = Array((algorithm + " ").utf8)
        guard end - start >= prefix.count, text[start..<(start + prefix.count)].elementsEqual(prefix) else {
            throw SQSError(.incompleteSignature, "Unsupported AWS 'algorithm': expected '\(algorithm)'.")
        }
        var credential: ArraySlice<UInt8>?, signed: ArraySlice<UInt8>?, signature: ArraySlice<UInt8>?
        for rawPart in pieces(of: text[(start + prefix.count)..<end], at: UInt8(ascii: ",")) where !rawPart.isEmpty {
            let part = trimmed(rawPart)
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")), equals > part.startIndex,
                  equals + 1 < part.endIndex else {
                throw SQSError(.incompleteSignature, "Authorization header is malformed: '\(String(decoding: part, as: UTF8.self))'.")
            }
            let name = part[..<equals], value = part[(equals + 1)...]
            if name.elementsEqual("Credential".utf8) { credential = value }
            else if name.elementsEqual("SignedHeaders".utf8) { signed = value }
            else if name.elementsEqual("Signature".utf8) { signature = value }
        }
        guard let credential, let signed, let signature else {
            throw SQSError(.incompleteSignature,
                           "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
        }
        let scope = pieces(of: credential, at: UInt8(ascii: "/"))
        guard scope.count == 5, scope.allSatisfy({ !$0.isEmpty }) else {
            throw SQSError(.incompleteSignature,
                           "Credential must have the form <key>/<date>/<region>/<service>/aws4_request.")
        }
        let signedHeaders = pieces(of: signed, at: UInt8(ascii: ";"))
        guard !signedHeaders.contains(where: \.isEmpty) else {
            throw SQSError(.incompleteSignature, "SignedHeaders is malformed.")
        }
        func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        return AuthorizationHeader(accessKeyId: string(scope[0]), scopeDate: string(scope[1]), region: string(scope[2]),
                                   service: string(scope[3]), terminator: string(scope[4]),
                                   signedHeaders: signedHeaders.map(string), signature: string(signature))
    }

    /// `bytes` split at every `separator`, empty pieces kept (the generic `split` cost five times as much here).
    private static func pieces(of bytes: ArraySlice<UInt8>, at separator: UInt8) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        result.reserveCapacity(8)
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == separator {
            result.append(bytes[start..<index])
            start = index + 1
        }
        result.append(bytes[start..<bytes.endIndex])
        return result
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }
}

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

    static func parse(_ header: String) throws(SQSError) -> AuthorizationHeader {
        let text = header.trimmingSpaces()
        guard text.hasPrefix(algorithm + " ") else {
            throw SQSError(.incompleteSignature, "Unsupported AWS 'algorithm': expected '\(algorithm)'.")
        }
        var fields: [String: String] = [:]
        for part in text.dropFirst(algorithm.count + 1).split(separator: ",") {
            let pair = part.trimmingSpaces().split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else {
                throw SQSError(.incompleteSignature, "Authorization header is malformed: '\(part.trimmingSpaces())'.")
            }
            fields[String(pair[0])] = String(pair[1])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
              let signature = fields["Signature"] else {
            throw SQSError(.incompleteSignature,
                           "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope.allSatisfy({ !$0.isEmpty }) else {
            throw SQSError(.incompleteSignature,
                           "Credential must have the form <key>/<date>/<region>/<service>/aws4_request.")
        }
        let signedHeaders = signed.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard !signedHeaders.contains(where: \.isEmpty) else {
            throw SQSError(.incompleteSignature, "SignedHeaders is malformed.")
        }
        return AuthorizationHeader(accessKeyId: scope[0], scopeDate: scope[1], region: scope[2], service: scope[3],
                                   terminator: scope[4], signedHeaders: signedHeaders, signature: signature)
    }
}

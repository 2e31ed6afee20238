import Crypto

import enum FerryQueue.Hex

/// Verifies AWS Signature Version 4 on SQS requests (docs/sqs-wire.md, "Signature V4").
///
/// A value owned by the node's loop: `verify` is mutating because it caches signing keys.
///
///     var verifier = SigV4Verifier(SigV4Configuration(mode: .sigv4, credentials: [
///         "AKIDEXAMPLE": .init(secretAccessKey: "...", accountId: "000000000000")]))
///     let caller = try verifier.verify(request, now: epochSeconds)
public struct SigV4Verifier: Sendable {
    public let configuration: SigV4Configuration
    /// kSigning per (secret, date, region); the service is always `sqs` (`checkScope`). Keys change once a day.
    private var signingKeys: [SigningKeyScope: KeyedHMAC] = [:]
    /// The key the last request used: the next one almost always has the same scope, and comparing four
    /// short strings costs less than hashing them for the dictionary.
    private var lastSigningKey: (scope: SigningKeyScope, key: KeyedHMAC)?
    /// Bound on cached signing keys; the cache is simply dropped when full (one HMAC chain per
    /// key and day is cheap, so a rare refill costs nothing visible).
    public static let signingKeyCacheEntriesMax = 1024

    public init(_ configuration: SigV4Configuration) {
        self.configuration = configuration
    }

    static let service = SigV4Signer.service
    /// Services a request may be signed for: SQS, and SNS on the same port (docs/sns-wire.md).
    static let services: Set<String> = [SigV4Signer.service, "sns"]

    public mutating func verify(_ request: HTTPRequest, now: Int64) throws(SQSError) -> AuthenticatedCaller {
        guard configuration.mode == .sigv4 else {
            return AuthenticatedCaller(accessKeyId: nil, accountId: configuration.defaultAccountId)
        }
        return try verify(request, authorization: PresentedAuthorization(request), now: now)
    }

    /// `verify(_:now:)` with the Authorization header already parsed (the server parses it once per request).
    public mutating func verify(
        _ request: HTTPRequest, authorization: PresentedAuthorization,
        now: Int64
    ) throws(SQSError) -> AuthenticatedCaller {
        guard configuration.mode == .sigv4 else {
            return AuthenticatedCaller(accessKeyId: nil, accountId: configuration.defaultAccountId)
        }
        guard let parsed = authorization.parsed else {
            throw SQSError(.missingAuthenticationToken, "Request is missing Authentication Token")
        }
        let header = try parsed.get()
        try checkScope(header)
        guard let credential = configuration.credentials[header.accessKeyId] else {
            throw SQSError(.invalidClientTokenId, "The security token included in the request is invalid.")
        }
        try checkSessionToken(request, header, credential)
        let (timestamp, amzDate) = try requestTime(request)
        guard amzDate.hasPrefix(header.scopeDate) else {
            throw SQSError(
                .signatureDoesNotMatch,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(header.scopeDate)' != '\(amzDate.prefix(8))'."
            )
        }
        try checkSkew(timestamp: timestamp, amzDate: amzDate, now: now)
        guard header.signedHeaders.contains("host") else {
            throw SQSError(.signatureDoesNotMatch, "'Host' must be a signed header.")
        }
        // Bytes from here on: the canonical request and the string to sign are hashed once and never read as text.
        let canonical = CanonicalRequest.bytes(
            request, signedHeaders: header.signedHeaders,
            payloadHash: try payloadHash(request))
        let stringToSign = SigV4Signer.stringToSignBytes(amzDate: amzDate, canonicalRequest: canonical) {
            header.appendScope(to: &$0)
        }
        var hmac = signingKey(header, secret: credential.secretAccessKey).hmac
        hmac.update(stringToSign)
        let expected = hmac.finalize()
        guard expected.withUnsafeBytes({ SigV4Verifier.hexEqualsIgnoringCase($0, header.signature) }) else {
            throw SQSError(
                .signatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            )
        }
        return AuthenticatedCaller(accessKeyId: header.accessKeyId, accountId: credential.accountId)
    }

    private func checkScope(_ header: AuthorizationHeader) throws(SQSError) {
        guard SigV4Verifier.services.contains(header.service) else {
            throw SQSError(
                .signatureDoesNotMatch, "Credential should be scoped to correct service: '\(SigV4Verifier.service)'.")
        }
        guard header.terminator == "aws4_request" else {
            throw SQSError(
                .signatureDoesNotMatch, "Credential should be scoped with a valid terminator: 'aws4_request'.")
        }
        if let region = configuration.region, header.region != region {
            throw SQSError(
                .signatureDoesNotMatch, "Credential should be scoped to a valid region, not '\(header.region)'.")
        }
    }

    /// docs/sqs-wire.md, "Signature V4", step 6: a presented token must be signed; a configured one must be presented.
    private func checkSessionToken(
        _ request: HTTPRequest, _ header: AuthorizationHeader,
        _ credential: SigV4Configuration.Credential
    ) throws(SQSError) {
        let presented = request.headers["X-Amz-Security-Token"]
        if presented != nil, !header.signedHeaders.contains("x-amz-security-token") {
            throw SQSError(.signatureDoesNotMatch, "X-Amz-Security-Token must be a signed header.")
        }
        if let expected = credential.sessionToken,
            !SigV4Verifier.constantTimeEquals(expected, presented ?? "")
        {
            throw SQSError(.invalidClientTokenId, "The security token included in the request is invalid.")
        }
    }

    /// X-Amz-Date, falling back to Date ("Signature V4", step 2); returns epoch seconds and the basic-format text.
    private func requestTime(_ request: HTTPRequest) throws(SQSError) -> (Int64, String) {
        if let amz = request.headers["X-Amz-Date"] {
            guard let t = AmzDate.parseBasic(amz) else {
                throw SQSError(.incompleteSignature, "X-Amz-Date '\(amz)' is not of the form YYYYMMDD'T'HHMMSS'Z'.")
            }
            return (t, amz)
        }
        if let date = request.headers["Date"] {
            guard let t = AmzDate.parseHTTPDate(date) else {
                throw SQSError(.incompleteSignature, "Date header '\(date)' is not an RFC 1123 date.")
            }
            return (t, AmzDate.formatBasic(t))
        }
        throw SQSError(
            .incompleteSignature,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    }

    /// "Signature expired: <t> is now earlier than <t'> (<now> - 15 min.)" (docs/sqs-wire.md, "Signature V4", step 2).
    private func checkSkew(timestamp: Int64, amzDate: String, now: Int64) throws(SQSError) {
        let skew = configuration.clockSkewSecondsMax
        var minutes: String { "\(skew / 60) min." }
        if timestamp < now - skew {
            throw SQSError(
                .signatureDoesNotMatch,
                "Signature expired: \(amzDate) is now earlier than \(AmzDate.formatBasic(now - skew)) (\(AmzDate.formatBasic(now)) - \(minutes))"
            )
        }
        if timestamp > now + skew {
            throw SQSError(
                .signatureDoesNotMatch,
                "Signature not yet current: \(amzDate) is still later than \(AmzDate.formatBasic(now + skew)) (\(AmzDate.formatBasic(now)) + \(minutes))"
            )
        }
    }

    /// SHA-256 of the body as lowercase hex, or a signed X-Amz-Content-SHA256 after checking it matches
    /// ("Signature V4", step 3). The body is hashed once per request, here.
    private func payloadHash(_ request: HTTPRequest) throws(SQSError) -> [UInt8] {
        let claimed = request.headers["X-Amz-Content-SHA256"]
        if claimed == "UNSIGNED-PAYLOAD" { return Array("UNSIGNED-PAYLOAD".utf8) }
        var computed: [UInt8] = []
        computed.reserveCapacity(64)
        SHA256.hash(data: request.body).withUnsafeBytes { SigV4Verifier.appendHex($0, to: &computed) }
        guard let claimed else { return computed }
        guard SigV4Verifier.hexTextEqualsIgnoringCase(computed, claimed) else {
            throw SQSError(
                .signatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
        }
        return Array(claimed.utf8)
    }

    /// What a signing key depends on: the secret (through the access key, whose secret is fixed for the
    /// node's life), the scope's day, its region and its service (`sqs`, or `sns` for the topics API).
    private struct SigningKeyScope: Hashable {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String
    }

    /// An HMAC already keyed with kSigning: keying hashes two blocks, so each request copies a keyed one
    /// (as `ReceiptHandleSeal` does). `HMACSHA256` is a value whose hash states are copied on write, so a copy
    /// never touches the cached one: safe to share, though swift-crypto does not declare `SHA256` `Sendable`.
    struct KeyedHMAC: @unchecked Sendable {
        let hmac: HMACSHA256
    }

    private mutating func signingKey(_ header: AuthorizationHeader, secret: String) -> KeyedHMAC {
        let scope = SigningKeyScope(
            accessKeyId: header.accessKeyId, date: header.scopeDate, region: header.region,
            service: header.service)
        if let last = lastSigningKey, last.scope == scope { return last.key }
        if let key = signingKeys[scope] {
            lastSigningKey = (scope, key)
            return key
        }
        let key = KeyedHMAC(
            hmac: HMACSHA256(
                key: SigV4Signer.signingKey(
                    secret: secret, date: header.scopeDate, region: header.region, service: header.service)))
        if signingKeys.count >= SigV4Verifier.signingKeyCacheEntriesMax { signingKeys.removeAll() }
        signingKeys[scope] = key
        lastSigningKey = (scope, key)
        return key
    }

    /// Writes into the array's storage in place: appending digit by digit checked capacity and uniqueness for
    /// each of the 64 (three digests a request).
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 2 * bytes.count))
        out.withUnsafeMutableBufferPointer { buffer in
            var digit = buffer.baseAddress! + start
            for byte in bytes {
                digit[0] = Hex.digit(byte >> 4)
                digit[1] = Hex.digit(byte & 0x0F)
                digit += 2
            }
        }
    }

    /// Whether `hex` (as sent, either case) spells `bytes`, without an early exit.
    static func hexEqualsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { sent in
            var difference = UInt8(sent.count == 2 * bytes.count ? 0 : 1)
            for i in 0..<min(bytes.count, sent.count / 2) {
                difference |= Hex.digit(bytes[i] >> 4) ^ foldHex(sent[2 * i])
                difference |= Hex.digit(bytes[i] & 0x0F) ^ foldHex(sent[2 * i + 1])
            }
            return difference == 0
        }
    }

    /// Lowercase hex text against hex text as sent (A-F folded), without an early exit.
    private static func hexTextEqualsIgnoringCase(_ lowercase: [UInt8], _ sent: String) -> Bool {
        var sent = sent
        return sent.withUTF8 { sentBytes in
            var difference = UInt8(lowercase.count == sentBytes.count ? 0 : 1)
            for i in 0..<min(lowercase.count, sentBytes.count) { difference |= lowercase[i] ^ foldHex(sentBytes[i]) }
            return difference == 0
        }
    }

    private static func foldHex(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x46 ? byte | 0x20 : byte }

    /// Compares without an early exit, so the time taken does not reveal the matching prefix.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

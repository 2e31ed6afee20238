import Crypto

import enum FerryQueue.Hex

/// Signs requests with AWS Signature Version 4 in the header form botocore's `SigV4Auth` uses: the `ferry`
/// tool signs its admin requests with it. `SigV4Verifier` derives its signing keys and strings to sign with
/// the same functions, so what one signs the other accepts by construction, and both follow the spec vector.
///
///     let signer = SigV4Signer(accessKeyId: "AKID", secretAccessKey: "...", region: "us-east-1")
///     let signed = signer.sign(request, now: epochSeconds)  // adds X-Amz-Date and Authorization
public struct SigV4Signer: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// The region in the credential scope: the node's `region`, which the verifier requires.
    public var region: String
    /// Sent (and signed) as `X-Amz-Security-Token` when set.
    public var sessionToken: String?

    /// Ferry signs and verifies everything as SQS, admin endpoints included, so one verifier serves both.
    public static let service = "sqs"
    static let terminator = "aws4_request"

    public init(accessKeyId: String, secretAccessKey: String, region: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.sessionToken = sessionToken
    }

    /// `request` with `X-Amz-Date`, `X-Amz-Security-Token` (with a session token) and `Authorization` added.
    /// Every header already on the request is signed, so it must carry `Host` exactly as it will be sent;
    /// `Content-Length` added afterwards is not signed (botocore does the same).
    public func sign(_ request: HTTPRequest, now epochSeconds: Int64) -> HTTPRequest {
        var dayKey: DayKey?
        return sign(request, now: epochSeconds, dayKey: &dayKey)
    }

    /// kSigning for one scope date, already keyed into an HMAC: the same for every request of that UTC day, so a
    /// client that signs many requests (the SDKs, `ferry bench --sign`) derives it once a day instead of four
    /// HMACs per request, and copies the keyed state instead of hashing two key blocks per request.
    public struct DayKey: @unchecked Sendable {
        let date: String
        /// `HMACSHA256` copies its hash states on write, so a copy never touches this one.
        let hmac: HMACSHA256
    }

    /// `sign(_:now:)`, reusing `dayKey` while its date is the request's (and replacing it when the day changes).
    /// Builds the canonical request and the string to sign as bytes, as the verifier does.
    public func sign(_ request: HTTPRequest, now epochSeconds: Int64, dayKey: inout DayKey?) -> HTTPRequest {
        var signed = request
        let amzDate = AmzDate.formatBasic(epochSeconds)
        signed.headers.add(name: "X-Amz-Date", value: amzDate)
        if let sessionToken { signed.headers.add(name: "X-Amz-Security-Token", value: sessionToken) }
        let names = Self.signedHeaderNames(signed.headers)
        var payloadHash: [UInt8] = []
        payloadHash.reserveCapacity(64)
        Self.appendPayloadHash(of: signed.body, to: &payloadHash)
        let canonical = CanonicalRequest.bytes(signed, signedHeaders: names, payloadHash: payloadHash)
        signed.headers.add(
            name: "Authorization",
            value: authorization(
                canonicalRequest: canonical, amzDate: amzDate, signedHeaders: names.joined(separator: ";"),
                dayKey: &dayKey))
        return signed
    }

    /// The `Authorization` value for a canonical request already built (SigV4 steps 5-7): a client that sends
    /// one shape of request many times builds the canonical bytes itself (`SQSRequestFraming`) and signs here.
    /// `signedHeaders` is the canonical request's signed header list (`content-type;host;x-amz-date`).
    public func authorization(
        canonicalRequest: [UInt8], amzDate: String, signedHeaders: String, dayKey: inout DayKey?
    ) -> String {
        let scopeDate = String(amzDate.prefix(8))
        let scope = Self.scope(date: scopeDate, region: region)
        if dayKey?.date != scopeDate {
            let key = Self.signingKey(secret: secretAccessKey, date: scopeDate, region: region, service: Self.service)
            dayKey = DayKey(date: scopeDate, hmac: HMACSHA256(key: key))
        }
        var hmac = dayKey!.hmac
        hmac.update(Self.stringToSignBytes(amzDate: amzDate, canonicalRequest: canonicalRequest) { $0 += scope.utf8 })
        let signature = hmac.finalize().withUnsafeBytes { Hex.encode($0) }
        return "\(AuthorizationHeader.algorithm) Credential=\(accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The body's SHA-256 in lowercase hex, the canonical request's last line.
    public static func appendPayloadHash(of body: [UInt8], to out: inout [UInt8]) {
        SHA256.hash(data: body).withUnsafeBytes { SigV4Verifier.appendHex($0, to: &out) }
    }

    /// Every header name on the request, lowercased, once each, in byte order (SigV4 step 4).
    static func signedHeaderNames(_ headers: HTTPHeaders) -> [String] {
        var names: [String] = []
        names.reserveCapacity(headers.count)
        for field in headers.fields {
            let name = field.name.lowercased()
            if !names.contains(name) { names.append(name) }
        }
        return names.sorted()
    }

    // MARK: - The steps both sides share

    static func scope(date: String, region: String) -> String {
        "\(date)/\(region)/\(service)/\(terminator)"
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        func hmac(_ key: [UInt8], _ data: String) -> [UInt8] {
            Array(HMAC<SHA256>.authenticationCode(for: Array(data.utf8), using: SymmetricKey(data: key)))
        }
        let kDate = hmac(Array("AWS4\(secret)".utf8), date)
        return hmac(hmac(hmac(kDate, region), service), terminator)
    }

    /// Algorithm, request date, scope and the canonical request's SHA-256 in hex, one a line.
    /// `appendScope` writes the credential scope (the verifier appends the presented one's parts without a String).
    static func stringToSignBytes(
        amzDate: String, canonicalRequest: [UInt8], appendScope: (inout [UInt8]) -> Void
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out += AuthorizationHeader.algorithm.utf8
        out.append(UInt8(ascii: "\n"))
        out += amzDate.utf8
        out.append(UInt8(ascii: "\n"))
        appendScope(&out)
        out.append(UInt8(ascii: "\n"))
        SHA256.hash(data: canonicalRequest).withUnsafeBytes { SigV4Verifier.appendHex($0, to: &out) }
        return out
    }

}

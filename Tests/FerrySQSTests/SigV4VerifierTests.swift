import XCTest

@testable import FerrySQS

/// SigV4 verification (docs/sqs-wire.md, "Signature V4"), against the spec's vector and requests signed by botocore.
final class SigV4VerifierTests: XCTestCase {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let configuration = SigV4Configuration(
        mode: .sigv4,
        credentials: [
            "AKIDEXAMPLE": .init(secretAccessKey: secret, accountId: "000000000000"),
            "ASIAEXAMPLE": .init(secretAccessKey: "secret2", accountId: "111122223333", sessionToken: "SESSIONTOKEN"),
        ])

    /// The docs/sqs-wire.md, "Signature V4" test vector request.
    static func specVectorRequest(
        signature: String = "550a7a4dee2811e010ce7bfaa87a29aaa1144194b02b3a58d0f72718f7072981"
    ) -> HTTPRequest {
        let body = #"{"QueueUrl": "http://localhost:9324/000000000000/q1", "MessageBody": "hello"}"#
        return HTTPRequest(
            method: "POST", target: "/",
            headers: HTTPHeaders([
                ("Host", "localhost:9324"),
                ("X-Amz-Target", "AmazonSQS.SendMessage"),
                ("Content-Type", "application/x-amz-json-1.0"),
                ("x-amzn-query-mode", "true"),
                ("X-Amz-Date", "20250115T120000Z"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=\(signature)"
                ),
                ("Content-Length", String(body.utf8.count)),
            ]), body: Array(body.utf8))
    }

    static let vectorTime = AmzDate.parseBasic("20250115T120000Z")!

    func parse(_ text: String) -> HTTPRequest {
        var parser = HTTPRequestParser()
        let events = parser.feed(Array(text.utf8))
        guard case .request(let request)? = events.first else {
            XCTFail("fixture did not parse: \(events)")
            return HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders())
        }
        return request
    }

    func verifyError(
        _ request: HTTPRequest, now: Int64 = vectorTime,
        configuration: SigV4Configuration = configuration
    ) -> SQSError? {
        var verifier = SigV4Verifier(configuration)
        do {
            _ = try verifier.verify(request, now: now)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - the spec vector

    func testSpecVectorCanonicalRequest() {
        let request = Self.specVectorRequest()
        let canonical = CanonicalRequest.build(
            request, signedHeaders: ["content-type", "host", "x-amz-date", "x-amz-target", "x-amzn-query-mode"],
            payloadHash: CanonicalRequest.sha256Hex(request.body))
        XCTAssertEqual(
            canonical,
            """
            POST
            /

            content-type:application/x-amz-json-1.0
            host:localhost:9324
            x-amz-date:20250115T120000Z
            x-amz-target:AmazonSQS.SendMessage
            x-amzn-query-mode:true

            content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode
            47eb8e911e0c578f33c8ca3d92d42d777093366df05b3c8ab6e3fc059cfdd58c
            """)
        XCTAssertEqual(
            CanonicalRequest.sha256Hex(Array(canonical.utf8)),
            "bf6add5002c73b67afc43a252496433664ca62f63ffea6e86f09e6ca5e61afac")
    }

    func testSpecVectorSignatureVerifies() throws {
        var verifier = SigV4Verifier(Self.configuration)
        let caller = try verifier.verify(Self.specVectorRequest(), now: Self.vectorTime)
        XCTAssertEqual(caller, AuthenticatedCaller(accessKeyId: "AKIDEXAMPLE", accountId: "000000000000"))
        // Twice: the second run uses the cached signing key.
        XCTAssertNoThrow(try verifier.verify(Self.specVectorRequest(), now: Self.vectorTime + 60))
    }

    func testUppercaseHexSignatureIsAccepted() {
        XCTAssertNil(
            verifyError(
                Self.specVectorRequest(signature: "550A7A4DEE2811E010CE7BFAA87A29AAA1144194B02B3A58D0F72718F7072981")))
    }

    // MARK: - requests signed by botocore 1.43.11

    func testEveryBotocoreFixtureVerifies() {
        for (name, text) in BotocoreFixtures.all {
            let request = parse(text)
            let now = AmzDate.parseBasic(request.headers["X-Amz-Date"]!)!
            XCTAssertNil(verifyError(request, now: now + 30), name)
        }
    }

    func testABodyChangedInFlightFailsTheSignature() {
        var request = parse(BotocoreFixtures.sendMessage)
        let now = AmzDate.parseBasic(request.headers["X-Amz-Date"]!)!
        request.body[request.body.count - 3] ^= 0x01
        XCTAssertEqual(verifyError(request, now: now)?.code, .signatureDoesNotMatch)
    }

    func testARewrittenHostFailsTheSignature() {
        // docs/sqs-wire.md, "Signature V4": the Host header must be the one the client sent, port included.
        var request = Self.specVectorRequest()
        request.headers = HTTPHeaders(request.headers.fields.map { $0.name == "Host" ? ("Host", "localhost") : $0 })
        XCTAssertEqual(verifyError(request)?.code, .signatureDoesNotMatch)
    }

    func testQueryGETSignatureCoversTheCanonicalQueryString() {
        var request = parse(BotocoreFixtures.queryGetReceiveMessage)
        let now = AmzDate.parseBasic(request.headers["X-Amz-Date"]!)!
        XCTAssertNil(verifyError(request, now: now))
        request.target = request.target.replacingOccurrences(of: "MaxNumberOfMessages=2", with: "MaxNumberOfMessages=9")
        XCTAssertEqual(verifyError(request, now: now)?.code, .signatureDoesNotMatch)
    }

    // MARK: - failures and their SQS codes (docs/sqs-wire.md, "Signature V4")

    func testUnknownKeyIsInvalidClientTokenId() {
        var configuration = Self.configuration
        configuration.credentials["AKIDEXAMPLE"] = nil
        let error = verifyError(Self.specVectorRequest(), configuration: configuration)
        XCTAssertEqual(error?.code, .invalidClientTokenId)
        XCTAssertEqual(error?.code.status, 403)
        XCTAssertEqual(error?.message, "The security token included in the request is invalid.")
    }

    func testWrongSecretIsSignatureDoesNotMatch() {
        var configuration = Self.configuration
        configuration.credentials["AKIDEXAMPLE"]?.secretAccessKey = "not-the-secret"
        XCTAssertEqual(
            verifyError(Self.specVectorRequest(), configuration: configuration)?.code, .signatureDoesNotMatch)
    }

    func testMissingAuthorizationIsMissingAuthenticationToken() {
        var request = Self.specVectorRequest()
        request.headers = HTTPHeaders(request.headers.fields.filter { $0.name != "Authorization" })
        let error = verifyError(request)
        XCTAssertEqual(error?.code, .missingAuthenticationToken)
        XCTAssertEqual(error?.code.status, 403)
    }

    func testMalformedAuthorizationIsIncompleteSignature() {
        for bad in [
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host, Signature=00",
            "AWS AKIDEXAMPLE:signature", "AWS4-HMAC-SHA256 garbage",
        ] {
            var request = Self.specVectorRequest()
            request.headers = HTTPHeaders(
                request.headers.fields.map { $0.name == "Authorization" ? ("Authorization", bad) : $0 })
            let error = verifyError(request)
            XCTAssertEqual(error?.code, .incompleteSignature, bad)
            XCTAssertEqual(error?.code.status, 400)
        }
    }

    /// The header is parsed over its bytes: the same rules as before, at every edge.
    func testAuthorizationHeaderPartsAreTrimmedEmptyPartsSkippedAndALaterDuplicateWins() {
        let good = "550a7a4dee2811e010ce7bfaa87a29aaa1144194b02b3a58d0f72718f7072981"
        let signed = "content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode"
        let variants = [
            "\t AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request,,\tSignedHeaders=\(signed) ,  Signature=\(good)\t ",
            "AWS4-HMAC-SHA256 Signature=\(String(repeating: "0", count: 64)), Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request, SignedHeaders=\(signed), Signature=\(good), Unknown=1",
        ]
        for header in variants {
            var request = Self.specVectorRequest()
            request.headers = HTTPHeaders(
                request.headers.fields.map { $0.name == "Authorization" ? ("Authorization", header) : $0 })
            XCTAssertNil(verifyError(request), header)
        }
    }

    func testAuthorizationHeaderPartsWithoutANameOrAValueOrWithEmptyScopeFieldsAreIncomplete() {
        let tail = "SignedHeaders=host, Signature=00"
        for bad in [
            "AWS4-HMAC-SHA256 =AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request, \(tail)",
            "AWS4-HMAC-SHA256 Credential=, \(tail)",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE//us-east-1/sqs/aws4_request, \(tail)",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request/x, \(tail)",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/sqs/aws4_request, SignedHeaders=host;;x, Signature=00",
            "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256x Credential=a/b/c/d/e, \(tail)", "",
        ] {
            var request = Self.specVectorRequest()
            request.headers = HTTPHeaders(
                request.headers.fields.map { $0.name == "Authorization" ? ("Authorization", bad) : $0 })
            XCTAssertEqual(verifyError(request)?.code, .incompleteSignature, bad)
        }
    }

    /// The verifier keeps a keyed HMAC per key, day and region: a cached one must give the same answer as a fresh
    /// one, for another key's request in between and for a wrong signature after a right one.
    func testTheCachedSigningKeyAnswersLikeAFreshOne() {
        var verifier = SigV4Verifier(Self.configuration)
        let good = Self.specVectorRequest()
        let bad = Self.specVectorRequest(signature: String(repeating: "a", count: 64))
        for _ in 0..<3 {
            XCTAssertNoThrow(try verifier.verify(good, now: Self.vectorTime))
            XCTAssertThrowsError(try verifier.verify(bad, now: Self.vectorTime))
        }
    }

    func testAClaimedPayloadHashMustMatchTheBodyInEitherCase() {
        let bodyHash = "47eb8e911e0c578f33c8ca3d92d42d777093366df05b3c8ab6e3fc059cfdd58c"
        var request = Self.specVectorRequest()
        request.headers.add(name: "X-Amz-Content-SHA256", value: bodyHash)
        XCTAssertNil(verifyError(request), "the claimed hash, as computed, enters the canonical request")
        for (claimed, matches) in [
            (bodyHash.uppercased(), true), (String(bodyHash.dropLast()) + "d", false),
            (String(bodyHash.dropLast()), false),
        ] {
            var request = Self.specVectorRequest()
            request.headers.add(name: "X-Amz-Content-SHA256", value: claimed)
            let error = verifyError(request)
            // Uppercase matches the body, but enters the canonical request as sent: the signature no longer does.
            XCTAssertEqual(error?.code, .signatureDoesNotMatch, claimed)
            XCTAssertEqual(error?.message.contains("x-amz-content-sha256"), !matches, claimed)
        }
    }

    func testSkewWindowIsFifteenMinutesEitherWay() {
        XCTAssertNil(verifyError(Self.specVectorRequest(), now: Self.vectorTime + 15 * 60))
        XCTAssertNil(verifyError(Self.specVectorRequest(), now: Self.vectorTime - 15 * 60))
        let expired = verifyError(Self.specVectorRequest(), now: Self.vectorTime + 15 * 60 + 1)
        XCTAssertEqual(expired?.code, .signatureDoesNotMatch)
        XCTAssertEqual(
            expired?.message,
            "Signature expired: 20250115T120000Z is now earlier than 20250115T120001Z (20250115T121501Z - 15 min.)")
        XCTAssertEqual(
            verifyError(Self.specVectorRequest(), now: Self.vectorTime - 15 * 60 - 1)?.code,
            .signatureDoesNotMatch)
    }

    func testSkewWindowIsConfigurable() {
        var configuration = Self.configuration
        configuration.clockSkewSecondsMax = 5 * 60
        XCTAssertEqual(
            verifyError(Self.specVectorRequest(), now: Self.vectorTime + 6 * 60, configuration: configuration)?.code,
            .signatureDoesNotMatch)
    }

    func testConfiguredRegionIsEnforced() {
        var configuration = Self.configuration
        configuration.region = "eu-west-1"
        let error = verifyError(Self.specVectorRequest(), configuration: configuration)
        XCTAssertEqual(error?.code, .signatureDoesNotMatch)
        XCTAssertEqual(error?.code.status, 403)
        // AWS's words for a scope naming another region (SQS answers them as SignatureDoesNotMatch, 403).
        XCTAssertEqual(error?.message, "Credential should be scoped to a valid region, not 'us-east-1'.")
    }

    func testTheRegionMustMatchExactly() {
        // The vector is signed for us-east-1: that region passes; one letter off, another case, a prefix or
        // an extension of it does not (the check compares before the signature, so no re-signing is needed).
        var configuration = Self.configuration
        configuration.region = "us-east-1"
        XCTAssertNil(verifyError(Self.specVectorRequest(), configuration: configuration))
        for other in ["us-east-2", "US-EAST-1", "us-east-", "us-east-1a", "us-east-1 "] {
            configuration.region = other
            XCTAssertEqual(
                verifyError(Self.specVectorRequest(), configuration: configuration)?.code, .signatureDoesNotMatch, other
            )
        }
    }

    func testARequestSignedForAnotherRegionIsRefusedEvenWithAGoodSignature() {
        var configuration = Self.configuration
        configuration.region = "us-east-1"
        let signer = SigV4Signer(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret, region: "us-west-2")
        let request = signer.sign(SigV4SignerTests.unsignedVectorRequest(), now: Self.vectorTime)
        configuration.region = "us-west-2"
        XCTAssertNil(verifyError(request, configuration: configuration), "the signature itself is valid")
        configuration.region = "us-east-1"
        XCTAssertEqual(
            verifyError(request, configuration: configuration)?.message,
            "Credential should be scoped to a valid region, not 'us-west-2'.")
    }

    func testSessionTokenMustMatchWhenConfigured() {
        let request = parse(BotocoreFixtures.getQueueUrlWithSessionToken)
        let now = AmzDate.parseBasic(request.headers["X-Amz-Date"]!)!
        var verifier = SigV4Verifier(Self.configuration)
        XCTAssertEqual(try verifier.verify(request, now: now).accountId, "111122223333")
        var configuration = Self.configuration
        configuration.credentials["ASIAEXAMPLE"]?.sessionToken = "OTHER"
        XCTAssertEqual(verifyError(request, now: now, configuration: configuration)?.code, .invalidClientTokenId)
    }

    func testAuthOffAcceptsUnsignedRequests() throws {
        // botocore UNSIGNED / `aws --no-sign-request` send no Authorization at all (docs/sqs-wire.md, "Signature V4").
        var request = Self.specVectorRequest()
        request.headers = HTTPHeaders(request.headers.fields.filter { $0.name != "Authorization" })
        var verifier = SigV4Verifier(.off)
        XCTAssertEqual(
            try verifier.verify(request, now: 0), AuthenticatedCaller(accessKeyId: nil, accountId: "000000000000"))
    }

    // MARK: - canonicalization details

    func testCanonicalURIDoubleEncodesAndRemovesDotSegments() {
        XCTAssertEqual(CanonicalRequest.canonicalURI(""), "/")
        XCTAssertEqual(CanonicalRequest.canonicalURI("/"), "/")
        XCTAssertEqual(CanonicalRequest.canonicalURI("/000000000000/q1"), "/000000000000/q1")
        XCTAssertEqual(CanonicalRequest.canonicalURI("/a//b/./c/../d/"), "/a/b/d/")
        XCTAssertEqual(CanonicalRequest.canonicalURI("/my%20prefix/q"), "/my%2520prefix/q")
    }

    func testCanonicalQuerySortsAndReencodes() {
        XCTAssertEqual(CanonicalRequest.canonicalQuery(""), "")
        XCTAssertEqual(CanonicalRequest.canonicalQuery("b=2&a=1&a=0&c"), "a=0&a=1&b=2&c=")
        XCTAssertEqual(CanonicalRequest.canonicalQuery("k=a%20b~c%2f&x=%7e"), "k=a%20b~c%2F&x=~")
    }

    func testCanonicalHeadersTrimCollapseAndJoin() {
        let headers = HTTPHeaders([("X-A", "  a   b  "), ("x-a", "c"), ("Host", "h:1")])
        XCTAssertEqual(
            CanonicalRequest.canonicalHeaders(headers, signedHeaders: ["host", "x-a"]), "host:h:1\nx-a:a b,c\n")
        let edges = HTTPHeaders([("a", "\t \t"), ("b", ""), ("c", "x\t \ty z\t"), ("d", "\tlead"), ("e", "one")])
        XCTAssertEqual(
            CanonicalRequest.canonicalHeaders(edges, signedHeaders: ["a", "b", "c", "d", "e", "f"]),
            "a:\nb:\nc:x y z\nd:lead\ne:one\nf:\n", "blank-only and empty values, mixed runs of tabs and spaces")
    }

    func testDates() {
        XCTAssertEqual(AmzDate.parseBasic("19700101T000000Z"), 0)
        XCTAssertEqual(AmzDate.formatBasic(1_736_942_400), "20250115T120000Z")
        XCTAssertEqual(AmzDate.parseBasic("20250115T120000Z"), 1_736_942_400)
        XCTAssertEqual(AmzDate.parseHTTPDate("Wed, 15 Jan 2025 12:00:00 GMT"), 1_736_942_400)
        XCTAssertNil(AmzDate.parseBasic("20251315T120000Z"))
        XCTAssertNil(AmzDate.parseBasic("2025-01-15T12:00:00Z"))
    }
}

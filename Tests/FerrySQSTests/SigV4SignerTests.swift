import XCTest

@testable import FerrySQS

/// The signer the `ferry` tool uses: it reproduces the spec vector byte for byte, and the verifier accepts
/// what it signs (and nothing it did not sign).
final class SigV4SignerTests: XCTestCase {
    static let signer = SigV4Signer(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: SigV4VerifierTests.secret, region: "us-east-1")

    /// The docs/sqs-wire.md, "Signature V4" vector request before signing: no X-Amz-Date, no Authorization, no
    /// Content-Length.
    static func unsignedVectorRequest() -> HTTPRequest {
        let vector = SigV4VerifierTests.specVectorRequest()
        let unsigned = vector.headers.fields.filter {
            !["X-Amz-Date", "Authorization", "Content-Length"].contains($0.name)
        }
        return HTTPRequest(
            method: vector.method, target: vector.target, headers: HTTPHeaders(unsigned), body: vector.body)
    }

    func testSigningTheSpecVectorGivesItsSignature() {
        let signed = Self.signer.sign(Self.unsignedVectorRequest(), now: SigV4VerifierTests.vectorTime)
        XCTAssertEqual(signed.headers["X-Amz-Date"], "20250115T120000Z")
        XCTAssertEqual(signed.headers["Authorization"], SigV4VerifierTests.specVectorRequest().headers["Authorization"])
    }

    func testAKeptDayKeySignsLikeAFreshSignerAndIsReplacedAtMidnight() {
        var dayKey: SigV4Signer.DayKey?
        let request = Self.unsignedVectorRequest()
        for now in [
            SigV4VerifierTests.vectorTime, SigV4VerifierTests.vectorTime + 1, SigV4VerifierTests.vectorTime + 86_400,
            SigV4VerifierTests.vectorTime,
        ] {
            let kept = Self.signer.sign(request, now: now, dayKey: &dayKey)
            XCTAssertEqual(kept.headers["Authorization"], Self.signer.sign(request, now: now).headers["Authorization"])
            XCTAssertEqual(dayKey?.date, String(kept.headers["X-Amz-Date"]!.prefix(8)))
        }
    }

    func testTheVerifierAcceptsWhatTheSignerSigns() throws {
        let admin = HTTPRequest(
            method: "POST", target: "/_ferry/members/remove?id=2",
            headers: HTTPHeaders([("Host", "127.0.0.1:9324")]))
        let signed = Self.signer.sign(admin, now: SigV4VerifierTests.vectorTime)
        var verifier = SigV4Verifier(SigV4VerifierTests.configuration)
        XCTAssertEqual(try verifier.verify(signed, now: SigV4VerifierTests.vectorTime).accessKeyId, "AKIDEXAMPLE")
    }

    func testTheQueryIsCoveredBySigning() {
        let admin = HTTPRequest(
            method: "POST", target: "/_ferry/members/remove?id=2",
            headers: HTTPHeaders([("Host", "127.0.0.1:9324")]))
        var signed = Self.signer.sign(admin, now: SigV4VerifierTests.vectorTime)
        signed.target = "/_ferry/members/remove?id=1"
        var verifier = SigV4Verifier(SigV4VerifierTests.configuration)
        XCTAssertThrowsError(try verifier.verify(signed, now: SigV4VerifierTests.vectorTime)) { error in
            XCTAssertEqual((error as? SQSError)?.code, .signatureDoesNotMatch)
        }
    }

    func testASessionTokenIsSentAndSigned() throws {
        var signer = Self.signer
        signer.accessKeyId = "ASIAEXAMPLE"
        signer.secretAccessKey = "secret2"
        signer.sessionToken = "SESSIONTOKEN"
        let signed = signer.sign(
            HTTPRequest(method: "GET", target: "/_ferry/status", headers: HTTPHeaders([("Host", "h:1")])),
            now: SigV4VerifierTests.vectorTime)
        XCTAssertEqual(signed.headers["X-Amz-Security-Token"], "SESSIONTOKEN")
        XCTAssertTrue(signed.headers["Authorization"]!.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        var verifier = SigV4Verifier(SigV4VerifierTests.configuration)
        XCTAssertEqual(try verifier.verify(signed, now: SigV4VerifierTests.vectorTime).accountId, "111122223333")
    }
}

import FerryClient
import FerrySQS
import XCTest

/// `ferry bench`'s request framing: the canonical request written from a prefix must be byte for byte what the
/// general signer builds, and the node's verifier must accept it.
final class SQSRequestFramingTests: XCTestCase {
    static let signer = SigV4Signer(accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret", region: "us-east-1")
    static let verifier = SigV4Verifier(
        SigV4Configuration(
            mode: .sigv4,
            credentials: [
                "AKIDBENCH": .init(secretAccessKey: "bench-secret", accountId: "000000000000"),
                "ASIABENCH": .init(secretAccessKey: "s2", accountId: "111122223333", sessionToken: "TOKEN"),
            ], region: "us-east-1"))
    /// 2025-01-15T12:00:00Z.
    static let now: Int64 = 1_736_942_400
    static let body = Array(#"{"QueueUrl":"http://127.0.0.1:9324/000000000000/q","MessageBody":"hello"}"#.utf8)

    func parse(_ bytes: [UInt8]) throws -> HTTPRequest {
        var parser = HTTPRequestParser()
        let events = parser.feed(bytes)
        guard events.count == 1, case .request(let request) = events[0] else {
            XCTFail("not one request: \(events)")
            throw NotOneRequest()
        }
        return request
    }

    struct NotOneRequest: Error {}

    func testSignedRequestIsWhatTheGeneralSignerBuilds() {
        let framing = SQSRequestFraming(host: "127.0.0.1:9324", signer: Self.signer)
        for operation in ["SendMessage", "ReceiveMessage", "DeleteMessageBatch"] {
            for now in [Self.now, Self.now + 1, Self.now + 86_400, Self.now] {
                XCTAssertEqual(
                    String(decoding: framing.frame(operation: operation, body: Self.body, now: now), as: UTF8.self),
                    String(
                        decoding: SQSRequestFraming.frameGenerally(
                            operation: operation, body: Self.body, host: "127.0.0.1:9324", signer: Self.signer,
                            now: now), as: UTF8.self),
                    "\(operation) at \(now)")
            }
        }
    }

    func testTheVerifierAcceptsTheSignedRequest() throws {
        let framing = SQSRequestFraming(host: "localhost:9324", signer: Self.signer)
        let request = try parse(framing.frame(operation: "SendMessage", body: Self.body, now: Self.now))
        XCTAssertEqual(request.headers["X-Amz-Target"], "AmazonSQS.SendMessage")
        XCTAssertEqual(request.headers["Content-Length"], "\(Self.body.count)")
        XCTAssertEqual(request.body, Self.body)
        var verifier = Self.verifier
        XCTAssertEqual(try verifier.verify(request, now: Self.now).accountId, "000000000000")
    }

    func testAChangedBodyOrTargetIsRefused() throws {
        let framing = SQSRequestFraming(host: "localhost:9324", signer: Self.signer)
        var request = try parse(framing.frame(operation: "SendMessage", body: Self.body, now: Self.now))
        request.body[request.body.count - 3] = UInt8(ascii: "X")
        var verifier = Self.verifier
        XCTAssertThrowsError(try verifier.verify(request, now: Self.now)) { error in
            XCTAssertEqual((error as? SQSError)?.code, .signatureDoesNotMatch)
        }
        var retargeted = try parse(framing.frame(operation: "SendMessage", body: Self.body, now: Self.now))
        var headers = HTTPHeaders()
        for field in retargeted.headers {
            headers.add(name: field.name, value: field.name == "X-Amz-Target" ? "AmazonSQS.PurgeQueue" : field.value)
        }
        retargeted.headers = headers
        XCTAssertThrowsError(try verifier.verify(retargeted, now: Self.now)) { error in
            XCTAssertEqual((error as? SQSError)?.code, .signatureDoesNotMatch)
        }
    }

    func testASessionTokenIsSignedTheGeneralWay() throws {
        var signer = Self.signer
        signer.accessKeyId = "ASIABENCH"
        signer.secretAccessKey = "s2"
        signer.sessionToken = "TOKEN"
        let framing = SQSRequestFraming(host: "localhost:9324", signer: signer)
        let request = try parse(framing.frame(operation: "SendMessage", body: Self.body, now: Self.now))
        XCTAssertEqual(request.headers["X-Amz-Security-Token"], "TOKEN")
        var verifier = Self.verifier
        XCTAssertEqual(try verifier.verify(request, now: Self.now).accountId, "111122223333")
    }

    func testUnsignedRequestHasNoAuthorization() throws {
        let framing = SQSRequestFraming(host: "localhost:9324", signer: nil)
        let request = try parse(framing.frame(operation: "ListQueues", body: Array("{}".utf8), now: Self.now))
        XCTAssertNil(request.headers["Authorization"])
        XCTAssertNil(request.headers["X-Amz-Date"])
        XCTAssertEqual(request.headers["Content-Type"], "application/x-amz-json-1.0")
        XCTAssertEqual(
            String(
                decoding: framing.frame(operation: "ListQueues", body: Array("{}".utf8), now: Self.now), as: UTF8.self),
            String(
                decoding: SQSRequestFraming.frameGenerally(
                    operation: "ListQueues", body: Array("{}".utf8), host: "localhost:9324", signer: nil,
                    now: Self.now), as: UTF8.self))
    }
}

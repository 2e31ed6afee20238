import FerryRaft
import XCTest

@testable import FerrySQS

/// Seeded random-input testing of the whole protocol path: HTTP parser -> SigV4 -> decode ->
/// error encoding. Mutations of real botocore requests, random bytes, random chunk boundaries.
///
/// Properties, for every input:
/// - nothing crashes (a trap would fail the whole test run);
/// - the parser's events do not depend on how the bytes were split into chunks;
/// - every refusal is a definite client error: 4xx, or 501/505 from the HTTP layer (RFC 9110's
///   "not implemented" statuses); never 500.
///
/// A failure prints its seed; rerun with `FERRY_FUZZ_SEED=<seed>` to reproduce it exactly.
/// Complements the libFuzzer target in Fuzz/FerrySQSFuzz (see Scripts/fuzz-sqs.sh).
final class ProtocolFuzzTests: XCTestCase {
    /// Inputs per run: enough to reach every error branch of the decoders in a few seconds of a
    /// debug build.
    static let iterations = 4000

    static let seeds: [[UInt8]] =
        BotocoreFixtures.all.map { Array($0.text.utf8) }
        + [
            "POST /000000000000/q1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 171\r\n\r\nAction=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String",
            "GET /?Action=CreateQueue&QueueName=q&Attribute.1.Name=A&Attribute.1.Value=1&Tag.1.Key=k HTTP/1.1\r\nHost: h\r\n\r\n",
        ].map { Array($0.utf8) }

    static let tokens: [String] = [
        "\r\n", "\r\n\r\n", "\n", ":", " ", "\"", "\\", "\\u", "\\ud800", "{", "}", "[", "]", ",", "%", "%zz", "&",
        "=", ".1.", ".0.", ".99999999999999999999.", "Content-Length: 5\r\n", "Content-Length: 99999999999\r\n",
        "Transfer-Encoding: chunked\r\n", "Expect: 100-continue\r\n", "HTTP/1.0", "HTTP/2.0", "\u{0}", "\u{FFFF}",
        "🚀", "-1", "1e400", "null", "true", "AmazonSQS.", "Action=", "MessageAttributes", "Entries",
        "X-Amz-Date: 20990101T000000Z\r\n", "Authorization: AWS4-HMAC-SHA256 \r\n",
    ]

    func testRandomInputsNeverCrashAndAlwaysGetAClientError() {
        let seed = ProcessInfo.processInfo.environment["FERRY_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_F155
        var rng = SplitMix64(seed: seed)
        var counts: [String: Int] = [:]
        for iteration in 0..<Self.iterations {
            let input = makeInput(&rng)
            let outcome = run(input, rng: &rng, label: "seed \(seed) iteration \(iteration)")
            counts[outcome, default: 0] += 1
        }
        // The mutations must reach past the HTTP layer, or the test proves little.
        XCTAssertGreaterThan(counts["decoded", default: 0], Self.iterations / 50, "\(counts)")
        XCTAssertGreaterThan(counts["sqsError", default: 0], Self.iterations / 50, "\(counts)")
        XCTAssertGreaterThan(counts["httpError", default: 0], Self.iterations / 50, "\(counts)")
    }

    func makeInput(_ rng: inout SplitMix64) -> [UInt8] {
        switch rng.next() % 10 {
        case 0:
            return (0..<Int(rng.next() % 512)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 1, 2, 3:
            return bodyMutation(Self.seeds.randomElement(using: &rng)!, &rng)
        default:
            var bytes = Self.seeds.randomElement(using: &rng)!
            for _ in 0...(rng.next() % 4) { Self.mutate(&bytes, &rng) }
            return bytes
        }
    }

    static func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 6 {
        case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
        case 1: bytes.insert(contentsOf: Array(Self.tokens.randomElement(using: &rng)!.utf8), at: at)
        case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int(rng.next() % 16) + 1))
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, at + Int(rng.next() % 64) + 1)
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        case 4: bytes = Array(bytes.prefix(at))
        default: if !bytes.isEmpty { bytes[at] = UInt8(truncatingIfNeeded: rng.next()) }
        }
    }

    /// Mutates only the body and fixes Content-Length, so the request reaches the decoders.
    func bodyMutation(_ request: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        let text = Array(request)
        guard let split = findHeadEnd(text) else { return request }
        var head = String(decoding: text[..<split], as: UTF8.self)
        var body = Array(text[split...])
        for _ in 0...(rng.next() % 3) { Self.mutate(&body, &rng) }
        head = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.lowercased().hasPrefix("content-length:") && !$0.isEmpty }
            .joined(separator: "\r\n")
        return Array((head + "\r\nContent-Length: \(body.count)\r\n\r\n").utf8) + body
    }

    func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i..<(i + 4)].elementsEqual([13, 10, 13, 10]) { return i + 4 }
        return nil
    }

    /// Feeds `input` whole and in random chunks, checks both agree, then takes every request
    /// through SigV4 and decoding. Returns a label for the outcome of the last event.
    func run(_ input: [UInt8], rng: inout SplitMix64, label: String) -> String {
        var whole = HTTPRequestParser()
        let expected = whole.feed(input)
        var chunked = HTTPRequestParser()
        var events: [HTTPRequestParser.Event] = []
        var offset = 0
        while offset < input.count {
            let length = Int(rng.next() % 64) + 1
            events += chunked.feed(input[offset..<min(input.count, offset + length)])
            offset += length
        }
        // `100 Continue` is owed only while the body has not arrived yet: fed whole, the body came with the
        // head and the parser rightly sends none (RFC 9110 §10.1.1), so chunking may add one. Everything
        // else must be identical.
        let isContinue: (HTTPRequestParser.Event) -> Bool = { if case .sendContinue = $0 { true } else { false } }
        XCTAssertEqual(
            events.filter { !isContinue($0) }, expected.filter { !isContinue($0) },
            "chunking changed the parse: \(label)")
        var outcome = "incomplete"
        for event in expected {
            switch event {
            case .sendContinue:
                continue
            case .error(let error):
                let status = error.response.status
                XCTAssertTrue((400..<500).contains(status) || status == 501 || status == 505, "\(status) \(label)")
                outcome = "httpError"
            case .request(let request):
                outcome = check(request, label: label)
            }
        }
        return outcome
    }

    func check(_ request: HTTPRequest, label: String) -> String {
        let wire = SQSProtocol.wireProtocol(of: request)
        var verifier = SigV4Verifier(SigV4VerifierTests.configuration)
        do {
            _ = try verifier.verify(request, now: SigV4VerifierTests.vectorTime)
        } catch {
            assertClientError(error, wire, label)
        }
        switch SQSProtocol.decode(request) {
        case .success:
            return "decoded"
        case .failure(let error):
            assertClientError(error, wire, label)
            return "sqsError"
        }
    }

    func assertClientError(_ error: SQSError, _ wire: SQSWireProtocol, _ label: String) {
        let response = SQSProtocol.encode(error, as: wire, requestId: "fuzz")
        XCTAssertTrue((400..<500).contains(response.status), "\(error) \(label)")
        XCTAssertFalse(response.body.isEmpty)
        if wire == .json { XCTAssertNotNil(try? JSONParser.parse(response.body), label) }
    }
}

import FerryRaft
import XCTest

@testable import FerrySQS

/// The fast paths of the request path against the general code they shortcut: `DirectJSONDecoder` against
/// `JSONParser` + `SQSRequestDecoder`, `HTTPHeadParser.parseASCII` against `parseGeneral`,
/// `QueueAddress.parseASCII` against `parseGeneral`.
///
/// The rule each must keep: return nil, or exactly what the general path returns. Checked on boto3's
/// requests (where the fast path must also be taken) and on seeded mutations of them
/// (`FERRY_FUZZ_SEED=<seed>` reproduces a failure).
final class FastPathTests: XCTestCase {
    static let iterations = 4000

    /// The `ferry bench codec` fixtures (boto3 captures) and the botocore JSON fixtures.
    static let requests: [[UInt8]] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../fixtures/codec").standardized
        let codec = ["SendMessageBatch", "ReceiveMessage", "DeleteMessageBatch"].compactMap { name in
            try? Array(Data(contentsOf: directory.appendingPathComponent("\(name).http")))
        }
        return codec + BotocoreFixtures.all.map { Array($0.text.utf8) }
    }()

    static func parse(_ bytes: [UInt8]) -> HTTPRequest? {
        var parser = HTTPRequestParser()
        guard case .request(let request)? = parser.feed(bytes).first else { return nil }
        return request
    }

    func testCodecFixturesTakeEveryFastPath() throws {
        XCTAssertEqual(Self.requests.count - BotocoreFixtures.all.count, 3, "codec fixtures not found")
        for bytes in Self.requests.prefix(3) {
            let head = Array(bytes[..<(try XCTUnwrap(headEnd(bytes)))])
            XCTAssertNotNil(head.withUnsafeBufferPointer { HTTPHeadParser.parseASCII($0, limits: .standard) })
            let request = try XCTUnwrap(Self.parse(bytes))
            let operation = try SQSProtocol.jsonOperation(request)
            let direct = try XCTUnwrap(DirectJSONDecoder.decode(operation, request.body), "\(operation)")
            XCTAssertEqual(direct, try SQSProtocol.decodeJSONMembers(operation, request))
        }
    }

    func testDirectDecoderAgreesWithTheGeneralDecoder() throws {
        var rng = SplitMix64(seed: seed)
        var taken = 0
        for iteration in 0..<Self.iterations {
            let original = Self.requests.randomElement(using: &rng)!
            guard let request = Self.parse(original), let operation = try? SQSProtocol.jsonOperation(request) else {
                continue
            }
            var body = request.body
            if iteration % 8 != 0 {
                for _ in 0...(rng.next() % 3) { ProtocolFuzzTests.mutate(&body, &rng) }
            }
            guard let direct = DirectJSONDecoder.decode(operation, body) else { continue }
            taken += 1
            var mutated = request
            mutated.body = body
            let general = Result { () throws(SQSError) in try SQSProtocol.decodeJSONMembers(operation, mutated) }
            XCTAssertEqual(
                general, .success(direct),
                "seed \(seed) iteration \(iteration): \(String(decoding: body, as: UTF8.self))")
        }
        XCTAssertGreaterThan(taken, Self.iterations / 20)
    }

    func testASCIIHeadParserAgreesWithTheGeneralParser() {
        var rng = SplitMix64(seed: seed)
        var taken = 0
        let heads = Self.requests.compactMap { bytes in headEnd(bytes).map { Array(bytes[..<$0]) } }
        for iteration in 0..<Self.iterations {
            var head = heads.randomElement(using: &rng)!
            for _ in 0...(rng.next() % 3) { ProtocolFuzzTests.mutate(&head, &rng) }
            let limits = iteration % 4 == 0 ? HTTPLimits(headerCountMax: Int(rng.next() % 12)) : .standard
            guard let fast = head.withUnsafeBufferPointer({ HTTPHeadParser.parseASCII($0, limits: limits) }) else {
                continue
            }
            taken += 1
            let general = Result { () throws(HTTPParseError) in
                try HTTPHeadParser.parseGeneral(head[...], limits: limits)
            }
            XCTAssertEqual(
                general, .success(fast), "seed \(seed) iteration \(iteration): \(String(decoding: head, as: UTF8.self))"
            )
            XCTAssertEqual(
                Result { () throws(HTTPParseError) in try HTTPHeadParser.framing(of: fast, limits: limits) }.map {
                    "\($0)"
                },
                Result { () throws(HTTPParseError) in try HTTPHeadParser.framingGeneral(of: fast, limits: limits) }.map
                { "\($0)" })
        }
        XCTAssertGreaterThan(taken, Self.iterations / 20)
    }

    func testASCIIQueueURLParserAgreesWithTheGeneralParser() {
        var rng = SplitMix64(seed: seed)
        let urls = [
            "http://127.0.0.1:9324/000000000000/orders", "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo",
            "/000000000000/q1", "http://h/prefix/000000000000/q1?x=1#f", "http://h//a//b//", "q", "http://h",
        ]
        var taken = 0
        for iteration in 0..<Self.iterations {
            var url = Array(urls.randomElement(using: &rng)!.utf8)
            for _ in 0..<(rng.next() % 3) { ProtocolFuzzTests.mutate(&url, &rng) }
            guard let text = String(validating: url, as: UTF8.self) else { continue }
            let general = QueueAddress.parseGeneral(url: text)
            XCTAssertEqual(QueueAddress.parse(url: text), general, "seed \(seed) iteration \(iteration): \(text)")
            if url.withUnsafeBufferPointer({ QueueAddress.parseASCII($0) }) != nil { taken += 1 }
        }
        XCTAssertGreaterThan(taken, Self.iterations / 20)
    }

    var seed: UInt64 { ProcessInfo.processInfo.environment["FERRY_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_FA57 }

    func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i..<(i + 4)].elementsEqual([13, 10, 13, 10]) { return i + 2 }
        return nil
    }
}

import FerryRaft
import Foundation
import XCTest

@testable import FerrySQS
@testable import FerryServer

/// Seeded random SQS requests, valid and invalid, against a one-node cluster in this process
/// (`InProcessNode`: decode, validation, the Raft proposal, commit, apply and the response encoding all run).
///
/// Properties, for every request:
/// - the node never traps (a trap ends the test run; the last "request fuzz: seed" line names the seed);
/// - every answer is a success (200 with a JSON object or an XML document) or an SQS error of the right
///   shape: 4xx with a code the SQS model knows (`x-amzn-query-error` and `__type` in JSON, `<Code>` in XML);
///   never 500 (nothing here is the node's fault) and never 503 (a healthy node leading itself); a body past
///   the HTTP layer's 4 MiB is 413;
/// - a receipt handle altered from a real one is ReceiptHandleIsInvalid.
///
/// `FERRY_FUZZ_SEEDS=N` runs N seeds (default `seedsDefault`); `FERRY_FUZZ_SEED=S` replays seed S alone.
/// Each seed gets a fresh node, so a seed replays the same requests against the same starting state.
final class RequestFuzzTests: XCTestCase {
    static let seedsDefault = 4
    static let requestsPerSeed = 60
    static let seedBase: UInt64 = 0x5EED_2E90_0000

    static let knownErrorCodes = Set(SQSErrorCode.allCases.map(\.legacyCode) + SQSErrorCode.allCases.map(\.rawValue))

    struct Tally {
        var requests = 0
        var successes: [String: Int] = [:]
        var errors: [String: Int] = [:]
        var bytesSent = 0
    }

    func testRandomRequestsNeverTrapAndAlwaysGetASuccessOrAnSQSError() throws {
        let environment = ProcessInfo.processInfo.environment
        let seeds: [UInt64]
        if let one = environment["FERRY_FUZZ_SEED"].flatMap({
            UInt64($0.replacingOccurrences(of: "0x", with: ""), radix: 16)
        }) {
            seeds = [one]
        } else {
            let count = environment["FERRY_FUZZ_SEEDS"].flatMap(Int.init) ?? Self.seedsDefault
            seeds = (0..<UInt64(count)).map { Self.seedBase + $0 }
        }
        var tally = Tally()
        let started = Date()
        for seed in seeds {
            print("request fuzz: seed \(String(seed, radix: 16)) (replay: FERRY_FUZZ_SEED=\(String(seed, radix: 16)))")
            try run(seed: seed, tally: &tally)
        }
        print(
            "request fuzz: \(seeds.count) seeds, \(tally.requests) requests, \(tally.bytesSent) bytes in "
                + "\(String(format: "%.1f", Date().timeIntervalSince(started))) s; "
                + "successes \(tally.successes.values.reduce(0, +)), errors \(tally.errors.sorted { $0.key < $1.key })")
        // The requests must get past the decoder often, or the run proves little about the node behind it.
        XCTAssertGreaterThan(tally.successes.values.reduce(0, +), tally.requests / 5, "\(tally.successes)")
        XCTAssertGreaterThan(
            tally.successes.keys.count, 8, "operations that succeeded at least once: \(tally.successes.keys.sorted())")
    }

    /// The same properties for SNS requests (`SNSRequestFuzzGenerator`): hostile filter policies, oversized
    /// publishes and batches, bad names and ARNs get an SNS error, never a trap or a 5xx.
    func testRandomSNSRequestsNeverTrapAndAlwaysGetASuccessOrAnSNSError() throws {
        let count = ProcessInfo.processInfo.environment["FERRY_FUZZ_SEEDS"].flatMap(Int.init) ?? Self.seedsDefault
        var tally = Tally()
        for seed in (0..<UInt64(count)).map({ Self.seedBase + 0x100 + $0 }) {
            print("sns request fuzz: seed \(String(seed, radix: 16))")
            let node = try InProcessNode()
            let config = node.server.config
            for (name, attributes) in [
                ("fuzz", [:]), ("fuzz.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"]),
            ] {
                _ = try node.json(
                    "CreateQueue",
                    ["QueueName": .string(name), "Attributes": .object(attributes.mapValues(JSONValue.string))])
            }
            var generator = SNSRequestFuzzGenerator(
                seed: seed, region: config.region, account: config.defaultAccountID, topicArns: [])
            for name in ["fuzz-topic", "fuzz-topic.fifo"] {
                var create = SNSRequestFuzzGenerator.Request(action: "CreateTopic", pairs: [("Name", name)])
                if name.hasSuffix(".fifo") {
                    create.pairs += [("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "true")]
                }
                let text = String(decoding: try node.answer(generator.encode(create)).body, as: UTF8.self)
                guard let arn = Self.element("TopicArn", in: text) else {
                    return XCTFail("CreateTopic \(name): \(text)")
                }
                generator.topicArns.append(arn)
            }
            for index in 0..<Self.requestsPerSeed {
                let request = generator.next()
                let context = "sns seed \(String(seed, radix: 16)) request #\(index) \(request.label)"
                let response = try node.answer(request.bytes)
                tally.requests += 1
                // The same properties as the SQS requests': an SNS error has the query protocol's shape.
                check(
                    response, for: .init(action: request.action, members: [:], wire: .query, bytes: request.bytes),
                    context: context, tally: &tally)
                if response.status == 200,
                    let arn = Self.element("SubscriptionArn", in: String(decoding: response.body, as: UTF8.self))
                {
                    generator.subscriptionArns.append(arn)
                }
            }
            // Still up: a plain request answers.
            let listed = try node.answer(generator.encode(.init(action: "ListTopics", pairs: [])))
            XCTAssertEqual(listed.status, 200)
        }
        print(
            "sns request fuzz: \(tally.requests) requests; successes \(tally.successes.sorted { $0.key < $1.key }), errors \(tally.errors.sorted { $0.key < $1.key })"
        )
        XCTAssertGreaterThan(
            tally.successes.keys.count, 5, "actions that succeeded at least once: \(tally.successes.keys.sorted())")
        XCTAssertGreaterThan(tally.successes["Publish", default: 0], 0, "no publish got past the edge")
        XCTAssertGreaterThan(tally.successes["Subscribe", default: 0], 0, "no subscription was made")
    }

    static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"),
            let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex)
        else {
            return nil
        }
        return String(text[start.upperBound..<end.lowerBound])
    }

    private func run(seed: UInt64, tally: inout Tally) throws {
        let node = try InProcessNode()
        let base = node.server.config.advertisedURL + "/" + node.server.config.defaultAccountID
        var generator = RequestFuzzGenerator(seed: seed, queueUrls: [], accountBase: base)
        for (name, attributes) in [
            ("fuzz", [:]), ("fuzz.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"]),
        ] {
            let created = try node.json(
                "CreateQueue",
                [
                    "QueueName": .string(name),
                    "Attributes": .object(attributes.mapValues(JSONValue.string)),
                ])
            guard created.status == 200, case .string(let url)? = created.body["QueueUrl"] else {
                return XCTFail("seed \(String(seed, radix: 16)): CreateQueue \(name) answered \(created)")
            }
            generator.queueUrls.append(url)
        }
        for index in 0..<Self.requestsPerSeed {
            let request = generator.next()
            let context =
                "seed \(String(seed, radix: 16)) request #\(index) \(request.label) (replay: FERRY_FUZZ_SEED=\(String(seed, radix: 16)))"
            let response = try node.answer(request.bytes)
            tally.requests += 1
            tally.bytesSent += request.bytes.count
            check(response, for: request, context: context, tally: &tally)
            if request.action == "ReceiveMessage", response.status == 200,
                case .string(let url)? = request.members["QueueUrl"]
            {
                generator.handles[url, default: []] += Self.receiptHandles(in: response.body)
            }
        }
    }

    private func check(
        _ response: HTTPResponse, for request: RequestFuzzGenerator.Request, context: String, tally: inout Tally
    ) {
        if response.status == 200 {
            tally.successes[request.action, default: 0] += 1
            XCTAssertFalse(request.expectsInvalidHandle, "\(context): an altered receipt handle was accepted")
            switch request.wire {
            case .json:
                guard case .object? = try? JSONParser.parse(response.body) else {
                    return XCTFail("\(context): 200 whose body is not a JSON object")
                }
            case .query:
                XCTAssertTrue(response.body.starts(with: Array("<?xml".utf8)), "\(context): 200 whose body is not XML")
            }
            return
        }
        if request.bytes.count > HTTPLimits.standard.bodyBytesMax {
            // Refused by the HTTP layer before any SQS decoding (a query-protocol batch can grow past 4 MiB
            // when percent-encoded).
            tally.errors["HTTP \(response.status)", default: 0] += 1
            return XCTAssertEqual(response.status, 413, "\(context): a body past HTTPLimits.bodyBytesMax")
        }
        guard let code = Self.errorCode(response, wire: request.wire) else {
            return XCTFail(
                "\(context): \(response.status) is neither a success nor an SQS error: "
                    + String(decoding: response.body.prefix(300), as: UTF8.self))
        }
        tally.errors[code, default: 0] += 1
        XCTAssertTrue(
            (400..<500).contains(response.status),
            "\(context): \(response.status) \(code): "
                + String(decoding: response.body.prefix(300), as: UTF8.self))
        XCTAssertTrue(Self.knownErrorCodes.contains(code), "\(context): unknown error code \(code)")
        if request.expectsInvalidHandle {
            XCTAssertEqual(code, "ReceiptHandleIsInvalid", "\(context): an altered receipt handle")
        }
    }

    /// The error code an SDK would read, or nil when the answer is not shaped like an SQS error.
    static func errorCode(_ response: HTTPResponse, wire: SQSWireProtocol) -> String? {
        switch wire {
        case .json:
            guard let header = response.headers["x-amzn-query-error"],
                case .object(let body)? = try? JSONParser.parse(response.body),
                case .string(let type)? = body["__type"], case .string? = body["message"],
                let code = header.split(separator: ";").first.map(String.init),
                type == (SQSErrorCode.allCases.first { $0.legacyCode == code }?.jsonType ?? "?")
            else { return nil }
            return code
        case .query:
            let text = String(decoding: response.body, as: UTF8.self)
            guard text.hasPrefix("<?xml"), let start = text.range(of: "<Code>"),
                let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex)
            else { return nil }
            return String(text[start.upperBound..<end.lowerBound])
        }
    }

    /// The ReceiptHandles in a ReceiveMessage answer, JSON or XML.
    static func receiptHandles(in body: [UInt8]) -> [String] {
        if case .object(let members)? = try? JSONParser.parse(body), case .array(let messages)? = members["Messages"] {
            return messages.compactMap { message in
                guard case .object(let fields) = message, case .string(let handle)? = fields["ReceiptHandle"] else {
                    return nil
                }
                return handle
            }
        }
        let text = String(decoding: body, as: UTF8.self)
        return text.components(separatedBy: "<ReceiptHandle>").dropFirst().compactMap {
            $0.components(separatedBy: "</ReceiptHandle>").first
        }
    }
}

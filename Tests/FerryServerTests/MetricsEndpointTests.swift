import FerryRuntime
import XCTest

@testable import FerrySQS
@testable import FerryServer

/// `GET /metrics` on a real in-process node: what SQS requests, applied commands and the node's state
/// show there, and the bounds on its label values.
final class MetricsEndpointTests: XCTestCase {
    static let queueUrlBase = "http://127.0.0.1:9/000000000000/"

    func scrape(_ node: InProcessNode) throws -> Exposition {
        let response = try node.answer(Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        return Exposition(String(decoding: response.body, as: UTF8.self))
    }

    @discardableResult
    func call(_ node: InProcessNode, _ action: String, _ members: [String: JSONValue]) throws -> [String: JSONValue] {
        try node.json(action, members).body
    }

    func send(_ node: InProcessNode, _ queue: String, _ body: String = "m") throws {
        try call(node, "SendMessage", ["QueueUrl": .string(Self.queueUrlBase + queue), "MessageBody": .string(body)])
    }

    func testRequestsAreCountedByOperationAndOutcomeAndTimed() throws {
        let node = try InProcessNode()
        try call(node, "CreateQueue", ["QueueName": .string("orders")])
        try send(node, "orders")
        try send(node, "orders")
        try send(node, "missing")
        let metrics = try scrape(node)
        XCTAssertEqual(metrics["ferry_sqs_requests_total", ["operation": "SendMessage", "outcome": "ok"]], 2)
        XCTAssertEqual(
            metrics["ferry_sqs_requests_total", ["operation": "SendMessage", "outcome": "QueueDoesNotExist"]], 1)
        XCTAssertEqual(metrics["ferry_sqs_requests_total", ["operation": "CreateQueue", "outcome": "ok"]], 1)
        XCTAssertEqual(metrics["ferry_sqs_request_duration_seconds_count", ["operation": "SendMessage"]], 3)
        XCTAssertGreaterThan(metrics["ferry_sqs_request_duration_seconds_sum", ["operation": "SendMessage"]] ?? 0, 0)
        XCTAssertEqual(metrics["ferry_queue_messages_sent_total", ["queue": "orders"]], 2)
        XCTAssertNil(
            metrics["ferry_sqs_requests_total", ["operation": "unknown", "outcome": "ok"]],
            "a request refused before decoding never succeeds")
        XCTAssertNil(metrics["ferry_queue_messages_sent_total", ["queue": "missing"]], "only real queues get series")
    }

    func testAnUnknownActionIsCountedUnderUnknownNotUnderWhatTheClientSent() throws {
        let node = try InProcessNode()
        try call(node, "MadeUpAction", [:])
        let metrics = try scrape(node)
        XCTAssertEqual(metrics["ferry_sqs_requests_total", ["operation": "unknown", "outcome": "InvalidAction"]], 1)
        XCTAssertFalse(metrics.text.contains("MadeUp"))
    }

    func testQueueGaugesMatchGetQueueAttributes() throws {
        let node = try InProcessNode()
        try call(node, "CreateQueue", ["QueueName": .string("jobs")])
        for n in 0..<3 { try send(node, "jobs", "job \(n)") }
        try call(
            node, "SendMessage",
            [
                "QueueUrl": .string(Self.queueUrlBase + "jobs"), "MessageBody": .string("later"),
                "DelaySeconds": .number("60"),
            ])
        let received = try call(
            node, "ReceiveMessage",
            ["QueueUrl": .string(Self.queueUrlBase + "jobs"), "MaxNumberOfMessages": .number("1")])
        guard case .array(let messages)? = received["Messages"] else { return XCTFail("no messages: \(received)") }
        XCTAssertEqual(messages.count, 1)
        let attributes = try call(
            node, "GetQueueAttributes",
            [
                "QueueUrl": .string(Self.queueUrlBase + "jobs"),
                "AttributeNames": .array([.string("All")]),
            ])
        guard case .object(let values)? = attributes["Attributes"] else { return XCTFail("no attributes") }
        let metrics = try scrape(node)
        for (attribute, family) in [
            ("ApproximateNumberOfMessages", "ferry_queue_messages_visible"),
            ("ApproximateNumberOfMessagesNotVisible", "ferry_queue_messages_in_flight"),
            ("ApproximateNumberOfMessagesDelayed", "ferry_queue_messages_delayed"),
        ] {
            guard case .string(let count)? = values[attribute] else { return XCTFail(attribute) }
            XCTAssertEqual(metrics[family, ["queue": "jobs"]], Double(count), family)
        }
        XCTAssertEqual(metrics["ferry_queue_messages_visible", ["queue": "jobs"]], 2)
        XCTAssertEqual(metrics["ferry_queue_messages_received_total", ["queue": "jobs"]], 1)
        XCTAssertEqual(metrics["ferry_queues", [:]], 1)
        XCTAssertGreaterThanOrEqual(metrics["ferry_queue_oldest_message_age_seconds", ["queue": "jobs"]] ?? -1, 0)
    }

    func testMovesToTheDeadLetterQueueAreCountedOnTheSourceQueue() throws {
        let node = try InProcessNode()
        try call(node, "CreateQueue", ["QueueName": .string("dlq")])
        let policy = "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"1\"}"
        try call(
            node, "CreateQueue",
            [
                "QueueName": .string("src"),
                "Attributes": .object([
                    "RedrivePolicy": .string(policy), "VisibilityTimeout": .string("0"),
                ]),
            ])
        try send(node, "src")
        let url = JSONValue.string(Self.queueUrlBase + "src")
        try call(node, "ReceiveMessage", ["QueueUrl": url])
        let second = try call(node, "ReceiveMessage", ["QueueUrl": url])
        XCTAssertNil(second["Messages"], "the second receive moved it instead: \(second)")
        let metrics = try scrape(node)
        XCTAssertEqual(metrics["ferry_queue_messages_moved_to_dlq_total", ["queue": "src"]], 1)
        XCTAssertEqual(metrics["ferry_queue_messages_visible", ["queue": "dlq"]], 1)
        XCTAssertEqual(metrics["ferry_queue_messages_sent_total", ["queue": "dlq"]] ?? 0, 0, "a move is not a send")
    }

    func testQueuesBeyondTheMaximumShareTheOtherSeriesAndDeletedQueuesLeave() throws {
        let node = try InProcessNode(extraConfig: "metrics_queues_max = 2")
        for name in ["a", "b", "c", "d"] {
            try call(node, "CreateQueue", ["QueueName": .string(name)])
            try send(node, name)
        }
        var metrics = try scrape(node)
        XCTAssertEqual(metrics.labelValues("ferry_queue_messages_visible", "queue"), ["a", "b", "other"])
        XCTAssertEqual(metrics["ferry_queue_messages_visible", ["queue": "other"]], 2)
        XCTAssertEqual(metrics["ferry_queue_messages_sent_total", ["queue": "other"]], 2)
        try call(node, "DeleteQueue", ["QueueUrl": .string(Self.queueUrlBase + "a")])
        metrics = try scrape(node)
        XCTAssertEqual(
            metrics.labelValues("ferry_queue_messages_visible", "queue"), ["b", "c", "other"],
            "a's series left with it, and its label went to the next queue seen")
        XCTAssertEqual(metrics["ferry_queue_messages_visible", ["queue": "other"]], 1)
        try call(node, "CreateQueue", ["QueueName": .string("e")])
        try send(node, "e")
        metrics = try scrape(node)
        XCTAssertEqual(metrics.labelValues("ferry_queue_messages_visible", "queue"), ["b", "c", "other"])
        XCTAssertEqual(metrics["ferry_queue_messages_visible", ["queue": "other"]], 2, "d and e")
    }

    func testRaftStorageAndProcessFamiliesReadTheNode() throws {
        let node = try InProcessNode()
        try call(node, "CreateQueue", ["QueueName": .string("q")])
        let metrics = try scrape(node)
        XCTAssertEqual(metrics["ferry_raft_role", ["role": "leader"]], 1)
        XCTAssertEqual(metrics["ferry_raft_role", ["role": "follower"]], 0)
        XCTAssertEqual(metrics["ferry_raft_leader_id", [:]], 1)
        XCTAssertGreaterThanOrEqual(metrics["ferry_raft_term", [:]] ?? 0, 1)
        XCTAssertEqual(metrics["ferry_raft_commit_index", [:]], metrics["ferry_raft_last_log_index", [:]])
        XCTAssertEqual(metrics["ferry_raft_leader_changes_total", [:]], 1, "none known, then itself")
        XCTAssertGreaterThan(metrics["ferry_storage_durable_write_seconds_count", [:]] ?? 0, 0)
        XCTAssertGreaterThan(metrics["ferry_storage_log_bytes", [:]] ?? 0, 0)
        XCTAssertGreaterThanOrEqual(metrics["ferry_storage_log_segments", [:]] ?? 0, 1)
        XCTAssertGreaterThan(metrics["ferry_process_resident_memory_bytes", [:]] ?? 0, 1_048_576)
        XCTAssertGreaterThan(metrics["ferry_process_open_fds", [:]] ?? 0, 2)
        for definition in MetricCatalog.all
        where !["ferry_raft_follower_lag_entries", "ferry_peer_connected"].contains(definition.name) {
            XCTAssertTrue(
                metrics.text.contains("# TYPE \(definition.name) \(definition.kind.rawValue)\n"), definition.name)
        }
    }

    func testWithMetricsOffThereIsNoEndpoint() throws {
        let node = try InProcessNode(extraConfig: "metrics = false")
        XCTAssertNil(node.server.metrics)
        let response = try node.answer(Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        XCTAssertEqual(response.status, 404)
    }
}

/// A scrape's samples, looked up by family and labels (values in the order the catalog lists them).
struct Exposition {
    let text: String
    private var samples: [String: Double] = [:]

    init(_ text: String) {
        self.text = text
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
    }

    subscript(name: String, labels: [String: String]) -> Double? {
        let order = MetricCatalog.all.first { name.hasPrefix($0.name) }?.labels ?? []
        let rendered = order.compactMap { key in labels[key].map { "\(key)=\"\($0)\"" } }.joined(separator: ",")
        return samples[rendered.isEmpty ? name : "\(name){\(rendered)}"]
    }

    /// The values of `label` among `name`'s samples, sorted.
    func labelValues(_ name: String, _ label: String) -> [String] {
        samples.keys.filter { $0.hasPrefix(name + "{") }.compactMap { key -> String? in
            guard let start = key.range(of: "\(label)=\"") else { return nil }
            return String(key[start.upperBound...].prefix { $0 != "\"" })
        }.sorted()
    }
}

import XCTest

@testable import FerryQueue

/// docs/sqs-wire.md, "Operations", "Queue attributes", "Queue lifecycle": queues, attributes, tags, purge.
final class QueueLifecycleTests: XCTestCase {
    func testCreateIsIdempotentWithIdenticalAttributesOnly() {
        var h = Harness()
        XCTAssertEqual(h.create("q", ["VisibilityTimeout": "40"]), .queueCreated(name: "q"))
        XCTAssertEqual(h.create("q", ["VisibilityTimeout": "40"]), .queueCreated(name: "q"))
        XCTAssertEqual(h.create("q", ["VisibilityTimeout": "41"]).error?.code, .queueNameExists)
        XCTAssertEqual(h.create("d"), .queueCreated(name: "d"))
        XCTAssertEqual(
            h.create("d", ["VisibilityTimeout": "30"]), .queueCreated(name: "d"), "a default restated is identical")
    }

    func testRecreateWithinSixtySecondsOfDeleteIsQueueDeletedRecently() {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(h.run(.deleteQueue(name: "q")), .done)
        XCTAssertFalse(h.machine.queueExists("q"))
        h.advance(seconds: 59)
        XCTAssertEqual(h.create("q").error?.code, .queueDeletedRecently)
        h.advance(seconds: 1)
        XCTAssertEqual(h.create("q"), .queueCreated(name: "q"))
    }

    func testHandlesOfADeletedQueueStayInvalidAfterRecreation() {
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        let handle = h.receive("q")[0].receiptHandle
        _ = h.run(.deleteQueue(name: "q"))
        h.advance(seconds: 60)
        h.create("q")
        XCTAssertEqual(h.delete("q", handle).error?.code, .receiptHandleIsInvalid)
    }

    func testUnknownQueueIsQueueDoesNotExist() {
        var h = Harness()
        XCTAssertEqual(h.sendResult("nope", "x").error?.code, .queueDoesNotExist)
        XCTAssertEqual(h.run(.deleteQueue(name: "nope")).error?.code, .queueDoesNotExist)
        XCTAssertEqual(h.run(.purgeQueue(name: "nope")).error?.code, .queueDoesNotExist)
    }

    func testQueueNameRules() {
        var h = Harness()
        XCTAssertEqual(h.create("has space").error?.code, .invalidParameterValue)
        XCTAssertEqual(h.create(String(repeating: "a", count: 81)).error?.code, .invalidParameterValue)
        XCTAssertEqual(
            h.create(String(repeating: "a", count: 80)), .queueCreated(name: String(repeating: "a", count: 80)))
        XCTAssertEqual(h.create("x.fifo").error?.code, .invalidParameterValue, ".fifo needs FifoQueue=true")
        XCTAssertEqual(h.create("x", ["FifoQueue": "true"]).error?.code, .invalidParameterValue)
    }

    func testListQueuesWithPrefixAndPagination() {
        var h = Harness()
        for name in ["b", "a1", "a3", "a2", "c"] { h.create(name) }
        XCTAssertEqual(h.machine.listQueues().names, ["a1", "a2", "a3", "b", "c"])
        XCTAssertNil(h.machine.listQueues().nextToken, "no token without MaxResults")
        let page1 = h.machine.listQueues(prefix: "a", maxResults: 2)
        XCTAssertEqual(page1.names, ["a1", "a2"])
        let page2 = h.machine.listQueues(prefix: "a", maxResults: 2, nextToken: page1.nextToken)
        XCTAssertEqual(page2.names, ["a3"])
        XCTAssertNil(page2.nextToken)
    }

    func testAttributeDefaultsAndReadOnlyValues() {
        var h = Harness()
        h.create("q")
        guard case .success(let all) = h.machine.getQueueAttributes("q", names: ["All"]) else { return XCTFail() }
        let map = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0.value) })
        XCTAssertEqual(map["VisibilityTimeout"], "30")
        XCTAssertEqual(map["MessageRetentionPeriod"], "345600")
        XCTAssertEqual(map["MaximumMessageSize"], "1048576")
        XCTAssertEqual(map["DelaySeconds"], "0")
        XCTAssertEqual(map["ReceiveMessageWaitTimeSeconds"], "0")
        XCTAssertEqual(map["QueueArn"], h.arn("q"))
        XCTAssertEqual(map["CreatedTimestamp"], String(h.nowMs / 1000), "epoch seconds")
        XCTAssertNil(map["FifoQueue"], "FIFO attributes only on FIFO queues")
        XCTAssertEqual(all.map(\.key), all.map(\.key).sorted())
        XCTAssertEqual(h.machine.getQueueAttributes("q", names: ["Bogus"]).failure?.code, .invalidAttributeName)
        XCTAssertEqual(h.machine.getQueueAttributes("q", names: []), .success([]))
    }

    func testSetAttributesValidatesRanges() {
        var h = Harness()
        h.create("q")
        let cases: [(String, String)] = [
            ("VisibilityTimeout", "43201"), ("DelaySeconds", "901"), ("MessageRetentionPeriod", "59"),
            ("MaximumMessageSize", "1023"), ("MaximumMessageSize", "1048577"), ("ReceiveMessageWaitTimeSeconds", "21"),
            ("VisibilityTimeout", "abc"),
        ]
        for (name, value) in cases {
            XCTAssertEqual(
                h.run(.setQueueAttributes(name: "q", attributes: [KeyValue(name, value)])).error?.code,
                .invalidAttributeValue, "\(name)=\(value)")
        }
        XCTAssertEqual(
            h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("Nope", "1")])).error?.code,
            .invalidAttributeName)
        XCTAssertEqual(
            h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("ContentBasedDeduplication", "true")])).error?
                .code,
            .invalidAttributeName, "FIFO-only attribute on a standard queue")
        XCTAssertEqual(
            h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("FifoQueue", "true")])).error,
            QueueError(.invalidAttributeName, "Unknown Attribute FifoQueue."),
            "a standard queue does not know FifoQueue (AWS, recorded)")
        h.advance(seconds: 5)
        XCTAssertEqual(h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("VisibilityTimeout", "0")])), .done)
        XCTAssertEqual(h.attribute("q", "VisibilityTimeout"), "0")
        XCTAssertEqual(h.attribute("q", "LastModifiedTimestamp"), String(h.nowMs / 1000))
    }

    func testTagsSetListRemove() {
        var h = Harness()
        _ = h.run(.createQueue(name: "q", attributes: [], tags: [KeyValue("team", "a")]))
        XCTAssertEqual(h.run(.tagQueue(name: "q", tags: [KeyValue("env", "prod"), KeyValue("team", "b")])), .done)
        XCTAssertEqual(h.machine.listQueueTags("q"), .success([KeyValue("env", "prod"), KeyValue("team", "b")]))
        XCTAssertEqual(h.run(.untagQueue(name: "q", keys: ["team"])), .done)
        XCTAssertEqual(h.machine.listQueueTags("q"), .success([KeyValue("env", "prod")]))
        let many = (0..<50).map { KeyValue("k\($0)", "v") }
        XCTAssertEqual(h.run(.tagQueue(name: "q", tags: many)).error?.code, .invalidParameterValue, "at most 50 tags")
    }

    func testPurgeDeletesEverythingOncePerMinute() {
        var h = Harness()
        h.create("q")
        h.send("q", "a")
        h.send("q", "b")
        h.send("q", "c", delay: 60)
        _ = h.receive("q", max: 1)
        XCTAssertEqual(h.run(.purgeQueue(name: "q")), .done)
        XCTAssertEqual(h.counts("q"), [0, 0, 0])
        h.send("q", "after")
        h.advance(seconds: 59)
        XCTAssertEqual(h.run(.purgeQueue(name: "q")).error?.code, .purgeQueueInProgress)
        h.advance(seconds: 1)
        XCTAssertEqual(h.run(.purgeQueue(name: "q")), .done)
        XCTAssertEqual(h.receive("q"), [])
    }

    func testQueuesPerClusterIsBounded() {
        var machine = QueueMachine(config: .init(region: "r", accountId: "a"))
        for i in 0..<QueueLimits.queuesMax {
            _ = machine.apply(
                .createQueue(name: "q\(i)", attributes: [], tags: []),
                at: CommandStamp(logIndex: UInt64(i + 1), timeMs: 0))
        }
        XCTAssertEqual(machine.queueCount, QueueLimits.queuesMax)
        let over = machine.apply(
            .createQueue(name: "one-more", attributes: [], tags: []),
            at: CommandStamp(logIndex: UInt64(QueueLimits.queuesMax + 1), timeMs: 0))
        XCTAssertEqual(over.error?.code, .overLimit)
        XCTAssertEqual(machine.listQueues().names.count, QueueLimits.listQueuesResultsMax, "at most 1000 per page")
    }
}

extension Result {
    static func == (lhs: Result, rhs: Result) -> Bool where Success: Equatable, Failure: Equatable {
        switch (lhs, rhs) {
        case (.success(let a), .success(let b)): return a == b
        case (.failure(let a), .failure(let b)): return a == b
        default: return false
        }
    }
}

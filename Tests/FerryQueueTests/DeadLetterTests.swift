import XCTest

@testable import FerryQueue

/// docs/sqs-wire.md, "Dead-letter queues".
final class DeadLetterTests: XCTestCase {
    private func withDeadLetterQueue(maxReceiveCount: Int = 2, fifo: Bool = false) -> Harness {
        var h = Harness()
        let suffix = fifo ? ".fifo" : ""
        let base = fifo ? ["FifoQueue": "true"] : [:]
        XCTAssertEqual(h.create("dlq" + suffix, base), .queueCreated(name: "dlq" + suffix))
        var attributes = base
        attributes["RedrivePolicy"] =
            "{\"deadLetterTargetArn\":\"\(h.arn("dlq" + suffix))\",\"maxReceiveCount\":\(maxReceiveCount)}"
        attributes["VisibilityTimeout"] = "1"
        XCTAssertEqual(h.create("src" + suffix, attributes), .queueCreated(name: "src" + suffix))
        return h
    }

    func testMessageMovesAtTheReceiveAfterMaxReceiveCount() {
        var h = withDeadLetterQueue(maxReceiveCount: 2)
        let sent = h.send("src", "poison")
        XCTAssertEqual(h.receive("src").count, 1)
        h.advance(seconds: 1)
        XCTAssertEqual(h.receive("src").count, 1)
        h.advance(seconds: 1)
        XCTAssertEqual(h.receive("src"), [], "the third receive moves it instead of delivering it")
        XCTAssertEqual(h.counts("src"), [0, 0, 0])
        let moved = h.receive("dlq")
        XCTAssertEqual(moved.map(\.bodyText), ["poison"])
        XCTAssertEqual(moved[0].messageId, sent.messageId, "a moved message keeps its MessageId")
        XCTAssertEqual(moved[0].deadLetterQueueSourceArn, h.arn("src"))
        XCTAssertEqual(moved[0].sentTimestampMs, h.nowMs - 2000, "standard queues keep the original timestamp")
        XCTAssertEqual(moved[0].approximateReceiveCount, 3)
    }

    func testFifoDeadLetterResetsTimestampAndKeepsGroup() {
        var h = withDeadLetterQueue(maxReceiveCount: 1, fifo: true)
        h.send("src.fifo", "m1", group: "g", dedup: "1")
        h.send("src.fifo", "m2", group: "g", dedup: "2")
        XCTAssertEqual(h.bodies("src.fifo", max: 1), ["m1"])
        h.advance(seconds: 1)
        XCTAssertEqual(h.bodies("src.fifo", max: 1), ["m2"], "m1 moved to the DLQ at this receive; m2 follows")
        let moved = h.receive("dlq.fifo")
        XCTAssertEqual(moved.map(\.bodyText), ["m1"])
        XCTAssertEqual(moved[0].messageGroupId, "g")
        XCTAssertEqual(moved[0].sentTimestampMs, h.nowMs, "FIFO queues reset the timestamp on the move")
    }

    func testRedrivePolicyTargetMustExistAndMatchType() {
        var h = Harness()
        h.create("std")
        let policy = { (arn: String) in ["RedrivePolicy": "{\"deadLetterTargetArn\":\"\(arn)\",\"maxReceiveCount\":3}"]
        }
        XCTAssertEqual(h.create("a", policy(h.arn("missing"))).error?.code, .invalidParameterValue)
        var fifoAttributes = policy(h.arn("std"))
        fifoAttributes["FifoQueue"] = "true"
        XCTAssertEqual(
            h.create("f.fifo", fifoAttributes).error?.code, .invalidParameterValue, "a FIFO queue's DLQ must be FIFO")
        XCTAssertEqual(
            h.create("b", ["RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("std"))\",\"maxReceiveCount\":0}"])
                .error?.code,
            .invalidAttributeValue)
        XCTAssertEqual(h.create("c", ["RedrivePolicy": "not json"]).error?.code, .invalidAttributeValue)
        XCTAssertEqual(
            h.create("d", ["RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("std"))\",\"maxReceiveCount\":\"3\"}"]),
            .queueCreated(name: "d"), "maxReceiveCount may be a string")
        XCTAssertEqual(
            h.attribute("d", "RedrivePolicy"), "{\"deadLetterTargetArn\":\"\(h.arn("std"))\",\"maxReceiveCount\":3}")
    }

    func testRedriveAllowPolicyGatesSources() {
        var h = Harness()
        h.create(
            "dlq",
            ["RedriveAllowPolicy": "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[\"\(h.arn("ok"))\"]}"])
        let policy = ["RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("dlq"))\",\"maxReceiveCount\":3}"]
        XCTAssertEqual(h.create("ok", policy), .queueCreated(name: "ok"))
        XCTAssertEqual(h.create("other", policy).error?.code, .invalidParameterValue)
        h.create("closed", ["RedriveAllowPolicy": "{\"redrivePermission\":\"denyAll\"}"])
        XCTAssertEqual(
            h.create("x", ["RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("closed"))\",\"maxReceiveCount\":3}"])
                .error?.code,
            .invalidParameterValue)
        XCTAssertEqual(
            h.create(
                "y",
                ["RedriveAllowPolicy": "{\"redrivePermission\":\"allowAll\",\"sourceQueueArns\":[\"\(h.arn("a"))\"]}"]
            ).error?.code,
            .invalidAttributeValue, "sourceQueueArns only with byQueue")
    }

    func testListDeadLetterSourceQueues() {
        var h = withDeadLetterQueue()
        h.create("src2", ["RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("dlq"))\",\"maxReceiveCount\":5}"])
        h.create("unrelated")
        XCTAssertEqual(h.machine.listDeadLetterSourceQueues("dlq").map(\.names), .success(["src", "src2"]))
        XCTAssertEqual(h.machine.listDeadLetterSourceQueues("dlq", maxResults: 1).map(\.nextToken), .success("src"))
        XCTAssertEqual(h.machine.listDeadLetterSourceQueues("nope").failure?.code, .queueDoesNotExist)
    }

    func testMoveTaskRedrivesToSourcesAtItsRateAndSurvivesSnapshot() {
        var h = withDeadLetterQueue(maxReceiveCount: 1)
        for i in 0..<5 { h.send("src", "m\(i)") }
        _ = h.receive("src")
        h.advance(seconds: 1)
        _ = h.receive("src")
        XCTAssertEqual(h.counts("dlq"), [5, 0, 0])
        guard
            case .moveTaskStarted(let handle) = h.run(
                .startMessageMoveTask(
                    MoveTaskRequest(
                        sourceArn: h.arn("dlq"), maxMessagesPerSecond: 2)))
        else { return XCTFail() }
        XCTAssertEqual(
            h.run(.startMessageMoveTask(MoveTaskRequest(sourceArn: h.arn("dlq")))).error?.code,
            .invalidParameterValue, "one active task per queue (AWS: InvalidParameterValue)")
        h.advance(seconds: 1)
        h.tick()
        XCTAssertEqual(h.counts("src"), [2, 0, 0])
        h.fork()  // a new leader restored from a snapshot carries on from here
        h.advance(seconds: 1)
        h.tick()
        h.advance(seconds: 1)
        h.tick()
        XCTAssertEqual(h.counts("dlq"), [0, 0, 0])
        XCTAssertEqual(h.counts("src"), [5, 0, 0])
        guard case .success(let tasks) = h.machine.listMessageMoveTasks(sourceArn: h.arn("dlq")) else {
            return XCTFail()
        }
        XCTAssertEqual(tasks.map(\.status), [.completed])
        XCTAssertEqual(tasks[0].approximateNumberOfMessagesMoved, 5)
        XCTAssertNil(tasks[0].taskHandle, "only running tasks show a handle")
        XCTAssertEqual(h.run(.cancelMessageMoveTask(taskHandle: handle)).error?.code, .resourceNotFoundException)
        XCTAssertEqual(h.receive("src").first?.approximateReceiveCount, 1, "redrive starts the receive count over")
    }

    func testCancelMoveTaskKeepsMovedMessagesMoved() {
        var h = withDeadLetterQueue(maxReceiveCount: 1)
        h.create("target")
        for i in 0..<4 { h.send("src", "m\(i)") }
        _ = h.receive("src")
        h.advance(seconds: 1)
        _ = h.receive("src")
        guard
            case .moveTaskStarted(let handle) = h.run(
                .startMessageMoveTask(
                    MoveTaskRequest(
                        sourceArn: h.arn("dlq"), destinationArn: h.arn("target"), maxMessagesPerSecond: 1)))
        else { return XCTFail() }
        h.advance(seconds: 1)
        h.tick()
        XCTAssertEqual(
            h.run(.cancelMessageMoveTask(taskHandle: handle)), .moveTaskCancelled(approximateNumberOfMessagesMoved: 1))
        h.advance(seconds: 5)
        h.tick()
        XCTAssertEqual(h.counts("target"), [1, 0, 0])
        XCTAssertEqual(h.counts("dlq"), [3, 0, 0])
        XCTAssertEqual(
            h.run(.startMessageMoveTask(MoveTaskRequest(sourceArn: h.arn("src")))).error?.code,
            .invalidParameterValue, "the source must be a dead-letter queue")
    }

    func testDeadLetterRetentionCountsFromTheFirstSendEvenBehindYoungerMessages() {
        // A standard DLQ keeps the original timestamp, so an old message can sit behind a younger one; the
        // tick's sweep must still find it.
        var h = Harness()
        h.create("dlq", ["MessageRetentionPeriod": "120"])
        h.create(
            "src",
            [
                "RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("dlq"))\",\"maxReceiveCount\":1}",
                "VisibilityTimeout": "1",
            ])
        h.send("src", "old")
        _ = h.receive("src")
        h.advance(seconds: 0.5)
        h.send("dlq", "young")
        h.advance(seconds: 0.5)
        XCTAssertEqual(h.receive("src"), [], "moves old to the DLQ, behind young")
        XCTAssertEqual(h.counts("dlq"), [2, 0, 0])
        h.advance(seconds: 119)
        h.tick()
        XCTAssertEqual(h.counts("dlq"), [1, 0, 0])
        XCTAssertEqual(h.bodies("dlq"), ["young"])
    }
}

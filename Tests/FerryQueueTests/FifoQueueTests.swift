import XCTest

@testable import FerryQueue

/// docs/sqs-wire.md, "FIFO queues", and the emulator bugs it names.
final class FifoQueueTests: XCTestCase {
    private func fifo(_ extra: [String: String] = [:]) -> Harness {
        var h = Harness()
        var attributes = ["FifoQueue": "true"]
        for (k, v) in extra { attributes[k] = v }
        XCTAssertEqual(h.create("q.fifo", attributes), .queueCreated(name: "q.fifo"))
        return h
    }

    func testMessageGroupIdIsRequired() {
        var h = fifo()
        XCTAssertEqual(h.sendResult("q.fifo", "x", dedup: "1").error?.code, .missingParameter)
    }

    func testDedupIdRequiredUnlessContentBased() {
        var h = fifo()
        XCTAssertEqual(h.sendResult("q.fifo", "x", group: "g").error?.code, .invalidParameterValue)
    }

    func testPerMessageDelayIsRejected() {
        var h = fifo()
        XCTAssertEqual(
            h.sendResult("q.fifo", "x", group: "g", dedup: "1", delay: 5).error?.code, .invalidParameterValue)
    }

    func testOrderIsKeptWithinAGroupAndSequenceNumbersIncrease() {
        var h = fifo()
        var sequence: [String] = []
        for i in 0..<5 { sequence.append(h.send("q.fifo", "m\(i)", group: "g", dedup: "\(i)").sequenceNumber!) }
        XCTAssertEqual(sequence, sequence.sorted())
        XCTAssertEqual(Set(sequence).count, 5)
        let got = h.receive("q.fifo")
        XCTAssertEqual(
            got.map(\.bodyText), ["m0", "m1", "m2", "m3", "m4"], "as many of one group as possible, in order")
        XCTAssertEqual(got.map { $0.sequenceNumber! }, sequence)
    }

    func testConcurrentReceivesDoNotGetTheSameGroup() {
        // localstack #6766: two consumers receiving at once both got messages of one group.
        var h = fifo()
        h.send("q.fifo", "a1", group: "a", dedup: "1")
        h.send("q.fifo", "a2", group: "a", dedup: "2")
        h.send("q.fifo", "b1", group: "b", dedup: "3")
        let first = h.receive("q.fifo", max: 1)
        let second = h.receive("q.fifo", max: 1)
        XCTAssertEqual(first.map(\.bodyText), ["a1"])
        XCTAssertEqual(second.map(\.bodyText), ["b1"], "group a is locked while a1 is in flight")
        XCTAssertEqual(h.receive("q.fifo"), [])
    }

    func testNewMessagesAreNotDeliveredWhileTheGroupIsInFlight() {
        // localstack #6762.
        var h = fifo()
        h.send("q.fifo", "m1", group: "g", dedup: "1")
        let m1 = h.receive("q.fifo")
        XCTAssertEqual(m1.map(\.bodyText), ["m1"])
        h.send("q.fifo", "m2", group: "g", dedup: "2")
        XCTAssertEqual(h.receive("q.fifo"), [], "m2 waits for m1")
        XCTAssertNil(h.delete("q.fifo", m1[0].receiptHandle).error)
        XCTAssertEqual(h.bodies("q.fifo"), ["m2"])
    }

    func testLaterMessagesAreNotDeliveredWhileTheHeadIsInvisible() {
        // localstack #12457: the head's visibility was extended; later messages must keep waiting.
        var h = fifo(["VisibilityTimeout": "10"])
        for i in 1...3 { h.send("q.fifo", "m\(i)", group: "g", dedup: "\(i)") }
        let batch = h.receive("q.fifo", max: 3)
        XCTAssertEqual(batch.count, 3)
        XCTAssertNil(h.changeVisibility("q.fifo", batch[0].receiptHandle, 100).error)
        XCTAssertNil(h.delete("q.fifo", batch[1].receiptHandle).error)
        XCTAssertNil(h.delete("q.fifo", batch[2].receiptHandle).error)
        h.send("q.fifo", "m4", group: "g", dedup: "4")
        h.advance(seconds: 50)
        XCTAssertEqual(h.receive("q.fifo"), [], "m4 waits behind the invisible head m1")
        h.advance(seconds: 50)
        XCTAssertEqual(h.bodies("q.fifo"), ["m1", "m4"])
    }

    func testAnExpiredHeadIsRedeliveredBeforeLaterMessages() {
        var h = fifo(["VisibilityTimeout": "10"])
        for i in 1...2 { h.send("q.fifo", "m\(i)", group: "g", dedup: "\(i)") }
        _ = h.receive("q.fifo", max: 1)
        h.advance(seconds: 10)
        XCTAssertEqual(h.bodies("q.fifo"), ["m1", "m2"])
    }

    func testAReceiveFillsUpWithOtherGroups() {
        var h = fifo()
        h.send("q.fifo", "a1", group: "a", dedup: "1")
        h.send("q.fifo", "b1", group: "b", dedup: "2")
        h.send("q.fifo", "a2", group: "a", dedup: "3")
        XCTAssertEqual(h.bodies("q.fifo"), ["a1", "a2", "b1"])
    }

    func testDuplicateWithinFiveMinutesReturnsOriginalIdAndIsNotEnqueued() {
        // localstack #10460 / floci #901: the duplicate's answer repeats the original MessageId.
        var h = fifo()
        let original = h.send("q.fifo", "x", group: "g", dedup: "d")
        let duplicate = h.send("q.fifo", "other body", group: "g", dedup: "d")
        XCTAssertEqual(duplicate.messageId, original.messageId)
        XCTAssertEqual(duplicate.sequenceNumber, original.sequenceNumber)
        XCTAssertTrue(duplicate.wasDuplicate)
        XCTAssertEqual(h.counts("q.fifo"), [1, 0, 0])
    }

    func testDedupKeepsCountingAfterDeleteAndEndsAfterTheWindow() {
        var h = fifo()
        h.send("q.fifo", "x", group: "g", dedup: "d")
        let m = h.receive("q.fifo")[0]
        XCTAssertNil(h.delete("q.fifo", m.receiptHandle).error)
        h.advance(seconds: 299)
        XCTAssertTrue(h.send("q.fifo", "x", group: "g", dedup: "d").wasDuplicate)
        h.advance(seconds: 1)
        XCTAssertFalse(h.send("q.fifo", "x", group: "g", dedup: "d").wasDuplicate)
        XCTAssertEqual(h.counts("q.fifo"), [1, 0, 0])
    }

    func testContentBasedDedupUsesTheBodySha256AndAnExplicitIdOverridesIt() {
        var h = fifo(["ContentBasedDeduplication": "true"])
        let first = h.send("q.fifo", "hello", group: "g")
        XCTAssertTrue(h.send("q.fifo", "hello", group: "g").wasDuplicate)
        XCTAssertFalse(h.send("q.fifo", "hello", group: "g", dedup: "explicit").wasDuplicate)
        XCTAssertEqual(
            h.receive("q.fifo", max: 1)[0].messageDeduplicationId,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertFalse(first.wasDuplicate)
    }

    func testDeduplicationScopeQueueSpansGroups() {
        var h = fifo()
        h.send("q.fifo", "x", group: "a", dedup: "d")
        XCTAssertTrue(h.send("q.fifo", "x", group: "b", dedup: "d").wasDuplicate)
    }

    func testDeduplicationScopeMessageGroupKeysByGroupAndId() {
        // localstack #10274/#10460: with scope messageGroup the same id in two groups gives two messages.
        var h = fifo(["DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"])
        let a = h.send("q.fifo", "x", group: "a", dedup: "d")
        let b = h.send("q.fifo", "x", group: "b", dedup: "d")
        XCTAssertFalse(b.wasDuplicate)
        XCTAssertNotEqual(a.messageId, b.messageId)
        XCTAssertTrue(h.send("q.fifo", "x", group: "a", dedup: "d").wasDuplicate)
        XCTAssertEqual(h.counts("q.fifo"), [2, 0, 0])
    }

    func testReceiveRequestAttemptIdRetryReturnsSameMessagesAndHandles() {
        var h = fifo(["VisibilityTimeout": "30"])
        for i in 1...3 { h.send("q.fifo", "m\(i)", group: "g", dedup: "\(i)") }
        let first = h.receive("q.fifo", max: 2, attemptId: "attempt-1")
        h.advance(seconds: 20)
        let retry = h.receive("q.fifo", max: 2, attemptId: "attempt-1")
        XCTAssertEqual(retry, first, "same messages, same receipt handles")
        h.advance(seconds: 20)
        XCTAssertEqual(h.receive("q.fifo"), [], "the retry reset the visibility timeout")
        XCTAssertNil(h.delete("q.fifo", first[0].receiptHandle).error, "the original handles are still the latest")
    }

    func testAttemptIdRetryAfterAChangeReceivesAfresh() {
        var h = fifo()
        h.send("q.fifo", "m1", group: "g", dedup: "1")
        h.send("q.fifo", "m2", group: "h", dedup: "2")
        let first = h.receive("q.fifo", max: 1, attemptId: "a")
        XCTAssertNil(h.delete("q.fifo", first[0].receiptHandle).error)
        XCTAssertEqual(h.receive("q.fifo", max: 1, attemptId: "a").map(\.bodyText), ["m2"])
    }

    func testExpiredHandleCannotDeleteOrChangeOnFifo() {
        // aws-sdk-js #1279; docs/simulation.md, "Planted bugs", bug 34: a consumer whose lease ended must not delete
        // the next holder's message.
        var h = fifo(["VisibilityTimeout": "10"])
        h.send("q.fifo", "x", group: "g", dedup: "1")
        let old = h.receive("q.fifo")[0]
        h.advance(seconds: 10)
        XCTAssertEqual(h.delete("q.fifo", old.receiptHandle).error, QueueError.receiptHandleExpired)
        let current = h.receive("q.fifo")[0]
        XCTAssertEqual(h.delete("q.fifo", old.receiptHandle).error, QueueError.receiptHandleExpired)
        XCTAssertEqual(h.changeVisibility("q.fifo", old.receiptHandle, 5).error, QueueError.receiptHandleExpired)
        XCTAssertNil(h.delete("q.fifo", current.receiptHandle).error)
    }

    func testChangeVisibilityZeroUnlocksTheGroup() {
        var h = fifo()
        h.send("q.fifo", "m1", group: "g", dedup: "1")
        h.send("q.fifo", "m2", group: "g", dedup: "2")
        let m1 = h.receive("q.fifo", max: 1)[0]
        XCTAssertNil(h.changeVisibility("q.fifo", m1.receiptHandle, 0).error)
        XCTAssertEqual(h.bodies("q.fifo"), ["m1", "m2"])
    }

    func testQueueDelayAppliesAndKeepsOrder() {
        var h = fifo(["DelaySeconds": "5"])
        h.send("q.fifo", "m1", group: "g", dedup: "1")
        h.advance(seconds: 1)
        h.send("q.fifo", "m2", group: "g", dedup: "2")
        XCTAssertEqual(h.counts("q.fifo"), [0, 0, 2])
        h.advance(seconds: 4)
        XCTAssertEqual(h.bodies("q.fifo"), ["m1"])
    }

    func testBatchEntriesAreEnqueuedInOrder() {
        var h = fifo()
        let entries = (0..<10).map {
            SendEntry(
                id: "e\($0)", body: Array("m\($0)".utf8), messageGroupId: "g",
                messageDeduplicationId: "\($0)")
        }
        let result = h.run(.sendMessages(queueName: "q.fifo", entries: entries, isBatch: true))
        XCTAssertEqual(result.sentEntries.map(\.id), entries.map(\.id))
        XCTAssertEqual(h.bodies("q.fifo"), (0..<10).map { "m\($0)" })
    }

    func testLongPollReadinessWaitsForALockedGroup() {
        var h = fifo(["VisibilityTimeout": "10"])
        h.send("q.fifo", "m1", group: "g", dedup: "1")
        h.send("q.fifo", "m2", group: "g", dedup: "2")
        XCTAssertEqual(h.machine.receiveReadiness("q.fifo", nowMs: h.nowMs), .ready(receivable: 1))
        _ = h.receive("q.fifo", max: 1)
        XCTAssertEqual(
            h.machine.receiveReadiness("q.fifo", nowMs: h.nowMs), .waitUntil(h.nowMs + 10_000),
            "m2 is stored but its group is locked until m1's visibility ends")
    }

    func testLoweringRetentionExpiresOlderMessages() {
        var h = fifo()
        h.send("q.fifo", "old", group: "g", dedup: "1")
        h.advance(seconds: 100)
        h.send("q.fifo", "new", group: "g", dedup: "2")
        XCTAssertEqual(
            h.run(.setQueueAttributes(name: "q.fifo", attributes: [KeyValue("MessageRetentionPeriod", "60")])), .done)
        h.tick()
        XCTAssertEqual(h.bodies("q.fifo"), ["new"])
    }
}

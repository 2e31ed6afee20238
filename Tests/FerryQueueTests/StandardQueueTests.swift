import XCTest

@testable import FerryQueue

/// docs/sqs-wire.md, "Receive" and "Visibility and receipt handles".
final class StandardQueueTests: XCTestCase {
    func testSendReceiveDeleteRoundTrip() {
        var h = Harness()
        h.create("q")
        let sent = h.send("q", "hello")
        XCTAssertEqual(sent.messageId.count, 36, "MessageId is UUID-formatted")
        XCTAssertNil(sent.sequenceNumber)
        let got = h.receive("q")
        XCTAssertEqual(got.map(\.bodyText), ["hello"])
        XCTAssertEqual(got[0].messageId, sent.messageId)
        XCTAssertEqual(got[0].approximateReceiveCount, 1)
        XCTAssertEqual(got[0].approximateFirstReceiveTimestampMs, h.nowMs)
        XCTAssertEqual(got[0].sentTimestampMs, h.nowMs)
        XCTAssertEqual(h.counts("q"), [0, 1, 0])
        XCTAssertEqual(h.delete("q", got[0].receiptHandle), .deleted([EntryResult(id: "", .success(.init()))]))
        XCTAssertEqual(h.counts("q"), [0, 0, 0])
        XCTAssertEqual(h.receive("q"), [])
    }

    /// A receive hands out the queue's own copy of the body, and its id and handle unwritten (every replica
    /// applies it; one reads them): reading them gives what was sent, and changing a received message changes
    /// that message only.
    func testAReceivedBodyReadsAsSentAndChangingItLeavesTheQueuesCopy() {
        var h = Harness()
        h.create("q")
        let sent = h.send("q", "hello")
        let got = h.receive("q", visibility: 1)
        XCTAssertEqual(got.map(\.body), [Array("hello".utf8)])
        XCTAssertEqual(got[0].messageId, sent.messageId)
        XCTAssertEqual(ReceiptHandle(text: got[0].receiptHandle)?.text, got[0].receiptHandle)
        var renamed = got[0]
        renamed.messageId = "other"
        renamed.receiptHandle = "FR1-other"
        XCTAssertEqual([renamed.messageId, renamed.receiptHandle], ["other", "FR1-other"])
        XCTAssertNotEqual(renamed, got[0])
        renamed.messageId = sent.messageId
        renamed.receiptHandle = got[0].receiptHandle
        XCTAssertEqual(renamed, got[0], "equal ids are equal however they are held")
        var changed = got[0]
        changed.body[0] = UInt8(ascii: "j")
        XCTAssertEqual(changed.bodyText, "jello")
        XCTAssertEqual(got[0].bodyText, "hello")
        XCTAssertNotEqual(changed, got[0])
        var sameBytes = got[0]
        sameBytes.body = Array("hello".utf8)
        XCTAssertEqual(sameBytes, got[0], "equal bodies are equal however they are held")
        h.advance(seconds: 2)
        XCTAssertEqual(h.receive("q").map(\.bodyText), ["hello"], "the redelivery carries the body as sent")
    }

    func testMessageIdsAreDistinctAndIdenticalOnEveryReplica() {
        var a = Harness()
        var b = Harness()
        a.create("q")
        b.create("q")
        let idsA = (0..<50).map { a.send("q", "m\($0)").messageId }
        let idsB = (0..<50).map { b.send("q", "m\($0)").messageId }
        XCTAssertEqual(idsA, idsB)
        XCTAssertEqual(Set(idsA).count, 50)
    }

    func testReceiveReturnsAtMostMaxMessages() {
        var h = Harness()
        h.create("q")
        for i in 0..<15 { h.send("q", "m\(i)") }
        XCTAssertEqual(h.receive("q", max: 10).count, 10)
        XCTAssertEqual(h.receive("q", max: 10).count, 5)
        XCTAssertEqual(
            h.run(.receiveMessages(ReceiveRequest(queueName: "q", maxMessages: 11))).error?.code,
            .invalidParameterValue)
    }

    func testVisibilityTimeoutHidesThenRedeliversWithNewHandleAndCount() {
        var h = Harness()
        h.create("q", ["VisibilityTimeout": "30"])
        h.send("q", "x")
        let first = h.receive("q")[0]
        h.advance(seconds: 29.999)
        XCTAssertEqual(h.receive("q"), [], "still invisible")
        h.advance(seconds: 0.001)
        let second = h.receive("q")[0]
        XCTAssertEqual(second.approximateReceiveCount, 2)
        XCTAssertEqual(second.approximateFirstReceiveTimestampMs, first.approximateFirstReceiveTimestampMs)
        XCTAssertNotEqual(second.receiptHandle, first.receiptHandle, "a new receipt handle per receive")
    }

    func testRequestVisibilityTimeoutOverridesQueueDefault() {
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        _ = h.receive("q", visibility: 5)
        h.advance(seconds: 5)
        XCTAssertEqual(h.bodies("q"), ["x"])
    }

    func testDeleteWithStaleHandleOnStandardQueueStillDeletes() {
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        let old = h.receive("q", visibility: 1)[0]
        h.advance(seconds: 1)
        _ = h.receive("q", visibility: 60)
        XCTAssertEqual(
            h.delete("q", old.receiptHandle).error, nil,
            "SQS: succeeds (DeleteMessage works while another consumer holds it)")
        XCTAssertEqual(h.counts("q"), [0, 0, 0])
        XCTAssertEqual(h.delete("q", old.receiptHandle).error, nil, "deleting a deleted message succeeds")
    }

    func testMalformedOrForeignHandleIsReceiptHandleIsInvalid() {
        var h = Harness()
        h.create("a")
        h.create("b")
        h.send("a", "x")
        let handle = h.receive("a")[0].receiptHandle
        XCTAssertEqual(h.delete("a", "garbage").error?.code, .receiptHandleIsInvalid)
        XCTAssertEqual(h.delete("b", handle).error?.code, .receiptHandleIsInvalid, "a handle names its queue")
        var corrupted = Array(handle.utf8)
        corrupted[10] = corrupted[10] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        XCTAssertEqual(h.delete("a", String(decoding: corrupted, as: UTF8.self)).error?.code, .receiptHandleIsInvalid)
    }

    func testChangeVisibilityZeroMakesVisibleNow() {
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        let m = h.receive("q")[0]
        XCTAssertNil(h.changeVisibility("q", m.receiptHandle, 0).error)
        XCTAssertEqual(h.counts("q"), [1, 0, 0])
        XCTAssertEqual(h.bodies("q"), ["x"])
    }

    func testChangeVisibilityExtendsFromNow() {
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        let m = h.receive("q", visibility: 10)[0]
        h.advance(seconds: 5)
        XCTAssertNil(h.changeVisibility("q", m.receiptHandle, 100).error)
        h.advance(seconds: 99)
        XCTAssertEqual(h.receive("q"), [])
        h.advance(seconds: 1)
        XCTAssertEqual(h.bodies("q"), ["x"])
    }

    func testChangeVisibilityCannotExceedTwelveHoursSinceReceive() {
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        let m = h.receive("q", visibility: 43_200)[0]
        h.advance(seconds: 3600)
        XCTAssertEqual(h.changeVisibility("q", m.receiptHandle, 43_200).error?.code, .invalidParameterValue)
        XCTAssertNil(h.changeVisibility("q", m.receiptHandle, 39_600).error, "exactly 12 h in total is allowed")
        XCTAssertEqual(h.changeVisibility("q", m.receiptHandle, 43_201).error?.code, .invalidParameterValue)
    }

    func testChangeVisibilityWithExpiredHandleOnStandardQueueIsANoOp() {
        // localstack PR #9632 (AWS-validated): OK, nothing happens.
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        let m = h.receive("q", visibility: 1)[0]
        h.advance(seconds: 2)
        XCTAssertNil(h.changeVisibility("q", m.receiptHandle, 600).error)
        XCTAssertEqual(h.bodies("q"), ["x"], "still visible: the change did nothing")
    }

    func testDelaySecondsPerMessageAndQueueDefault() {
        var h = Harness()
        h.create("q", ["DelaySeconds": "10"])
        h.send("q", "queue-delay")
        h.send("q", "own-delay", delay: 2)
        h.send("q", "no-delay", delay: 0)
        XCTAssertEqual(h.counts("q"), [1, 0, 2])
        XCTAssertEqual(h.bodies("q"), ["no-delay"])
        h.advance(seconds: 2)
        XCTAssertEqual(h.bodies("q"), ["own-delay"])
        h.advance(seconds: 8)
        XCTAssertEqual(h.bodies("q"), ["queue-delay"])
    }

    func testRetentionExpiresMessagesWhateverTheirState() {
        var h = Harness()
        h.create("q", ["MessageRetentionPeriod": "60"])
        h.send("q", "visible")
        h.send("q", "inflight")
        _ = h.receive("q", max: 1, visibility: 600)
        h.advance(seconds: 30)
        h.send("q", "young")
        h.advance(seconds: 30)
        h.tick()
        XCTAssertEqual(h.counts("q"), [1, 0, 0])
        XCTAssertEqual(h.bodies("q"), ["young"])
    }

    func testApproximateCountsTrackVisibleInFlightDelayed() {
        var h = Harness()
        h.create("q")
        for i in 0..<5 { h.send("q", "m\(i)") }
        h.send("q", "later", delay: 60)
        _ = h.receive("q", max: 2)
        XCTAssertEqual(h.counts("q"), [3, 2, 1])
    }

    func testMessageAttributesAndTraceHeaderComeBack() {
        var h = Harness()
        h.create("q")
        let attributes = [
            MessageAttribute(name: "a", dataType: "String", value: .string("x")),
            MessageAttribute(name: "b", dataType: "Binary", value: .binary([0, 1])),
        ]
        _ = h.run(
            .sendMessages(
                queueName: "q",
                entries: [
                    SendEntry(
                        body: Array("x".utf8), attributes: attributes, awsTraceHeader: "Root=1-5759e988")
                ], isBatch: false))
        let m = h.receive("q")[0]
        XCTAssertEqual(m.attributes, attributes)
        XCTAssertEqual(m.awsTraceHeader, "Root=1-5759e988")
    }

    func testMessageSizeCountsBodyAndAttributesAgainstQueueMaximum() {
        var h = Harness()
        h.create("q", ["MaximumMessageSize": "1024"])
        XCTAssertNil(h.sendResult("q", String(repeating: "a", count: 1024)).sentEntries.first?.result.failure)
        let attribute = MessageAttribute(name: "n", dataType: "String", value: .string("v"))
        XCTAssertEqual(
            h.sendResult("q", String(repeating: "a", count: 1020), attributes: [attribute]).error?.code,
            .invalidParameterValue)
    }

    func testOverLimitWhenTooManyInFlight() {
        var h = Harness()
        h.create("q")
        var entries: [SendEntry] = []
        for i in 0..<10 { entries.append(SendEntry(id: "e\(i)", body: [UInt8(ascii: "a")])) }
        for _ in 0..<(QueueLimits.inflightMessagesMax / 10 + 1) {
            _ = h.machine.apply(
                .sendMessages(queueName: "q", entries: entries, isBatch: true),
                at: CommandStamp(logIndex: h.logIndex + 1, timeMs: h.nowMs))
            h.logIndex += 1
        }
        var received = 0
        while received < QueueLimits.inflightMessagesMax {
            h.logIndex += 1
            guard
                case .received(let batch) = h.machine.apply(
                    .receiveMessages(ReceiveRequest(queueName: "q", maxMessages: 10)),
                    at: CommandStamp(logIndex: h.logIndex, timeMs: h.nowMs))
            else { return XCTFail("receive failed") }
            received += batch.count
        }
        XCTAssertEqual(h.run(.receiveMessages(ReceiveRequest(queueName: "q"))).error?.code, .overLimit)
    }

    func testFairQueueGroupIdIsAcceptedOnStandardQueues() {
        var h = Harness()
        h.create("q")
        h.send("q", "x", group: "tenant-1")
        XCTAssertEqual(h.receive("q")[0].messageGroupId, "tenant-1")
        XCTAssertEqual(
            h.sendResult("q", "y", dedup: "d").error?.code, .invalidParameterValue,
            "MessageDeduplicationId is FIFO-only")
    }

    func testReceiveReadinessForLongPolling() {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(h.machine.receiveReadiness("q", nowMs: h.nowMs), .empty)
        XCTAssertEqual(h.machine.receiveReadiness("nope", nowMs: h.nowMs), .noQueue)
        h.send("q", "x", delay: 5)
        XCTAssertEqual(h.machine.receiveReadiness("q", nowMs: h.nowMs), .waitUntil(h.nowMs + 5000))
        h.advance(seconds: 5)
        XCTAssertEqual(h.machine.receiveReadiness("q", nowMs: h.nowMs), .ready(receivable: 1))
    }

    func testADeletedOrReheldMessagesTimerDoesNotMakeTheQueueLookReady() {
        // A long poll is woken when readiness says so, and its receive goes through the log: a deleted
        // message's visibility timer must not say the queue is ready when it comes due.
        var h = Harness()
        h.create("q")
        h.send("q", "gone")
        h.send("q", "held")
        let got = h.receive("q", visibility: 30)
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(h.delete("q", got[0].receiptHandle), .deleted([EntryResult(id: "", .success(.init()))]))
        _ = h.changeVisibility("q", got[1].receiptHandle, 60)
        XCTAssertEqual(h.counts("q"), [0, 1, 0])
        h.advance(seconds: 30)
        XCTAssertEqual(
            h.machine.receiveReadiness("q", nowMs: h.nowMs), .waitUntil(h.nowMs + 30_000),
            "neither timer of 30 s is live: the next is the new 60 s timeout")
        h.advance(seconds: 30)
        XCTAssertEqual(h.machine.receiveReadiness("q", nowMs: h.nowMs), .ready(receivable: 1))
        XCTAssertEqual(h.bodies("q"), ["held"])
    }

    func testTimeIsTheRunningMaximumOfStamps() {
        // docs/simulation.md, "Planted bugs", bug 35: a leader clock stepping back must not make a held message visible
        // early or late.
        var h = Harness()
        h.create("q")
        h.send("q", "x")
        _ = h.receive("q", visibility: 30)
        h.advance(seconds: 20)
        h.tick()
        h.advance(seconds: -3600)
        XCTAssertEqual(h.receive("q"), [])
        XCTAssertEqual(h.machine.nowMs, h.nowMs + 3_600_000)
        h.advance(seconds: 3600 + 10)
        XCTAssertEqual(h.bodies("q"), ["x"])
    }

    func testCountsReflectTimeWithoutACommandTouchingTheQueue() {
        var h = Harness()
        h.create("q")
        h.create("other")
        h.send("q", "a", delay: 10)
        h.send("q", "b")
        _ = h.receive("q", max: 1, visibility: 5)
        XCTAssertEqual(h.counts("q"), [0, 1, 1])
        XCTAssertEqual(
            h.machine.getQueueAttributes("q", names: ["ApproximateNumberOfMessages"], nowMs: h.nowMs + 5_000),
            .success([KeyValue("ApproximateNumberOfMessages", "1")]))
        h.advance(seconds: 10)
        h.send("other", "x")  // time passes for the machine; q's timers have not run
        XCTAssertEqual(h.counts("q"), [2, 0, 0])
    }
}

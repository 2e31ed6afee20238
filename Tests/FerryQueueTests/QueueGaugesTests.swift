import XCTest

@testable import FerryQueue

/// What /metrics reports per queue: the counts GetQueueAttributes answers, the oldest message's age, and the
/// readings that tell how many messages one receive moved to a dead-letter queue.
final class QueueGaugesTests: XCTestCase {
    func testGaugesMatchGetQueueAttributesForEveryQueueSortedByName() {
        var h = Harness()
        h.create("b")
        h.create("a", ["VisibilityTimeout": "30"])
        h.send("a", "one")
        h.send("a", "two")
        h.send("a", "later", delay: 60)
        XCTAssertEqual(h.receive("a", max: 1).count, 1)
        let gauges = h.machine.queueGauges(nowMs: h.nowMs)
        XCTAssertEqual(gauges.map(\.name), ["a", "b"])
        XCTAssertEqual([gauges[0].visible, gauges[0].inflight, gauges[0].delayed], h.counts("a"))
        XCTAssertEqual([gauges[0].visible, gauges[0].inflight, gauges[0].delayed], [1, 1, 1])
        XCTAssertEqual(
            [gauges[1].visible, gauges[1].inflight, gauges[1].delayed, Int(gauges[1].oldestMessageAgeMs)], [0, 0, 0, 0])
    }

    func testCountsAreAsOfTheAskingClockLikeGetQueueAttributes() {
        var h = Harness()
        h.create("q")
        h.send("q", "later", delay: 5)
        XCTAssertEqual(h.machine.queueGauges(nowMs: h.nowMs)[0].delayed, 1)
        let later = h.machine.queueGauges(nowMs: h.nowMs + 5_000)[0]
        XCTAssertEqual([later.visible, later.delayed], [1, 0], "the delay ended by the asking node's clock")
    }

    func testOldestMessageAgeFollowsTheFirstMessageStillStored() {
        var h = Harness()
        h.create("q")
        h.send("q", "first")
        h.advance(seconds: 10)
        h.send("q", "second")
        h.advance(seconds: 5)
        XCTAssertEqual(h.machine.queueGauges(nowMs: h.nowMs)[0].oldestMessageAgeMs, 15_000)
        let first = h.receive("q", max: 1)
        XCTAssertEqual(first.map(\.bodyText), ["first"])
        XCTAssertEqual(h.machine.queueGauges(nowMs: h.nowMs)[0].oldestMessageAgeMs, 15_000, "in flight still counts")
        guard case .deleted(let entries) = h.delete("q", first[0].receiptHandle), case .success = entries[0].result
        else {
            return XCTFail("the delete failed")
        }
        XCTAssertEqual(h.machine.queueGauges(nowMs: h.nowMs)[0].oldestMessageAgeMs, 5_000)
        XCTAssertEqual(
            h.machine.queueGauges(nowMs: h.nowMs - 60_000)[0].oldestMessageAgeMs, 5_000,
            "a clock behind the machine's answers as of the machine's time")
        _ = h.run(.purgeQueue(name: "q"))
        XCTAssertEqual(h.machine.queueGauges(nowMs: h.nowMs)[0].oldestMessageAgeMs, 0, "an empty queue has no age")
    }

    func testAppendedTotalAroundAReceiveCountsTheMovesToTheDeadLetterQueue() {
        var h = Harness()
        h.create("dlq")
        h.create(
            "src",
            [
                "VisibilityTimeout": "1",
                "RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("dlq"))\",\"maxReceiveCount\":1}",
            ])
        XCTAssertEqual(h.machine.deadLetterQueueName(of: "src"), "dlq")
        XCTAssertNil(h.machine.deadLetterQueueName(of: "dlq"))
        XCTAssertNil(h.machine.messagesAppendedTotal("nope"))
        h.send("src", "a")
        h.send("src", "b")
        XCTAssertEqual(h.receive("src").count, 2)
        h.advance(seconds: 1)
        let before = h.machine.messagesAppendedTotal("dlq")
        XCTAssertEqual(h.receive("src"), [])
        XCTAssertEqual(h.machine.messagesAppendedTotal("dlq")! - before!, 2)
        XCTAssertEqual(h.machine.messagesAppendedTotal("src"), 2)
    }
}

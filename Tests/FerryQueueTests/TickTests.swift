import XCTest

@testable import FerryQueue

/// The periodic tick visits only the queues that hold something to expire or run (messages, timers,
/// deduplication or receive-attempt windows), so its cost follows the busy queues, not the queue count.
final class TickTests: XCTestCase {
    func testATickOverTenThousandIdleQueuesVisitsNone() {
        var h = Harness()
        for index in 0..<QueueLimits.queuesMax { h.create("q-\(index)") }
        XCTAssertEqual(h.machine.queues.count, 10_000)
        XCTAssertEqual(h.machine.queuesTickVisits(), [])
        h.send("q-7", "one")
        h.send("q-9998", "two")
        h.send("q-7", "three")
        let visited = h.machine.queuesTickVisits().map { h.machine.queues[$0]!.name }
        XCTAssertEqual(visited, ["q-7", "q-9998"], "only the queues holding messages, in id order")
        h.tick()
        XCTAssertEqual(h.machine.queuesTickVisits().count, 2)
    }

    func testAQueueLeavesTheTickOnceItsLastMessageIsDeleted() {
        var h = Harness()
        h.create("q")
        h.send("q", "one")
        h.fork()
        XCTAssertEqual(h.machine.queuesTickVisits().count, 1)
        let received = h.receive("q")
        XCTAssertEqual(h.machine.queuesTickVisits().count, 1, "an in-flight message still has a timer")
        XCTAssertEqual(h.delete("q", received[0].receiptHandle).error, nil)
        XCTAssertEqual(h.machine.queuesTickVisits(), [])
        XCTAssertEqual(h.twin!.queuesTickVisits(), [], "the restored twin agrees")
        h.machine.checkInvariants()
    }

    func testADeduplicationWindowKeepsAnEmptiedFifoQueueInTheTickUntilItEnds() {
        var h = Harness()
        h.create("f.fifo", ["FifoQueue": "true"])
        h.send("f.fifo", "one", group: "g", dedup: "d")
        let received = h.receive("f.fifo")
        XCTAssertEqual(h.delete("f.fifo", received[0].receiptHandle).error, nil)
        XCTAssertEqual(h.machine.queuesTickVisits().count, 1, "the 5-minute deduplication window is still open")
        h.advance(seconds: 299)
        h.tick()
        XCTAssertEqual(h.machine.queuesTickVisits().count, 1)
        h.advance(seconds: 1)
        h.tick()
        XCTAssertEqual(h.machine.queuesTickVisits(), [], "the window ended: nothing left to expire")
        h.machine.checkInvariants()
    }

    func testADelayedMessageIsVisitedAndBecomesVisibleAtTheTick() {
        var h = Harness()
        h.create("idle")
        h.create("q")
        h.send("q", "later", delay: 5)
        let idle = h.machine.queueIdByName["idle"]!
        let idleTimersRunMs = h.machine.queues[idle]!.timersRunMs
        h.advance(seconds: 5)
        h.tick()
        XCTAssertEqual(h.machine.queues[h.machine.queueIdByName["q"]!]!.visibleCount, 1, "the tick ran its timers")
        XCTAssertEqual(h.machine.queues[idle]!.timersRunMs, idleTimersRunMs, "the idle queue was not touched")
    }

    func testRetentionStillExpiresMessagesOfVisitedQueues() {
        var h = Harness()
        h.create("q", ["MessageRetentionPeriod": "60"])
        h.send("q", "old")
        h.advance(seconds: 61)
        h.tick()
        XCTAssertEqual(h.counts("q"), [0, 0, 0])
        XCTAssertEqual(h.machine.queuesTickVisits(), [], "the expired message left nothing to do")
    }

    func testADeletedQueueLeavesTheTick() {
        var h = Harness()
        h.create("q")
        h.send("q", "one")
        XCTAssertEqual(h.run(.deleteQueue(name: "q")), .done)
        XCTAssertEqual(h.machine.queuesTickVisits(), [])
        h.machine.checkInvariants()
    }
}

import Foundation
import XCTest

@testable import FerryRuntime

final class EventLoopTests: XCTestCase {
    func testLinksAgainstSystemLibuv() {
        XCTAssertTrue(FerryRuntimeModule.libuvVersion.hasPrefix("1."), FerryRuntimeModule.libuvVersion)
    }

    func testRepeatingTimerFiresExactlyTheRequestedNumberOfTimes() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var ticks = 0
        var oneShots = 0
        var cancelledFires = 0
        let tick = try LoopTimer(loop: loop)
        tick.start(afterMs: 1, repeatMs: 1) {
            ticks += 1
            if ticks == 25 {
                tick.cancel()
                loop.stop()
            }
        }
        try loop.scheduleOnce(afterMs: 1) { oneShots += 1 }
        let cancelled = try loop.scheduleOnce(afterMs: 2) { cancelledFires += 1 }
        cancelled.cancel()
        runBounded(loop)
        XCTAssertEqual(ticks, 25)
        XCTAssertEqual(oneShots, 1)
        XCTAssertEqual(cancelledFires, 0)
        XCTAssertFalse(tick.isActive)
        tick.close()
    }

    /// The idle time counts the loop's waits for events, not the work its callbacks do: 40 ms waiting for a
    /// timer, then 150 ms of work in it.
    func testIdleTimeCountsTheWaitForEventsNotTheWorkOfCallbacks() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let idleBeforeNs = loop.idleTimeNs
        let timer = try loop.scheduleOnce(afterMs: 40) {
            let busyUntilNs = EventLoop.hrtimeNs + 150_000_000
            while EventLoop.hrtimeNs < busyUntilNs {}
            loop.stop()
        }
        runBounded(loop)
        timer.close()
        let idleMs = (loop.idleTimeNs - idleBeforeNs) / 1_000_000
        XCTAssertGreaterThanOrEqual(idleMs, 35, "the wait for the timer is idle")
        XCTAssertLessThan(idleMs, 150, "the callback's work is not")
    }

    func testEndOfTurnActionsRunAfterEveryCallbackOfTheirTurn() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var order: [String] = []
        // Two timers due in the same turn: each callback defers an action; both actions run after both
        // callbacks, in the order they were deferred, and an action deferring another still runs this turn.
        try loop.scheduleOnce(afterMs: 5) {
            order.append("first callback")
            loop.atEndOfTurn {
                order.append("first action")
                loop.atEndOfTurn { order.append("action deferred by an action") }
            }
        }
        try loop.scheduleOnce(afterMs: 5) {
            order.append("second callback")
            loop.atEndOfTurn { order.append("second action") }
        }
        try loop.scheduleOnce(afterMs: 50) { loop.stop() }
        runBounded(loop)
        XCTAssertEqual(
            order,
            [
                "first callback", "second callback", "first action", "second action",
                "action deferred by an action",
            ])
    }

    func testFlushesRegisteredLastGoAfterEveryOtherFlushOfTheTurn() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var order: [String] = []
        // A peer link queues first and a client's answer second; the answer still leaves first, and so
        // does what its flush registers.
        try loop.scheduleOnce(afterMs: 5) {
            loop.flushAtEndOfTurn(EndOfTurnAction { order.append("peer link") }, order: .last)
            loop.flushAtEndOfTurn(
                EndOfTurnAction {
                    order.append("client connection")
                    loop.atEndOfTurn { order.append("action registered by a flush") }
                })
        }
        try loop.scheduleOnce(afterMs: 50) { loop.stop() }
        runBounded(loop)
        XCTAssertEqual(order, ["client connection", "action registered by a flush", "peer link"])
    }

    func testExecuteFromOtherThreadsRunsOnTheLoopThreadInPostingOrder() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let keepAlive = try loop.scheduleRepeating(everyMs: 1_000) {}
        final class Results: @unchecked Sendable {  // only touched on the loop thread
            var values: [Int] = []
            var allOnLoopThread = true
        }
        let results = Results()
        let postsPerThread = 500
        let posterThreads = 2
        let posters = (0..<posterThreads).map { t in
            Thread {
                for i in 0..<postsPerThread {
                    let value = t * postsPerThread + i
                    loop.execute {
                        results.allOnLoopThread = results.allOnLoopThread && loop.inLoopThread
                        results.values.append(value)
                        if results.values.count == posterThreads * postsPerThread { loop.stop() }
                    }
                }
            }
        }
        for element in posters { element.start() }
        runBounded(loop)
        keepAlive.close()
        XCTAssertEqual(results.values.count, posterThreads * postsPerThread)
        XCTAssertTrue(results.allOnLoopThread)
        for t in 0..<posterThreads {  // each poster's closures ran in its posting order
            let mine = results.values.filter { $0 / postsPerThread == t }
            XCTAssertEqual(mine, Array(t * postsPerThread..<(t + 1) * postsPerThread))
        }
    }
}

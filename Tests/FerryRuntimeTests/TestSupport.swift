import FerryRaft
import XCTest

@testable import FerryRuntime

/// Every test's run is bounded: a watchdog stops the loop and fails the test if the scenario hangs.
/// The bound only catches hangs; no test asserts on how long anything took.
let watchdogMs: UInt64 = 20_000

/// Runs `loop` until the scenario calls `loop.stop()`, or fails after `watchdogMs`.
func runBounded(_ loop: EventLoop, file: StaticString = #filePath, line: UInt = #line) {
    var timedOut = false
    let watchdog = try! loop.scheduleOnce(afterMs: watchdogMs) {
        timedOut = true
        loop.stop()
    }
    loop.run()
    watchdog.close()
    XCTAssertFalse(timedOut, "scenario did not finish within the watchdog bound", file: file, line: line)
}

/// A seeded generator (SplitMix64) so "arbitrary" chunk boundaries are reproducible.
typealias SeededGenerator = SplitMix64

/// Payload `index` of a test stream: deterministic bytes of a deterministic size.
func testPayload(_ index: Int, bytesMax: Int) -> [UInt8] {
    let count = (index * 7919) % (bytesMax + 1)
    return (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
}

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
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Payload `index` of a test stream: deterministic bytes of a deterministic size.
func testPayload(_ index: Int, bytesMax: Int) -> [UInt8] {
    let count = (index * 7919) % (bytesMax + 1)
    return (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
}

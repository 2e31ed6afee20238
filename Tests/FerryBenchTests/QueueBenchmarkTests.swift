import FerryBench
import XCTest

/// Issue 4's micro benchmark, run tiny: checks that it runs and stays correct, never its timing.
final class QueueBenchmarkTests: XCTestCase {
    func testTinyBenchmarkRunsCorrectly() {
        var options = QueueBenchmark.Options()
        options.rounds = 50
        options.backlogMessages = 20
        options.memoryMessages = 100
        options.bodyBytes = 64
        options.publishRounds = 5
        var fakeClock: UInt64 = 0
        let report = QueueBenchmark.run(
            options,
            clockNs: {
                fakeClock += 1_000
                return fakeClock
            }, heapBytes: { 0 })
        XCTAssertEqual(report.phases.map(\.commands), [150, 150])
        XCTAssertEqual(report.publishPhases.map(\.subscriptions), [1, 5, 20])
        XCTAssertEqual(report.publishPhases.map(\.publishes), [5, 5, 5])
        XCTAssertEqual(report.queuedMessages, 100)
        XCTAssertGreaterThan(report.snapshotBytes, 100 * 64)
        XCTAssertFalse(report.description.isEmpty)
    }
}

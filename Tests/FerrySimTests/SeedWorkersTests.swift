import XCTest

@testable import FerrySim

/// `--jobs N`: seeds run in forked workers give the campaign loop exactly what a serial run gives, in seed
/// order, and a worker's record carries any violation text and the mode's counts unchanged.
final class SeedWorkersTests: XCTestCase {
    /// A stand-in seed: its outcome is a function of the seed alone; seed 4 violates, with awkward text.
    private func fakeRun(_ seed: UInt64) -> (SeedOutcome, String) {
        let violation =
            seed == 4 ? Violation(invariant: "SMS", detail: "two\nlines\tand a \\ backslash", timeMicros: 17) : nil
        let outcome = SeedOutcome(
            seed: seed, violation: violation, simulatedMicros: seed * 1_000, eventCount: Int(seed) * 3,
            traceHash: seed &* 0x9E37_79B9_7F4A_7C15, acknowledgedCount: Int(seed))
        return (outcome, "acknowledged=\(seed) campaign.swarm=1")
    }

    private func campaign(jobs: Int, stopAtFirstViolation: Bool) -> (CampaignSummary, [SeedRun]) {
        var runs: [SeedRun] = []
        let summary = runSeeds(
            firstSeed: 1, count: 9, jobs: jobs, stopAtFirstViolation: stopAtFirstViolation,
            replayCommand: { "replay \($0)" }, runSeed: fakeRun, report: { runs.append($0) })
        return (summary, runs)
    }

    func testWorkersReportEverySeedInOrderAsASerialRunDoes() {
        let (serial, serialRuns) = campaign(jobs: 1, stopAtFirstViolation: false)
        let (forked, forkedRuns) = campaign(jobs: 3, stopAtFirstViolation: false)
        XCTAssertEqual(forkedRuns.map(\.outcome.seed), Array(1...9))
        XCTAssertEqual(forkedRuns.map(\.outcome.traceHash), serialRuns.map(\.outcome.traceHash))
        XCTAssertEqual(forkedRuns.map(\.counts), serialRuns.map(\.counts))
        XCTAssertEqual(forked.seedsRun, serial.seedsRun)
        XCTAssertEqual(forked.simulatedMicros, serial.simulatedMicros)
        XCTAssertEqual(forked.eventCount, serial.eventCount)
        XCTAssertEqual(forked.violations.map(\.seed), [4])
        XCTAssertEqual(forked.violations.first?.violation?.detail, "two\nlines\tand a \\ backslash")
        XCTAssertEqual(forked.violations.first?.violation?.timeMicros, 17)
    }

    func testWorkersStopAtTheFirstViolatingSeedInSeedOrder() {
        let (forked, runs) = campaign(jobs: 2, stopAtFirstViolation: true)
        XCTAssertEqual(runs.map(\.outcome.seed), [1, 2, 3, 4])
        XCTAssertEqual(forked.seedsRun, 4)
    }

    func testAWorkerThatDiesFailsItsSeedAndTheOthersRunOn() {
        var runs: [SeedRun] = []
        _ = runSeeds(
            firstSeed: 1, count: 5, jobs: 2, stopAtFirstViolation: false, replayCommand: { "replay \($0)" },
            runSeed: { seed in
                if seed == 2 { _exit(3) }  // as a worker killed by a crash inside its seed
                return self.fakeRun(seed)
            },
            report: { runs.append($0) })
        XCTAssertEqual(runs.map(\.outcome.seed), [1, 2, 3, 4, 5])
        XCTAssertEqual(runs[1].outcome.violation?.invariant, "CRASH")
        XCTAssertNil(runs[2].outcome.violation)
    }

    func testQueueCountsAddUpFromTheirWords() {
        var totals = QueueCampaignTotals()
        totals.add(counts: "acknowledged=5 campaign.corruption=1 shape.1B=2 snapshotsTaken=3")
        totals.add(counts: "acknowledged=7 campaign.corruption=1 shape.1B=1")
        XCTAssertEqual(totals.acknowledged, 12)
        XCTAssertEqual(totals.byCampaign, ["corruption": 2])
        XCTAssertEqual(totals.shapesSent, ["1B": 3])
        XCTAssertEqual(totals.snapshotsTaken, 3)
    }
}

import ArgumentParser
import FerrySim

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// What both modes print: one seed's line and replay command, a campaign's speed and first violation.

/// Runs one seed as `--seed N` does in either mode: the options drawn from it, its line, and on a
/// violation the command that replays it.
func runOneSeed(_ seed: UInt64, options: CustomStringConvertible, replay: String, run: () -> SeedOutcome) throws {
    print(options)
    CrashReporter.prepare(seed: seed, replayCommand: replay)
    let outcome = run()
    print(describe(outcome))
    if outcome.violation != nil {
        print("replay: \(replay)")
        throw ExitCode(1)
    }
}

/// After each seed of a campaign: a violating seed's line and replay command; with `--each-seed`, every
/// seed's line and the peak RSS so far (of the worker that ran it, with `--jobs`).
func reportSeed(_ run: SeedRun, replay: (UInt64) -> String, eachSeed: Bool) {
    let outcome = run.outcome
    if outcome.violation != nil {
        print(describe(outcome))
        print("replay: \(replay(outcome.seed))")
    } else if eachSeed {
        print(describe(outcome))
    }
    // On its own line, so that a seed's line stays the same from run to run.
    if eachSeed { print("  peak RSS \(run.peakRSSKB / 1024) MB") }
}

func seedRange(_ summary: CampaignSummary, from firstSeed: UInt64) -> String {
    "\(firstSeed)...\(firstSeed + UInt64(summary.seedsRun) - 1)"
}

/// The lines every campaign summary ends with: simulated time, events and the simulator's speed.
func speedLines(_ summary: CampaignSummary, seedsPerMinutePlaces: Int) -> String {
    """
      simulated seconds:      \(fixed(Double(summary.simulatedMicros) / 1e6, 1))
      events:                 \(summary.eventCount)
      wall seconds:           \(fixed(summary.wallSeconds, 2)) (\(summary.workers) worker\(summary.workers == 1 ? "" : "s"), \(loadAverage()))
      sim seconds / wall s:   \(fixed(summary.simulatedSecondsPerWallSecond, 0))
      sim seconds / CPU s:    \(fixed(summary.simulatedSecondsPerCPUSecond, 0)) (CPU \(fixed(summary.cpuSeconds, 2))s)
      seeds per minute:       \(fixed(summary.seedsPerMinute, seedsPerMinutePlaces))
    """
}

/// The machine's one-minute load average as the campaign ends: a wall speed means little without it.
private func loadAverage() -> String {
    var loads = [Double](repeating: 0, count: 1)
    guard getloadavg(&loads, 1) == 1 else { return "load average unknown" }
    return "load average \(fixed(loads[0], 2))"
}

/// A campaign that found a violation names the first one and fails the command.
func failOnFirstViolation(_ summary: CampaignSummary) throws {
    guard let first = summary.violations.first else { return }
    print(
        "first violation: seed \(first.seed) after \(fixed(Double(first.simulatedMicros) / 1e6, 3)) simulated seconds")
    throw ExitCode(1)
}

func describe(_ outcome: SeedOutcome) -> String {
    let result = outcome.violation.map { "VIOLATION \($0)" } ?? "ok"
    return
        "seed \(outcome.seed): \(result) | trace hash \(hex(outcome.traceHash)) | events \(outcome.eventCount) | simulated \(fixed(Double(outcome.simulatedMicros) / 1e6, 3))s | acknowledged \(outcome.acknowledgedCount)"
}

func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}

func fixed(_ value: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return places == 0 ? String(Int(rounded)) : String(rounded)
}

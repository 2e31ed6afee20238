#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Runs seeds and reports what the simulator promises about itself: violations found and speed
/// (simulated seconds per wall second, seeds per minute).
public struct CampaignSummary: Sendable {
    public var seedsRun = 0
    public var violations: [SeedOutcome] = []
    public var simulatedMicros: UInt64 = 0
    public var eventCount = 0
    public var wallSeconds: Double = 0
    /// CPU time of this process over the campaign: on a shared machine, wall time measures the neighbours too.
    public var cpuSeconds: Double = 0

    public var simulatedSecondsPerCPUSecond: Double {
        cpuSeconds > 0 ? Double(simulatedMicros) / 1_000_000 / cpuSeconds : 0
    }

    public var simulatedSecondsPerWallSecond: Double {
        wallSeconds > 0 ? Double(simulatedMicros) / 1_000_000 / wallSeconds : 0
    }
    public var seedsPerMinute: Double { wallSeconds > 0 ? Double(seedsRun) * 60 / wallSeconds : 0 }
}

/// The exact command that replays a seed.
public func replayCommand(seed: UInt64, nodeCount: Int, profile: SimProfile) -> String {
    var command = "swift run -c release ferry-sim --seed \(seed) --nodes \(nodeCount)"
    if profile != .swarm { command += " --profile \(profile.rawValue)" }
    return command
}

/// Runs `count` seeds from `firstSeed`, calling `report` after each. Stops early at the first
/// violation when `stopAtFirstViolation` (the planted-bug runner wants seeds-to-detection).
public func runCampaign(
    firstSeed: UInt64, count: Int, nodeCount: Int, profile: SimProfile, stopAtFirstViolation: Bool,
    report: (SeedOutcome) -> Void
) -> CampaignSummary {
    var summary = CampaignSummary()
    let wallClock = ContinuousClock()
    let started = wallClock.now
    let cpuStarted = clock()
    for offset in 0..<count {
        let seed = firstSeed + UInt64(offset)
        CrashReporter.prepare(seed: seed, replayCommand: replayCommand(seed: seed, nodeCount: nodeCount, profile: profile))
        let simulation = Simulation(options: SimOptions(seed: seed, nodeCount: nodeCount, profile: profile))
        let outcome = simulation.run()
        summary.seedsRun += 1
        summary.simulatedMicros += outcome.simulatedMicros
        summary.eventCount += outcome.eventCount
        report(outcome)
        if outcome.violation != nil {
            summary.violations.append(outcome)
            if stopAtFirstViolation { break }
        }
    }
    let elapsed = wallClock.now - started
    summary.wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    summary.cpuSeconds = Double(clock() - cpuStarted) / Double(CLOCKS_PER_SEC)
    return summary
}

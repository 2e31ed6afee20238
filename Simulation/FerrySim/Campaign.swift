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
    /// CPU time of this process and its seed workers over the campaign: on a shared machine, wall time
    /// measures the neighbours too.
    public var cpuSeconds: Double = 0
    /// Processes that ran seeds (`--jobs`): with more than one, wall speed can exceed CPU speed.
    public var workers = 1

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

/// One seed's result as the campaign loop passes it on: the outcome, the mode's own counts (as text, so a
/// worker process can send them back), and the peak resident set of the process that ran it.
public struct SeedRun: Sendable {
    public var outcome: SeedOutcome
    public var counts: String
    public var peakRSSKB: Int
}

/// The campaign loop of both modes (raft mode and queue mode are two workloads over it): `count` seeds
/// from `firstSeed`, each with its replay command armed in the crash reporter, run by `runSeed` (which
/// builds the seed's world, runs it and drops it, and returns its outcome and the mode's own counts), then
/// counted and passed to `report` in seed order. With `jobs` above 1 the seeds run in that many forked
/// worker processes (`SeedWorkers`); every seed's run is the same either way. Stops early at the first
/// violation when `stopAtFirstViolation` (the planted-bug runners want seeds-to-detection).
public func runSeeds(
    firstSeed: UInt64, count: Int, jobs: Int = 1, stopAtFirstViolation: Bool, replayCommand: (UInt64) -> String,
    runSeed: (UInt64) -> (SeedOutcome, String), report: (SeedRun) -> Void
) -> CampaignSummary {
    var summary = CampaignSummary()
    summary.workers = jobs
    let wallClock = ContinuousClock()
    let started = wallClock.now
    let cpuStarted = clock()
    let childrenCPUStarted = childrenCPUSeconds()
    func take(_ run: SeedRun) -> Bool {
        summary.seedsRun += 1
        summary.simulatedMicros += run.outcome.simulatedMicros
        summary.eventCount += run.outcome.eventCount
        report(run)
        guard run.outcome.violation != nil else { return true }
        summary.violations.append(run.outcome)
        return !stopAtFirstViolation
    }
    let seeds = (0..<UInt64(count)).map { firstSeed + $0 }
    if jobs > 1 {
        SeedWorkers.run(seeds, jobs: jobs, replayCommand: replayCommand, runSeed: runSeed, deliver: take)
    } else {
        for seed in seeds {
            CrashReporter.prepare(seed: seed, replayCommand: replayCommand(seed))
            let (outcome, counts) = runSeed(seed)
            if !take(SeedRun(outcome: outcome, counts: counts, peakRSSKB: peakResidentKB())) { break }
        }
    }
    let elapsed = wallClock.now - started
    summary.wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    summary.cpuSeconds =
        Double(clock() - cpuStarted) / Double(CLOCKS_PER_SEC) + childrenCPUSeconds() - childrenCPUStarted
    return summary
}

/// Runs `count` raft-mode seeds from `firstSeed`, calling `report` after each.
public func runCampaign(
    firstSeed: UInt64, count: Int, jobs: Int = 1, nodeCount: Int, profile: SimProfile, stopAtFirstViolation: Bool,
    report: (SeedRun) -> Void
) -> CampaignSummary {
    runSeeds(
        firstSeed: firstSeed, count: count, jobs: jobs, stopAtFirstViolation: stopAtFirstViolation,
        replayCommand: { replayCommand(seed: $0, nodeCount: nodeCount, profile: profile) },
        runSeed: { (Simulation(options: SimOptions(seed: $0, nodeCount: nodeCount, profile: profile)).run(), "") },
        report: report)
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The exact command that replays one queue-mode seed.
public func queueReplayCommand(seed: UInt64, nodeCount: Int, campaign: QueueCampaign, sizes: QueueSizesMode = .drawn) -> String {
    var command = "swift run -c release ferry-sim --mode queue --seed \(seed) --nodes \(nodeCount)"
    if campaign != .swarm { command += " --campaign \(campaign.rawValue)" }
    if sizes != .drawn { command += " --sizes \(sizes.rawValue)" }
    return command
}

/// Counts over a queue-mode campaign, beside the common summary.
public struct QueueCampaignTotals: Sendable {
    public var acknowledged = 0
    public var storageFailures = 0
    public var refusedStarts = 0
    /// Corruption flips in bytes only a witness record witnesses (before witness records: a torn tail).
    public var witnessOnlyFlips = 0
    /// Durable writes that renamed a zero-filled spare into place as the next log segment.
    public var sparesUsed = 0
    /// Snapshots taken by a node of its own state, and leaders' snapshots installed (decoded off the node's
    /// thread) by lagging nodes.
    public var snapshotsTaken = 0
    public var snapshotsInstalled = 0
    public var standardRedeliveries = 0
    public var fifoRedeliveries = 0
    public var recovered = 0
    public var byCampaign: [String: Int] = [:]
    /// Requests sent, by message shape (`MessageShape`'s names).
    public var shapesSent: [String: Int] = [:]
}

/// Runs `count` queue-mode seeds from `firstSeed`, calling `report` after each.
public func runQueueCampaign(
    firstSeed: UInt64, count: Int, nodeCount: Int, campaign: QueueCampaign, sizes: QueueSizesMode = .drawn,
    stopAtFirstViolation: Bool, report: (SeedOutcome) -> Void
) -> (summary: CampaignSummary, totals: QueueCampaignTotals) {
    var summary = CampaignSummary()
    var totals = QueueCampaignTotals()
    let wallClock = ContinuousClock()
    let started = wallClock.now
    let cpuStarted = clock()
    for offset in 0..<count {
        let seed = firstSeed + UInt64(offset)
        CrashReporter.prepare(seed: seed, replayCommand: queueReplayCommand(seed: seed, nodeCount: nodeCount, campaign: campaign, sizes: sizes))
        var options = QueueSimOptions(seed: seed, nodeCount: nodeCount, campaign: campaign)
        sizes.apply(to: &options)
        let simulation = QueueSimulation(options: options)
        let outcome = simulation.run()
        summary.seedsRun += 1
        summary.simulatedMicros += outcome.simulatedMicros
        summary.eventCount += outcome.eventCount
        totals.acknowledged += outcome.acknowledgedCount
        totals.storageFailures += simulation.storageFailures
        totals.refusedStarts += simulation.refusedStarts
        totals.witnessOnlyFlips += simulation.witnessOnlyFlips
        totals.sparesUsed += simulation.sparesUsed
        totals.snapshotsTaken += simulation.snapshotsTaken
        totals.snapshotsInstalled += simulation.snapshotsInstalled
        totals.byCampaign[options.campaign.rawValue, default: 0] += 1
        for (shape, count) in simulation.shapesSent { totals.shapesSent[shape.rawValue, default: 0] += count }
        if let verdict = simulation.verdict {
            totals.standardRedeliveries += verdict.standardRedeliveries
            totals.fifoRedeliveries += verdict.fifoRedeliveries
            totals.recovered += verdict.recovered
        }
        report(outcome)
        if outcome.violation != nil {
            summary.violations.append(outcome)
            if stopAtFirstViolation { break }
        }
    }
    let elapsed = wallClock.now - started
    summary.wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    summary.cpuSeconds = Double(clock() - cpuStarted) / Double(CLOCKS_PER_SEC)
    return (summary, totals)
}

/// The exact command that replays one queue-mode seed.
public func queueReplayCommand(
    seed: UInt64, nodeCount: Int, campaign: QueueCampaign, sizes: QueueSizesMode = .drawn
) -> String {
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

/// Runs `count` queue-mode seeds from `firstSeed` through the shared campaign loop (`runSeeds`), calling
/// `report` after each, and adds up queue mode's own counts.
public func runQueueCampaign(
    firstSeed: UInt64, count: Int, nodeCount: Int, campaign: QueueCampaign, sizes: QueueSizesMode = .drawn,
    stopAtFirstViolation: Bool, report: (SeedOutcome) -> Void
) -> (summary: CampaignSummary, totals: QueueCampaignTotals) {
    var totals = QueueCampaignTotals()
    let summary = runSeeds(
        firstSeed: firstSeed, count: count, stopAtFirstViolation: stopAtFirstViolation,
        replayCommand: { queueReplayCommand(seed: $0, nodeCount: nodeCount, campaign: campaign, sizes: sizes) },
        runSeed: { seed in
            var options = QueueSimOptions(seed: seed, nodeCount: nodeCount, campaign: campaign)
            sizes.apply(to: &options)
            let simulation = QueueSimulation(options: options)
            let outcome = simulation.run()
            totals.add(simulation, outcome)
            return outcome
        },
        report: report)
    return (summary, totals)
}

extension QueueCampaignTotals {
    mutating func add(_ simulation: QueueSimulation, _ outcome: SeedOutcome) {
        acknowledged += outcome.acknowledgedCount
        storageFailures += simulation.storageFailures
        refusedStarts += simulation.refusedStarts
        witnessOnlyFlips += simulation.witnessOnlyFlips
        sparesUsed += simulation.sparesUsed
        snapshotsTaken += simulation.snapshotsTaken
        snapshotsInstalled += simulation.snapshotsInstalled
        byCampaign[simulation.options.campaign.rawValue, default: 0] += 1
        for (shape, count) in simulation.shapesSent { shapesSent[shape.rawValue, default: 0] += count }
        if let verdict = simulation.verdict {
            standardRedeliveries += verdict.standardRedeliveries
            fifoRedeliveries += verdict.fifoRedeliveries
            recovered += verdict.recovered
        }
    }
}

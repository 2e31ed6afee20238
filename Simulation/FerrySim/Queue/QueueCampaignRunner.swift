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

/// Runs `count` queue-mode seeds from `firstSeed` through the shared campaign loop (`runSeeds`, in `jobs`
/// worker processes), calling `report` after each, and adds up queue mode's own counts.
public func runQueueCampaign(
    firstSeed: UInt64, count: Int, jobs: Int = 1, nodeCount: Int, campaign: QueueCampaign,
    sizes: QueueSizesMode = .drawn, stopAtFirstViolation: Bool, report: (SeedRun) -> Void
) -> (summary: CampaignSummary, totals: QueueCampaignTotals) {
    var totals = QueueCampaignTotals()
    let summary = runSeeds(
        firstSeed: firstSeed, count: count, jobs: jobs, stopAtFirstViolation: stopAtFirstViolation,
        replayCommand: { queueReplayCommand(seed: $0, nodeCount: nodeCount, campaign: campaign, sizes: sizes) },
        runSeed: { seed in
            var options = QueueSimOptions(seed: seed, nodeCount: nodeCount, campaign: campaign)
            sizes.apply(to: &options)
            let simulation = QueueSimulation(options: options)
            let outcome = simulation.run()
            return (outcome, QueueCampaignTotals.counts(of: simulation, outcome))
        },
        report: { run in
            totals.add(counts: run.counts)
            report(run)
        })
    return (summary, totals)
}

extension QueueCampaignTotals {
    /// One seed's counts as `name=value` words (a worker process sends them to the campaign's process).
    static func counts(of simulation: QueueSimulation, _ outcome: SeedOutcome) -> String {
        var counts = [
            "acknowledged": outcome.acknowledgedCount, "storageFailures": simulation.storageFailures,
            "refusedStarts": simulation.refusedStarts, "witnessOnlyFlips": simulation.witnessOnlyFlips,
            "sparesUsed": simulation.sparesUsed, "snapshotsTaken": simulation.snapshotsTaken,
            "snapshotsInstalled": simulation.snapshotsInstalled,
            "standardRedeliveries": simulation.verdict?.standardRedeliveries ?? 0,
            "fifoRedeliveries": simulation.verdict?.fifoRedeliveries ?? 0,
            "recovered": simulation.verdict?.recovered ?? 0,
            "campaign.\(simulation.options.campaign.rawValue)": 1,
        ]
        for (shape, count) in simulation.shapesSent { counts["shape.\(shape.rawValue)", default: 0] += count }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    mutating func add(counts: String) {
        for word in counts.split(separator: " ") {
            guard let equals = word.firstIndex(of: "="), let value = Int(word[word.index(after: equals)...]) else {
                continue
            }
            let name = word[..<equals]
            if name.hasPrefix("campaign.") {
                byCampaign[String(name.dropFirst("campaign.".count)), default: 0] += value
            } else if name.hasPrefix("shape.") {
                shapesSent[String(name.dropFirst("shape.".count)), default: 0] += value
            } else {
                add(value, to: String(name))
            }
        }
    }

    private mutating func add(_ value: Int, to name: String) {
        switch name {
        case "acknowledged": acknowledged += value
        case "storageFailures": storageFailures += value
        case "refusedStarts": refusedStarts += value
        case "witnessOnlyFlips": witnessOnlyFlips += value
        case "sparesUsed": sparesUsed += value
        case "snapshotsTaken": snapshotsTaken += value
        case "snapshotsInstalled": snapshotsInstalled += value
        case "standardRedeliveries": standardRedeliveries += value
        case "fifoRedeliveries": fifoRedeliveries += value
        case "recovered": recovered += value
        default: preconditionFailure("unknown campaign count \(name)")
        }
    }
}

import ArgumentParser
import FerrySim

/// `ferry-sim --mode queue`: the production node, storage and queue machine under the simulator.
struct QueueModeRunner {
    var nodes: Int
    var campaign: QueueCampaign
    var sizes: QueueSizesMode
    var firstSeed: UInt64
    var stopAtFirstViolation: Bool
    var verbose: Bool
    var eachSeed: Bool
    var jobs: Int

    func runOne(seed: UInt64) throws {
        var options = QueueSimOptions(seed: seed, nodeCount: nodes, campaign: campaign)
        sizes.apply(to: &options)
        let replay = queueReplayCommand(seed: seed, nodeCount: nodes, campaign: campaign, sizes: sizes)
        try runOneSeed(seed, options: options, replay: replay) {
            let simulation = QueueSimulation(options: options)
            if verbose { simulation.traceSink = { print($0) } }
            return simulation.run()
        }
    }

    func runMany(seeds: Int) throws {
        let (summary, totals) = runQueueCampaign(
            firstSeed: firstSeed, count: seeds, jobs: jobs, nodeCount: nodes, campaign: campaign, sizes: sizes,
            stopAtFirstViolation: stopAtFirstViolation
        ) { run in
            reportSeed(
                run, replay: { queueReplayCommand(seed: $0, nodeCount: nodes, campaign: campaign, sizes: sizes) },
                eachSeed: eachSeed)
        }
        let campaigns = totals.byCampaign.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        print(
            """
            ferry-sim queue mode: \(nodes) nodes, campaign \(campaign.rawValue), seeds \(seedRange(summary, from: firstSeed))
              seeds run:              \(summary.seedsRun) (\(campaigns))
              violations:             \(summary.violations.count)
              acknowledged sends:     \(totals.acknowledged)
              requests by shape:      \(totals.shapesSent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
              redelivered:            standard \(totals.standardRedeliveries), FIFO \(totals.fifoRedeliveries) (at-least-once: counted, not failed)
              recovered (unknown outcome, landed): \(totals.recovered)
              nodes stopped by storage faults: \(totals.storageFailures); refused to start (corrupt disk): \(totals.refusedStarts)
              bit flips in bytes only a witness record witnesses: \(totals.witnessOnlyFlips)
              spare segments renamed into place: \(totals.sparesUsed)
              snapshots taken / installed from a leader: \(totals.snapshotsTaken) / \(totals.snapshotsInstalled)
            \(speedLines(summary, seedsPerMinutePlaces: 1))
            """)
        try failOnFirstViolation(summary)
    }
}

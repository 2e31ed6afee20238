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

    func runOne(seed: UInt64) throws {
        var options = QueueSimOptions(seed: seed, nodeCount: nodes, campaign: campaign)
        sizes.apply(to: &options)
        print(options)
        let command = queueReplayCommand(seed: seed, nodeCount: nodes, campaign: campaign, sizes: sizes)
        CrashReporter.prepare(seed: seed, replayCommand: command)
        let simulation = QueueSimulation(options: options)
        if verbose { simulation.traceSink = { print($0) } }
        let outcome = simulation.run()
        print(describe(outcome))
        if outcome.violation != nil {
            print("replay: \(command)")
            throw ExitCode(1)
        }
    }

    func runMany(seeds: Int) throws {
        let (summary, totals) = runQueueCampaign(
            firstSeed: firstSeed, count: seeds, nodeCount: nodes, campaign: campaign, sizes: sizes,
            stopAtFirstViolation: stopAtFirstViolation
        ) { outcome in
            if outcome.violation != nil {
                print(describe(outcome))
                print("replay: \(queueReplayCommand(seed: outcome.seed, nodeCount: nodes, campaign: campaign, sizes: sizes))")
            } else if eachSeed {
                print(describe(outcome))
            }
            if eachSeed { print(peakMemoryLine()) }
        }
        let campaigns = totals.byCampaign.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("""
            ferry-sim queue mode: \(nodes) nodes, campaign \(campaign.rawValue), seeds \(firstSeed)...\(firstSeed + UInt64(summary.seedsRun) - 1)
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
              simulated seconds:      \(fixed(Double(summary.simulatedMicros) / 1e6, 1))
              events:                 \(summary.eventCount)
              wall seconds:           \(fixed(summary.wallSeconds, 2))
              sim seconds / wall s:   \(fixed(summary.simulatedSecondsPerWallSecond, 0))
              sim seconds / CPU s:    \(fixed(summary.simulatedSecondsPerCPUSecond, 0)) (CPU \(fixed(summary.cpuSeconds, 2))s)
              seeds per minute:       \(fixed(summary.seedsPerMinute, 1))
            """)
        if let first = summary.violations.first {
            print("first violation: seed \(first.seed) after \(fixed(Double(first.simulatedMicros) / 1e6, 3)) simulated seconds")
            throw ExitCode(1)
        }
    }
}

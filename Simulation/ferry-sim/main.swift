import ArgumentParser
import FerrySim

/// `ferry-sim`: runs FerryRaft clusters through seeded hostile schedules and checks them after every
/// event. One seed replays exactly; many seeds print a summary with the simulator's own speed.
struct FerrySimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry-sim",
        abstract: "Deterministic simulation of a Ferry Raft cluster under faults.")

    @Option(help: "Run this one seed, print every option drawn from it, and replay it exactly.")
    var seed: UInt64?

    @Option(help: "Run this many seeds and print a summary.")
    var seeds: Int?

    @Option(help: "The first seed of a --seeds campaign.")
    var firstSeed: UInt64 = 1

    @Option(help: "Cluster size: 3 or 5 voters (plus one spare node for membership changes).")
    var nodes: Int = 3

    @Option(help: "Fault profile: \(SimProfile.allCases.map(\.rawValue).joined(separator: ", ")).")
    var profile: String = SimProfile.swarm.rawValue

    @Flag(help: "With --seeds: stop at the first violating seed.")
    var stopAtFirstViolation = false

    @Flag(help: "Print the event trace.")
    var verbose = false

    @Flag(
        help:
            "With --seeds: print every seed's line (trace hash, events) and the process's peak RSS after it, not only violating seeds'."
    )
    var eachSeed = false

    @Option(
        help:
            "raft: FerryRaft cores over the simulator's own log. queue: the production ReplicaNode<QueueReplica> over RaftStorage on a simulated disk, with producers, consumers and the total-queue checker. Default: --seeds runs both; --seed runs raft."
    )
    var mode: String?

    @Option(
        help:
            "Queue mode: \(QueueCampaign.allCases.map(\.rawValue).joined(separator: ", ")) (swarm draws one per seed).")
    var campaign: String = QueueCampaign.swarm.rawValue

    @Option(
        help:
            "Queue mode: message sizes at and past every limit: \(QueueSizesMode.allCases.map(\.rawValue).joined(separator: ", ")) (drawn: per seed, in its options line)."
    )
    var sizes: String = QueueSizesMode.drawn.rawValue

    @Option(
        help:
            "With --seeds: run the seeds in this many worker processes (each seed's run is the same; results are printed in seed order, peak RSS is the worker's)."
    )
    var jobs: Int = 1

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard nodes == 3 || nodes == 5 else { throw ValidationError("--nodes must be 3 or 5") }
        guard SimProfile(rawValue: profile) != nil else { throw ValidationError("unknown --profile \(profile)") }
        guard (seed == nil) != (seeds == nil) else {
            throw ValidationError("give exactly one of --seed N or --seeds K")
        }
        if let seeds, seeds <= 0 { throw ValidationError("--seeds must be positive") }
        if let mode, mode != "raft", mode != "queue" { throw ValidationError("--mode must be raft or queue") }
        guard QueueCampaign(rawValue: campaign) != nil else { throw ValidationError("unknown --campaign \(campaign)") }
        guard QueueSizesMode(rawValue: sizes) != nil else { throw ValidationError("unknown --sizes \(sizes)") }
    }

    func run() throws {
        CrashReporter.install()
        let profile = SimProfile(rawValue: self.profile)!
        let queue = QueueModeRunner(
            nodes: nodes, campaign: QueueCampaign(rawValue: campaign)!,
            sizes: QueueSizesMode(rawValue: sizes)!, firstSeed: firstSeed,
            stopAtFirstViolation: stopAtFirstViolation, verbose: verbose, eachSeed: eachSeed, jobs: jobs)
        if let seed {
            if mode == "queue" { return try queue.runOne(seed: seed) }
            try runOne(seed: seed, profile: profile)
        } else {
            var failed = false
            if mode != "queue" {
                do { try runMany(profile: profile) } catch { failed = true }
            }
            if mode != "raft" {
                do { try queue.runMany(seeds: seeds!) } catch { failed = true }
            }
            if failed { throw ExitCode(1) }
        }
    }

    private func runOne(seed: UInt64, profile: SimProfile) throws {
        let options = SimOptions(seed: seed, nodeCount: nodes, profile: profile)
        try runOneSeed(seed, options: options, replay: replayCommand(seed: seed, nodeCount: nodes, profile: profile)) {
            let simulation = Simulation(options: options)
            if verbose { simulation.traceSink = { print($0) } }
            return simulation.run()
        }
    }

    private func runMany(profile: SimProfile) throws {
        let summary = runCampaign(
            firstSeed: firstSeed, count: seeds!, jobs: jobs, nodeCount: nodes, profile: profile,
            stopAtFirstViolation: stopAtFirstViolation
        ) { run in
            reportSeed(
                run, replay: { replayCommand(seed: $0, nodeCount: nodes, profile: profile) }, eachSeed: eachSeed)
        }
        print(
            """
            ferry-sim: \(nodes) nodes, profile \(profile.rawValue), seeds \(seedRange(summary, from: firstSeed))
              seeds run:              \(summary.seedsRun)
              violations:             \(summary.violations.count)
            \(speedLines(summary, seedsPerMinutePlaces: 0))
            """)
        try failOnFirstViolation(summary)
    }
}

FerrySimCommand.main()

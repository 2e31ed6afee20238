import ArgumentParser
import FerrySim

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

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

    @Flag(help: "With --seeds: print every seed's line (trace hash, events) and the process's peak RSS after it, not only violating seeds'.")
    var eachSeed = false

    @Option(help: "raft: FerryRaft cores over the simulator's own log. queue: the production ReplicaNode<QueueReplica> over RaftStorage on a simulated disk, with producers, consumers and the total-queue checker. Default: --seeds runs both; --seed runs raft.")
    var mode: String?

    @Option(help: "Queue mode: \(QueueCampaign.allCases.map(\.rawValue).joined(separator: ", ")) (swarm draws one per seed).")
    var campaign: String = QueueCampaign.swarm.rawValue

    @Option(help: "Queue mode: message sizes at and past every limit: \(QueueSizesMode.allCases.map(\.rawValue).joined(separator: ", ")) (drawn: per seed, in its options line).")
    var sizes: String = QueueSizesMode.drawn.rawValue

    func validate() throws {
        guard nodes == 3 || nodes == 5 else { throw ValidationError("--nodes must be 3 or 5") }
        guard SimProfile(rawValue: profile) != nil else { throw ValidationError("unknown --profile \(profile)") }
        guard (seed == nil) != (seeds == nil) else { throw ValidationError("give exactly one of --seed N or --seeds K") }
        if let seeds, seeds <= 0 { throw ValidationError("--seeds must be positive") }
        if let mode, mode != "raft", mode != "queue" { throw ValidationError("--mode must be raft or queue") }
        guard QueueCampaign(rawValue: campaign) != nil else { throw ValidationError("unknown --campaign \(campaign)") }
        guard QueueSizesMode(rawValue: sizes) != nil else { throw ValidationError("unknown --sizes \(sizes)") }
    }

    func run() throws {
        CrashReporter.install()
        let profile = SimProfile(rawValue: self.profile)!
        let queue = QueueModeRunner(nodes: nodes, campaign: QueueCampaign(rawValue: campaign)!,
                                    sizes: QueueSizesMode(rawValue: sizes)!, firstSeed: firstSeed,
                                    stopAtFirstViolation: stopAtFirstViolation, verbose: verbose, eachSeed: eachSeed)
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
        print(options)
        let command = replayCommand(seed: seed, nodeCount: nodes, profile: profile)
        CrashReporter.prepare(seed: seed, replayCommand: command)
        let simulation = Simulation(options: options)
        if verbose { simulation.traceSink = { print($0) } }
        let outcome = simulation.run()
        print(describe(outcome))
        if outcome.violation != nil {
            print("replay: \(command)")
            throw ExitCode(1)
        }
    }

    private func runMany(profile: SimProfile) throws {
        let summary = runCampaign(
            firstSeed: firstSeed, count: seeds!, nodeCount: nodes, profile: profile,
            stopAtFirstViolation: stopAtFirstViolation
        ) { outcome in
            if outcome.violation != nil {
                print(describe(outcome))
                print("replay: \(replayCommand(seed: outcome.seed, nodeCount: nodes, profile: profile))")
            } else if eachSeed {
                print(describe(outcome))
            }
            if eachSeed { print(peakMemoryLine()) }
        }
        print("""
            ferry-sim: \(nodes) nodes, profile \(profile.rawValue), seeds \(firstSeed)...\(firstSeed + UInt64(summary.seedsRun) - 1)
              seeds run:              \(summary.seedsRun)
              violations:             \(summary.violations.count)
              simulated seconds:      \(fixed(Double(summary.simulatedMicros) / 1e6, 1))
              events:                 \(summary.eventCount)
              wall seconds:           \(fixed(summary.wallSeconds, 2))
              sim seconds / wall s:   \(fixed(summary.simulatedSecondsPerWallSecond, 0))
              sim seconds / CPU s:    \(fixed(summary.simulatedSecondsPerCPUSecond, 0)) (CPU \(fixed(summary.cpuSeconds, 2))s)
              seeds per minute:       \(fixed(summary.seedsPerMinute, 0))
            """)
        if let first = summary.violations.first {
            print("first violation: seed \(first.seed) after \(fixed(Double(first.simulatedMicros) / 1e6, 3)) simulated seconds")
            throw ExitCode(1)
        }
    }
}

func describe(_ outcome: SeedOutcome) -> String {
    let result = outcome.violation.map { "VIOLATION \($0)" } ?? "ok"
    return "seed \(outcome.seed): \(result) | trace hash \(hex(outcome.traceHash)) | events \(outcome.eventCount) | simulated \(fixed(Double(outcome.simulatedMicros) / 1e6, 3))s | acknowledged \(outcome.acknowledgedCount)"
}

/// The process's peak resident set so far: a campaign whose seeds leak grows it seed after seed (issue 18).
/// On its own line, so that a seed's line stays the same from run to run.
func peakMemoryLine() -> String {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let peakKB = usage.ru_maxrss
    #else
    getrusage(RUSAGE_SELF, &usage)
    let peakKB = usage.ru_maxrss / 1024  // bytes on Darwin
    #endif
    return "  peak RSS \(peakKB / 1024) MB"
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

FerrySimCommand.main()

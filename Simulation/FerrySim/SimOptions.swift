import FerryRaft
import FerryStorageTesting

/// Fixed facts of the simulated world (not drawn per seed).
public enum SimConstants {
    /// One tick of every node's Raft clock: 10 ms, so the default 15-tick election timeout is 150 ms.
    public static let tickMicros: SimMicros = 10_000
    /// Nodes that start outside the configuration, so membership changes can add and remove nodes while
    /// at least three voters remain.
    public static let spareNodeCount = 1
    /// The liveness phase must converge within this many simulated seconds after healing.
    public static let livenessPhaseSecondsMax: UInt64 = 30
    /// How often the liveness phase looks for convergence (checking after every event would be wasted work).
    public static let livenessCheckMicros: SimMicros = 100_000
    /// The fewest voters the operator leaves in the configuration (a 3-voter cluster survives one fault).
    public static let votersMin = 3
    /// A client gives up on a request after this long and retries it elsewhere.
    public static let clientTimeoutMicros: SimMicros = 1_000_000
    /// Events pending at once beyond which a run is a message storm (a few nodes with bounded windows keep
    /// a few hundred in flight; duplicated messages that each spawn more grow without bound).
    public static let pendingEventsMax = 100_000
    /// Events per simulated second beyond which a run is a storm (healthy runs stay under ~5,000).
    public static let eventsPerSimulatedSecondMax = 100_000
    /// How often the nemesis aims a crash or an isolation at the current leader rather than a random node
    /// (Jepsen's nemeses do the same: leader failures drive the interesting schedules, e.g. Raft Figure 8).
    public static let nemesisTargetsLeaderChance = 0.5
    /// Chance that a nemesis following elections strikes a new leader, and how soon (about an fsync).
    public static let strikeChance = 0.3
    public static let strikeMicrosMax: SimMicros = 10_000
    /// How soon an operator that follows elections acts after one (about a noop's commit latency).
    public static let operatorReactionMicrosMax: SimMicros = 5_000
    /// A client waits this long before retrying after a refusal (not leader, transfer in progress).
    public static let clientBackoffMicros: SimMicros = 20_000
    /// ADDR: how long a node may keep sending to a member's old address after applying the configuration
    /// that moved it (ten ticks: a node that redials lazily, say on its next timer, still passes).
    public static let staleAddressMicrosMax: SimMicros = 100_000
    /// Where every node keeps its data, on its own simulated disk (both modes).
    static let dataDirectory = "/data"
}

/// Which faults a seed enables and how hard each one hits (swarm testing: Groce et al. 2012 — a random
/// subset of fault kinds per seed finds more bugs than all of them at once). Everything here is drawn
/// from the seed and printed, so a seed fully describes its run.
public struct SimOptions: CustomStringConvertible {
    public var seed: UInt64
    public var nodeCount: Int
    public var safetyPhaseSeconds: UInt64

    // Network
    public var delayMicrosMin: SimMicros
    public var delayMicrosMax: SimMicros
    /// Chance that one message takes a long tail delay (a clogged link, a retransmit).
    public var delayTailChance: Double
    public var delayTailMicrosMax: SimMicros
    public var dropChance: Double
    public var duplicateChance: Double
    /// Without reordering, each directed link delivers in send order (TCP-like).
    public var reorder: Bool
    public var partitions: Bool
    public var partitionMicrosMax: SimMicros

    // Process and disk
    public var crashes: Bool
    /// How many nodes may be down at once (all of them: coordinated power loss).
    public var crashedNodesMax: Int
    public var downMicrosMax: SimMicros
    /// On a crash, each unsynced write may survive whole or torn (a real disk may have flushed some pages).
    public var unsyncedPrefixSurvives: Bool
    public var pauses: Bool
    public var pauseMicrosMax: SimMicros
    public var fsyncMicrosMin: SimMicros
    public var fsyncMicrosMax: SimMicros

    // Cluster operations
    public var membershipChanges: Bool
    public var leadershipTransfers: Bool
    /// A node compacts its log once it has applied this many entries past its last snapshot (0: never).
    public var compactionEntries: UInt64

    /// Mean time between nemesis actions.
    public var nemesisMicrosMean: SimMicros
    public var operatorMicrosMean: SimMicros
    /// The operator also acts right after each election (automation reacting to leader changes).
    public var operatorFollowsElections: Bool
    /// The nemesis also strikes new leaders right after their election (crash or isolate).
    public var nemesisFollowsElections: Bool

    // Workload
    public var clientCount: Int
    public var clientThinkMicrosMax: SimMicros
    public var commandPaddingBytesMax: Int

    // Raft knobs drawn to exercise batching, backpressure and chunked snapshots
    public var appendEntriesMax: Int
    public var inflightAppendsMax: Int
    public var snapshotChunkBytesMax: Int
    /// Applied entries' payloads kept in memory: 0 or a few entries' worth sends every lagging follower reads
    /// from the leader's segment files (drawn after the profile, so older seeds keep their draws).
    public var appliedEntriesCacheBytesMax: Int

    /// Draws every option from `seed`. The draw order is fixed: adding an option appends a draw at
    /// the end so existing seeds keep their meaning as far as possible.
    public var profile: SimProfile

    public init(seed: UInt64, nodeCount: Int, profile: SimProfile = .swarm) {
        precondition(nodeCount == 3 || nodeCount == 5, "clusters of 3 or 5 nodes")
        self.profile = profile
        var random = Xoshiro256StarStar(seed: seed ^ 0x5EED_0F_F1_7E5)
        self.seed = seed
        self.nodeCount = nodeCount
        safetyPhaseSeconds = random.uint64(in: 20...60)

        delayMicrosMin = random.uint64(in: 100...1_000)
        delayMicrosMax = delayMicrosMin + random.uint64(in: 0...4_000)
        delayTailChance = random.chance(0.5) ? random.logUniform(in: 0.001...0.05) : 0
        delayTailMicrosMax = random.uint64(in: 20_000...500_000)
        dropChance = random.chance(0.5) ? random.logUniform(in: 0.001...0.2) : 0
        duplicateChance = random.chance(0.4) ? random.logUniform(in: 0.001...0.1) : 0
        reorder = random.chance(0.5)
        partitions = random.chance(0.6)
        partitionMicrosMax = random.uint64(in: 200_000...5_000_000)

        crashes = random.chance(0.6)
        crashedNodesMax = random.int(in: 1...nodeCount)
        downMicrosMax = random.uint64(in: 10_000...3_000_000)
        unsyncedPrefixSurvives = random.chance(0.5)
        pauses = random.chance(0.4)
        pauseMicrosMax = random.uint64(in: 200_000...2_000_000)
        fsyncMicrosMin = random.uint64(in: 50...2_000)
        fsyncMicrosMax = fsyncMicrosMin + random.uint64(in: 0...10_000)

        membershipChanges = random.chance(0.5)
        leadershipTransfers = random.chance(0.4)
        compactionEntries = random.chance(0.6) ? random.uint64(in: 4...300) : 0

        nemesisMicrosMean = random.uint64(in: 100_000...2_000_000)
        operatorMicrosMean = random.uint64(in: 200_000...3_000_000)

        clientCount = random.int(in: 1...4)
        clientThinkMicrosMax = random.uint64(in: 1_000...200_000)
        commandPaddingBytesMax = random.chance(0.3) ? random.int(in: 0...512) : 0

        appendEntriesMax = random.chance(0.5) ? random.int(in: 1...8) : 256
        inflightAppendsMax = random.chance(0.5) ? random.int(in: 1...4) : 64
        snapshotChunkBytesMax = random.chance(0.5) ? random.int(in: 8...256) : 256 << 10
        operatorFollowsElections = random.chance(0.3)
        nemesisFollowsElections = random.chance(0.3)
        appliedEntriesCacheBytesMax = 0
        profile.apply(to: &self, random: &random)
        appliedEntriesCacheBytesMax =
            random.chance(0.7) ? random.int(in: 0...2048) : RaftOptions(id: 1).appliedEntriesCacheBytesMax
    }

    /// Raft options for node `id` under these settings.
    public func raftOptions(id: NodeID) -> RaftOptions {
        var options = RaftOptions(id: id)
        options.appendEntriesMax = appendEntriesMax
        options.inflightAppendsMax = inflightAppendsMax
        options.snapshotChunkBytesMax = snapshotChunkBytesMax
        options.appliedEntriesCacheBytesMax = appliedEntriesCacheBytesMax
        return options
    }

    public var description: String {
        func ms(_ micros: SimMicros) -> String {
            micros % 1000 == 0 ? "\(micros / 1000)ms" : "\(Double(micros) / 1000)ms"
        }
        func pct(_ p: Double) -> String { p == 0 ? "off" : "\(Double(Int(p * 10_000)) / 100)%" }
        var lines: [String] = []
        lines.append(
            "seed \(seed) profile \(profile.rawValue) nodes \(nodeCount) (+\(SimConstants.spareNodeCount) spare) safety \(safetyPhaseSeconds)s liveness<=\(SimConstants.livenessPhaseSecondsMax)s"
        )
        lines.append(
            "  network: delay \(ms(delayMicrosMin))-\(ms(delayMicrosMax)) tail \(pct(delayTailChance)) up to \(ms(delayTailMicrosMax)) drop \(pct(dropChance)) duplicate \(pct(duplicateChance)) reorder \(reorder ? "on" : "off") partitions \(partitions ? "up to \(ms(partitionMicrosMax))" : "off")"
        )
        lines.append(
            "  process: crashes \(crashes ? "on, up to \(crashedNodesMax) down for up to \(ms(downMicrosMax)), unsynced writes \(unsyncedPrefixSurvives ? "kept, torn or lost" : "lost")" : "off") pauses \(pauses ? "up to \(ms(pauseMicrosMax))" : "off") strikes new leaders \(nemesisFollowsElections ? "on" : "off") fsync \(ms(fsyncMicrosMin))-\(ms(fsyncMicrosMax))"
        )
        lines.append(
            "  cluster: membership \(membershipChanges ? "on" : "off") transfers \(leadershipTransfers ? "on" : "off") compaction \(compactionEntries == 0 ? "off" : "every \(compactionEntries) entries") nemesis every ~\(ms(nemesisMicrosMean)) operator every ~\(ms(operatorMicrosMean))\(operatorFollowsElections ? " and after elections" : "")"
        )
        lines.append(
            "  workload: \(clientCount) clients think up to \(ms(clientThinkMicrosMax)) padding up to \(commandPaddingBytesMax)B"
        )
        lines.append(
            "  raft: appendEntriesMax \(appendEntriesMax) inflightAppendsMax \(inflightAppendsMax) snapshotChunkBytesMax \(snapshotChunkBytesMax) appliedEntriesCacheBytesMax \(appliedEntriesCacheBytesMax)"
        )
        return lines.joined(separator: "\n")
    }
}

extension SimOptions {
    /// Raft mode's disk faults, as `SimulatedFileSystem` draws them on a crash: each unsynced write is kept
    /// whole, torn at a sector or lost (`unsyncedPrefixSurvives`), or every unsynced write is lost.
    var diskFaults: DiskFaults {
        unsyncedPrefixSurvives ? .crashOnly : DiskFaults(crashKeepWriteProbability: 0, crashTearWriteProbability: 0)
    }
}

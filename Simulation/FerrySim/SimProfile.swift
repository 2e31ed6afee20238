/// Fault profiles. `swarm` draws every fault kind on or off per seed; the targeted profiles force one
/// class of faults on, hard, while the rest stay drawn — for bugs that need one kind of schedule
/// often (docs/simulation.md, "Campaigns", "Planted bugs": each bug under swarm and a targeted profile).
public enum SimProfile: String, CaseIterable, Sendable {
    /// Every fault kind on or off at random, intensities at random.
    case swarm
    /// Crashes and restarts of up to every node, often, with slow fsyncs so crashes land between a
    /// write and its fsync; partitions on. For durability, vote and commit-rule bugs.
    case crashes
    /// Partitions, reordering, duplication and long tails, often; no crashes. For stale-message bugs.
    case network
    /// Membership changes and leadership transfers, often, with crashes and partitions.
    case membership
    /// Slow catch-up (one entry per append, one append in flight, no compaction) under a steady write
    /// load, with partitions and leader crashes often: followers lag for hundreds of milliseconds while
    /// leaders come and go, which is when old-term entries sit on some nodes and not others (Raft Figure 8).
    case catchup

    func apply(to options: inout SimOptions, random: inout Xoshiro256StarStar) {
        switch self {
        case .swarm:
            break
        case .crashes:
            options.crashes = true
            options.crashedNodesMax = random.int(in: (options.nodeCount / 2 + 1)...options.nodeCount)
            options.downMicrosMax = random.uint64(in: 10_000...500_000)
            options.partitions = true
            options.nemesisMicrosMean = random.uint64(in: 50_000...400_000)
            options.fsyncMicrosMin = random.uint64(in: 500...5_000)
            options.fsyncMicrosMax = options.fsyncMicrosMin + random.uint64(in: 1_000...20_000)
            options.clientThinkMicrosMax = random.uint64(in: 1_000...20_000)
            options.nemesisFollowsElections = true
        case .network:
            options.crashes = false
            options.partitions = true
            options.reorder = true
            options.duplicateChance = random.logUniform(in: 0.01...0.2)
            options.dropChance = random.logUniform(in: 0.001...0.1)
            options.delayTailChance = random.logUniform(in: 0.01...0.1)
            options.nemesisMicrosMean = random.uint64(in: 50_000...500_000)
            options.clientThinkMicrosMax = random.uint64(in: 1_000...20_000)
        case .membership:
            options.membershipChanges = true
            options.leadershipTransfers = true
            options.crashes = true
            options.partitions = true
            options.operatorMicrosMean = random.uint64(in: 20_000...300_000)
            options.operatorFollowsElections = true
        case .catchup:
            options.appendEntriesMax = random.int(in: 1...2)
            options.inflightAppendsMax = 1
            options.compactionEntries = 0
            options.clientCount = random.int(in: 2...4)
            options.clientThinkMicrosMax = random.uint64(in: 1_000...10_000)
            options.partitions = true
            options.crashes = true
            options.crashedNodesMax = random.int(in: 1...(options.nodeCount / 2 + 1))
            options.downMicrosMax = random.uint64(in: 20_000...600_000)
            options.nemesisMicrosMean = random.uint64(in: 80_000...300_000)
            options.partitionMicrosMax = random.uint64(in: 100_000...1_000_000)
            options.nemesisFollowsElections = true
            options.nemesisMicrosMean = random.uint64(in: 100_000...600_000)
        }
    }
}

import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRaft
import FerryStorage
import FerryStorageTesting

/// Queue mode: one seed's run of the production node code (`ReplicaNode<QueueReplica>` over the real
/// `RaftStorage` on a `SimulatedFileSystem`), on the simulated network, with a client workload of
/// producers and consumers and the total-queue checker. Same shape as Raft mode: a safety phase with the
/// seed's faults, then a liveness phase in which every fault heals and the cluster must converge; then a
/// final drain of both queues and the history check.
public final class QueueSimulation: SimulationWorld {
    public let options: QueueSimOptions
    var events = QueueEventHeap()
    var now: SimMicros = 0
    var hosts: [QueueHost] = []
    var network: Network
    let checker = Checker()
    var trace = TraceHasher()
    var eventCount = 0
    var livenessDeadline: SimMicros?
    var finished = false
    let configuration: Configuration

    var networkRandom: Xoshiro256StarStar
    var diskRandom: Xoshiro256StarStar
    var nemesisRandom: Xoshiro256StarStar
    var clientRandom: Xoshiro256StarStar
    var nodeRandom: Xoshiro256StarStar

    var clients: [QueueClient] = []
    var history = QueueHistory()
    var topicHistory = TopicHistory()
    var logModel = QueueLogModel()
    /// The term of each index seen committed, which a rebooted node's recovered log must agree with.
    var committedTerms = CommittedTerms()
    var referenceModel = SQSReferenceModel()
    /// Linearizable reads confirmed and checked (LIN).
    var readsChecked = 0
    /// index -> the output of its first application, which the reference model judged.
    var judgedOutputs: [LogIndex: QueueResult] = [:]
    /// The node whose fsyncs fail now and then (fsync-EIO campaign).
    var failingDiskNode: NodeID?
    /// Stopped nodes (EIO) seen, for the report.
    var storageFailures = 0
    var refusedStarts = 0
    /// Corruption flips that landed in bytes only a witness record witnesses (the last batch of an idle log).
    var witnessOnlyFlips = 0
    /// Renames of a spare segment into place performed (`RaftStorage.nextPreparation`).
    var sparesUsed = 0
    var snapshotsTaken = 0
    /// Requests sent, by shape.
    var shapesSent: [MessageShape: Int] = [:]
    /// The next shape of `QueueSizeBoundaries.tour` to send.
    var shapeTourNext = 0
    var snapshotsInstalled = 0
    /// The total-queue verdict of a run that passed.
    var verdict: QueueHistory.Verdict?
    /// The furthest any wall clock ran ahead, in ms: how far the queue's time can lag real time later.
    var maxWallOffsetMs: Int64 = 0

    public var traceSink: ((String) -> Void)?

    public init(options: QueueSimOptions) {
        self.options = options
        var master = Xoshiro256StarStar(seed: options.seed ^ 0x0_9_0E_0E)
        networkRandom = master.fork()
        diskRandom = master.fork()
        nemesisRandom = master.fork()
        clientRandom = master.fork()
        nodeRandom = master.fork()
        configuration = Configuration(voters: Array(1...NodeID(options.nodeCount)))
        network = Network(nodeIDs: 1...NodeID(options.nodeCount), options: options.base)
        for id in 1...NodeID(options.nodeCount) {
            let disk = SimulatedFileSystem(random: diskRandom.fork(), faults: .crashOnly)
            let host = QueueHost(
                id: id, simulation: self, fileSystem: disk,
                monotonicBaseMs: nodeRandom.uint64(in: 1_000...1_000_000_000))
            if options.clockDriftPpmMax > 0 {
                host.driftPpm = Int64(nodeRandom.int(in: -options.clockDriftPpmMax...options.clockDriftPpmMax))
            }
            host.wallOffsetMs = Int64(nodeRandom.int(in: -50...50))
            hosts.append(host)
        }
        if options.fsyncEIO {
            let victim = NodeID(nemesisRandom.int(in: 1...options.nodeCount))
            failingDiskNode = victim
            host(victim).fileSystem.faults.syncFailureProbability = nemesisRandom.logUniform(in: 0.002...0.05)
        }
        clients = QueueClient.makeAll(options: options)
    }

    @inline(__always)
    func host(_ id: NodeID) -> QueueHost { hosts[Int(id) - 1] }

    public func run() -> SeedOutcome {
        for host in hosts { boot(host) }
        for index in clients.indices {
            schedule(
                .client(index: index, generation: 0), after: clientRandom.uint64(in: 0...options.clientThinkMicrosMax))
        }
        schedule(.nemesis, after: nemesisRandom.uint64(in: 0...(2 * options.base.nemesisMicrosMean)))
        schedule(.heal, after: options.base.safetyPhaseSeconds * 1_000_000)
        runEvents()
        if checker.violation == nil && !finished {
            checker.fail("LIVE", "the event queue ran dry before the run finished")
        }
        return SeedOutcome(
            seed: options.seed, violation: checker.violation, simulatedMicros: now,
            eventCount: eventCount, traceHash: trace.value, acknowledgedCount: history.acknowledged.count)
    }

    var hasEnded: Bool { finished }

    func pausedUntil(_ node: NodeID) -> SimMicros? { host(node).pausedUntil }

    func checkForStorm() { checkPendingEvents() }

    func handle(_ event: QueueEvent) {
        switch event {
        case .tick(let id, let incarnation): onTick(host(id), incarnation: incarnation)
        case .deliver(let from, let to, let bytes): onDeliver(from: from, to: to, bytes: bytes)
        case .diskStep(let id, let incarnation): onDiskStep(host(id), incarnation: incarnation)
        case .preparation(let id, let incarnation): onPreparation(host(id), incarnation: incarnation)
        case .snapshotSave(let id, let incarnation): onSnapshotSave(host(id), incarnation: incarnation)
        case .snapshotDecode(let id, let incarnation): onSnapshotDecode(host(id), incarnation: incarnation)
        case .endOfInputs(let id, let incarnation): onEndOfInputs(host(id), incarnation: incarnation)
        case .restart(let id): restart(host(id))
        case .resume(let id, let incarnation): resume(host(id), incarnation: incarnation)
        case .client(let index, let generation): onClientTimer(index, generation: generation)
        case .nemesis: onNemesis()
        case .heal: heal()
        case .livenessCheck: checkConvergence()
        }
    }

    func emit(_ line: @autoclosure () -> String) {
        if let traceSink { traceSink("t=\(formatSeconds(now)) \(line())") }
    }
}

import FerryRaft
import FerryStorageTesting

/// What one seed's run came to.
public struct SeedOutcome: Sendable {
    public var seed: UInt64
    public var violation: Violation?
    public var simulatedMicros: SimMicros
    public var eventCount: Int
    public var traceHash: UInt64
    public var acknowledgedCount: Int
}

/// One run of the simulator for one seed: a single thread, simulated time, every random choice from
/// generators derived from the seed. A safety phase with the seed's faults, then a liveness phase with
/// every fault healed, in which the cluster must converge within `livenessPhaseSecondsMax`.
public final class Simulation: SimulationWorld {
    public let options: SimOptions
    var events = EventQueue<SimEvent>()
    var now: SimMicros = 0
    var nodes: [SimNode] = []
    var network: Network
    let checker = Checker()
    var clients: [SimClient] = []
    var trace = TraceHasher()
    var eventCount = 0
    /// Set when faults heal; until then the run is in its safety phase.
    var livenessDeadline: SimMicros?
    var converged = false
    /// Acknowledged commands in acknowledgement order, with the position they were acknowledged at.
    var acknowledged: [(id: UInt64, position: LogPosition)] = []

    // One generator per concern, so that a change in one (say, more clients) does not reshuffle the
    // draws of another (say, the network).
    var networkRandom: Xoshiro256StarStar
    var diskRandom: Xoshiro256StarStar
    var nemesisRandom: Xoshiro256StarStar
    var clientRandom: Xoshiro256StarStar
    var nodeRandom: Xoshiro256StarStar

    /// Called with one line per event when tracing (`--verbose`).
    public var traceSink: ((String) -> Void)?

    public let initialConfiguration: Configuration
    var allNodeIDs: ClosedRange<NodeID> { 1...NodeID(options.nodeCount + SimConstants.spareNodeCount) }

    public init(options: SimOptions) {
        self.options = options
        var master = Xoshiro256StarStar(seed: options.seed)
        networkRandom = master.fork()
        diskRandom = master.fork()
        nemesisRandom = master.fork()
        clientRandom = master.fork()
        nodeRandom = master.fork()
        // As ferryd seeds a new cluster: the initial voters, each with its `[peers]` address replicated.
        let voters = Array(1...NodeID(options.nodeCount))
        let peersFile = Dictionary(uniqueKeysWithValues: voters.map { ($0, SimPeerAddress(node: $0)) })
        initialConfiguration = Configuration(voters: voters, addresses: peersFile.mapValues(\.member))
        network = Network(nodeIDs: 1...NodeID(options.nodeCount + SimConstants.spareNodeCount), options: options)
        for id in allNodeIDs {
            let disk = SimulatedFileSystem(random: diskRandom.fork(), faults: options.diskFaults)
            nodes.append(
                SimNode(
                    id: id, bootstrap: initialConfiguration, fileSystem: disk, peersFile: peersFile,
                    nodeSlots: Int(allNodeIDs.upperBound) + 1))
        }
        clients = (0..<options.clientCount).map { SimClient(index: $0, target: NodeID($0 % options.nodeCount + 1)) }
    }

    @inline(__always)
    func node(_ id: NodeID) -> SimNode { nodes[Int(id) - 1] }

    /// Runs the seed to its end: a violation, convergence, or the liveness deadline.
    public func run() -> SeedOutcome {
        start()
        runEvents()
        if checker.violation == nil && !converged {
            checker.fail("LIVE", "the event queue ran dry before the cluster converged")
        }
        return SeedOutcome(
            seed: options.seed, violation: checker.violation, simulatedMicros: now, eventCount: eventCount,
            traceHash: trace.value, acknowledgedCount: acknowledged.count)
    }

    /// LIVE: a run whose traffic grows without bound (each message spawning more) never converges; stop
    /// it as a failure instead of exhausting memory.
    func checkForStorm() {
        checkPendingEvents()
        let budget = UInt64(SimConstants.eventsPerSimulatedSecondMax) * max(now / 1_000_000, 1)
        if UInt64(eventCount) > budget {
            checker.fail("LIVE", "message storm: \(eventCount) events in \(formatSeconds(now))")
        }
    }

    private func start() {
        for node in nodes { boot(node) }
        for client in clients.indices {
            schedule(
                .client(index: client, generation: 0), after: clientRandom.uint64(in: 0...options.clientThinkMicrosMax))
        }
        if options.partitions || options.crashes || options.pauses {
            schedule(.nemesis, after: nemesisRandom.uint64(in: 0...(2 * options.nemesisMicrosMean)))
        }
        if options.membershipChanges || options.leadershipTransfers {
            schedule(
                .operatorAction(periodic: true), after: nemesisRandom.uint64(in: 0...(2 * options.operatorMicrosMean)))
        }
        schedule(.heal, after: options.safetyPhaseSeconds * 1_000_000)
    }

    var hasEnded: Bool { converged }

    func pausedUntil(_ node: NodeID) -> SimMicros? { self.node(node).pausedUntil }

    func handle(_ event: SimEvent) {
        switch event {
        case .tick(let id, let incarnation):
            onTick(node(id), incarnation: incarnation)
        case .deliver(let envelope, let link):
            onDeliver(envelope, link: link)
        case .fsyncDone(let id, let incarnation):
            onFsyncDone(node(id), incarnation: incarnation)
        case .restart(let id):
            restart(node(id))
        case .resume(let id, let incarnation):
            resume(node(id), incarnation: incarnation)
        case .client(let index, let generation):
            onClientTimer(index, generation: generation)
        case .nemesis:
            onNemesis()
        case .nemesisStrike(let id, let incarnation):
            strike(node(id), incarnation: incarnation)
        case .operatorAction(let periodic):
            onOperatorAction(periodic: periodic)
        case .heal:
            heal()
        case .livenessCheck:
            checkConvergence()
        }
    }

    func emit(_ line: @autoclosure () -> String) {
        if let traceSink { traceSink("t=\(formatSeconds(now)) \(line())") }
    }
}

extension SimEvent {
    /// The node whose process handles the event (pauses delay these); nil for global events.
    var targetNode: NodeID? {
        switch self {
        case .tick(let node, _), .fsyncDone(let node, _): return node
        case .deliver(let envelope, _): return envelope.to
        case .restart, .resume, .client, .nemesis, .nemesisStrike, .operatorAction, .heal, .livenessCheck: return nil
        }
    }
}

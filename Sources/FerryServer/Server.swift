import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRaft
import FerryRuntime
import FerrySQS
import FerryStorage
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One ferryd process: the node, its durable log, the peer mesh and the SQS API, on one libuv loop.
public final class Server {
    public let config: ServerConfig
    let loop: EventLoop
    var logger: Logger
    let environment: RuntimeEnvironment
    let mesh: PeerMesh
    let http: HTTPServer
    /// nil when `metrics = false`.
    let metrics: NodeMetrics?
    let scrapedGauges: ScrapedGauges?
    /// The `metrics_listen` server, if configured.
    private(set) var metricsListener: HTTPServer?
    /// Warnings clients and peers can repeat at will, one line per kind per interval.
    let warnings: ThrottledWarnings
    private var warningFlushTimer: LoopTimer?
    let node: ReplicaNode<QueueReplica>
    private(set) var service: SQSService?
    private(set) var snsService: SNSService?
    private var tickTimer: LoopTimer?
    private var signalWatchers: [SignalWatcher] = []
    /// The configuration the mesh last followed (`followConfiguration`).
    var followedConfiguration: Configuration?
    /// Set when the node stopped itself (durable log failure): the process exits non-zero.
    public private(set) var fatalError: ServerError?

    public init(config: ServerConfig, logger baseLogger: Logger) throws {
        self.config = config
        var logger = baseLogger
        logger[metadataKey: "node"] = "\(config.nodeID)"
        self.logger = logger
        let loop = try EventLoop()
        self.loop = loop
        // A failure below (a corrupt log, a port in use) must shut the loop down: releasing a live loop traps.
        var constructed = false
        defer { if !constructed { loop.shutdown() } }
        let fileSystem = PosixFileSystem()
        // Read only when the data directory is empty. A joining node starts with no members at all: it never
        // campaigns and waits for a leader to add it (as a learner, then a voter once caught up).
        let initial = config.bootstrapConfiguration
        let machine = QueueReplica(config: .init(region: config.region, accountId: config.defaultAccountID))
        // The snapshot is decoded in the one read that verifies it; the state counts only if `open` returns.
        var restored: ReplicaNode<QueueReplica>.RestoredSnapshot?
        var restoreFailure: (any Error)?
        let opened: (storage: RaftStorage, state: RecoveredState, report: RecoveryReport)
        do {
            var storageOptions = StorageOptions()
            storageOptions.preallocateSegments = config.preallocateSegments
            opened = try RaftStorage.open(
                directory: config.dataDirectory, fileSystem: fileSystem, options: storageOptions,
                initialConfiguration: initial
            ) { data in
                do { restored = try ReplicaNode.restore(data, into: machine) } catch { restoreFailure = error }
            }
        } catch {
            // Refuse to serve rather than run on a log that lost acknowledged entries (docs/simulation.md, "Planted
            // bugs", bug 29).
            throw ServerError.storage("\(error)")
        }
        if let torn = opened.report.tornTail {
            logger.warning("recovery cut a torn log tail", metadata: ["tail": "\(torn)"])
        }
        logger.info(
            "recovered the durable log",
            metadata: [
                "term": "\(opened.state.hardState.term)", "snapshot": "\(opened.state.snapshot.metadata.index)",
                "entries": "\(opened.state.entries.count)",
            ])
        warnings = ThrottledWarnings(logger: logger)
        mesh = PeerMesh(
            loop: loop, localID: config.nodeID, secret: config.clusterSecret, logger: logger, warnings: warnings)
        let metrics = config.metricsEnabled ? NodeMetrics(queuesMax: config.metricsQueuesMax) : nil
        self.metrics = metrics
        scrapedGauges = metrics.map { ScrapedGauges(registry: $0.registry) }
        environment = RuntimeEnvironment(
            loop: loop, fileSystem: fileSystem, mesh: mesh, logger: logger, metrics: metrics)

        var raftOptions = RaftOptions(id: config.nodeID)
        raftOptions.heartbeatIntervalTicks = config.heartbeatIntervalTicks
        raftOptions.electionTimeoutTicks = config.electionTimeoutTicks
        var nodeOptions = NodeOptions(raft: raftOptions)
        nodeOptions.snapshotIntervalEntries = LogIndex(config.snapshotIntervalEntries)
        nodeOptions.commandTimeoutTicks = max(1, config.commandTimeoutSeconds * 1000 / config.tickMs)
        nodeOptions.leaderWaitTicks = config.leaderWaitMs / config.tickMs
        nodeOptions.housekeepingIntervalTicks = max(1, 1_000 / config.tickMs)  // 1 s
        if let restoreFailure { throw restoreFailure }  // a snapshot that verifies but does not decode
        var seed = SystemRandomNumberGenerator()
        node = try ReplicaNode(
            options: nodeOptions, storage: opened.storage, recovered: opened.state, restored: restored,
            machine: machine, environment: environment, random: SplitMix64(seed: seed.next()))

        var credentials: [String: SigV4Configuration.Credential] = [:]
        for credential in config.credentials {
            credentials[credential.accessKey] = .init(
                secretAccessKey: credential.secretKey, accountId: credential.accountID)
        }
        let signing = SigV4Configuration(
            mode: config.auth == .off ? .off : .sigv4, credentials: credentials,
            defaultAccountId: config.defaultAccountID, clockSkewSecondsMax: Int64(config.signatureSkewSeconds),
            region: config.region)
        http = HTTPServer(
            loop: loop, verifier: SigV4Verifier(signing), nodeTag: String(format8Hex: config.nodeID),
            logger: logger, warnings: warnings, requestTimeoutMs: UInt64(config.requestTimeoutSeconds) * 1000,
            unfinishedRequestBytesMax: config.unfinishedRequestBytesMax,
            nowSeconds: { Int64(Server.wallClockMs() / 1000) })
        mesh.onMessage = { [unowned self] message, peer in self.node.receive(message, from: peer) }
        environment.onFatal = { [unowned self] why in
            self.fatalError = why
            self.loop.stop()
        }
        http.adminHandler = { [unowned self] request in self.admin(request) }
        http.adminAccess = AdminAccess(
            administratorKeys: Set(config.credentials.filter(\.admin).map(\.accessKey)),
            metricsBearerToken: config.metricsBearerToken, metricsPublic: config.metricsPublic)
        http.metrics = metrics?.requests
        let sqsService = SQSService(node: node, config: config, loop: loop, logger: logger)
        service = sqsService
        http.handler = sqsService
        let sns = SNSService(sqs: sqsService)
        snsService = sns
        http.snsHandler = { [unowned sns] query, caller, respond in sns.handle(query, caller: caller, respond: respond)
        }
        if let metrics {
            observeAppliedCommands(metrics.queues, metrics.topics)
            if config.metricsListen != nil { metricsListener = makeMetricsListener() }
        }
        constructed = true
    }

    static func wallClockMs() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }

    /// A tick this late means the loop was held up (a long callback, a starved CPU, a stalled page fault):
    /// every client and peer waited as long, and past the election timeout the cluster elects anew.
    static let lateTickWarningMs: UInt64 = 100
    private var lastTickMs: UInt64?

    private func noteLateTick() {
        let nowMs = RuntimeEnvironment.monotonicNowMs()
        defer { lastTickMs = nowMs }
        guard let last = lastTickMs, nowMs - last >= UInt64(config.tickMs) + Self.lateTickWarningMs else { return }
        logger.warning("event loop stalled", metadata: ["ms": "\(nowMs - last - UInt64(config.tickMs))"])
        metrics?.loopStalled(lateMs: nowMs - last - UInt64(config.tickMs))
    }

    /// Listens, joins the peers and serves until SIGTERM or SIGINT (or a fatal storage error).
    public func run() throws {
        try mesh.start(listen: config.peerListen)
        followConfiguration()
        try http.start(listen: config.clientListen)
        if let metricsListener, let address = config.metricsListen { try metricsListener.start(listen: address) }
        tickTimer = try loop.scheduleRepeating(everyMs: UInt64(config.tickMs)) { [unowned self] in
            self.noteLateTick()
            self.node.tick()
            self.followConfiguration()
        }
        warningFlushTimer = try loop.scheduleRepeating(everyMs: 1_000) { [unowned self] in
            self.warnings.flush(nowMs: self.loop.nowMs)
        }
        signalWatchers = try SignalWatcher.gracefulStop(loop: loop) { [unowned self] signal in
            self.logger.info("stopping", metadata: ["signal": "\(signal)"])
            self.loop.stop()
        }
        logger.info(
            "serving",
            metadata: [
                "sqs": "\(config.clientListen)", "peers": "\(config.peerListen)", "auth": "\(config.auth.rawValue)",
                "metrics":
                    "\(config.metricsEnabled ? config.metricsListen.map { "\($0) and the SQS port" } ?? "the SQS port" : "off")",
            ])
        // Recovery decodes the log after the snapshot (at 1M queued messages, 195 MB of entries; it may grow to
        // the snapshot's size) before the messages are restored above it on the heap. Applied, those payloads are
        // freed below live memory, where `free` never returns pages: a restarted node kept them, 0.16 KB per
        // queued message at 1M.
        ProcessMemory.returnFreePages()
        loop.run()
        tickTimer?.close()
        warningFlushTimer?.close()
        for watcher in signalWatchers { watcher.close() }
        http.stop()
        metricsListener?.stop()
        mesh.stop()
        loop.shutdown()
        if let fatalError { throw fatalError }
    }

    // MARK: - Admin endpoints

    func admin(_ request: HTTPRequest) -> HTTPResponse? {
        switch (request.method, request.path) {
        case ("GET", "/_ferry/health"):
            let ok = node.isRunning && node.leader != nil
            return HTTPResponse(status: ok ? 200 : 503, body: Array((ok ? "ok\n" : "no leader\n").utf8))
        case ("GET", "/_ferry/status"):
            return json(statusJSON())
        case ("GET", AdminAccess.metricsPath):
            return metricsResponse()
        case ("POST", "/_ferry/transfer-leadership"):
            guard let target = Self.queryValue(request.query, "to").flatMap(NodeID.init) else {
                return HTTPResponse(status: 400, body: Array("usage: POST /_ferry/transfer-leadership?to=N\n".utf8))
            }
            node.transferLeadership(to: target)
            return json("{\"requested\": true, \"target\": \(target)}")
        case ("POST", "/_ferry/members/add-learner"), ("POST", "/_ferry/members/promote"),
            ("POST", "/_ferry/members/remove"),
            ("POST", "/_ferry/members/update"):
            return membershipChange(request)
        default:
            return nil
        }
    }

    func statusJSON() -> String {
        let raft = node.raft
        let peers = raft.peerMatchIndexes.map { "{\"id\": \($0.id), \"match\": \($0.match)}" }.joined(separator: ", ")
        let connected = mesh.connectedPeers.map { "\($0)" }.joined(separator: ", ")
        let dialing = mesh.dialling.sorted(by: { $0.key < $1.key })
            .map { "{\"id\": \($0.key), \"address\": \"\(Self.jsonEscaped("\($0.value)"))\"}" }.joined(separator: ", ")
        return """
            {"node": \(config.nodeID), "role": "\(raft.role.rawValue)", "term": \(raft.term), "leader": \(raft.leader ?? 0), \
            "commit": \(raft.commitIndex), "applied": \(raft.appliedIndex), "last_index": \(raft.lastIndex), \
            "snapshot_index": \(raft.snapshotMetadata.index), "voters": \(raft.configuration.voters), \
            "learners": \(raft.configuration.learners), "members": [\(membersJSON(raft.configuration))], \
            "replication": [\(peers)], "connected_peers": [\(connected)], "dialing": [\(dialing)], \
            "running": \(node.isRunning)}
            """
    }

    static func queryValue(_ query: String, _ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    private func json(_ text: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: 200, headers: headers, body: Array((text + "\n").utf8))
    }
}

public enum ServerError: Error, CustomStringConvertible {
    /// The durable log failed or cannot be trusted.
    case storage(String)
    /// A committed command this build cannot apply (written by a newer ferryd).
    case incompatibleLog(String)

    public var description: String {
        switch self {
        case .storage(let why): return "durable log: \(why)"
        case .incompatibleLog(let why): return "incompatible log: \(why)"
        }
    }
}

extension String {
    /// An 8-hex-digit rendering of a node id, the first group of request ids.
    init(format8Hex value: UInt64) {
        let hex = String(value & 0xFFFF_FFFF, radix: 16)
        self = String(repeating: "0", count: 8 - hex.count) + hex
    }
}

import FerryNode
import FerryRaft
import FerryRuntime
import FerrySQS
import FerryStorage
import Prometheus

/// Gauges read from the node's state at each scrape, and the counters that follow a cumulative reading
/// (libuv's idle time, CPU time) by their increase.
final class ScrapedGauges {
    private let registry: MetricRegistry
    private let term, leader, nodeID, commit, applied, lastIndex, snapshotIndex, voters, learners: Gauge
    private let roles: [(Role, Gauge)]
    private var followerLag: [NodeID: Gauge] = [:]
    private var peerConnected: [NodeID: Gauge] = [:]
    private let logBytes, segments, connections, longPolls: Gauge
    private let resident, virtual, descriptors, descriptorsMax, startTime: Gauge
    private let loopIdle, cpu: Counter
    private var loopIdleNs: UInt64 = 0
    private var cpuSeconds: Double = 0

    init(registry metrics: MetricRegistry) {
        self.registry = metrics
        term = metrics.gauge(MetricCatalog.raftTerm)
        leader = metrics.gauge(MetricCatalog.raftLeader)
        nodeID = metrics.gauge(MetricCatalog.raftNodeID)
        commit = metrics.gauge(MetricCatalog.raftCommitIndex)
        applied = metrics.gauge(MetricCatalog.raftAppliedIndex)
        lastIndex = metrics.gauge(MetricCatalog.raftLastLogIndex)
        snapshotIndex = metrics.gauge(MetricCatalog.raftSnapshotIndex)
        voters = metrics.gauge(MetricCatalog.raftVoters)
        learners = metrics.gauge(MetricCatalog.raftLearners)
        roles = [Role.follower, .preCandidate, .candidate, .leader].map {
            ($0, metrics.gauge(MetricCatalog.raftRole, $0.rawValue))
        }
        logBytes = metrics.gauge(MetricCatalog.storageLogBytes)
        segments = metrics.gauge(MetricCatalog.storageSegments)
        connections = metrics.gauge(MetricCatalog.httpConnections)
        longPolls = metrics.gauge(MetricCatalog.longPollsParked)
        resident = metrics.gauge(MetricCatalog.residentMemory)
        virtual = metrics.gauge(MetricCatalog.virtualMemory)
        descriptors = metrics.gauge(MetricCatalog.openDescriptors)
        descriptorsMax = metrics.gauge(MetricCatalog.maxDescriptors)
        startTime = metrics.gauge(MetricCatalog.startTime)
        loopIdle = metrics.counter(MetricCatalog.loopIdleSeconds)
        cpu = metrics.counter(MetricCatalog.cpuSeconds)
    }

    func refresh(_ server: Server) {
        let raft = server.node.raft
        term.set(Double(raft.term))
        leader.set(Double(raft.leader ?? 0))
        nodeID.set(Double(server.config.nodeID))
        commit.set(Double(raft.commitIndex))
        applied.set(Double(raft.appliedIndex))
        lastIndex.set(Double(raft.lastIndex))
        snapshotIndex.set(Double(raft.snapshotMetadata.index))
        voters.set(Double(raft.configuration.voters.count))
        learners.set(Double(raft.configuration.learners.count))
        for (role, gauge) in roles { gauge.set(role == raft.role ? 1.0 : 0.0) }

        // Lag per member while leading; the series go away when this node stops leading.
        var lagging: [NodeID: Double] = [:]
        if raft.role == .leader {
            for peer in raft.peerMatchIndexes {
                lagging[peer.id] = Double(raft.lastIndex - min(peer.match, raft.lastIndex))
            }
        }
        sync(&followerLag, to: lagging, MetricCatalog.raftFollowerLag)
        let connected = Set(server.mesh.connectedPeers)
        let peers = Set(server.config.peers.keys).union(raft.configuration.voters).union(raft.configuration.learners)
            .subtracting([server.config.nodeID])
        sync(
            &peerConnected,
            to: Dictionary(uniqueKeysWithValues: peers.map { ($0, connected.contains($0) ? 1.0 : 0.0) }),
            MetricCatalog.peerConnected)

        let disk = ProcessStats.directoryUsage(server.config.dataDirectory) {
            StorageLayout.segmentSequence(ofName: $0) != nil
        }
        logBytes.set(Double(disk.bytes))
        segments.set(Double(disk.matching))
        connections.set(Double(server.http.connectionCount))
        longPolls.set(Double(server.service?.longPolls.count ?? 0))

        let process = ProcessStats.read()
        resident.set(process.residentBytes)
        virtual.set(process.virtualBytes)
        descriptors.set(process.openDescriptors)
        descriptorsMax.set(process.descriptorsMax)
        startTime.set(process.startTimeSeconds)
        if process.cpuSeconds > cpuSeconds { cpu.increment(by: process.cpuSeconds - cpuSeconds) }
        cpuSeconds = max(cpuSeconds, process.cpuSeconds)
        let idleNs = server.loop.idleTimeNs
        if idleNs > loopIdleNs { loopIdle.increment(by: Double(idleNs - loopIdleNs) / 1e9) }
        loopIdleNs = max(loopIdleNs, idleNs)
    }

    /// One gauge per node id in `values`, set to its value; gauges of ids no longer there are unregistered.
    private func sync(_ gauges: inout [NodeID: Gauge], to values: [NodeID: Double], _ definition: MetricDefinition) {
        for (id, gauge) in gauges where values[id] == nil {
            registry.unregister(gauge)
            gauges[id] = nil
        }
        for (id, value) in values {
            if gauges[id] == nil { gauges[id] = registry.gauge(definition, "\(id)") }
            gauges[id]!.set(value)
        }
    }
}

extension Server {
    /// Counts applied commands per queue and per topic kind: before each command (to see what a receive
    /// moves to a dead-letter queue, what a publish delivers) and after it.
    func observeAppliedCommands(_ queues: QueueMetrics, _ topics: SNSMetrics) {
        node.willApply = { [unowned self, queues, topics] command in
            queues.willApply(command, machine: self.node.machine.queues)
            topics.willApply(command, machine: self.node.machine.queues)
        }
        let previous = node.onApply
        node.onApply = { [unowned self, queues, topics] command, result, stamp in
            previous?(command, result, stamp)
            queues.applied(command, result, machine: self.node.machine.queues)
            topics.applied(command, result, machine: self.node.machine.queues)
        }
    }

    /// `GET /metrics`: every family in the text exposition format (version 0.0.4), gauges read now.
    func metricsResponse() -> HTTPResponse? {
        guard let metrics, let scraped = scrapedGauges else { return nil }
        scraped.refresh(self)
        metrics.queues.refresh(node.machine.queues, nowMs: Int64(clamping: environment.wallClockMs()))
        metrics.topics.refresh(node.machine.queues)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return HTTPResponse(status: 200, headers: headers, body: metrics.registry.exposition())
    }

    /// The `metrics_listen` server: plain HTTP, `GET /metrics` only, no authentication.
    func makeMetricsListener() -> HTTPServer {
        let listener = HTTPServer(
            loop: loop, verifier: SigV4Verifier(.off), nodeTag: String(format8Hex: config.nodeID), logger: logger,
            warnings: warnings,
            requestTimeoutMs: UInt64(config.requestTimeoutSeconds) * 1000,
            unfinishedRequestBytesMax: Self.metricsListenerUnfinishedBytesMax,
            nowSeconds: { Int64(Server.wallClockMs() / 1000) })
        listener.servesOnlyMetrics = true
        listener.adminHandler = { [unowned self] _ in self.metricsResponse() }
        return listener
    }

    /// Scrapes are small GETs: the metrics listener holds little of what its peers send.
    static let metricsListenerUnfinishedBytesMax = 1 << 20
}

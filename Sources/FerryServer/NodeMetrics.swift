import FerryNode
import FerryRaft
import FerryStorage
import Prometheus

/// One node's metrics, in a swift-prometheus registry of its own. Not the process-wide swift-metrics
/// `MetricsSystem`: it can be bootstrapped once per process, where tests run several nodes, and its factory
/// drops the HELP text that docs/metrics.md and operators read. Every family comes from `MetricCatalog`.
///
/// Counters and histograms are updated as things happen (loop thread, a relaxed atomic or an uncontended
/// lock each); gauges are read from the node's state when `/metrics` is scraped (`Server.metricsText`).
final class NodeMetrics {
    let registry = MetricRegistry()
    let requests: RequestMetrics
    let queues: QueueMetrics
    let topics: SNSMetrics

    init(queuesMax: Int) {
        requests = RequestMetrics(registry: registry)
        queues = QueueMetrics(registry: registry, queuesMax: queuesMax)
        topics = SNSMetrics(registry: registry)
        leaderChanges = registry.counter(MetricCatalog.raftLeaderChanges)
        elections = registry.counter(MetricCatalog.raftElections)
        preVotes = registry.counter(MetricCatalog.raftPreVotes)
        snapshotsTaken = registry.counter(MetricCatalog.raftSnapshotsTaken)
        snapshotsSent = registry.counter(MetricCatalog.raftSnapshotsSent)
        snapshotsInstalled = registry.counter(MetricCatalog.raftSnapshotsInstalled)
        writeSeconds = registry.histogram(MetricCatalog.storageWriteSeconds)
        writeBytes = registry.histogram(MetricCatalog.storageWriteBytes)
        writeEntries = registry.histogram(MetricCatalog.storageWriteEntries)
        slowWrites = registry.counter(MetricCatalog.storageSlowWrites)
        witnessWrites = registry.counter(MetricCatalog.storageWitnessWrites)
        loopStalls = registry.counter(MetricCatalog.loopStalls)
        loopStallSeconds = registry.counter(MetricCatalog.loopStallSeconds)
    }

    // MARK: Raft events (from `RuntimeEnvironment.record` and `send`)

    private let leaderChanges: Counter
    private let elections: Counter
    private let preVotes: Counter
    private let snapshotsTaken: Counter
    private let snapshotsSent: Counter
    private let snapshotsInstalled: Counter
    private var lastKnownLeader: NodeID?

    func record(_ event: NodeEvent) {
        switch event {
        case .roleChanged(let role, _, let leader):
            if role == .candidate { elections.increment() }
            if role == .preCandidate { preVotes.increment() }
            if let leader, leader != lastKnownLeader {
                leaderChanges.increment()
                lastKnownLeader = leader
            }
        case .snapshotTaken: snapshotsTaken.increment()
        case .snapshotInstalled: snapshotsInstalled.increment()
        case .undecodableCommand, .storageFailed, .peerMessageRejected, .segmentPreparationFailed, .logReadFailed: break
        }
    }

    func sent(_ message: PeerMessage) {
        if case .raft(let envelope) = message, case .snapshotChunk(let chunk) = envelope.message, chunk.isLast {
            snapshotsSent.increment()
        }
    }

    // MARK: Storage (from `RuntimeEnvironment.performDurableWrite`)

    private let writeSeconds: ValueHistogram
    private let writeBytes: ValueHistogram
    private let writeEntries: ValueHistogram
    private let slowWrites: Counter
    private let witnessWrites: Counter
    private var lastWrittenIndex: LogIndex?

    func durableWrite(_ write: DurableWrite, seconds: Double, slow: Bool) {
        writeSeconds.record(seconds)
        var bytes = 0
        for case .write(_, _, _, let written) in write.operations { bytes += written.count }
        writeBytes.record(Double(bytes))
        // Entries appended: how far the log's end moved since the previous write (a rewrite after a conflict
        // counts from where it rewrote). The first write after start has no previous end and is not counted.
        let last = write.lastPosition.index
        if write.entriesEnd != nil, let base = write.rewritesFrom.map({ $0 - 1 }) ?? lastWrittenIndex, last > base {
            writeEntries.record(Double(last - base))
        }
        lastWrittenIndex = last
        if slow { slowWrites.increment() }
        if write.witnessedThrough != .zero { witnessWrites.increment() }
    }

    // MARK: Event loop (from `Server.noteLateTick`)

    private let loopStalls: Counter
    private let loopStallSeconds: Counter

    func loopStalled(lateMs: UInt64) {
        loopStalls.increment()
        loopStallSeconds.increment(by: Double(lateMs) / 1000)
    }
}

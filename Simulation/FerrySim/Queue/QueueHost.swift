import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRaft
import FerryStorage
import FerryStorageTesting

/// One simulated machine in queue mode: its disk (a `SimulatedFileSystem` that outlives crashes), its
/// clocks, and while the process runs, the production `ReplicaNode<QueueReplica>` over this host as its
/// `NodeEnvironment` (through a `NodeEnvironmentLink`, which does not keep the host alive: the host owns the node).
/// Every environment call only records or schedules: nothing re-enters the run loop.
final class QueueHost: NodeEnvironment {
    typealias Node = ReplicaNode<QueueReplica>

    let id: NodeID
    unowned let simulation: QueueSimulation
    var fileSystem: SimulatedFileSystem
    /// nil while the process is down.
    var node: Node?
    /// Bumped on every crash and restart, so events aimed at an earlier process are dropped.
    var incarnation: UInt32 = 0
    var pausedUntil: SimMicros?
    /// Set when recovery refused the disk (corruption): the node stays down for the rest of the run.
    var refusedToStart: String?
    /// Set by the corruption campaign: this disk had a bit flipped while the node was down.
    var corrupted = false

    /// The durable write being carried out, the index of its next operation, and its completion.
    var write: (write: DurableWrite, next: Int, completion: (Result<Void, FileSystemError>) -> Void)?
    /// The spare segment being zero-filled, alongside `write`; it completes in one step.
    var preparation: (preparation: SegmentPreparation, completion: (Result<Void, FileSystemError>) -> Void)?
    var snapshotSave: (save: SnapshotSave, completion: (Result<SavedSnapshot, FileSystemError>) -> Void)?
    /// A leader's snapshot being decoded off the node's thread: run when its event comes.
    var snapshotDecode: (() -> Void)?
    /// What the node does once the inputs that arrived together are handled (with `batchInputs`).
    var endOfInputs: (() -> Void)?

    // Clocks. The wall clock drifts and may be stepped; the monotonic clock drifts but never steps.
    var driftPpm: Int64 = 0
    var wallOffsetMs: Int64 = 0
    let monotonicBaseMs: UInt64

    /// The log's last entry as of the last durable write the storage reported complete: what recovery
    /// must give back (DUR). Survives crashes: it describes the disk.
    var durableLast = LogPosition(index: 0, term: 0)
    /// The lowest index the write in flight at the last crash replaced (`DurableWrite.rewritesFrom`), if
    /// it replaced any: part of it may have reached the disk (its operations run one by one).
    var unfinishedWriteRewritesFrom: LogIndex?
    /// The witnessed prefix of the log on this disk: the newest `DurableWrite.witnessedThrough` of a
    /// completed write. Every byte before it was made durable by a completed write and a durable record
    /// says so, so a bit flip there must make recovery refuse the disk, never cut it as a torn tail.
    /// Survives crashes (it describes the disk); log positions only grow.
    var witnessedThrough = LogCursor.zero
    /// The same, counting only writes that held entries (or a log reset): what later entries witness.
    /// Bytes between this and `witnessedThrough` are witnessed by witness records alone: the last batch
    /// of a log that fell idle, which recovery could not tell from a torn write before witness records.
    var witnessedByEntriesThrough = LogCursor.zero
    /// The end of the entries (and resets) that completed writes made durable.
    var entriesDurableEnd = LogCursor.zero
    /// Ticks of this process since its last durable write completed (or since boot), counted exactly as
    /// `ReplicaNode` counts them: once it passes `NodeOptions.witnessIdleTicks` with no write in flight, the
    /// node must have written and completed a witness for `entriesDurableEnd` (the corruption campaign
    /// holds it to that).
    var ticksSinceWriteCompleted = 0

    /// A send was just acknowledged here: the apply that follows names its index, which must be durable on
    /// a majority (DUR at acknowledgement).
    var ackAwaitingIndex: String?

    /// Applies seen on this process, to sample the queue machine's invariant check.
    var appliesSinceCheck = 0
    var lastAppliedIndex: LogIndex = 0

    init(id: NodeID, simulation: QueueSimulation, fileSystem: SimulatedFileSystem, monotonicBaseMs: UInt64) {
        self.id = id
        self.simulation = simulation
        self.fileSystem = fileSystem
        self.monotonicBaseMs = monotonicBaseMs
    }

    var isUp: Bool { node != nil }
    var isRunning: Bool { node != nil && pausedUntil == nil }

    private var elapsedMs: Int64 {
        let ms = Int64(simulation.now / 1000)
        return ms + ms * driftPpm / 1_000_000
    }

    // MARK: NodeEnvironment

    func wallClockMs() -> UInt64 {
        UInt64(Int64(QueueSimConstants.epochMs) + elapsedMs + wallOffsetMs)
    }

    func monotonicMs() -> UInt64 { monotonicBaseMs + UInt64(elapsedMs) }

    func send(_ message: PeerMessage, to peer: NodeID) {
        simulation.transmit(message.encoded(), from: id, to: peer)
    }

    func performDurableWrite(_ write: DurableWrite, completion: @escaping (Result<Void, FileSystemError>) -> Void) {
        precondition(self.write == nil, "the node hands out one durable write at a time")
        self.write = (write, 0, completion)
        simulation.scheduleDiskStep(self)
    }

    func prepareSegment(
        _ preparation: SegmentPreparation, completion: @escaping (Result<Void, FileSystemError>) -> Void
    ) {
        precondition(self.preparation == nil, "the node prepares one spare segment at a time")
        self.preparation = (preparation, completion)
        simulation.schedulePreparation(self)
    }

    func saveSnapshot(_ save: SnapshotSave, completion: @escaping (Result<SavedSnapshot, FileSystemError>) -> Void) {
        precondition(self.snapshotSave == nil, "the node saves one snapshot at a time")
        self.snapshotSave = (save, completion)
        simulation.scheduleSnapshotSave(self)
    }

    func decodeSnapshot<Decoded: Sendable>(
        sizeBytes: Int, _ decode: @escaping @Sendable () -> Decoded,
        completion: @escaping (Decoded) -> Void
    ) {
        precondition(self.snapshotDecode == nil, "the node decodes one snapshot at a time")
        self.snapshotDecode = { completion(decode()) }
        simulation.scheduleSnapshotDecode(self, sizeBytes: sizeBytes)
    }

    func record(_ event: NodeEvent) {
        simulation.nodeRecorded(event, on: self)
    }

    func atEndOfInputs(_ body: @escaping () -> Void) {
        guard simulation.options.batchInputs else { return body() }
        precondition(endOfInputs == nil, "the node waits for one end of inputs at a time")
        endOfInputs = body
        simulation.scheduleEndOfInputs(self)
    }
}

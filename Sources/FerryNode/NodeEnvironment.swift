import FerryRaft
import FerryStorage

/// Everything a node needs from the world. Two implementations: libuv in FerryRuntime, and the
/// simulator's. Every call happens on the node's single thread, and every callback comes back on it.
public protocol NodeEnvironment: AnyObject {
    /// Milliseconds since the Unix epoch from this machine's wall clock. Only the leader reads it, to stamp
    /// commands; the state machine keeps a running maximum of stamps, so a clock stepping back on a new
    /// leader never moves replicated time back.
    func wallClockMs() -> UInt64
    /// Milliseconds from a clock that never jumps (CLOCK_MONOTONIC): a leader advances its stamps by this
    /// clock between elections, so a wall-clock step during its tenure cannot expire visibility timeouts
    /// early or late (docs/simulation.md, "Planted bugs", bug 35).
    func monotonicMs() -> UInt64
    /// Sends to a peer, best effort: a message to an unreachable peer may be dropped (Raft retries).
    func send(_ message: PeerMessage, to peer: NodeID)
    /// Sends Raft messages produced together (one collection of Raft's output), each as `send(_:to:)` would:
    /// ferryd writes each peer's share of them with one system call, not one per message (a follower's
    /// acknowledgements of several appends, after one durable write).
    func send(raft envelopes: [Envelope])
    /// Performs a durable write off the node's thread and calls `completion` later on the node's thread.
    /// Writes are handed out one at a time, in order.
    func performDurableWrite(_ write: DurableWrite, completion: @escaping (Result<Void, FileSystemError>) -> Void)
    /// Zero-fills a spare log segment off the node's thread and calls `completion` later on the node's thread.
    /// Runs alongside durable writes: no write names the spare until this completed. At most one at a time.
    func prepareSegment(
        _ preparation: SegmentPreparation, completion: @escaping (Result<Void, FileSystemError>) -> Void)
    /// Encodes and writes the node's own snapshot off the node's thread (`SnapshotSave`), then calls
    /// `completion` later on the node's thread with the snapshot. Runs alongside durable writes, which go on
    /// meanwhile. At most one at a time.
    func saveSnapshot(_ save: SnapshotSave, completion: @escaping (Result<SavedSnapshot, FileSystemError>) -> Void)
    /// Decodes a leader's snapshot into the state it holds (`decode`: CPU only, no I/O) off the node's thread,
    /// then calls `completion` later on the node's thread with what it returned. `sizeBytes` is the snapshot's
    /// size. The node applies nothing meanwhile. At most one at a time.
    func decodeSnapshot<Decoded: Sendable>(
        sizeBytes: Int, _ decode: @escaping @Sendable () -> Decoded,
        completion: @escaping (Decoded) -> Void)
    /// Reports something an operator should see; `NodeEvent` says what.
    func record(_ event: NodeEvent)
    /// Calls `body` once the inputs that arrived together have been handled: ferryd calls it at the end of
    /// the event loop's turn, so the client requests and peer messages read in one turn share one round of
    /// Raft messages and one durable write, instead of one each. Never later than that turn.
    func atEndOfInputs(_ body: @escaping () -> Void)
}

extension NodeEnvironment {
    /// One `send(_:to:)` per message (the simulator, tests).
    public func send(raft envelopes: [Envelope]) {
        for envelope in envelopes { send(.raft(envelope), to: envelope.to) }
    }

    /// Without batching (the simulator, tests): at once, as if each input arrived alone.
    public func atEndOfInputs(_ body: @escaping () -> Void) { body() }
}

/// What a node reports about itself, for logs and the simulator's trace.
public enum NodeEvent: Sendable, CustomStringConvertible {
    case roleChanged(role: Role, term: Term, leader: NodeID?)
    /// A committed command could not be decoded: it was written by a newer build (a mixed-version cluster)
    /// or by a bug. The node stopped rather than skip it, since skipping would leave its state behind the
    /// replicas that apply it; a build that can decode it replays it from the log.
    case undecodableCommand(index: LogIndex, reason: String)
    case snapshotTaken(index: LogIndex, sizeBytes: Int)
    case snapshotInstalled(index: LogIndex, sizeBytes: Int)
    /// The durable log failed (fsync error, disk full): the node stops rather than acknowledge anything more.
    case storageFailed(String)
    case peerMessageRejected(from: NodeID, reason: String)
    /// The spare log segment could not be zero-filled (a full disk): the log goes on with segments created
    /// empty, whose appends fsync more slowly.
    case segmentPreparationFailed(String)
    /// The leader could not read entries for a follower back from its log (a record that does not verify, a read
    /// error): nothing was sent, the follower's next heartbeat response asks again. The node stays up.
    case logReadFailed(String)

    public var description: String {
        switch self {
        case .roleChanged(let role, let term, let leader):
            return "role=\(role) term=\(term) leader=\(leader.map(String.init) ?? "none")"
        case .undecodableCommand(let index, let reason):
            return "committed command at index \(index) does not decode with this build, node stopped: \(reason)"
        case .snapshotTaken(let index, let size): return "snapshot taken at index \(index) (\(size) bytes)"
        case .snapshotInstalled(let index, let size): return "snapshot installed at index \(index) (\(size) bytes)"
        case .storageFailed(let why): return "storage failed, node stopped: \(why)"
        case .peerMessageRejected(let from, let reason): return "rejected a message from node \(from): \(reason)"
        case .segmentPreparationFailed(let why): return "could not prepare a spare log segment: \(why)"
        case .logReadFailed(let why): return "could not read log entries for a follower: \(why)"
        }
    }
}

import FerryRaft
import FerryStorage

/// A node's handle on a host that owns it: forwards every `NodeEnvironment` call without keeping the host
/// alive. A `ReplicaNode` holds its environment strongly; handed a host that owns the node, every host with
/// a live node at the end of a run formed a cycle (host -> node -> host) that kept the whole world alive —
/// disks, storage, machine state; about 8 MB a seed with 3 nodes in the simulator (issue 18). The
/// simulator's queue-mode hosts and the node tests' hosts go through this link.
public final class NodeEnvironmentLink<Host: NodeEnvironment>: NodeEnvironment {
    public unowned let host: Host

    public init(_ host: Host) { self.host = host }

    public func wallClockMs() -> UInt64 { host.wallClockMs() }
    public func monotonicMs() -> UInt64 { host.monotonicMs() }
    public func send(_ message: PeerMessage, to peer: NodeID) { host.send(message, to: peer) }
    public func send(raft envelopes: [Envelope]) { host.send(raft: envelopes) }

    public func performDurableWrite(
        _ write: DurableWrite, completion: @escaping (Result<Void, FileSystemError>) -> Void
    ) {
        host.performDurableWrite(write, completion: completion)
    }

    public func prepareSegment(
        _ preparation: SegmentPreparation, completion: @escaping (Result<Void, FileSystemError>) -> Void
    ) {
        host.prepareSegment(preparation, completion: completion)
    }

    public func saveSnapshot(
        _ save: SnapshotSave, completion: @escaping (Result<SavedSnapshot, FileSystemError>) -> Void
    ) {
        host.saveSnapshot(save, completion: completion)
    }

    public func decodeSnapshot<Decoded: Sendable>(
        sizeBytes: Int, _ decode: @escaping @Sendable () -> Decoded,
        completion: @escaping (Decoded) -> Void
    ) {
        host.decodeSnapshot(sizeBytes: sizeBytes, decode, completion: completion)
    }

    public func record(_ event: NodeEvent) { host.record(event) }
    public func atEndOfInputs(_ body: @escaping () -> Void) { host.atEndOfInputs(body) }
}

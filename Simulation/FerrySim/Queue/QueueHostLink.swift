import FerryNode
import FerryRaft
import FerryStorage

/// The node's handle on its host: the host owns the node (`QueueHost.node`), so the node's reference back
/// must not own the host. A `ReplicaNode` holds its environment strongly; handed the host itself, every
/// host with a live node at the end of a seed formed a cycle (host -> node -> host) that kept the whole
/// seed's world alive — disks, storage, queue state, about 8 MB a seed with 3 nodes (issue 18).
final class QueueHostLink: NodeEnvironment {
    unowned let host: QueueHost

    init(_ host: QueueHost) { self.host = host }

    func wallClockMs() -> UInt64 { host.wallClockMs() }
    func monotonicMs() -> UInt64 { host.monotonicMs() }
    func send(_ message: PeerMessage, to peer: NodeID) { host.send(message, to: peer) }

    func performDurableWrite(_ write: DurableWrite, completion: @escaping (Result<Void, FileSystemError>) -> Void) {
        host.performDurableWrite(write, completion: completion)
    }

    func prepareSegment(_ preparation: SegmentPreparation, completion: @escaping (Result<Void, FileSystemError>) -> Void) {
        host.prepareSegment(preparation, completion: completion)
    }

    func saveSnapshot(_ save: SnapshotSave, completion: @escaping (Result<SavedSnapshot, FileSystemError>) -> Void) {
        host.saveSnapshot(save, completion: completion)
    }

    func decodeSnapshot<Decoded: Sendable>(sizeBytes: Int, _ decode: @escaping @Sendable () -> Decoded,
                                           completion: @escaping (Decoded) -> Void) {
        host.decodeSnapshot(sizeBytes: sizeBytes, decode, completion: completion)
    }

    func record(_ event: NodeEvent) { host.record(event) }
    func atEndOfInputs(_ body: @escaping () -> Void) { host.atEndOfInputs(body) }
}

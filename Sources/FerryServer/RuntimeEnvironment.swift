import FerryNode
import FerryRaft
import FerryRuntime
import FerryStorage
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The production `NodeEnvironment`: libuv's loop thread for everything, its thread pool for fsync,
/// the authenticated peer mesh for messages, the wall clock for the leader's stamps, swift-log for events.
final class RuntimeEnvironment: NodeEnvironment {
    let loop: EventLoop
    let workPool: WorkPool
    let fileSystem: PosixFileSystem
    let mesh: PeerMesh
    var logger: Logger
    /// Called when the node stops itself (its durable log failed, or it met a command it cannot apply): the
    /// process must exit.
    var onFatal: ((ServerError) -> Void)?
    /// Told about events, peer messages and durable writes; nil when metrics are off.
    let metrics: NodeMetrics?

    init(loop: EventLoop, fileSystem: PosixFileSystem, mesh: PeerMesh, logger: Logger, metrics: NodeMetrics? = nil) {
        self.loop = loop
        self.metrics = metrics
        self.workPool = WorkPool(loop: loop)
        self.fileSystem = fileSystem
        self.mesh = mesh
        self.logger = logger
    }

    func wallClockMs() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }

    func monotonicMs() -> UInt64 { Self.monotonicNowMs() }

    static func monotonicNowMs() -> UInt64 { monotonicNowNs() / 1_000_000 }

    static func monotonicNowNs() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    func send(_ message: PeerMessage, to peer: NodeID) {
        metrics?.sent(message)
        mesh.send(message, to: peer)
    }

    func send(raft envelopes: [Envelope]) {
        // Lazily: an array of messages built for each batch was one more allocation on every send.
        let messages = envelopes.lazy.map { (message: PeerMessage.raft($0), to: $0.to) }
        if let metrics { for sent in messages { metrics.sent(sent.message) } }
        mesh.send(messages)
    }

    func atEndOfInputs(_ body: @escaping () -> Void) {
        loop.atEndOfTurn(body)
    }

    /// A durable write slower than this is logged: every acknowledgement waiting on it waits this long.
    static let slowDurableWriteMs: UInt64 = 100

    func performDurableWrite(_ write: DurableWrite, completion: @escaping (Result<Void, FileSystemError>) -> Void) {
        let fileSystem = self.fileSystem
        do {
            try submitTimed({ write.performCatching(on: fileSystem) }) { [weak self] result, durationNs in
                let durationMs = durationNs / 1_000_000
                let slow = durationMs >= Self.slowDurableWriteMs
                if slow {
                    self?.logger.warning(
                        "slow durable write",
                        metadata: [
                            "ms": "\(durationMs)",
                            "operations": "\(write.operations.map { "\($0)" }.joined(separator: "; "))",
                        ])
                }
                self?.metrics?.durableWrite(write, seconds: Double(durationNs) / 1e9, slow: slow)
                completion(result)
            }
        } catch {
            // The pool holds at most one node's single write in flight; saturation means a bug.
            preconditionFailure("durable write could not be queued: \(error)")
        }
    }

    func prepareSegment(
        _ preparation: SegmentPreparation, completion: @escaping (Result<Void, FileSystemError>) -> Void
    ) {
        let fileSystem = self.fileSystem
        do {
            try workPool.submit({ preparation.performCatching(on: fileSystem) }, completion: completion)
        } catch {
            // Never expected (one preparation at a time); the log simply goes on without a spare.
            completion(.failure(.io(path: preparation.path, operation: "queue the zero-fill (\(error))", errno: 0)))
        }
    }

    func saveSnapshot(_ save: SnapshotSave, completion: @escaping (Result<SavedSnapshot, FileSystemError>) -> Void) {
        let fileSystem = self.fileSystem
        do {
            try submitTimed({ save.performCatching(on: fileSystem) }) { [weak self] result, durationNs in
                if case .success(let saved) = result {
                    self?.logger.info(
                        "snapshot saved",
                        metadata: [
                            "index": "\(saved.stored.metadata.index)", "bytes": "\(saved.stored.sizeBytes)",
                            "ms": "\(durationNs / 1_000_000)",
                        ])
                }
                completion(result)
            }
        } catch {
            // Never expected (one save at a time); reported like a failed write, which stops the node.
            completion(.failure(.io(path: save.path, operation: "queue the snapshot save (\(error))", errno: 0)))
        }
    }

    func decodeSnapshot<Decoded: Sendable>(
        sizeBytes: Int, _ decode: @escaping @Sendable () -> Decoded,
        completion: @escaping (Decoded) -> Void
    ) {
        do {
            try submitTimed(decode) { [weak self] decoded, durationNs in
                self?.logger.info(
                    "snapshot decoded", metadata: ["bytes": "\(sizeBytes)", "ms": "\(durationNs / 1_000_000)"])
                completion(decoded)
            }
        } catch {
            // Never expected (one decode at a time, and the pool is far from its bound): decode here instead.
            completion(decode())
        }
    }

    /// `work` on the pool, then `completion` on the loop with its result and how long it took (ns).
    private func submitTimed<T: Sendable>(
        _ work: @escaping @Sendable () -> T, completion: @escaping (T, UInt64) -> Void
    ) throws(WorkPoolError) {
        try workPool.submit(
            { () -> (T, UInt64) in
                let startNs = RuntimeEnvironment.monotonicNowNs()
                let result = work()
                return (result, RuntimeEnvironment.monotonicNowNs() - startNs)
            }, completion: { (timed: (T, UInt64)) in completion(timed.0, timed.1) })
    }

    func record(_ event: NodeEvent) {
        metrics?.record(event)
        switch event {
        case .roleChanged(let role, let term, let leader):
            logger[metadataKey: "term"] = "\(term)"
            logger.info("role changed", metadata: ["role": "\(role)", "leader": "\(leader.map { "\($0)" } ?? "none")"])
        case .peerMessageRejected, .logReadFailed:
            logger.error("\(event)")
        case .undecodableCommand:
            logger.critical(
                "\(event); run a ferryd that can apply it (every node of a cluster must run the same version)")
            onFatal?(.incompatibleLog("\(event)"))
        case .segmentPreparationFailed:
            logger.warning("\(event)")
        case .storageFailed(let why):
            logger.critical("durable log failed; stopping", metadata: ["reason": "\(why)"])
            onFatal?(.storage(why))
        case .snapshotTaken, .snapshotInstalled:
            logger.info("\(event)")
        }
    }
}

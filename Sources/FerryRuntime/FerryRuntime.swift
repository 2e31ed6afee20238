import CLibUV

/// FerryRuntime: the production Environment on libuv.
///
/// Everything here runs on one loop thread, except `WorkPool` jobs (libuv's thread pool) and
/// `EventLoop.execute` posters. No Swift concurrency: libuv owns the threads.
///
/// | file                  | job                                                                   |
/// |-----------------------|-----------------------------------------------------------------------|
/// | EventLoop             | the loop, its thread, `execute` wakeups, end-of-turn write flush      |
/// | Timer (LoopTimer)     | one-shot and repeating timers                                         |
/// | TCPListener           | bind / listen / accept                                                |
/// | TCPConnection         | reads, batched writes, backpressure bounds, half-close, close reasons |
/// | TCPConnector          | one outbound connection kept up with exponential backoff              |
/// | FrameDecoder          | u32-length-prefixed frames, 16 MiB bound                              |
/// | FramedConnection      | frames over a TCPConnection                                           |
/// | PeerHandshake(+Wire)  | versioned HMAC-SHA256 challenge-response, a pure state machine        |
/// | PeerChannel           | the handshake driven over a FramedConnection, then frames             |
/// | WorkPool              | fsync and other blocking work on the pool, completion on the loop     |
/// | SignalWatcher         | SIGTERM / SIGINT as loop callbacks                                    |
///
/// How a node wires it (sketch; the node's Environment protocols live in FerryNode):
/// ```swift
/// let loop = try EventLoop()
/// let pool = WorkPool(loop: loop)
/// // Inbound peers: authenticate, then hand frames to the node.
/// let peers = try TCPListener(loop: loop, host: "0.0.0.0", port: 7001) { connection in
///     let channel = try? PeerChannel(connection: connection, role: .acceptor, localNodeID: me,
///                                    expectedPeerNodeID: nil, clusterSecret: secret)
///     channel?.onEstablished = { peer in node.peerConnected(peer, channel!) }
///     channel?.onHandshakeFailed = { error in logger.warning("peer link refused: \(error)") }
///     channel?.onFrame = { frame in node.receive(frame) }           // only enqueues input
/// }
/// // Outbound peers: one connector per peer, redialling with backoff.
/// for peer in config.peers {
///     let connector = try TCPConnector(loop: loop, host: peer.host, port: peer.port) { connection in
///         let channel = try? PeerChannel(connection: connection, role: .dialer, localNodeID: me,
///                                        expectedPeerNodeID: peer.id, clusterSecret: secret)
///         channel?.onEstablished = { id in connector.resetBackoff(); node.peerConnected(id, channel!) }
///     }
///     connector.start()
/// }
/// // The tick: every timeout in the node is a multiple of it.
/// let tick = try loop.scheduleRepeating(everyMs: 10) { node.tick() }
/// // Durability: group commit, one fsync per batch, completion back on the loop thread.
/// try pool.fsync(fd: wal.fd, dataOnly: true) { result in node.persisted(result) }
/// // Graceful stop.
/// let signals = try SignalWatcher.gracefulStop(loop: loop) { _ in node.stop(); loop.stop() }
/// loop.run()
/// loop.shutdown()
/// ```
public enum FerryRuntimeModule {
    /// The libuv version this binary runs against, e.g. "1.44.2".
    public static var libuvVersion: String { String(cString: uv_version_string()) }
}

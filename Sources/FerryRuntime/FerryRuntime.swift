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
/// FerryServer composes these into a node: `PeerMesh` (a listener and a `TCPConnector` per peer, each
/// link a `PeerChannel`), `HTTPServer` (a listener and a `TCPConnection` per client), and
/// `RuntimeEnvironment`, FerryNode's `NodeEnvironment` over this module (durable writes and snapshot
/// saves on the `WorkPool`, the node's tick on a `LoopTimer`). `Server.run` shows the whole wiring.
public enum FerryRuntimeModule {
    /// The libuv version this binary runs against, e.g. "1.44.2".
    public static var libuvVersion: String { String(cString: uv_version_string()) }
}

import CLibUV

/// A listening TCP socket that hands each accepted connection to `onAccept`. Loop thread only.
///
/// libuv sets `SO_REUSEADDR` on every TCP bind on Unix, so a restarted node can rebind its port while
/// old connections sit in TIME_WAIT. Bind to port 0 to let the OS choose; read it back from `port`.
///
/// ```swift
/// let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
///     connection.onRead = { bytes in … }
///     connection.startReading()
/// }
/// ```
public final class TCPListener: LoopHandle {
    /// Pending-connection queue length handed to listen(2). A cluster has a handful of peers plus
    /// clients; the kernel caps it at somaxconn anyway.
    public static let backlogConnectionsMax: Int32 = 511

    private let limits: TCPConnection.Limits
    private let onAccept: (TCPConnection) -> Void
    /// Called for accept errors (EMFILE, ENFILE, …). The listener stays open; the caller logs.
    public var onError: ((UVError) -> Void)?

    /// The bound port (the OS-chosen one when bound to port 0).
    public var port: UInt16 {
        loop.preconditionInLoop()
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutableBytes(of: &storage) {
            uv_tcp_getsockname(tcp, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        precondition(status == 0, "uv_tcp_getsockname on a bound socket: \(status)")
        return SocketAddress(storage: storage).port
    }

    /// Binds and listens on `host:port`. Throws `EADDRINUSE`, `EACCES`, … as `UVError`.
    public init(
        loop: EventLoop, host: String, port: UInt16, limits: TCPConnection.Limits = .init(),
        onAccept: @escaping (TCPConnection) -> Void
    ) throws(UVError) {
        self.limits = limits
        self.onAccept = onAccept
        let address = try SocketAddress(host: host, port: port)
        super.init(loop: loop, handleType: uv_tcp_t.self)
        try uvCheck(uv_tcp_init(loop.uvLoop, tcp), "uv_tcp_init")
        retainIntoHandle()
        do {
            try uvCheck(address.withSockaddr { uv_tcp_bind(tcp, $0, 0) }, "uv_tcp_bind \(address.description)")
            try uvCheck(
                uv_listen(stream, Self.backlogConnectionsMax) { server, status in
                    let listener = LoopHandle.owner(server, as: TCPListener.self)
                    listener.loop.noteAwake()
                    listener.onConnection(status: status)
                }, "uv_listen \(address.description)")
        } catch {
            closeHandle()
            throw error
        }
    }

    private var tcp: UnsafeMutablePointer<uv_tcp_t> { handleMemory.assumingMemoryBound(to: uv_tcp_t.self) }
    private var stream: UnsafeMutablePointer<uv_stream_t> { handleMemory.assumingMemoryBound(to: uv_stream_t.self) }

    /// Stops listening. Accepted connections are unaffected. Idempotent.
    public func close() { closeHandle() }

    private func onConnection(status: Int32) {
        guard !isClosing else { return }
        guard status == 0 else {
            onError?(UVError(code: status, operation: "accept"))
            return
        }
        let connection: TCPConnection
        do {
            connection = try TCPConnection(loop: loop, limits: limits)
        } catch {
            onError?(error)
            return
        }
        let accepted = uv_accept(stream, connection.stream)
        guard accepted == 0 else {
            connection.close()
            onError?(UVError(code: accepted, operation: "uv_accept"))
            return
        }
        connection.didEstablish()
        onAccept(connection)
    }
}

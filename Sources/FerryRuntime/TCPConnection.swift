import CLibUV

/// Why a connection closed, reported once through `TCPConnection.onClose`.
public enum TCPCloseReason: Equatable, Sendable {
    /// The owner called `close()`.
    case local
    /// The peer half-closed (EOF) and no `onReadEOF` handler was set, so the connection closed.
    case peerEOF
    /// A socket error: ECONNRESET, ECONNREFUSED (connect), EPIPE, ETIMEDOUT, …
    case error(UVError)
    /// A write would have queued more than `queuedBytesMax`: the peer does not read fast enough (or at
    /// all), and holding more would make this node's memory unbounded.
    case writeQueueOverflow(queuedBytes: Int, queuedBytesMax: Int)
}

/// What `TCPConnection.write` did with the bytes.
public enum TCPWriteResult: Equatable, Sendable {
    /// Queued; keep producing.
    case queued
    /// Queued, but the queue is at or above `queuedBytesHighWater`: stop producing until `onWritable`.
    case queuedAboveHighWater
    /// Dropped: the connection is closed or closing, or its write side was shut down.
    case closed
}

/// One TCP connection (accepted or dialled). Loop thread only.
///
/// Contract:
/// - Reads start with `startReading()`; each chunk goes to `onRead`, as a buffer valid only during the
///   callback (copy what you keep). EOF goes to `onReadEOF` if set, else the connection closes (`.peerEOF`).
/// - `write` copies the bytes into the connection's queue and returns at once. Everything queued within
///   one loop turn leaves in one writev with one buffer per queued chunk (small writes share chunks), at
///   the end of the turn: `uv_try_write` first, and a `uv_write` for whatever the socket did not take, with
///   at most one `uv_write` in flight: writes queued meanwhile form the next batch. TCP_NODELAY is on, so
///   batching is the only coalescing.
/// - Backpressure: `queuedBytes` counts bytes queued and not yet confirmed written. At or above
///   `limits.queuedBytesHighWater` `write` answers `.queuedAboveHighWater` and `onWritable` fires once
///   the queue drains to half of it. A write that would exceed `limits.queuedBytesMax` closes the
///   connection with `.writeQueueOverflow` instead of growing memory.
/// - `shutdownWrite()` half-closes after the queued bytes are written; reads continue.
/// - `close()` is immediate and drops unwritten bytes. `onClose` fires exactly once, from libuv's close
///   callback; then every callback is released (breaking cycles through captured owners).
public final class TCPConnection: LoopHandle, EndOfTurnFlushing {
    /// Per-connection write-queue bounds.
    public struct Limits: Sendable {
        /// At or above this many queued bytes the producer is told to pause. 4 MiB is a few hundred
        /// AppendEntries batches or a quarter of a snapshot chunk: enough to keep a fast link busy.
        public var queuedBytesHighWater: Int
        /// Hard bound on queued bytes; a write beyond it closes the connection. Must hold the largest
        /// single write (a 16 MiB snapshot frame) on top of the high-water mark.
        public var queuedBytesMax: Int

        public init(queuedBytesHighWater: Int = 4 << 20, queuedBytesMax: Int = 64 << 20) {
            precondition(queuedBytesHighWater > 0 && queuedBytesHighWater <= queuedBytesMax)
            self.queuedBytesHighWater = queuedBytesHighWater
            self.queuedBytesMax = queuedBytesMax
        }
    }

    /// Size of the read buffer (one per loop, `EventLoop.readBuffer`): 64 KiB matches the kernel's usual
    /// socket receive burst, so one read drains it.
    public static let readBufferBytes = 64 * 1024
    /// Capacity of a shared write chunk that small writes are copied into, so a burst of small frames
    /// costs one allocation and one iovec per 64 KiB instead of one per write.
    static let writeChunkBytes = 64 * 1024
    /// Writes up to this size share chunks; larger ones get a chunk of their own (one copy either way).
    static let writeCoalesceBytesMax = 16 * 1024
    /// TCP keepalive idle time: detects a peer host that vanished without a FIN or RST.
    static let keepAliveDelaySeconds: UInt32 = 10

    /// Bytes of one read; valid only during the call.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer half-closed. If nil, the connection closes with `.peerEOF`.
    public var onReadEOF: (() -> Void)?
    /// The write queue drained below half the high-water mark after a write answered `.queuedAboveHighWater`.
    public var onWritable: (() -> Void)?
    /// The connection closed, with why; fires exactly once.
    public var onClose: ((TCPCloseReason) -> Void)?
    /// Runtime-internal observer (the reconnecting connector), told before `onClose`.
    var closeObserver: ((TCPCloseReason) -> Void)?

    public let limits: Limits
    /// Bytes queued by `write` and not yet confirmed written to the socket. Invariant: <= limits.queuedBytesMax.
    /// (`@exclusivity(unchecked)` on this, `pending` and `inFlight`: see `EventLoop.endOfTurnFlushes`.)
    @exclusivity(unchecked) public private(set) var queuedBytes = 0
    /// `uv_write` calls issued so far: with coalescing, far fewer than `write` calls.
    @exclusivity(unchecked) public private(set) var writeBatchCount = 0
    /// When this connection's queued writes go at the end of a turn: `.last` for links whose traffic
    /// nobody waits on as urgently as on a client's answer (peer links: what they must send at once they
    /// send with `flushNow`).
    public var endOfTurnOrder: EndOfTurnOrder = .first
    /// The peer's "ip:port", once connected.
    public private(set) var remoteAddress = "?"

    /// Chunks queued and not yet handed to libuv.
    @exclusivity(unchecked) private var pending: [WriteChunk] = []
    /// Chunks handed to the one in-flight `uv_write`; freed in its callback.
    @exclusivity(unchecked) private var inFlight: [WriteChunk] = []
    private var inFlightBytes = 0
    private let writeRequest = UnsafeMutablePointer<uv_write_t>.allocate(capacity: 1)
    // Unchecked exclusivity on these flags, read on every write: see `EventLoop.endOfTurnFlushes`.
    @exclusivity(unchecked) private var flushScheduled = false
    @exclusivity(unchecked) private var aboveHighWater = false
    @exclusivity(unchecked) private var writeShutdownRequested = false
    private var isReading = false
    @exclusivity(unchecked) private var isEstablished = false
    private var closeReason: TCPCloseReason = .local
    /// Set while connecting: reports the outcome of `uv_tcp_connect`.
    private var connectCompletion: ((UVError?) -> Void)?

    init(loop: EventLoop, limits: Limits) throws(UVError) {
        self.limits = limits
        super.init(loop: loop, handleType: uv_tcp_t.self)
        try uvCheck(uv_tcp_init(loop.uvLoop, tcp), "uv_tcp_init")
        retainIntoHandle()
    }

    deinit {
        writeRequest.deallocate()
    }

    var tcp: UnsafeMutablePointer<uv_tcp_t> { handleMemory.assumingMemoryBound(to: uv_tcp_t.self) }
    var stream: UnsafeMutablePointer<uv_stream_t> { handleMemory.assumingMemoryBound(to: uv_stream_t.self) }

    /// True once `close()` ran or the connection failed; nothing more can be written or read.
    public var isClosed: Bool { isClosing }
    /// False while the producer should pause (at or above the high-water mark) or once closed.
    public var isWritable: Bool { !isClosing && !writeShutdownRequested && !aboveHighWater }

    // MARK: Connecting

    /// Dials `host:port` (an IP literal). `completion` runs once: `nil` when connected (TCP_NODELAY on),
    /// else the error, after which the connection is closed. Close the returned connection to cancel.
    public static func connect(
        loop: EventLoop, host: String, port: UInt16, limits: Limits = .init(),
        completion: @escaping (UVError?) -> Void
    ) throws(UVError) -> TCPConnection {
        try connect(
            loop: loop, address: try SocketAddress(host: host, port: port), limits: limits, completion: completion)
    }

    static func connect(
        loop: EventLoop, address: SocketAddress, limits: Limits = .init(),
        completion: @escaping (UVError?) -> Void
    ) throws(UVError) -> TCPConnection {
        let connection = try TCPConnection(loop: loop, limits: limits)
        let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        connection.connectCompletion = completion
        let status = address.withSockaddr { sockaddr in
            uv_tcp_connect(request, connection.tcp, sockaddr) { request, status in
                let connection = LoopHandle.owner(request!.pointee.handle, as: TCPConnection.self)
                connection.loop.noteAwake()
                request!.deallocate()
                connection.didConnect(status: status)
            }
        }
        guard status == 0 else {
            request.deallocate()
            connection.connectCompletion = nil
            connection.close()
            throw UVError(code: status, operation: "uv_tcp_connect \(address.description)")
        }
        return connection
    }

    private func didConnect(status: Int32) {
        let completion = connectCompletion
        connectCompletion = nil
        if status < 0 {
            let error = UVError(code: status, operation: "connect")
            close(reason: .error(error))
            completion?(error)
            return
        }
        if isClosing {  // closed while the connect was completing
            completion?(UVError(code: UV_ECANCELED.rawValue, operation: "connect"))
            return
        }
        didEstablish()
        completion?(nil)
    }

    /// Socket options and the peer address, for accepted and dialled connections alike.
    func didEstablish() {
        isEstablished = true
        uv_tcp_nodelay(tcp, 1)
        uv_tcp_keepalive(tcp, 1, Self.keepAliveDelaySeconds)
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutableBytes(of: &storage) {
            uv_tcp_getpeername(tcp, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        if status == 0 { remoteAddress = SocketAddress(storage: storage).description }
        if !pending.isEmpty { scheduleFlush() }  // writes queued while connecting
    }

    // MARK: Reading

    /// Starts delivering reads to `onRead`. Idempotent.
    public func startReading() {
        loop.preconditionInLoop()
        guard !isClosing, !isReading, isEstablished else { return }
        isReading = true
        let status = uv_read_start(
            stream,
            { handle, _, buffer in
                let me = LoopHandle.owner(handle, as: TCPConnection.self)
                me.loop.noteAwake()  // libuv asks for the buffer before every read
                buffer!.pointee = uv_buf_init(
                    me.loop.readBuffer.assumingMemoryBound(to: CChar.self), UInt32(TCPConnection.readBufferBytes))
            },
            { stream, count, buffer in
                LoopHandle.owner(stream, as: TCPConnection.self).didRead(count: count, base: buffer!.pointee.base)
            })
        if status < 0 { close(reason: .error(UVError(code: status, operation: "uv_read_start"))) }
    }

    /// Stops reads (inbound backpressure: the kernel buffer fills and the peer's writes stall). Idempotent.
    public func stopReading() {
        loop.preconditionInLoop()
        guard !isClosing, isReading else { return }
        isReading = false
        uv_read_stop(stream)
    }

    private func didRead(count: Int, base: UnsafeMutablePointer<CChar>?) {
        if count > 0 {
            onRead?(UnsafeRawBufferPointer(start: base, count: count))
        } else if count == Int(UV_EOF.rawValue) {
            stopReading()
            if let onReadEOF { onReadEOF() } else { close(reason: .peerEOF) }
        } else if count < 0 {
            close(reason: .error(UVError(code: Int32(count), operation: "read")))
        }
    }

    // MARK: Writing

    /// Queues `bytes` (copied) for the end-of-turn flush. See the type's contract for backpressure.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> TCPWriteResult {
        loop.preconditionInLoop()
        guard !isClosing, !writeShutdownRequested else { return .closed }
        guard queuedBytes + bytes.count <= limits.queuedBytesMax else {
            close(
                reason: .writeQueueOverflow(
                    queuedBytes: queuedBytes + bytes.count, queuedBytesMax: limits.queuedBytesMax))
            return .closed
        }
        guard bytes.count > 0 else { return aboveHighWater ? .queuedAboveHighWater : .queued }
        append(bytes)
        queuedBytes += bytes.count
        scheduleFlush()
        if queuedBytes >= limits.queuedBytesHighWater { aboveHighWater = true }
        return aboveHighWater ? .queuedAboveHighWater : .queued
    }

    /// Queues `bytes` (copied); see `write(_: UnsafeRawBufferPointer)`.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> TCPWriteResult {
        bytes.withUnsafeBytes { write($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count <= Self.writeCoalesceBytesMax {
            if let last = pending.last, last.capacity - last.count >= bytes.count {
                pending[pending.count - 1].append(bytes)
                return
            }
            var chunk = loop.writeChunks.take()
            chunk.append(bytes)
            pending.append(chunk)
        } else {
            var chunk = WriteChunk(capacity: bytes.count)
            chunk.append(bytes)
            pending.append(chunk)
        }
    }

    /// Writes what is queued now instead of at the end of the turn, if the socket takes it at once
    /// (`uv_try_write`, no request left in flight); whatever it does not take goes at the end of the turn
    /// as usual. For messages that others wait on (Raft's appends and acknowledgements): the rest of the
    /// turn's work then overlaps their trip instead of delaying it.
    public func flushNow() {
        loop.preconditionInLoop()
        guard !isClosing, isEstablished, inFlight.isEmpty, !pending.isEmpty else { return }
        tryWritePending()
    }

    /// Hands everything queued to the socket with one `uv_try_write` (one writev) and drops from `pending`
    /// what it took. No request is left in flight, so libuv neither re-arms the descriptor in epoll (libuv
    /// 1.44 issues an `epoll_ctl` after every `uv_write`) nor runs a write callback the next turn. An error
    /// (or EAGAIN) leaves `pending` as it was, for `uv_write` to retry or report.
    private func tryWritePending() {
        let written = Int(Self.withBuffers(pending) { uv_try_write(stream, $0, $1) })
        guard written > 0 else { return }
        writeBatchCount += 1
        queuedBytes -= written
        var remaining = written
        while remaining > 0, let first = pending.first {
            if first.count <= remaining {
                remaining -= first.count
                loop.writeChunks.give(first)
                pending.removeFirst()
            } else {
                // The socket took part of this chunk: keep the rest, in a chunk of its own.
                var rest = WriteChunk(capacity: first.count - remaining)
                rest.append(UnsafeRawBufferPointer(start: first.memory + remaining, count: first.count - remaining))
                loop.writeChunks.give(first)
                pending[0] = rest
                remaining = 0
            }
        }
        resumeWritersIfDrained()
    }

    private func scheduleFlush() {
        guard !flushScheduled, isEstablished else { return }
        flushScheduled = true
        loop.flushAtEndOfTurn(self, order: endOfTurnOrder)
    }

    func flushEndOfTurn() {
        flushScheduled = false
        guard !isClosing, inFlight.isEmpty else { return }
        // Usually the socket takes the whole turn's output at once; only what it leaves goes by uv_write.
        if !pending.isEmpty { tryWritePending() }
        guard !isClosing, inFlight.isEmpty else { return }  // `onWritable` may have closed or flushed
        if pending.isEmpty {
            if writeShutdownRequested { startShutdown() }
            return
        }
        inFlight = pending
        pending = []
        inFlightBytes = inFlight.reduce(0) { $0 + $1.count }
        writeRequest.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        writeBatchCount += 1
        // uv_write copies the uv_buf_t array; the bytes stay in inFlight until the write completes.
        let status = Self.withBuffers(inFlight) { buffers, count in
            uv_write(writeRequest, stream, buffers, count) { request, status in
                let connection = Unmanaged<TCPConnection>.fromOpaque(request!.pointee.data!).takeUnretainedValue()
                connection.loop.noteAwake()
                connection.didWrite(status: status)
            }
        }
        if status < 0 {
            releaseInFlight()
            close(reason: .error(UVError(code: status, operation: "uv_write")))
        }
    }

    private func releaseInFlight() {
        for chunk in inFlight { loop.writeChunks.give(chunk) }
        inFlight = []
        queuedBytes -= inFlightBytes
        inFlightBytes = 0
    }

    private func didWrite(status: Int32) {
        releaseInFlight()
        if isClosing { return }  // ECANCELED after close(): nothing more to do
        if status < 0 {
            close(reason: .error(UVError(code: status, operation: "write")))
            return
        }
        if !pending.isEmpty || writeShutdownRequested { scheduleFlush() }
        resumeWritersIfDrained()
    }

    /// Once the queue has drained to half the high-water mark after going above it: `onWritable`.
    private func resumeWritersIfDrained() {
        guard aboveHighWater && queuedBytes <= limits.queuedBytesHighWater / 2 else { return }
        aboveHighWater = false
        onWritable?()
    }

    /// `body` with libuv's descriptors of `chunks` (pointing into them), on the stack when they are few.
    private static func withBuffers<R>(_ chunks: [WriteChunk], _ body: (UnsafePointer<uv_buf_t>, UInt32) -> R) -> R {
        withUnsafeTemporaryAllocation(of: uv_buf_t.self, capacity: chunks.count) { buffers in
            for (index, chunk) in chunks.enumerated() {
                buffers[index] = uv_buf_init(chunk.memory.assumingMemoryBound(to: CChar.self), UInt32(chunk.count))
            }
            return body(UnsafePointer(buffers.baseAddress!), UInt32(chunks.count))
        }
    }

    // MARK: Half-close and close

    /// Half-closes: once every queued byte is written, sends FIN. Reads go on; further writes are
    /// refused (`.closed`). Idempotent.
    public func shutdownWrite() {
        loop.preconditionInLoop()
        guard !isClosing, !writeShutdownRequested else { return }
        writeShutdownRequested = true
        scheduleFlush()
    }

    private func startShutdown() {
        let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
        let status = uv_shutdown(request, stream) { request, status in
            let connection = LoopHandle.owner(request!.pointee.handle, as: TCPConnection.self)
            connection.loop.noteAwake()
            request!.deallocate()
            if status < 0 && !connection.isClosing {
                connection.close(reason: .error(UVError(code: status, operation: "shutdown")))
            }
        }
        if status < 0 {
            request.deallocate()
            close(reason: .error(UVError(code: status, operation: "uv_shutdown")))
        }
    }

    /// Closes now; unwritten bytes are dropped. `onClose(.local)` follows. Idempotent.
    public func close() { close(reason: .local) }

    /// Closes with `reason` (reported through `onClose`). The first reason wins. Idempotent.
    public func close(reason: TCPCloseReason) {
        loop.preconditionInLoop()
        guard !isClosing else { return }
        closeReason = reason
        closeHandle()
    }

    override func willClose() {
        for chunk in pending { loop.writeChunks.give(chunk) }
        queuedBytes -= pending.reduce(0) { $0 + $1.count }
        pending = []
        isReading = false
    }

    override func didClose() {
        let onClose = self.onClose
        let closeObserver = self.closeObserver
        onRead = nil
        onReadEOF = nil
        onWritable = nil
        self.onClose = nil
        self.closeObserver = nil
        closeObserver?(closeReason)
        onClose?(closeReason)
    }
}

/// One owned, contiguous piece of the write queue.
struct WriteChunk {
    let memory: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        memory = .allocate(byteCount: capacity, alignment: 16)
        self.capacity = capacity
    }

    /// An empty chunk over memory of `capacity` bytes that it now owns (`WriteChunkPool`).
    init(memory: UnsafeMutableRawPointer, capacity: Int) {
        self.memory = memory
        self.capacity = capacity
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(count + bytes.count <= capacity, "WriteChunk overflow")
        if let base = bytes.baseAddress { (memory + count).copyMemory(from: base, byteCount: bytes.count) }
        count += bytes.count
    }

    func free() { memory.deallocate() }
}

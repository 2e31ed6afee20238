import FerryRuntime
import FerrySQS
import Logging

/// Answers decoded SQS requests. May answer later (long polling); always on the loop thread.
/// `clientGone` turns true once the client closed or lost its connection: a long poll stops waiting then.
protocol SQSRequestHandler: AnyObject {
    func handle(_ request: SQSRequest, caller: AuthenticatedCaller, clientGone: @escaping () -> Bool,
                respond: @escaping (Result<SQSResponse, SQSError>) -> Void)
}

/// The SQS API over HTTP/1.1 with keep-alive and pipelining: bytes from each connection go through the
/// incremental parser, then SigV4, then decoding, then the handler; responses go back in request order.
/// Paths under `/_ferry/` are the node's own admin endpoints. Loop thread only.
final class HTTPServer {
    /// Connections held open at once; beyond it new ones are closed at accept (a client storm must not
    /// exhaust file descriptors the peer links need).
    static let connectionsMax = 4096
    /// A connection with no request in progress for this long is closed (SDKs reconnect transparently).
    static let idleTimeoutMs: UInt64 = 120_000
    /// A request whose head or body trickles in for longer than this gets 408 (slow-loris protection).
    static let requestTimeoutMs: UInt64 = 30_000
    static let sweepIntervalMs: UInt64 = 1_000

    let loop: EventLoop
    let logger: Logger
    var verifier: SigV4Verifier
    weak var handler: SQSRequestHandler?
    /// Answers `/_ferry/...` requests, or nil for an unknown path.
    var adminHandler: ((HTTPRequest) -> HTTPResponse?)?
    /// Checked before `adminHandler`: with sigv4 and no administrators, every mutating admin call is refused.
    var adminAccess = AdminAccess()
    /// Seconds since the epoch, for SigV4's skew window.
    let nowSeconds: () -> Int64
    private var listener: TCPListener?
    private var sweeper: LoopTimer?
    private var connections: [ObjectIdentifier: ClientConnection] = [:]
    private var requestCounter: UInt64 = 0
    let nodeTag: String

    init(loop: EventLoop, verifier: SigV4Verifier, nodeTag: String, logger: Logger, nowSeconds: @escaping () -> Int64) {
        self.loop = loop
        self.verifier = verifier
        self.nodeTag = nodeTag
        self.logger = logger
        self.nowSeconds = nowSeconds
    }

    func start(listen: ServerConfig.Address) throws {
        listener = try TCPListener(loop: loop, host: listen.host, port: UInt16(listen.port)) { [unowned self] connection in
            self.accept(connection)
        }
        sweeper = try loop.scheduleRepeating(everyMs: Self.sweepIntervalMs) { [unowned self] in self.sweep() }
    }

    var port: UInt16? { listener?.port }

    func stop() {
        sweeper?.close()
        listener?.close()
        for connection in connections.values { connection.tcp.close() }
    }

    private func accept(_ tcp: TCPConnection) {
        guard connections.count < Self.connectionsMax else {
            logger.warning("client connection refused: too many connections", metadata: ["max": "\(Self.connectionsMax)"])
            tcp.close()
            return
        }
        let connection = ClientConnection(tcp: tcp, now: loop.nowMs)
        let key = ObjectIdentifier(connection)
        connections[key] = connection
        tcp.onRead = { [unowned self, unowned connection] bytes in self.received(bytes, on: connection) }
        tcp.onReadEOF = { [unowned connection] in connection.peerClosed = true; connection.closeIfDone() }
        tcp.onClose = { [unowned self] _ in self.connections[key] = nil }
        tcp.startReading()
    }

    private func received(_ bytes: UnsafeRawBufferPointer, on connection: ClientConnection) {
        connection.lastActivityMs = loop.nowMs
        if connection.parser.bufferedBytes == 0 { connection.requestStartedMs = loop.nowMs }
        for event in connection.parser.feed(bytes) {
            switch event {
            case .sendContinue:
                _ = connection.tcp.write(HTTPResponse.continueBytes)
            case .error(let error):
                let slot = connection.openSlot(keepAlive: false)
                connection.fill(slot, error.response)
                return
            case .request(let request):
                connection.requestStartedMs = loop.nowMs
                serve(request, on: connection)
            }
        }
    }

    private func serve(_ request: HTTPRequest, on connection: ClientConnection) {
        let slot = connection.openSlot(keepAlive: request.keepAlive)
        if request.path.hasPrefix("/_ferry/") {
            connection.fill(slot, serveAdmin(request))
            return
        }
        requestCounter += 1
        let requestID = Self.requestID(node: nodeTag, counter: requestCounter)
        let wire = SQSProtocol.wireProtocol(of: request)
        let caller: AuthenticatedCaller
        let decoded: SQSRequest
        do {
            caller = try verifier.verify(request, now: nowSeconds())
            decoded = try SQSProtocol.decode(request).get()
        } catch {
            // Both calls throw only SQSError (typed throws).
            connection.fill(slot, SQSProtocol.encode(error, as: wire, requestId: requestID))
            return
        }
        guard let handler else {
            connection.fill(slot, SQSProtocol.encode(SQSError(.serviceUnavailable, "the node is starting"), as: wire, requestId: requestID))
            return
        }
        let clientGone = { [weak connection] () -> Bool in connection.map { $0.peerClosed || $0.isClosing } ?? true }
        handler.handle(decoded, caller: caller, clientGone: clientGone) { [weak connection] result in
            guard let connection else { return }  // the client went away while we worked
            switch result {
            case .success(let response): connection.fill(slot, SQSProtocol.encode(response, as: wire, requestId: requestID))
            case .failure(let error): connection.fill(slot, SQSProtocol.encode(error, as: wire, requestId: requestID))
            }
        }
    }

    private func serveAdmin(_ request: HTTPRequest) -> HTTPResponse {
        do {
            try adminAccess.check(request, verifier: &verifier, now: nowSeconds())
        } catch {
            return error.response
        }
        return adminHandler?(request) ?? HTTPResponse(status: 404, body: Array("unknown admin path\n".utf8))
    }

    /// A request id in UUID form: node tag and a counter, unique per node run.
    /// The counter's low 48 bits fill the last group (12 lowercase hex digits); written bytewise, this runs
    /// once per request.
    static func requestID(node: String, counter: UInt64) -> String {
        let middle: StaticString = "-0000-4000-8000-"
        let digits: StaticString = "0123456789abcdef"
        var bytes: [UInt8] = []
        bytes.reserveCapacity(node.utf8.count + middle.utf8CodeUnitCount + 12)
        bytes.append(contentsOf: node.utf8)
        middle.withUTF8Buffer { bytes.append(contentsOf: $0) }
        digits.withUTF8Buffer { hex in
            for shift in stride(from: 44, through: 0, by: -4) { bytes.append(hex[Int((counter >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func sweep() {
        let now = loop.nowMs
        for connection in connections.values {
            if connection.pendingCount == 0 {
                if connection.parser.bufferedBytes > 0, now - connection.requestStartedMs > Self.requestTimeoutMs {
                    let slot = connection.openSlot(keepAlive: false)
                    connection.fill(slot, HTTPResponse(status: 408, body: Array("request timed out\n".utf8)))
                } else if connection.parser.bufferedBytes == 0, now - connection.lastActivityMs > Self.idleTimeoutMs {
                    connection.tcp.close()
                }
            }
        }
    }
}

/// One client connection: its parser and the responses it owes, in request order.
final class ClientConnection {
    let tcp: TCPConnection
    var parser = HTTPRequestParser()
    var lastActivityMs: UInt64
    var requestStartedMs: UInt64
    var peerClosed = false
    /// Responses owed, oldest first; nil until the handler answers. Pipelined requests may finish out of
    /// order, but HTTP/1.1 answers them in order.
    private var slots: [(id: UInt64, keepAlive: Bool, response: HTTPResponse?)] = []
    private var nextSlotID: UInt64 = 0
    private var closing = false
    /// Set once the socket is closed, or once its write side was shut down after the peer's EOF had
    /// already arrived (no EOF will come to close it; the idle sweep does, since closing right away
    /// would drop the response still being written).
    private var leftToSweep = false
    var isClosing: Bool { closing }

    init(tcp: TCPConnection, now: UInt64) {
        self.tcp = tcp
        lastActivityMs = now
        requestStartedMs = now
    }

    var pendingCount: Int { slots.count }

    func openSlot(keepAlive: Bool) -> UInt64 {
        nextSlotID += 1
        slots.append((nextSlotID, keepAlive, nil))
        return nextSlotID
    }

    func fill(_ slot: UInt64, _ response: HTTPResponse) {
        guard !closing, let position = slots.firstIndex(where: { $0.id == slot }) else { return }
        slots[position].response = response
        while let first = slots.first, let ready = first.response {
            slots.removeFirst()
            let keepAlive = first.keepAlive && !peerClosed
            if case .closed = tcp.write(ready.serialized(keepAlive: keepAlive)) { return }
            if !keepAlive {
                // FIN once the response is flushed; close() here would drop the unwritten response
                // (a `Connection: close` client got an empty reply). The socket is closed when the
                // client's EOF arrives, or by the idle sweep.
                closing = true
                tcp.shutdownWrite()
                if peerClosed { leftToSweep = true }
                return
            }
        }
        closeIfDone()
    }

    func closeIfDone() {
        if peerClosed && slots.isEmpty && (!closing || !leftToSweep) {
            closing = true
            leftToSweep = true
            tcp.close()
        }
    }
}

import FerryRuntime
import FerrySQS
import Logging
import Prometheus

/// Answers decoded SQS requests. May answer later (long polling); always on the loop thread.
/// `clientGone` turns true once the client closed or lost its connection: a long poll stops waiting then.
protocol SQSRequestHandler: AnyObject {
    func handle(
        _ request: SQSRequest, caller: AuthenticatedCaller, clientGone: @escaping () -> Bool,
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
    static let sweepIntervalMs: UInt64 = 1_000
    /// A connection whose write side was shut down (its last answer sent with `Connection: close`) is closed
    /// at the client's EOF once the answer is written, or after this long if the client never closes.
    static let closingLingerMs: UInt64 = 10_000

    /// A request whose head or body trickles in for longer than this gets 408 (slow-loris protection).
    let requestTimeoutMs: UInt64

    let loop: EventLoop
    let logger: Logger
    var verifier: SigV4Verifier
    weak var handler: SQSRequestHandler?
    /// SNS requests (signed for `sns`, or unsigned with an SNS action) go here instead (docs/sns-wire.md).
    var snsHandler: ((SNSQuery, AuthenticatedCaller, @escaping (Result<SNSResponse, SQSError>) -> Void) -> Void)?
    /// Answers `/_ferry/...` requests, or nil for an unknown path.
    var adminHandler: ((HTTPRequest) -> HTTPResponse?)?
    /// Checked before `adminHandler`: with sigv4 and no administrators, every mutating admin call is refused.
    var adminAccess = AdminAccess()
    /// The SQS API's request figures; nil when metrics are off.
    var metrics: RequestMetrics?
    /// The `metrics_listen` server: answers `GET /metrics` through `adminHandler`, unauthenticated, and 404
    /// to everything else.
    var servesOnlyMetrics = false
    /// Seconds since the epoch, for SigV4's skew window.
    let nowSeconds: () -> Int64
    private var listener: TCPListener?
    private var sweeper: LoopTimer?
    private var connections: [ObjectIdentifier: ClientConnection] = [:]
    private var requestCounter: UInt64 = 0
    let nodeTag: String
    /// Bytes of unfinished requests across every connection (`ServerConfig.unfinishedRequestBytesMax`).
    let unfinishedBytes: UnfinishedRequestBudget
    let warnings: ThrottledWarnings

    init(
        loop: EventLoop, verifier: SigV4Verifier, nodeTag: String, logger: Logger, warnings: ThrottledWarnings,
        requestTimeoutMs: UInt64 = 30_000, unfinishedRequestBytesMax: Int = 128 << 20,
        nowSeconds: @escaping () -> Int64
    ) {
        self.loop = loop
        self.verifier = verifier
        self.nodeTag = nodeTag
        self.logger = logger
        self.requestTimeoutMs = requestTimeoutMs
        self.unfinishedBytes = UnfinishedRequestBudget(bytesMax: unfinishedRequestBytesMax)
        self.warnings = warnings
        self.nowSeconds = nowSeconds
    }

    /// Connections open now, and how many of them are closing (tests and status).
    var connectionCount: Int { connections.count }

    func start(listen: ServerConfig.Address) throws {
        listener = try TCPListener(loop: loop, host: listen.host, port: UInt16(listen.port)) {
            [unowned self] connection in
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
            warnings.warn(
                "client connection refused: too many connections", metadata: ["max": "\(Self.connectionsMax)"],
                nowMs: loop.nowMs)
            tcp.close()
            return
        }
        let connection = ClientConnection(tcp: tcp, budget: unfinishedBytes, loop: loop, sentBytes: metrics?.sentBytes)
        let key = ObjectIdentifier(connection)
        connections[key] = connection
        tcp.onRead = { [unowned self, unowned connection] bytes in self.received(bytes, on: connection) }
        tcp.onReadEOF = { [unowned connection] in connection.peerDidClose() }
        tcp.onClose = { [unowned self, unowned connection] _ in
            connection.dropUnfinishedRequest()
            self.connections[key] = nil
        }
        tcp.startReading()
    }

    private func received(_ bytes: UnsafeRawBufferPointer, on connection: ClientConnection) {
        // Closing: its last answer is on the way and nothing more will be answered; the bytes are dropped.
        guard !connection.isClosing else { return }
        metrics?.receivedBytes.increment(by: Int64(bytes.count))
        connection.lastActivityMs = loop.nowMs
        if connection.parser.bufferedBytes == 0 { connection.requestStartedMs = loop.nowMs }
        guard let events = connection.feed(bytes) else {
            warnings.warn(
                "client request refused: too many bytes of unfinished requests",
                metadata: [
                    "max": "\(unfinishedBytes.bytesMax)", "client": "\(connection.tcp.remoteAddress)",
                ], nowMs: loop.nowMs)
            let slot = connection.openSlot(keepAlive: false)
            connection.fill(
                slot, HTTPResponse(status: 503, body: Array("server busy: too many unfinished requests; retry\n".utf8)))
            return
        }
        for event in events {
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
        let clientGone = { [weak connection] () -> Bool in connection.map { $0.peerClosed || $0.isClosing } ?? true }
        respond(to: request, clientGone: clientGone) { [weak connection] response in
            connection?.fill(slot, response)  // nil: the client went away while we worked
        }
    }

    /// One request's answer, apart from any connection: the admin endpoints, or SigV4, decoding, the
    /// handler and the encoding in the request's protocol. `answer` may be called later (long polls).
    func respond(to request: HTTPRequest, clientGone: @escaping () -> Bool, _ answer: @escaping (HTTPResponse) -> Void)
    {
        if servesOnlyMetrics { return answer(serveMetricsOnly(request)) }
        let path = request.path
        if path.hasPrefix("/_ferry/") || path == AdminAccess.metricsPath {
            return answer(serveAdmin(request))
        }
        let startedNs = metrics == nil ? 0 : RuntimeEnvironment.monotonicNowNs()
        requestCounter += 1
        let requestID = Self.requestID(node: nodeTag, counter: requestCounter)
        let authorization = PresentedAuthorization(request)
        if SNSProtocol.isSNS(request, authorization: authorization) {
            return respondSNS(to: request, authorization: authorization, requestID: requestID, answer)
        }
        let wire = SQSProtocol.wireProtocol(of: request)
        let caller: AuthenticatedCaller
        let decoded: SQSRequest
        do {
            caller = try verifier.verify(request, authorization: authorization, now: nowSeconds())
            decoded = try SQSProtocol.decode(request, as: wire).get()
        } catch {
            // Both calls throw only SQSError (typed throws).
            metrics?.answered(nil, failure: error.code, startedNs: startedNs)
            return answer(SQSProtocol.encode(error, as: wire, requestId: requestID))
        }
        guard let handler else {
            metrics?.answered(decoded.operation, failure: .serviceUnavailable, startedNs: startedNs)
            return answer(
                SQSProtocol.encode(
                    SQSError(.serviceUnavailable, "the node is starting"), as: wire, requestId: requestID))
        }
        handler.handle(decoded, caller: caller, clientGone: clientGone) { [metrics] result in
            switch result {
            case .success(let response):
                metrics?.answered(decoded.operation, failure: nil, startedNs: startedNs)
                answer(SQSProtocol.encode(response, as: wire, requestId: requestID))
            case .failure(let error):
                metrics?.answered(decoded.operation, failure: error.code, startedNs: startedNs)
                answer(SQSProtocol.encode(error, as: wire, requestId: requestID))
            }
        }
    }

    private func serveMetricsOnly(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET", request.path == AdminAccess.metricsPath, let response = adminHandler?(request)
        else {
            return HTTPResponse(status: 404, body: Array("this listener serves only GET /metrics\n".utf8))
        }
        return response
    }

    private func respondSNS(
        to request: HTTPRequest, authorization: PresentedAuthorization, requestID: String,
        _ answer: @escaping (HTTPResponse) -> Void
    ) {
        let caller: AuthenticatedCaller
        let query: SNSQuery
        do {
            caller = try verifier.verify(request, authorization: authorization, now: nowSeconds())
            query = try SNSProtocol.decode(request)
        } catch {
            return answer(SNSProtocol.encode(error, requestId: requestID))
        }
        guard let snsHandler else {
            return answer(
                SNSProtocol.encode(SQSError(.serviceUnavailable, "the node is starting"), requestId: requestID))
        }
        snsHandler(query, caller) { result in
            switch result {
            case .success(let response): answer(SNSProtocol.encode(response, requestId: requestID))
            case .failure(let error): answer(SNSProtocol.encode(error, requestId: requestID))
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
            for shift in stride(from: 44, through: 0, by: -4) {
                bytes.append(hex[Int((counter >> UInt64(shift)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Once a second: 408 for requests arriving too slowly, close idle connections, and close connections
    /// whose last answer went out (at the client's EOF, or after `closingLingerMs`).
    private func sweep() {
        let now = loop.nowMs
        for connection in connections.values {
            if let since = connection.closingSinceMs {
                if connection.peerClosed && connection.tcp.queuedBytes == 0 || now - since >= Self.closingLingerMs {
                    connection.tcp.close()
                }
            } else if connection.pendingCount == 0 {
                if connection.parser.bufferedBytes > 0, now - connection.requestStartedMs > requestTimeoutMs {
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
///
/// Lifecycle: open (requests parsed and answered in order) → closing (an answer went out with
/// `Connection: close`: the write side is shut down once it is written, the unfinished request's bytes
/// are released, and nothing more is read) → closed, at the client's EOF once the answer is written or
/// after `HTTPServer.closingLingerMs` (the sweep). Every path ends closed; `onClose` removes it.
final class ClientConnection {
    let tcp: TCPConnection
    private(set) var parser = HTTPRequestParser()
    private let budget: UnfinishedRequestBudget
    private unowned let loop: EventLoop
    var lastActivityMs: UInt64
    var requestStartedMs: UInt64
    private(set) var peerClosed = false
    /// Responses owed, oldest first; nil until the handler answers. Pipelined requests may finish out of
    /// order, but HTTP/1.1 answers them in order.
    private var slots: [(id: UInt64, keepAlive: Bool, response: HTTPResponse?)] = []
    private var nextSlotID: UInt64 = 0
    /// Counts the response bytes written (metrics), when metrics are on.
    private let sentBytes: Counter?
    /// When the connection started closing (its write side shut down); nil while open.
    private(set) var closingSinceMs: UInt64?
    var isClosing: Bool { closingSinceMs != nil }

    init(tcp: TCPConnection, budget: UnfinishedRequestBudget, loop: EventLoop, sentBytes: Counter? = nil) {
        self.tcp = tcp
        self.sentBytes = sentBytes
        self.budget = budget
        self.loop = loop
        lastActivityMs = loop.nowMs
        requestStartedMs = loop.nowMs
    }

    var pendingCount: Int { slots.count }

    /// Parses `bytes`; nil, and nothing buffered, when the node-wide budget of unfinished requests has no
    /// room for them.
    func feed(_ bytes: UnsafeRawBufferPointer) -> [HTTPRequestParser.Event]? {
        guard budget.reserve(bytes.count) else { return nil }
        let bufferedBefore = parser.bufferedBytes
        let events = parser.feed(bytes)
        budget.release(bufferedBefore + bytes.count - parser.bufferedBytes)
        return events
    }

    /// Frees the bytes of the request still arriving (the connection is closing or closed).
    func dropUnfinishedRequest() {
        budget.release(parser.bufferedBytes)
        parser = HTTPRequestParser()
    }

    func openSlot(keepAlive: Bool) -> UInt64 {
        nextSlotID += 1
        slots.append((nextSlotID, keepAlive, nil))
        return nextSlotID
    }

    func fill(_ slot: UInt64, _ response: HTTPResponse) {
        guard !isClosing, let position = slots.firstIndex(where: { $0.id == slot }) else { return }
        slots[position].response = response
        while let first = slots.first, let ready = first.response {
            slots.removeFirst()
            let keepAlive = first.keepAlive && !peerClosed
            let bytes = ready.serialized(keepAlive: keepAlive)
            sentBytes?.increment(by: Int64(bytes.count))
            if case .closed = tcp.write(bytes) { return }
            if !keepAlive { return beginClosing() }
        }
        if peerClosed && slots.isEmpty { tcp.close() }
    }

    /// FIN once the answer is flushed; close() here would drop the unwritten answer (a `Connection: close`
    /// client got an empty reply). Answers still owed to later pipelined requests are never sent.
    private func beginClosing() {
        closingSinceMs = loop.nowMs
        slots.removeAll()
        dropUnfinishedRequest()
        tcp.shutdownWrite()
    }

    /// The client half-closed: close once nothing more is owed to it.
    func peerDidClose() {
        peerClosed = true
        if isClosing {
            if tcp.queuedBytes == 0 { tcp.close() }  // else the sweep closes it once written
        } else if slots.isEmpty {
            tcp.close()
        }
    }
}

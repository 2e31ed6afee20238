/// Keeps one outbound connection to `host:port` up: dials, and whenever the dial fails or the
/// connection closes, dials again after an exponential backoff (bounded by `backoff.backoffMsMax`).
/// Loop thread only.
///
/// The backoff grows with every failure and is reset only by `resetBackoff()`, which the owner calls
/// once the link proved healthy (its handshake succeeded): a peer that accepts TCP and then refuses the
/// handshake is then not hammered at the minimum delay.
///
/// ```swift
/// let connector = try TCPConnector(loop: loop, host: "10.0.0.2", port: 7001) { connection in
///     peerLink.attach(connection)    // handshake, then frames
/// }
/// connector.start()
/// ```
public final class TCPConnector {
    public let loop: EventLoop
    public let host: String
    public let port: UInt16
    public let limits: TCPConnection.Limits
    /// Each established connection; set its callbacks here and call `startReading()`.
    private let onConnect: (TCPConnection) -> Void
    /// A dial failed or the connection closed, with why; the next dial follows after `retryInMs`. For logs.
    public var onRedialScheduled: ((TCPCloseReason, _ retryInMs: UInt64) -> Void)?

    public private(set) var backoff: ExponentialBackoff
    /// The current connection, connecting or established; nil while waiting to redial.
    public private(set) var connection: TCPConnection?
    /// Dials started since `start()`, for tests and metrics.
    public private(set) var dialCount = 0
    private let redialTimer: LoopTimer
    private var random = SystemRandomNumberGenerator()
    private var isStarted = false

    public init(
        loop: EventLoop, host: String, port: UInt16, limits: TCPConnection.Limits = .init(),
        backoff: ExponentialBackoff = .init(), onConnect: @escaping (TCPConnection) -> Void
    ) throws(UVError) {
        self.loop = loop
        self.host = host
        self.port = port
        self.limits = limits
        self.backoff = backoff
        self.onConnect = onConnect
        redialTimer = try LoopTimer(loop: loop)
    }

    /// Starts dialling. Idempotent.
    public func start() {
        loop.preconditionInLoop()
        guard !isStarted else { return }
        isStarted = true
        dial()
    }

    /// Stops redialling for good and closes the current connection (its `onClose` reports `.local`). Idempotent.
    public func stop() {
        loop.preconditionInLoop()
        isStarted = false
        redialTimer.close()
        let current = connection
        connection = nil
        current?.close()
    }

    /// The link proved healthy: the next failure redials after `backoffMsMin` again.
    public func resetBackoff() { backoff.reset() }

    /// Dials now if the connector is waiting out a backoff delay (the peer was seen alive some other way,
    /// e.g. it connected to us): after a long outage that delay is up to `backoffMsMax`. Otherwise nothing.
    public func redialNow() {
        loop.preconditionInLoop()
        guard isStarted, connection == nil, redialTimer.isActive else { return }
        redialTimer.cancel()
        dial()
    }

    private func dial() {
        guard isStarted else { return }
        dialCount += 1
        // Resolve before every dial: a peer named by DNS may come back at another address.
        HostResolver.resolve(loop: loop, host: host, port: port) { [weak self] result in
            guard let self, self.isStarted else { return }
            switch result {
            case .success(let address): self.dial(address)
            case .failure(let error): self.scheduleRedial(after: .error(error))
            }
        }
    }

    private func dial(_ address: SocketAddress) {
        do {
            let connection = try TCPConnection.connect(loop: loop, address: address, limits: limits) {
                [weak self] error in
                guard let self, error == nil, let connection = self.connection else { return }
                self.onConnect(connection)
            }
            connection.closeObserver = { [weak self, weak connection] reason in
                guard let self, let connection, self.connection === connection else { return }
                self.connection = nil
                self.scheduleRedial(after: reason)
            }
            self.connection = connection
        } catch {
            scheduleRedial(after: .error(error))
        }
    }

    private func scheduleRedial(after reason: TCPCloseReason) {
        guard isStarted else { return }
        let delayMs = backoff.nextDelayMs(using: &random)
        redialTimer.start(afterMs: delayMs) { [weak self] in self?.dial() }
        onRedialScheduled?(reason, delayMs)
    }
}

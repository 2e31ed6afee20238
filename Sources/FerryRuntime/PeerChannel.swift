/// An authenticated peer link: a framed TCP connection that first runs `PeerHandshake`, then carries
/// frames. Loop thread only.
///
/// Contract:
/// - Exactly one of `onEstablished(peerNodeID)` or `onHandshakeFailed(error)` fires, then `onClose` once.
/// - Frames reach `onFrame` only after `onEstablished`; `send` before that is a programmer error.
/// - On a refusal we send the verdict, half-close, and keep reading (discarding) until the peer's EOF
///   or `refusalLingerMs`, so the refused side reads why instead of a reset.
///
/// ```swift
/// let channel = try PeerChannel(connection: connection, role: .acceptor, localNodeID: 1,
///                               expectedPeerNodeID: nil, clusterSecret: secret)
/// channel.onEstablished = { peer in node.peerUp(peer, channel) }
/// channel.onHandshakeFailed = { error in logger.warning("peer refused: \(error)") }
/// channel.onFrame = { frame in node.receive(frame.bytes) }
/// ```
public final class PeerChannel {
    /// A handshake is three small messages; 5 s covers a loaded peer while freeing a stuck socket soon.
    public static let handshakeTimeoutMs: UInt64 = 5_000
    /// How long a refused link stays half-open so the peer can read our verdict before we close.
    public static let refusalLingerMs: UInt64 = 1_000
    /// The largest frame read before the peer is authenticated: a handshake message is under 64 bytes, and
    /// 1 KiB leaves room for later versions' Hellos. Anyone can connect to the peer port, so until the
    /// handshake succeeds a connection holds at most this plus one read.
    public static let handshakeFrameBytesMax = 1024

    public let framed: FramedConnection
    public var onEstablished: ((UInt64) -> Void)?
    public var onHandshakeFailed: ((PeerHandshakeError) -> Void)?
    public var onFrame: ((ReceivedFrame) -> Void)?
    public var onClose: ((FramedCloseReason) -> Void)?
    /// The authenticated peer, once established.
    public private(set) var peerNodeID: UInt64?

    /// Unchecked exclusivity (read on every frame sent and received): see `EventLoop.endOfTurnFlushes`.
    @exclusivity(unchecked) private var handshake: PeerHandshake
    private var failed = false
    private let timer: LoopTimer
    /// The frame bound once authenticated.
    private let frameBytesMax: Int

    /// Starts the handshake on `connection` (established, not yet reading). `role` is `.dialer` for
    /// connections we dialled (then `expectedPeerNodeID` is the node we meant to reach), `.acceptor`
    /// for accepted ones.
    public init(
        connection: TCPConnection, role: PeerHandshake.Role, localNodeID: UInt64, expectedPeerNodeID: UInt64?,
        clusterSecret: [UInt8], version: UInt16 = PeerHandshake.protocolVersion,
        frameBytesMax: Int = FrameDecoder.frameBytesMaxDefault
    ) throws(UVError) {
        var random = SystemRandomNumberGenerator()
        let nonce = (0..<PeerHandshake.nonceBytes).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        handshake = PeerHandshake(
            role: role, localNodeID: localNodeID, expectedPeerNodeID: expectedPeerNodeID,
            clusterSecret: clusterSecret, nonce: nonce, version: version)
        timer = try LoopTimer(loop: connection.loop)
        // What a peer must get at once is sent with `flushNow`; the rest waits until the clients' answers are out.
        connection.endOfTurnOrder = .last
        self.frameBytesMax = frameBytesMax
        framed = FramedConnection(
            connection: connection, frameBytesMax: min(frameBytesMax, Self.handshakeFrameBytesMax))
        framed.onFrame = { frame in self.didReceive(frame) }  // strong until the link closes
        framed.onClose = { reason in self.didClose(reason) }
        framed.onWritable = { [unowned self] in self.onWritable?() }
        timer.start(afterMs: Self.handshakeTimeoutMs) { [weak self] in self?.didTimeOut() }
        perform(handshake.start())
    }

    /// Forwarded from the connection's backpressure.
    public var onWritable: (() -> Void)?
    public var isEstablished: Bool { handshake.isEstablished }

    /// Sends one frame to the authenticated peer.
    @discardableResult
    public func send(_ payload: [UInt8]) -> TCPWriteResult {
        precondition(isEstablished, "PeerChannel.send before the handshake finished")
        return framed.send(payload)
    }

    /// Writes queued frames now rather than at the end of the loop turn (`TCPConnection.flushNow`).
    public func flushNow() { framed.connection.flushNow() }

    /// Closes the link now. Idempotent.
    public func close() { framed.close() }

    private func didReceive(_ frame: ReceivedFrame) {
        if handshake.isEstablished {
            onFrame?(frame)
        } else if !failed {
            perform(handshake.receive(frame.bytes))
        }  // else: lingering after a refusal, discard
    }

    private func perform(_ actions: [PeerHandshake.Action]) {
        for action in actions {
            switch action {
            case .send(let bytes):
                framed.send(bytes)
            case .established(let peer):
                timer.cancel()
                framed.frameBytesMax = frameBytesMax
                peerNodeID = peer
                onEstablished?(peer)
            case .fail(let error, let refusal):
                fail(error, refusal: refusal)
            }
        }
    }

    private func fail(_ error: PeerHandshakeError, refusal: [UInt8]?) {
        guard !failed else { return }
        failed = true
        onHandshakeFailed?(error)
        guard let refusal, !framed.connection.isClosed else { return close() }
        framed.send(refusal)
        framed.connection.shutdownWrite()  // the peer's EOF then closes us (no onReadEOF handler)
        timer.start(afterMs: Self.refusalLingerMs) { [weak self] in self?.close() }
    }

    private func didTimeOut() {
        if failed { return close() }
        fail(.timedOut, refusal: nil)
    }

    private func didClose(_ reason: FramedCloseReason) {
        timer.close()
        if !handshake.isEstablished && !failed {
            failed = true
            onHandshakeFailed?(.connectionClosed(reason))
        }
        let onClose = self.onClose
        onEstablished = nil
        onHandshakeFailed = nil
        onFrame = nil
        self.onClose = nil
        onWritable = nil
        onClose?(reason)
    }
}

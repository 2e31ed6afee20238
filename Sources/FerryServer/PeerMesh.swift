import FerryNode
import FerryRaft
import FerryRuntime
import Logging

/// The links between this node and every other node of the cluster. Each node dials every peer its
/// address book names (`follow`: the members of the configuration in force) and sends on the links it
/// dialled, or, while it has none up to a peer, on the link that peer dialled to it; it receives on both. Every link is authenticated by the cluster
/// secret (PeerChannel's handshake) before any frame is read. Loop thread only.
final class PeerMesh {
    let loop: EventLoop
    let localID: NodeID
    let secret: [UInt8]
    let logger: Logger
    /// Where decoded peer messages go.
    var onMessage: ((PeerMessage, NodeID) -> Void)?

    private var listener: TCPListener?
    private var connectors: [NodeID: TCPConnector] = [:]
    /// Where each connector dials; the same keys as `connectors`.
    private(set) var dialling: [NodeID: ServerConfig.Address] = [:]
    /// The book `follow` last applied.
    private(set) var addressBook: PeerAddressBook?
    /// Established links we dialled: the ones we send on.
    private var outbound: [NodeID: PeerChannel] = [:]
    /// Links peers dialled to us, kept alive until they close.
    private var inbound: [ObjectIdentifier: PeerChannel] = [:]
    /// The latest established link each peer dialled to us: where we answer a peer we cannot dial.
    private var inboundFrom: [NodeID: PeerChannel] = [:]
    /// Messages dropped because no link was up or the link was over its write bound, for status.
    private(set) var droppedMessages = 0
    /// Every message sent is encoded here and copied into its link's write queue: one buffer for all of them
    /// instead of an array allocated and freed per message. Unchecked exclusivity (two accesses a message), as
    /// `EventLoop.endOfTurnFlushes`: loop thread only, and no access spans a call out.
    @exclusivity(unchecked) private var emitBuffer = LittleEndianWriter()
    /// Capacity `emitBuffer` keeps between messages; a larger one (a snapshot chunk's) is released.
    private static let emitBufferBytesKeptMax = 1 << 20
    /// Connections accepted whose handshake has not succeeded yet. Anyone who reaches the peer port can open
    /// them; each holds a socket and up to `PeerChannel.handshakeFrameBytesMax` plus one read until its
    /// handshake ends (at most `PeerChannel.handshakeTimeoutMs`).
    private var unauthenticatedInbound = 0
    /// A cluster has a handful of peers, each with one inbound link (two while one replaces the other);
    /// beyond this, new connections are closed at accept until handshakes finish.
    static let unauthenticatedInboundMax = 32
    private let warnings: ThrottledWarnings

    init(loop: EventLoop, localID: NodeID, secret: String, logger: Logger, warnings: ThrottledWarnings) {
        self.loop = loop
        self.localID = localID
        self.secret = Array(secret.utf8)
        self.logger = logger
        self.warnings = warnings
    }

    func start(listen: ServerConfig.Address) throws {
        listener = try TCPListener(loop: loop, host: listen.host, port: UInt16(listen.port)) {
            [unowned self] connection in
            self.accept(connection)
        }
    }

    /// Dials exactly the peers `book` names, at its addresses: starts dialling new ones, and for a peer that
    /// left or moved stops redialling and closes our link to it (its own link to us closes when it stops).
    func follow(_ book: PeerAddressBook) {
        guard book != addressBook else { return }
        addressBook = book
        let wanted = book.dial.mapValues(\.address)
        for (peer, address) in dialling.sorted(by: { $0.key < $1.key }) where wanted[peer] != address {
            connectors.removeValue(forKey: peer)?.stop()
            dialling[peer] = nil
            outbound.removeValue(forKey: peer)?.close()
            logger.notice(
                "stopped dialling a peer",
                metadata: [
                    "peer": "\(peer)", "address": "\(address)",
                    "why": "\(wanted[peer] == nil ? "not a member" : "address changed")",
                ])
        }
        for (peer, address) in wanted.sorted(by: { $0.key < $1.key }) where dialling[peer] == nil {
            let connector: TCPConnector
            do {
                connector = try TCPConnector(loop: loop, host: address.host, port: UInt16(address.port)) {
                    [unowned self] connection in
                    self.dialled(connection, peer: peer)
                }
            } catch {
                warnings.warn(
                    "cannot dial a peer", metadata: ["peer": "\(peer)", "address": "\(address)", "error": "\(error)"],
                    nowMs: loop.nowMs)
                continue
            }
            connectors[peer] = connector
            dialling[peer] = address
            connector.start()
            logger.info(
                "dialling a peer",
                metadata: [
                    "peer": "\(peer)", "address": "\(address)", "source": "\(book.dial[peer]!.source.rawValue)",
                ])
        }
        for (peer, why) in book.unreachable.sorted(by: { $0.key < $1.key }) {
            warnings.warn("cannot dial a member", metadata: ["peer": "\(peer)", "why": "\(why)"], nowMs: loop.nowMs)
        }
    }

    func stop() {
        for connector in connectors.values { connector.stop() }
        for channel in outbound.values { channel.close() }
        for channel in inbound.values { channel.close() }
        listener?.close()
    }

    var connectedPeers: [NodeID] { outbound.keys.sorted() }

    /// Sends best effort: Raft tolerates loss, so a message to a peer without a healthy link is dropped.
    /// An urgent message (`PeerMessage.isUrgent`) is written at once (`flushNow`), not at the end of the
    /// loop turn: a follower waits on the leader's append and the leader on the acknowledgement, while the
    /// rest of the turn (the leader's own log write, applying, answering clients) can overlap the trip.
    /// The others go at the end of the turn, after the answers to this node's clients.
    func send(_ message: PeerMessage, to peer: NodeID) {
        if let urgent = queue(message, to: peer) { urgent.flushNow() }
    }

    /// Sends messages produced together, as `send(_:to:)` does, but writes each peer's urgent ones with one
    /// system call once all are queued: a follower acknowledging three appends after one durable write
    /// made three writes, and its leader three reads.
    func send<Messages: Sequence>(_ messages: Messages) where Messages.Element == (message: PeerMessage, to: NodeID) {
        // The first link apart: a follower answers one leader, and an array of one was an allocation a batch.
        var firstUrgent: PeerChannel?
        var otherUrgent: [PeerChannel] = []
        for (message, peer) in messages {
            guard let channel = queue(message, to: peer) else { continue }
            if firstUrgent == nil {
                firstUrgent = channel
            } else if firstUrgent !== channel, !otherUrgent.contains(where: { $0 === channel }) {
                otherUrgent.append(channel)
            }
        }
        firstUrgent?.flushNow()
        for channel in otherUrgent { channel.flushNow() }
    }

    /// Queues `message` on the link to `peer`; returns that link when the message is urgent and must be
    /// flushed before the end of the turn.
    private func queue(_ message: PeerMessage, to peer: NodeID) -> PeerChannel? {
        guard let channel = link(to: peer) else {
            droppedMessages += 1
            return nil
        }
        emitBuffer.removeAll(keptCapacityBytesMax: Self.emitBufferBytesKeptMax)
        message.encode(into: &emitBuffer)
        switch channel.send(emitBuffer.bytes) {
        case .queued, .queuedAboveHighWater: return message.isUrgent ? channel : nil
        case .closed:
            droppedMessages += 1
            return nil
        }
    }

    /// Our own link to `peer` if it is up, else the one `peer` dialled to us. A node whose address for `peer` is
    /// stale (it missed the update that moved `peer`, say while partitioned) still answers `peer` as leader, as
    /// etcd's followers answer over the leader's stream; the leader's appends then bring it the new address.
    /// Found by the simulator (docs/simulation.md, "Addresses"): without it such a follower never catches up.
    private func link(to peer: NodeID) -> PeerChannel? {
        if let channel = outbound[peer], channel.isEstablished { return channel }
        if let channel = inboundFrom[peer], channel.isEstablished { return channel }
        return nil
    }

    private func accept(_ connection: TCPConnection) {
        guard unauthenticatedInbound < Self.unauthenticatedInboundMax else {
            warnings.warn(
                "refused a peer connection: too many unauthenticated peer connections",
                metadata: ["max": "\(Self.unauthenticatedInboundMax)"], nowMs: loop.nowMs)
            connection.close()
            return
        }
        let channel: PeerChannel
        do {
            channel = try PeerChannel(
                connection: connection, role: .acceptor, localNodeID: localID,
                expectedPeerNodeID: nil, clusterSecret: secret)
        } catch {
            logger.error("peer link setup failed", metadata: ["error": "\(error)"])
            connection.close()
            return
        }
        let key = ObjectIdentifier(channel)
        inbound[key] = channel
        unauthenticatedInbound += 1
        var authenticating = true
        let authenticationEnded = { [unowned self] in
            if authenticating {
                authenticating = false
                self.unauthenticatedInbound -= 1
            }
        }
        channel.onEstablished = { [unowned self, unowned channel] peer in
            authenticationEnded()
            self.inboundFrom[peer] = channel
            // The peer is up (a restart, a healed partition): our own link to it need not wait out its backoff,
            // up to 2 s after a long outage, during which it would hear nothing from us (as leader: no heartbeats).
            if self.outbound[peer] == nil { self.connectors[peer]?.redialNow() }
        }
        channel.onHandshakeFailed = { [unowned self] error in
            authenticationEnded()
            self.warnings.warn("refused a peer connection", metadata: ["reason": "\(error)"], nowMs: self.loop.nowMs)
        }
        channel.onFrame = { [unowned self, unowned channel] frame in
            guard let peer = channel.peerNodeID else { return }
            self.deliver(frame, from: peer)
        }
        channel.onClose = { [unowned self, unowned channel] _ in
            authenticationEnded()
            self.inbound[key] = nil
            if let peer = channel.peerNodeID, self.inboundFrom[peer] === channel { self.inboundFrom[peer] = nil }
        }
        connection.startReading()
    }

    private func dialled(_ connection: TCPConnection, peer: NodeID) {
        let channel: PeerChannel
        do {
            channel = try PeerChannel(
                connection: connection, role: .dialer, localNodeID: localID,
                expectedPeerNodeID: peer, clusterSecret: secret)
        } catch {
            logger.error("peer link setup failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
            connection.close()
            return
        }
        channel.onEstablished = { [unowned self, unowned channel] _ in
            // A link that finished its handshake after the peer left the address book is not used.
            guard self.connectors[peer] != nil else { return channel.close() }
            self.outbound[peer] = channel
            self.connectors[peer]?.resetBackoff()
            self.logger.info("peer link up", metadata: ["peer": "\(peer)"])
        }
        channel.onHandshakeFailed = { [unowned self] error in
            self.warnings.warn(
                "peer refused our connection", metadata: ["peer": "\(peer)", "reason": "\(error)"],
                nowMs: self.loop.nowMs)
        }
        channel.onFrame = { [unowned self] frame in self.deliver(frame, from: peer) }
        channel.onClose = { [unowned self, unowned channel] _ in
            if self.outbound[peer] === channel {
                self.outbound[peer] = nil
                self.logger.info("peer link down", metadata: ["peer": "\(peer)"])
            }
        }
        connection.startReading()
    }

    private func deliver(_ frame: ReceivedFrame, from peer: NodeID) {
        do {
            onMessage?(try PeerMessage.decode(frame.buffer, payload: frame.payload), peer)
        } catch {
            warnings.warn(
                "undecodable peer message", metadata: ["peer": "\(peer)", "error": "\(error)"], nowMs: loop.nowMs)
        }
    }
}

import Crypto

/// The peer-link handshake as a pure state machine (no sockets, no clock, no randomness of its own):
/// events go in, actions come out, and `PeerChannel` carries them out.
///
/// Protocol (every message is one frame; both sides run the same steps, in parallel):
/// 1. Hello:   magic, protocol version, sender node id, a fresh 32-byte random nonce.
/// 2. Proof:   HMAC-SHA256(cluster secret, label ‖ prover role ‖ prover id ‖ prover nonce ‖
///             verifier id ‖ verifier nonce ‖ version). The secret itself never crosses the wire.
/// 3. Verdict: accepted, or refused with a reason; a side is established once it sent "accepted" and
///             received "accepted".
/// The prover's role (dialer / acceptor) is inside the MAC and a peer claiming our own node id is
/// refused, so a proof cannot be reflected back at its maker on another connection; fresh nonces on
/// both sides make every proof single-use.
public struct PeerHandshake {
    /// The peer-link protocol version. Bump on any incompatible change to framing or messages; peers
    /// with different versions refuse each other (no negotiation: a cluster upgrades node by node only
    /// across compatible versions).
    public static let protocolVersion: UInt16 = 1
    /// Nonce length: 256 bits, so a nonce never repeats.
    public static let nonceBytes = 32
    /// The shortest cluster secret accepted: 128 bits, below which the secret is guessable offline.
    public static let clusterSecretBytesMin = 16

    public enum Role: UInt8, Sendable {
        case dialer = 1
        case acceptor = 2
    }

    public enum Action: Equatable {
        case send([UInt8])
        /// Authenticated: frames may flow.
        case established(peerNodeID: UInt64)
        /// Refused or failed: send `refusal` if any (a Verdict frame), then close.
        case fail(PeerHandshakeError, refusal: [UInt8]?)
    }

    private enum State {
        case idle
        case awaitingHello
        case awaitingProof(peerNodeID: UInt64, peerNonce: [UInt8])
        case awaitingVerdict(peerNodeID: UInt64)
        case established
        case failed
    }

    public let role: Role
    public let localNodeID: UInt64
    /// Only this peer is accepted (a dialer knows whom it dialled); nil accepts any id but our own.
    public let expectedPeerNodeID: UInt64?
    let version: UInt16
    private let key: SymmetricKey
    private let localNonce: [UInt8]
    private var state = State.idle

    /// `nonce` comes from the caller's random source (the OS generator in production).
    public init(
        role: Role, localNodeID: UInt64, expectedPeerNodeID: UInt64?, clusterSecret: [UInt8],
        nonce: [UInt8], version: UInt16 = protocolVersion
    ) {
        precondition(
            clusterSecret.count >= Self.clusterSecretBytesMin,
            "cluster secret shorter than \(Self.clusterSecretBytesMin) bytes")
        precondition(nonce.count == Self.nonceBytes, "nonce must be \(Self.nonceBytes) bytes")
        self.role = role
        self.localNodeID = localNodeID
        self.expectedPeerNodeID = expectedPeerNodeID
        self.version = version
        key = SymmetricKey(data: clusterSecret)
        localNonce = nonce
    }

    public var isEstablished: Bool { if case .established = state { true } else { false } }

    /// Starts: our Hello.
    public mutating func start() -> [Action] {
        guard case .idle = state else { preconditionFailure("start() called twice") }
        state = .awaitingHello
        return [.send(HandshakeWire.hello(version: version, nodeID: localNodeID, nonce: localNonce))]
    }

    /// One handshake frame from the peer.
    public mutating func receive(_ frame: [UInt8]) -> [Action] {
        let message: HandshakeMessage
        do { message = try HandshakeWire.decode(frame) } catch { return fail(error, refuse: .malformed) }
        switch (state, message) {
        case (_, .verdict(.refused(let reason, let peerVersion))):
            return fail(.refusedByPeer(reason: reason, peerVersion: peerVersion), refuse: nil)
        case (.awaitingHello, .hello(let peerVersion, let peerNodeID, let peerNonce)):
            return onHello(peerVersion: peerVersion, peerNodeID: peerNodeID, peerNonce: peerNonce)
        case (.awaitingProof(let peerNodeID, let peerNonce), .proof(let mac)):
            return onProof(mac, peerNodeID: peerNodeID, peerNonce: peerNonce)
        case (.awaitingVerdict(let peerNodeID), .verdict(.accepted)):
            state = .established
            return [.established(peerNodeID: peerNodeID)]
        case (.idle, _), (.established, _), (.failed, _):
            preconditionFailure("PeerChannel feeds handshake frames only while the handshake runs")
        default:
            return fail(.unexpectedMessage, refuse: .malformed)
        }
    }

    private mutating func onHello(peerVersion: UInt16, peerNodeID: UInt64, peerNonce: [UInt8]) -> [Action] {
        guard peerVersion == version else {
            return fail(.versionMismatch(peerVersion: peerVersion, localVersion: version), refuse: .versionMismatch)
        }
        guard peerNodeID != localNodeID else {
            return fail(.peerClaimsOurNodeID(peerNodeID), refuse: .unexpectedNodeID)
        }
        if let expected = expectedPeerNodeID, expected != peerNodeID {
            return fail(.unexpectedPeer(expected: expected, actual: peerNodeID), refuse: .unexpectedNodeID)
        }
        state = .awaitingProof(peerNodeID: peerNodeID, peerNonce: peerNonce)
        let mac = proof(
            proverRole: role, proverID: localNodeID, proverNonce: localNonce,
            verifierID: peerNodeID, verifierNonce: peerNonce)
        return [.send(HandshakeWire.proof(mac))]
    }

    private mutating func onProof(_ mac: [UInt8], peerNodeID: UInt64, peerNonce: [UInt8]) -> [Action] {
        let peerRole: Role = role == .dialer ? .acceptor : .dialer
        let message = proofMessage(
            proverRole: peerRole, proverID: peerNodeID, proverNonce: peerNonce,
            verifierID: localNodeID, verifierNonce: localNonce)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key) else {
            return fail(.authenticationFailed(peerNodeID: peerNodeID), refuse: .authenticationFailed)
        }
        state = .awaitingVerdict(peerNodeID: peerNodeID)
        return [.send(HandshakeWire.verdict(.accepted))]
    }

    private mutating func fail(_ error: PeerHandshakeError, refuse reason: PeerRefusalReason?) -> [Action] {
        state = .failed
        return [.fail(error, refusal: reason.map { HandshakeWire.verdict(.refused($0, localVersion: version)) })]
    }

    private func proof(
        proverRole: Role, proverID: UInt64, proverNonce: [UInt8], verifierID: UInt64, verifierNonce: [UInt8]
    ) -> [UInt8] {
        let message = proofMessage(
            proverRole: proverRole, proverID: proverID, proverNonce: proverNonce,
            verifierID: verifierID, verifierNonce: verifierNonce)
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    private func proofMessage(
        proverRole: Role, proverID: UInt64, proverNonce: [UInt8], verifierID: UInt64, verifierNonce: [UInt8]
    ) -> [UInt8] {
        var message = Array("ferry-peer-proof".utf8)
        message.append(proverRole.rawValue)
        HandshakeWire.appendU64(proverID, to: &message)
        message += proverNonce
        HandshakeWire.appendU64(verifierID, to: &message)
        message += verifierNonce
        HandshakeWire.appendU16(version, to: &message)
        return message
    }
}

/// Why a peer link was not established. An operating error: the caller logs it and the connector
/// redials after its backoff.
public enum PeerHandshakeError: Error, Equatable, Sendable {
    /// The peer speaks another protocol version.
    case versionMismatch(peerVersion: UInt16, localVersion: UInt16)
    /// The peer's proof is wrong: it does not hold our cluster secret.
    case authenticationFailed(peerNodeID: UInt64)
    /// The peer refused us (it reported why; `peerVersion` is its protocol version).
    case refusedByPeer(reason: PeerRefusalReason, peerVersion: UInt16)
    /// We dialled one node and another answered (stale address, misconfiguration).
    case unexpectedPeer(expected: UInt64, actual: UInt64)
    /// The peer claims our own node id (a loop-back dial, or a reflection attempt).
    case peerClaimsOurNodeID(UInt64)
    /// Not a Ferry peer-link handshake frame.
    case malformedMessage
    /// A valid message in the wrong order.
    case unexpectedMessage
    /// No verdict within `PeerChannel.handshakeTimeoutMs`.
    case timedOut
    /// The connection closed before the handshake finished.
    case connectionClosed(FramedCloseReason)
}

/// The reason a side sends with a refusal, so the refused side can log something useful.
public enum PeerRefusalReason: UInt8, Sendable {
    case malformed = 1
    case versionMismatch = 2
    case authenticationFailed = 3
    case unexpectedNodeID = 4
}

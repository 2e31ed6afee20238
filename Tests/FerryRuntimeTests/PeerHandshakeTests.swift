import XCTest

@testable import FerryRuntime

/// What one side of a peer link saw.
final class LinkObservation {
    var established: UInt64?
    var failure: PeerHandshakeError?
    var frames: [[UInt8]] = []
    var closed = false
}

final class PeerHandshakeTests: XCTestCase {
    let secret = Array("correct horse battery staple, 32b".utf8)
    let wrongSecret = Array("incorrect horse battery staple!!".utf8)

    /// Node 2 dials node 1 over loopback; both run the handshake; each side's outcome is recorded.
    /// Stops once both links closed, or both established and one frame crossed each way.
    func runLink(
        acceptorSecret: [UInt8], dialerSecret: [UInt8], dialerVersion: UInt16 = PeerHandshake.protocolVersion,
        expectedByDialer: UInt64 = 1
    ) throws -> (acceptor: LinkObservation, dialer: LinkObservation) {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let acceptor = LinkObservation()
        let dialer = LinkObservation()
        var channels: [PeerChannel] = []
        func maybeStop() {
            let bothClosed = acceptor.closed && dialer.closed
            let bothTalked = acceptor.frames.count == 1 && dialer.frames.count == 1
            if bothClosed || bothTalked { loop.stop() }
        }
        func observe(_ channel: PeerChannel, into observation: LinkObservation, greeting: String) {
            channel.onEstablished = { peer in
                observation.established = peer
                channel.send(Array(greeting.utf8))
            }
            channel.onHandshakeFailed = { observation.failure = $0 }
            channel.onFrame = { frame in
                observation.frames.append(frame.bytes)
                maybeStop()
            }
            channel.onClose = { _ in
                observation.closed = true
                maybeStop()
            }
            channels.append(channel)
        }
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            let channel = try! PeerChannel(
                connection: connection, role: .acceptor, localNodeID: 1,
                expectedPeerNodeID: nil, clusterSecret: acceptorSecret)
            observe(channel, into: acceptor, greeting: "from 1")
        }
        var connection: TCPConnection!
        connection = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { error in
            XCTAssertNil(error)
            let channel = try! PeerChannel(
                connection: connection, role: .dialer, localNodeID: 2,
                expectedPeerNodeID: expectedByDialer, clusterSecret: dialerSecret,
                version: dialerVersion)
            observe(channel, into: dialer, greeting: "from 2")
        }
        runBounded(loop)
        for element in channels { element.close() }
        listener.close()
        return (acceptor, dialer)
    }

    func testSameSecretEstablishesBothSidesAndFramesFlow() throws {
        let (acceptor, dialer) = try runLink(acceptorSecret: secret, dialerSecret: secret)
        XCTAssertEqual(acceptor.established, 2)
        XCTAssertEqual(dialer.established, 1)
        XCTAssertNil(acceptor.failure)
        XCTAssertNil(dialer.failure)
        XCTAssertEqual(acceptor.frames, [Array("from 2".utf8)])
        XCTAssertEqual(dialer.frames, [Array("from 1".utf8)])
    }

    /// Each side checks the other's proof, so with different secrets both refuse and both report it.
    func testWrongSecretIsRefusedAndReportedOnBothSides() throws {
        let (acceptor, dialer) = try runLink(acceptorSecret: secret, dialerSecret: wrongSecret)
        XCTAssertNil(acceptor.established)
        XCTAssertNil(dialer.established)
        XCTAssertEqual(acceptor.failure, .authenticationFailed(peerNodeID: 2))
        XCTAssertEqual(dialer.failure, .authenticationFailed(peerNodeID: 1))
        XCTAssertTrue(acceptor.frames.isEmpty && dialer.frames.isEmpty)
        XCTAssertTrue(acceptor.closed && dialer.closed)
    }

    func testVersionMismatchIsRefused() throws {
        let (acceptor, dialer) = try runLink(acceptorSecret: secret, dialerSecret: secret, dialerVersion: 2)
        XCTAssertNil(acceptor.established)
        XCTAssertNil(dialer.established)
        XCTAssertEqual(acceptor.failure, .versionMismatch(peerVersion: 2, localVersion: 1))
        XCTAssertEqual(dialer.failure, .versionMismatch(peerVersion: 1, localVersion: 2))
        XCTAssertTrue(acceptor.closed && dialer.closed)
    }

    func testDialerRefusesANodeItDidNotDial() throws {
        let (acceptor, dialer) = try runLink(acceptorSecret: secret, dialerSecret: secret, expectedByDialer: 3)
        XCTAssertEqual(dialer.failure, .unexpectedPeer(expected: 3, actual: 1))
        XCTAssertEqual(acceptor.failure, .refusedByPeer(reason: .unexpectedNodeID, peerVersion: 1))
    }

    // MARK: The state machine alone (no sockets)

    func machine(
        _ role: PeerHandshake.Role, id: UInt64, secret: [UInt8], nonceByte: UInt8, version: UInt16 = 1
    ) -> PeerHandshake {
        PeerHandshake(
            role: role, localNodeID: id, expectedPeerNodeID: nil, clusterSecret: secret,
            nonce: [UInt8](repeating: nonceByte, count: PeerHandshake.nonceBytes), version: version)
    }

    static func sent(_ actions: [PeerHandshake.Action]) -> [UInt8] {
        guard case .send(let bytes) = actions.first else { preconditionFailure("expected a send, got \(actions)") }
        return bytes
    }

    /// The secret never appears in any handshake message.
    func testNoMessageContainsTheSecret() {
        var a = machine(.dialer, id: 2, secret: secret, nonceByte: 1)
        var b = machine(.acceptor, id: 1, secret: secret, nonceByte: 2)
        let helloA = Self.sent(a.start())
        let helloB = Self.sent(b.start())
        let proofA = Self.sent(a.receive(helloB))
        let proofB = Self.sent(b.receive(helloA))
        let verdictA = Self.sent(a.receive(proofB))
        let verdictB = Self.sent(b.receive(proofA))
        XCTAssertEqual(a.receive(verdictB), [.established(peerNodeID: 1)])
        XCTAssertEqual(b.receive(verdictA), [.established(peerNodeID: 2)])
        for message in [helloA, helloB, proofA, proofB, verdictA, verdictB] {
            XCTAssertNil(message.firstRange(of: secret), "a handshake message carries the secret")
        }
        XCTAssertNotEqual(proofA, proofB)
    }

    /// A proof made by a node as acceptor cannot be replayed to it as a dialer's proof (the role is MACed),
    /// and a peer presenting our own id is refused before any proof is made.
    func testAProofCannotBeReflectedBackToItsMaker() {
        var victim = machine(.acceptor, id: 1, secret: secret, nonceByte: 9)
        _ = victim.start()
        // An attacker without the secret claims to be node 1 itself: refused outright.
        let selfClaim = HandshakeWire.hello(version: 1, nodeID: 1, nonce: [UInt8](repeating: 3, count: 32))
        guard case .fail(.peerClaimsOurNodeID(1), _)? = victim.receive(selfClaim).first else {
            return XCTFail("a peer claiming our own id must be refused")
        }
        // Claiming node 2 with the victim's own nonce: the victim's proof (acceptor role) is not a valid
        // dialer proof, so echoing it back fails authentication.
        var other = machine(.acceptor, id: 1, secret: secret, nonceByte: 9)
        _ = other.start()
        let hello = HandshakeWire.hello(version: 1, nodeID: 2, nonce: [UInt8](repeating: 9, count: 32))
        let victimProof = Self.sent(other.receive(hello))
        XCTAssertEqual(
            other.receive(victimProof).first.map { action -> Bool in
                if case .fail(.authenticationFailed(peerNodeID: 2), _) = action { true } else { false }
            }, true)
    }

    func testMalformedFrameIsRefused() {
        var b = machine(.acceptor, id: 1, secret: secret, nonceByte: 2)
        _ = b.start()
        guard case .fail(.malformedMessage, let refusal?)? = b.receive([1, 2, 3]).first else {
            return XCTFail("garbage must be refused")
        }
        XCTAssertEqual(try HandshakeWire.decode(refusal), .verdict(.refused(.malformed, localVersion: 1)))
    }
}

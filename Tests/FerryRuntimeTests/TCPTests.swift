import XCTest

@testable import FerryRuntime

final class TCPTests: XCTestCase {
    /// Many small writes queued in one loop turn leave in one writev, and come back byte-exact.
    func testEchoRoundTripCoalescesManySmallWrites() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var accepted: [TCPConnection] = []
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            accepted.append(connection)
            connection.onRead = { bytes in connection.write(bytes) }  // echo
            connection.startReading()
        }
        XCTAssertNotEqual(listener.port, 0)

        let writes = 2_000
        let writeBytes = 16
        let sent: [UInt8] = (0..<(writes * writeBytes)).map { UInt8(truncatingIfNeeded: $0 * 13) }
        var echoed: [UInt8] = []
        var client: TCPConnection!
        var batchesAfterBurst = -1
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { error in
            XCTAssertNil(error)
            client.onRead = { bytes in
                echoed.append(contentsOf: bytes)
                if echoed.count == sent.count { loop.stop() }
            }
            client.startReading()
            for i in 0..<writes {  // all in this one loop turn
                XCTAssertEqual(client.write(Array(sent[(i * writeBytes)..<((i + 1) * writeBytes)])), .queued)
            }
            batchesAfterBurst = client.writeBatchCount
        }
        runBounded(loop)
        XCTAssertEqual(echoed, sent)
        XCTAssertEqual(batchesAfterBurst, 0, "nothing is written before the end of the turn")
        XCTAssertEqual(client.writeBatchCount, 1, "\(writes) writes in one turn coalesce into one writev")
        XCTAssertEqual(client.queuedBytes, 0)
        client.close()
        for element in accepted { element.close() }
        listener.close()
    }

    /// `flushNow` writes what is queued at once, before the end of the turn; what the socket does not take
    /// (here 8 MiB, far above the kernel's buffer) stays queued and follows at the end of the turn, so
    /// the peer still receives every byte, in order.
    func testFlushNowWritesBeforeTheEndOfTheTurnAndQueuesWhatTheSocketDoesNotTake() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let small: [UInt8] = Array("raft append".utf8)
        let large: [UInt8] = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 13)) }
        let server = try CollectingServer(loop: loop, expectedBytes: small.count + large.count)
        var client: TCPConnection!
        var queuedAfterSmallFlush = -1
        var queuedAfterLargeFlush = -1
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server.port) { error in
            XCTAssertNil(error)
            client.write(small)
            client.flushNow()
            queuedAfterSmallFlush = client.queuedBytes
            client.write(large)
            client.flushNow()
            queuedAfterLargeFlush = client.queuedBytes
        }
        runBounded(loop)
        XCTAssertEqual(queuedAfterSmallFlush, 0, "the socket took the small write before the turn ended")
        XCTAssertGreaterThan(queuedAfterLargeFlush, 0, "8 MiB does not fit the socket buffer at once")
        XCTAssertLessThan(queuedAfterLargeFlush, large.count, "but part of it was written at once")
        XCTAssertTrue(server.received == small + large, "every byte arrives, in order")
        XCTAssertEqual(client.queuedBytes, 0)
        client.close()
        server.close()
    }

    /// The end-of-turn flush hands the turn's output to the socket directly (`uv_try_write`): when the
    /// socket takes it all, nothing is left queued once the flush ran, in the same turn, and no write request
    /// waits for a callback in the next one.
    func testEndOfTurnFlushThatTheSocketTakesWhollyLeavesNothingQueuedInTheSameTurn() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let message: [UInt8] = Array("an answer to a client".utf8)
        let server = try CollectingServer(loop: loop, expectedBytes: message.count)
        var client: TCPConnection!
        var queuedBeforeFlush = -1
        var queuedAfterFlush = -1
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server.port) { error in
            XCTAssertNil(error)
            client.write(message)
            queuedBeforeFlush = client.queuedBytes
            // Registered after the write's flush, so it runs right after it, in the same turn.
            loop.atEndOfTurn { queuedAfterFlush = client.queuedBytes }
        }
        runBounded(loop)
        XCTAssertEqual(queuedBeforeFlush, message.count)
        XCTAssertEqual(queuedAfterFlush, 0, "the flush wrote everything at once")
        XCTAssertEqual(client.writeBatchCount, 1)
        XCTAssertEqual(server.received, message)
        client.close()
        server.close()
    }

    /// What the socket does not take at the end of the turn (8 MiB, far above the kernel's buffer) goes by
    /// `uv_write`: every byte arrives, in order, and the queue drains.
    func testEndOfTurnFlushQueuesWhatTheSocketDoesNotTakeAndDeliversEveryByte() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let large: [UInt8] = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ ($0 >> 11)) }
        let server = try CollectingServer(loop: loop, expectedBytes: large.count)
        var client: TCPConnection!
        var queuedAfterFlush = -1
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server.port) { error in
            XCTAssertNil(error)
            client.write(large)
            loop.atEndOfTurn { queuedAfterFlush = client.queuedBytes }
        }
        runBounded(loop)
        XCTAssertGreaterThan(queuedAfterFlush, 0, "8 MiB does not fit the socket buffer at once")
        XCTAssertLessThan(queuedAfterFlush, large.count, "but part of it was written at once")
        XCTAssertEqual(client.writeBatchCount, 2, "one uv_try_write, then one uv_write for the rest")
        XCTAssertTrue(server.received == large, "every byte arrives, in order")
        XCTAssertEqual(client.queuedBytes, 0)
        client.close()
        server.close()
    }

    /// A pipelined burst of frames, including a 1 MiB one and empty ones, decodes exactly on the far side.
    func testPipelinedFrameBurstDecodesExactlyOverTCP() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let frames = (0..<400).map { testPayload($0, bytesMax: 3_000) } + [[UInt8](repeating: 7, count: 1 << 20), []]
        var received: [[UInt8]] = []
        var serverLinks: [FramedConnection] = []
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            let link = FramedConnection(connection: connection)
            link.onFrame = { frame in
                received.append(frame.bytes)
                if received.count == frames.count { loop.stop() }
            }
            serverLinks.append(link)
        }
        var clientLink: FramedConnection?
        var client: TCPConnection!
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { error in
            XCTAssertNil(error)
            let link = FramedConnection(connection: client)
            for frame in frames { XCTAssertNotEqual(link.send(frame), .closed) }
            clientLink = link
        }
        runBounded(loop)
        XCTAssertEqual(received.count, frames.count)
        XCTAssertTrue(received == frames)
        clientLink?.close()
        for element in serverLinks { element.close() }
        listener.close()
    }

    /// `redialNow` skips what is left of a backoff delay (here 30-60 s), and does nothing while connected.
    func testRedialNowSkipsTheBackoffDelay() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let probe = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { $0.close() }
        let port = probe.port
        probe.close()  // nothing listens: the first dial is refused
        var listener: TCPListener?
        var accepted: [TCPConnection] = []
        var connects = 0
        var connector: TCPConnector!
        connector = try TCPConnector(
            loop: loop, host: "127.0.0.1", port: port,
            backoff: ExponentialBackoff(backoffMsMin: 60_000, backoffMsMax: 60_000)
        ) { _ in
            connects += 1
            connector.redialNow()  // connected: nothing to do
            loop.stop()
        }
        connector.onRedialScheduled = { reason, retryInMs in
            XCTAssertGreaterThanOrEqual(retryInMs, 30_000)
            listener = try! TCPListener(loop: loop, host: "127.0.0.1", port: port) { accepted.append($0) }
            connector.redialNow()
        }
        connector.start()
        runBounded(loop)
        XCTAssertEqual(connects, 1)
        XCTAssertEqual(connector.dialCount, 2, "refused once, then dialled at once instead of after 30-60 s")
        connector.stop()
        for element in accepted { element.close() }
        listener?.close()
    }

    /// A length prefix above the bound closes the link with the named error.
    func testOversizeFrameClosesTheLinkWithFrameTooLarge() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var serverClose: FramedCloseReason?
        var clientClose: TCPCloseReason?
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            let link = FramedConnection(connection: connection, frameBytesMax: 1_024)
            link.onClose = { serverClose = $0 }
        }
        var client: TCPConnection!
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { _ in
            client.onClose = { reason in
                clientClose = reason
                loop.stop()
            }
            client.startReading()
            client.write(FrameEncoder.header(payloadBytes: 2_048) + [UInt8](repeating: 1, count: 100))
        }
        runBounded(loop)
        XCTAssertEqual(serverClose, .frame(.frameTooLarge(payloadBytes: 2_048, frameBytesMax: 1_024)))
        XCTAssertEqual(clientClose, .peerEOF)
        listener.close()
    }

    /// The connector redials with growing delays while nothing listens, and reconnects once the
    /// listener is back on the same port.
    func testConnectorReconnectsWithBackoffAfterListenerRestarts() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var acceptedCount = 0
        var connects = 0
        var accepted: [TCPConnection] = []
        var listener: TCPListener?
        func maybeStop() { if acceptedCount == 2 && connects == 2 { loop.stop() } }
        func listen(port: UInt16) throws -> TCPListener {
            try TCPListener(loop: loop, host: "127.0.0.1", port: port) { connection in
                acceptedCount += 1
                if acceptedCount == 1 {  // first link up: take the server down entirely
                    connection.close()
                    listener?.close()
                    listener = nil
                } else {
                    accepted.append(connection)
                    maybeStop()
                }
            }
        }
        listener = try listen(port: 0)
        let port = listener!.port
        let backoff = ExponentialBackoff(backoffMsMin: 5, backoffMsMax: 40)
        var refusedCount = 0
        var redials: [(attempt: Int, delayMs: UInt64)] = []
        let connector = try TCPConnector(loop: loop, host: "127.0.0.1", port: port, backoff: backoff) { connection in
            connects += 1
            connection.startReading()  // so the server's close is noticed (EOF) and triggers a redial
            maybeStop()
        }
        connector.onRedialScheduled = { [unowned connector] reason, retryInMs in
            redials.append((connector.backoff.attempt, retryInMs))
            guard case .error(let error) = reason, error.isConnectionRefused else { return }
            refusedCount += 1
            if refusedCount == 6 { listener = try! listen(port: port) }  // SO_REUSEADDR: same port
        }
        connector.start()
        runBounded(loop)
        XCTAssertEqual(connects, 2)
        XCTAssertEqual(acceptedCount, 2)
        XCTAssertGreaterThanOrEqual(refusedCount, 6)
        // Redial n waits within [nominal/2, nominal], nominal = 5 ms doubling per failure, capped at 40 ms.
        XCTAssertEqual(redials.map(\.attempt), Array(1...redials.count), "no reset: nothing called resetBackoff()")
        for (attempt, delayMs) in redials {
            let nominal = min(40, UInt64(5) << UInt64(attempt - 1))
            XCTAssertTrue((nominal / 2)...nominal ~= delayMs, "attempt \(attempt): \(delayMs) ms")
        }
        connector.stop()
        for element in accepted { element.close() }
        listener?.close()
    }

    /// A peer that never reads: the writer is told to stop at the high-water mark while the queue stays
    /// bounded, and a writer that ignores it is cut off at queuedBytesMax.
    func testBackpressureBoundsTheWriteQueueOfAPeerThatNeverReads() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var accepted: [TCPConnection] = []
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { accepted.append($0) }  // never reads
        let limits = TCPConnection.Limits(queuedBytesHighWater: 1 << 20, queuedBytesMax: 4 << 20)
        let chunk = [UInt8](repeating: 0xAB, count: 64 << 10)
        var producedBytes = 0
        var told = 0
        var stalledTicks = 0
        var ticks = 0
        var queuedBytesPeak = 0
        var writableEvents = 0
        var closeReason: TCPCloseReason?
        var client: TCPConnection!
        let producer = try LoopTimer(loop: loop)
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port, limits: limits) { _ in
            client.onWritable = { writableEvents += 1 }
            client.onClose = { reason in
                closeReason = reason
                loop.stop()
            }
            // A well-behaved producer: one chunk per tick, only while writable.
            producer.start(afterMs: 1, repeatMs: 1) {
                ticks += 1
                precondition(ticks < 100_000, "bounded")
                if client.isWritable {
                    stalledTicks = 0
                    if client.write(chunk) == .queuedAboveHighWater { told += 1 }
                    producedBytes += chunk.count
                } else {
                    stalledTicks += 1
                }
                queuedBytesPeak = max(queuedBytesPeak, client.queuedBytes)
                if stalledTicks == 50 {  // stalled for good: kernel buffers full, our queue at the mark
                    producer.cancel()
                    XCTAssertGreaterThanOrEqual(client.queuedBytes, limits.queuedBytesHighWater)
                    // A misbehaving producer now ignores the signal: the connection is cut off.
                    var results: [TCPWriteResult] = []
                    for _ in 0..<100 { results.append(client.write(chunk)) }
                    XCTAssertEqual(results.last, .closed)
                }
            }
        }
        runBounded(loop)
        XCTAssertGreaterThan(told, 0)
        XCTAssertEqual(writableEvents, 0, "the peer never reads, so the queue never drains")
        XCTAssertLessThanOrEqual(queuedBytesPeak, limits.queuedBytesHighWater + chunk.count)
        XCTAssertGreaterThan(producedBytes, limits.queuedBytesHighWater, "the kernel buffers absorbed some first")
        guard case .writeQueueOverflow(let queued, let max)? = closeReason else {
            return XCTFail("expected writeQueueOverflow, got \(String(describing: closeReason))")
        }
        XCTAssertGreaterThan(queued, max)
        XCTAssertEqual(max, limits.queuedBytesMax)
        producer.close()
        for element in accepted { element.close() }
        listener.close()
    }

    func testConnectToAClosedPortReportsConnectionRefused() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { _ in }
        let port = listener.port
        listener.close()
        var result: UVError?
        var closeReason: TCPCloseReason?
        let connection = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: port) { error in
            result = error
        }
        connection.onClose = { reason in
            closeReason = reason
            loop.stop()
        }
        runBounded(loop)
        XCTAssertEqual(result?.isConnectionRefused, true)
        XCTAssertEqual(closeReason, result.map { .error($0) })
    }

    /// Half-close: the client shuts its write side after its data; the server sees the data, then EOF,
    /// answers, and closes; the client reads the answer and then EOF.
    func testHalfCloseDeliversDataThenEOFAndTheOtherDirectionStaysOpen() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var serverGot: [UInt8] = []
        var clientGot: [UInt8] = []
        var serverSawEOF = false
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            connection.onRead = { serverGot.append(contentsOf: $0) }
            connection.onReadEOF = {
                serverSawEOF = true
                connection.write(Array("bye".utf8))
                connection.shutdownWrite()
            }
            connection.onClose = { _ in }
            connection.startReading()
        }
        var client: TCPConnection!
        var clientClose: TCPCloseReason?
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { _ in
            client.onRead = { clientGot.append(contentsOf: $0) }
            client.onClose = { reason in
                clientClose = reason
                loop.stop()
            }
            client.startReading()
            client.write(Array("hello".utf8))
            client.shutdownWrite()
            XCTAssertEqual(client.write([1]), .closed, "no writes after shutdownWrite")
        }
        runBounded(loop)
        XCTAssertEqual(serverGot, Array("hello".utf8))
        XCTAssertTrue(serverSawEOF)
        XCTAssertEqual(clientGot, Array("bye".utf8))
        XCTAssertEqual(clientClose, .peerEOF)
        listener.close()
    }
}

final class HostNameTests: XCTestCase {
    func testAConnectorDialsAPeerByHostName() throws {
        // Kubernetes peers are DNS names (ferry-0.ferry); "localhost" resolves through the same getaddrinfo path.
        let loop = try EventLoop()
        var accepted = 0
        var connected = 0
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            accepted += 1
            connection.close()
        }
        let connector = try TCPConnector(loop: loop, host: "localhost", port: listener.port) { connection in
            connected += 1
            loop.stop()
        }
        connector.start()
        let watchdog = try loop.scheduleOnce(afterMs: 20_000) { loop.stop() }
        loop.run()
        connector.stop()
        watchdog.close()
        listener.close()
        loop.shutdown()
        XCTAssertEqual(connected, 1)
    }

    func testAnUnknownHostIsRetriedNotFatal() throws {
        let loop = try EventLoop()
        var redials = 0
        let connector = try TCPConnector(
            loop: loop, host: "no-such-host.invalid", port: 7000,
            backoff: ExponentialBackoff(backoffMsMin: 5, backoffMsMax: 10)
        ) { _ in }
        connector.onRedialScheduled = { _, _ in
            redials += 1
            if redials == 2 { loop.stop() }
        }
        connector.start()
        let watchdog = try loop.scheduleOnce(afterMs: 20_000) { loop.stop() }
        loop.run()
        connector.stop()
        watchdog.close()
        loop.shutdown()
        XCTAssertEqual(redials, 2)
    }
}

/// A loopback listener that keeps the connections it accepts and collects everything they read, stopping
/// the loop once `expectedBytes` arrived.
private final class CollectingServer {
    private(set) var received: [UInt8] = []
    private var accepted: [TCPConnection] = []
    private var listener: TCPListener!

    init(loop: EventLoop, expectedBytes: Int) throws {
        listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { [unowned self] connection in
            accepted.append(connection)
            connection.onRead = { [unowned self] bytes in
                received.append(contentsOf: bytes)
                if received.count == expectedBytes { loop.stop() }
            }
            connection.startReading()
        }
    }

    var port: UInt16 { listener.port }

    func close() {
        for connection in accepted { connection.close() }
        listener.close()
    }
}

import XCTest

@testable import FerryRuntime

final class BrokenPipeTests: XCTestCase {
    /// Writing to a connection whose peer has gone (a client that closed while its response was being
    /// written) is an ordinary connection error, never a signal that kills the node. The default action of
    /// SIGPIPE terminates the process without a word in the log; libuv leaves it at the default.
    func testWritingToAClosedPeerClosesTheConnectionWithAnErrorAndTheProcessLives() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var serverSide: TCPConnection?
        var closeReason: TCPCloseReason?
        var timers: [LoopTimer] = []
        let chunk = [UInt8](repeating: 0x5A, count: 64 * 1024)
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            // Never reads, so the peer's close is noticed only by writing.
            serverSide = connection
            connection.onClose = { reason in
                closeReason = reason
                loop.stop()
            }
        }
        var client: TCPConnection!
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { error in
            XCTAssertNil(error)
            client.close()
            // The first write after the peer's close draws an RST; a later one fails with EPIPE (SIGPIPE).
            let writer = try! loop.scheduleRepeating(everyMs: 5) {
                guard let connection = serverSide, !connection.isClosed else { return }
                _ = connection.write(chunk)
            }
            timers.append(writer)
        }
        runBounded(loop)
        for element in timers { element.close() }
        listener.close()
        guard case .error = closeReason else {
            return XCTFail("expected the write to fail with a socket error, got \(String(describing: closeReason))")
        }
    }
}

import Foundation
import XCTest

@testable import FerryRuntime

/// A micro benchmark for the report: 1 KiB frames over one loopback connection, producer paced by
/// backpressure. Prints figures; asserts only that every frame arrived intact (never on time).
/// In `swift test` it moves 4,000 frames (4 MiB: enough to fill the socket and exercise backpressure);
/// `FERRY_BENCH_FRAMES=100000` (100 MiB) gives figures worth reading.
final class BenchmarkTests: XCTestCase {
    func testFrameThroughputOverOneLoopbackConnection() throws {
        let frameCount = ProcessInfo.processInfo.environment["FERRY_BENCH_FRAMES"].flatMap(Int.init) ?? 4_000
        let payloadBytes = 1_024
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var receivedFrames = 0
        var receivedBytes = 0
        var corrupt = 0
        var serverLink: FramedConnection?
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0) { connection in
            let link = FramedConnection(connection: connection)
            link.onFrame = { frame in
                if frame.count != payloadBytes
                    || frame.buffer[frame.payload.lowerBound] != UInt8(truncatingIfNeeded: receivedFrames)
                {
                    corrupt += 1
                }
                receivedFrames += 1
                receivedBytes += frame.count
                if receivedFrames == frameCount { loop.stop() }
            }
            serverLink = link
        }
        var payload = [UInt8](repeating: 0xEE, count: payloadBytes)
        var sentFrames = 0
        var clientLink: FramedConnection?
        var client: TCPConnection!
        var startNs: UInt64 = 0
        func produce() {
            guard let link = clientLink else { return }
            while sentFrames < frameCount {
                payload[0] = UInt8(truncatingIfNeeded: sentFrames)
                let result = link.send(payload)
                sentFrames += 1
                if result != .queued { return }  // wait for onWritable
            }
        }
        client = try TCPConnection.connect(loop: loop, host: "127.0.0.1", port: listener.port) { error in
            XCTAssertNil(error)
            let link = FramedConnection(connection: client)
            link.onWritable = { produce() }
            clientLink = link
            startNs = EventLoop.hrtimeNs
            produce()
        }
        runBounded(loop)
        let seconds = Double(EventLoop.hrtimeNs - startNs) / 1e9
        XCTAssertEqual(receivedFrames, frameCount)
        XCTAssertEqual(corrupt, 0)
        let framesPerSecond = Double(receivedFrames) / seconds
        let megabytesPerSecond = Double(receivedBytes + 4 * receivedFrames) / seconds / 1e6
        print(
            String(
                format:
                    "BENCH FerryRuntime: %d frames of %d B over one loopback connection: %.0f frames/s, %.1f MB/s, %d uv_write calls (%.1f frames per write)",
                receivedFrames, payloadBytes, framesPerSecond, megabytesPerSecond, client.writeBatchCount,
                Double(receivedFrames) / Double(max(1, client.writeBatchCount))))
        clientLink?.close()
        serverLink?.close()
        listener.close()
    }
}

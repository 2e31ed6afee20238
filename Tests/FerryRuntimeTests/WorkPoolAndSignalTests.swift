import Foundation
import XCTest

@testable import FerryRuntime

final class WorkPoolAndSignalTests: XCTestCase {
    /// A real fsync of a temp file runs on a pool thread and completes on the loop thread.
    func testFsyncOfATempFileCompletesBackOnTheLoopThread() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let path = NSTemporaryDirectory() + "ferry-workpool-\(getpid()).dat"
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer {
            close(fd)
            unlink(path)
        }
        let bytes = [UInt8](repeating: 0x5A, count: 64 << 10)
        XCTAssertEqual(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, bytes.count)

        let pool = WorkPool(loop: loop)
        let keepAlive = try loop.scheduleRepeating(everyMs: 1_000) {}
        var results: [Result<Void, FileError>] = []
        var completedOnLoopThread = true
        var ranOffLoopThread = false
        // Off-loop check: the pool thread is not the loop thread.
        try pool.submit({ !loop.inLoopThread }) { offLoop in
            ranOffLoopThread = offLoop
            completedOnLoopThread = completedOnLoopThread && loop.inLoopThread
        }
        for dataOnly in [false, true] {
            try pool.fsync(fd: fd, dataOnly: dataOnly) { result in
                completedOnLoopThread = completedOnLoopThread && loop.inLoopThread
                results.append(result)
                if results.count == 2 { loop.stop() }
            }
        }
        XCTAssertEqual(pool.jobsInFlight, 3)
        runBounded(loop)
        keepAlive.close()
        XCTAssertEqual(results.count, 2)
        XCTAssertTrue(results.allSatisfy { if case .success = $0 { true } else { false } })
        XCTAssertTrue(ranOffLoopThread)
        XCTAssertTrue(completedOnLoopThread)
        XCTAssertEqual(pool.jobsInFlight, 0)
    }

    func testFsyncOfABadDescriptorReportsEBADF() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let pool = WorkPool(loop: loop)
        var result: Result<Void, FileError>?
        try pool.fsync(fd: -1) { result = $0 }
        loop.run()  // the pending job keeps the loop alive; it returns once the job completed
        XCTAssertEqual(result.map { if case .failure(let e) = $0 { e.errno } else { 0 } }, EBADF)
    }

    /// SIGTERM to this process is delivered as a callback on the loop thread, not as process death.
    func testSIGTERMCallsBackOnTheLoopThread() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        var received: [Int32] = []
        let watchers = try SignalWatcher.gracefulStop(loop: loop) { signal in
            XCTAssertTrue(loop.inLoopThread)
            received.append(signal)
            loop.stop()
        }
        try loop.scheduleOnce(afterMs: 1) { kill(getpid(), SIGTERM) }
        runBounded(loop)
        XCTAssertEqual(received, [SIGTERM])
        for element in watchers { element.close() }
    }
}

import Foundation
import XCTest

@testable import FerryRuntime

final class SerialWorkerTests: XCTestCase {
    /// Jobs run off the loop thread, one at a time in submission order, and their completions come back on
    /// the loop thread in the same order; the jobs in flight alone keep `run()` going until the last one.
    func testJobsRunInOrderOffTheLoopAndCompleteInOrderOnIt() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let worker = try SerialWorker(loop: loop)
        let ran = Recorder()
        var completed: [Int] = []
        var completedOnLoopThread = true
        for index in 0..<50 {
            worker.submit({ () -> Bool in
                ran.append(index)
                return !loop.inLoopThread
            }) { offLoop in
                XCTAssertTrue(offLoop, "job \(index) ran on the loop thread")
                completedOnLoopThread = completedOnLoopThread && loop.inLoopThread
                completed.append(index)
            }
        }
        XCTAssertEqual(worker.jobsInFlight, 50)
        loop.run()  // nothing but the jobs keeps the loop alive: it returns once the last completed
        XCTAssertEqual(ran.values, Array(0..<50))
        XCTAssertEqual(completed, Array(0..<50))
        XCTAssertTrue(completedOnLoopThread)
        XCTAssertEqual(worker.jobsInFlight, 0)
        worker.close()
    }

    /// A real write and fdatasync of a temp file, as a node's durable write does it.
    func testWriteAndFdatasyncOfATempFileCompleteBackOnTheLoopThread() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let path = NSTemporaryDirectory() + "ferry-serialworker-\(getpid()).dat"
        let fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer {
            close(fd)
            unlink(path)
        }
        let worker = try SerialWorker(loop: loop)
        var status: (written: Int, synced: Int32)?
        worker.submit({ () -> (Int, Int32) in
            let bytes = [UInt8](repeating: 0x5A, count: 64 << 10)
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return (written, fdatasync(fd))
        }) { status = $0 }
        loop.run()
        XCTAssertEqual(status?.written, 64 << 10)
        XCTAssertEqual(status?.synced, 0)
        worker.close()
    }

    /// Closing waits for the jobs already submitted to run, and drops their completions; a worker that is
    /// idle when the loop shuts down is closed by `shutdown()` itself.
    func testCloseRunsSubmittedJobsAndDropsTheirCompletions() throws {
        let loop = try EventLoop()
        defer { loop.shutdown() }
        let worker = try SerialWorker(loop: loop)
        let ran = Recorder()
        var completions = 0
        for index in 0..<3 {
            worker.submit({ () -> Int in
                usleep(2_000)
                ran.append(index)
                return index
            }) { _ in completions += 1 }
        }
        worker.close()
        XCTAssertEqual(ran.values, [0, 1, 2], "close() returned only after every submitted job ran")
        loop.run()  // the close callback
        XCTAssertTrue(worker.isClosing)
        XCTAssertEqual(completions, 0)
        XCTAssertEqual(worker.jobsInFlight, 0)
        _ = try SerialWorker(loop: loop)  // left open: the deferred shutdown() closes it and joins its thread
    }
}

/// Values appended from the worker thread, read on the test's thread after the worker is done with them.
private final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Int] = []
    func append(_ value: Int) { lock.withLock { recorded.append(value) } }
    var values: [Int] { lock.withLock { recorded } }
}

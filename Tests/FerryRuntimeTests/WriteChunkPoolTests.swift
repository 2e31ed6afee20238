import XCTest

@testable import FerryRuntime

final class WriteChunkPoolTests: XCTestCase {
    /// A chunk given back is the next one taken, empty; the pool keeps at most `sparesMax` and only chunks of the
    /// usual size (a partly written chunk's remainder, or one sized for a large write, is freed).
    func testSparesAreReusedEmptyBoundedAndOfTheUsualSizeOnly() {
        let pool = WriteChunkPool()
        var first = pool.take()
        XCTAssertEqual(first.capacity, TCPConnection.writeChunkBytes)
        [UInt8](repeating: 1, count: 100).withUnsafeBytes { first.append($0) }
        let memory = first.memory
        pool.give(first)
        XCTAssertEqual(pool.spareCount, 1)
        let reused = pool.take()
        XCTAssertEqual(reused.memory, memory, "the spare is reused")
        XCTAssertEqual(reused.count, 0, "and empty")
        XCTAssertEqual(pool.spareCount, 0)
        pool.give(WriteChunk(capacity: 10))
        XCTAssertEqual(pool.spareCount, 0, "an odd-sized chunk is freed")
        for _ in 0..<(WriteChunkPool.sparesMax + 3) { pool.give(WriteChunk(capacity: TCPConnection.writeChunkBytes)) }
        XCTAssertEqual(pool.spareCount, WriteChunkPool.sparesMax)
        pool.give(reused)
        XCTAssertEqual(pool.spareCount, WriteChunkPool.sparesMax, "bounded")
    }
}

import XCTest

@testable import FerryQueue

/// The queue's slots live in chunks so that a frozen copy (a snapshot being encoded) costs the loop one chunk
/// per write, not the whole array.
final class ChunkedArrayTests: XCTestCase {
    func testItBehavesAsAnArrayUnderAppendsWritesAndRemovalsFromTheFront() {
        var random = Lcg(state: 42)
        var chunked = ChunkedArray<Int>()
        var plain: [Int] = []
        for step in 0..<60_000 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0 where !plain.isEmpty:
                let n = Int.random(in: 0...min(plain.count, 9_000), using: &random)
                chunked.removeFirst(n)
                plain.removeFirst(n)
            case 1 where !plain.isEmpty:
                let i = Int.random(in: 0..<plain.count, using: &random)
                chunked[i] = -step
                plain[i] = -step
            default:
                chunked.append(step)
                plain.append(step)
            }
            XCTAssertEqual(chunked.count, plain.count)
        }
        XCTAssertEqual(Array(chunked), plain)
        XCTAssertEqual(chunked.last, plain.last)
        let half = plain.count / 2
        let chunkedTail: [Int] = Array(chunked[half...])
        XCTAssertEqual(chunkedTail, Array(plain[half...]))
        chunked.removeFirst(chunked.count)
        XCTAssertTrue(chunked.isEmpty)
        chunked.append(7)
        XCTAssertEqual(Array(chunked), [7])
    }

    func testAWriteAfterACopyCopiesOneChunkAndLeavesTheCopyAsItWas() {
        var live = ChunkedArray(0..<100_000)
        let frozen = live
        XCTAssertEqual(live.chunksShared(with: frozen), live.chunkCount)

        live[50_000] = -1
        XCTAssertEqual(live.chunksShared(with: frozen), live.chunkCount - 1, "only the written chunk was copied")
        live.append(100_000)
        XCTAssertEqual(live.chunksShared(with: frozen), frozen.chunkCount - 2, "and the one appended to")
        XCTAssertEqual(frozen[50_000], 50_000)
        XCTAssertEqual(frozen.count, 100_000)
        XCTAssertEqual(Array(frozen), Array(0..<100_000))
    }

    func testSendingToAQueueWhileASnapshotCopyIsHeldCopiesOneChunkOfItsSlots() throws {
        var harness = Harness()
        harness.create("backlog")
        for i in 0..<10_000 { harness.send("backlog", "m\(i)") }
        let frozen = harness.machine
        harness.send("backlog", "after the freeze")
        let id = try XCTUnwrap(harness.machine.queueIdByName["backlog"])
        let live = harness.machine.queues[id]!.slots
        let held = frozen.queues[id]!.slots
        XCTAssertGreaterThanOrEqual(live.chunkCount, 3)
        XCTAssertGreaterThanOrEqual(live.chunksShared(with: held), live.chunkCount - 1)
        XCTAssertEqual(held.count, 10_000, "the frozen copy is unchanged")
    }

    func testAFewElementsTakeRoomForAFewNotAWholeChunk() {
        var chunked = ChunkedArray<Int>()
        for i in 0..<10 { chunked.append(i) }
        XCTAssertLessThan(chunked.capacity, 64, "the first chunk grows as an array does")
        for i in 10..<4_097 { chunked.append(i) }
        XCTAssertEqual(chunked.chunkCount, 2)
        XCTAssertEqual(Array(chunked), Array(0..<4_097))
    }

    func testADrainedQueueKeepsNoMessageStorage() throws {
        var harness = Harness()
        for name in ["a", "b"] { harness.create(name) }
        for i in 0..<20 {
            harness.send("a", "m\(i)")
            harness.send("b", "m\(i)")
        }
        harness.fork()
        for message in harness.receive("a") + harness.receive("a") {
            XCTAssertNil(harness.delete("a", message.receiptHandle).error)
        }
        let a = try XCTUnwrap(harness.machine.queueIdByName["a"])
        let b = try XCTUnwrap(harness.machine.queueIdByName["b"])
        XCTAssertEqual(harness.machine.queues[a]!.slots.chunkCount, 0, "drained: its slots were released")
        XCTAssertEqual(harness.machine.queues[a]!.slotsHead, 0)
        XCTAssertLessThan(harness.machine.queues[b]!.slots.capacity, 64, "20 messages take room for a few dozen")
        harness.send("a", "again")
        XCTAssertEqual(harness.bodies("a"), ["again"])
        harness.machine.checkInvariants()
    }
}

/// A deterministic generator, so a failure replays.
private struct Lcg: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}

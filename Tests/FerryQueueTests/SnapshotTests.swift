import XCTest

@testable import FerryQueue

/// Issue 4: "a restored state is identical to the original (compare canonical encodings)"; docs/simulation.md, "Planted
/// bugs", bugs 18 (dedup table missing from the snapshot) and 34 (in-flight state kept only on the leader).
final class SnapshotTests: XCTestCase {
    /// A state with a bit of everything: in-flight, delayed, FIFO groups, dedup ids, attempt ids, tags,
    /// a dead-letter queue with a moved message, a running move task, a recently deleted queue.
    private func busyHarness() -> Harness {
        var h = Harness()
        h.create("dlq")
        h.create(
            "src",
            [
                "RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("dlq"))\",\"maxReceiveCount\":1}",
                "VisibilityTimeout": "5",
            ])
        _ = h.run(.tagQueue(name: "src", tags: [KeyValue("b", "2"), KeyValue("a", "1")]))
        h.create("f.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"])
        for i in 0..<20 {
            h.send(
                "src", "s\(i)", attributes: [MessageAttribute(name: "n", dataType: "Number", value: .string("\(i)"))])
            h.send("f.fifo", "f\(i)", group: "g\(i % 3)")
        }
        h.send("src", "delayed", delay: 100)
        _ = h.receive("src", max: 3)
        _ = h.receive("f.fifo", max: 4, attemptId: "try-1")
        h.advance(seconds: 5)
        _ = h.receive("src", max: 2)  // moves two to the DLQ
        _ = h.run(.startMessageMoveTask(MoveTaskRequest(sourceArn: h.arn("dlq"), maxMessagesPerSecond: 1)))
        h.create("gone")
        _ = h.run(.deleteQueue(name: "gone"))
        return h
    }

    func testRestoredStateSnapshotsToIdenticalBytes() throws {
        let h = busyHarness()
        let bytes = h.machine.snapshot()
        var restored = QueueMachine(config: .init(region: "other", accountId: "other"))
        try restored.restore(from: bytes)
        XCTAssertEqual(restored.snapshot(), bytes)
        XCTAssertEqual(restored.config, h.machine.config)
        XCTAssertEqual(restored.appliedIndex, h.machine.appliedIndex)
    }

    /// A node prepends its session table in the same buffer: the bytes are those of the prefix, then the snapshot,
    /// whatever the capacity guess (too small, exact, far too large).
    func testASnapshotAfterAPrefixIsThePrefixThenTheSnapshot() {
        let machine = busyHarness().machine
        let plain = machine.snapshot()
        let prefix: [UInt8] = [7, 0, 255, 3]
        for capacity in [0, plain.count + prefix.count, 10 * plain.count] {
            XCTAssertEqual(
                machine.snapshot(after: prefix, capacityBytes: capacity), prefix + plain, "capacity \(capacity)")
        }
        XCTAssertEqual(machine.snapshot(after: [], capacityBytes: 1), plain)
    }

    func testSnapshotIsCanonicalAcrossProcessesHashSeeds() {
        // Two machines built by the same commands give equal bytes even though their dictionaries were filled
        // in the same order under a random per-process hash seed: only sorted order reaches the encoding.
        XCTAssertEqual(busyHarness().machine.snapshot(), busyHarness().machine.snapshot())
    }

    func testRestoredTwinBehavesIdentically() {
        var h = busyHarness()
        h.fork()
        // Every command from here runs on both; the harness compares results and snapshot bytes each time.
        h.send("f.fifo", "f0", group: "g0")  // a duplicate only if the dedup table survived (bug 18)
        _ = h.receive("f.fifo", max: 4, attemptId: "try-1")
        h.advance(seconds: 30)
        h.tick()
        for _ in 0..<5 {
            let got = h.receive("src", max: 10)
            for m in got { _ = h.delete("src", m.receiptHandle) }
            _ = h.receive("f.fifo", max: 10)
            h.advance(seconds: 31)
            h.tick()
        }
        XCTAssertNotNil(h.twin)
    }

    func testDedupTableSurvivesSnapshot() throws {
        var h = Harness()
        h.create("q.fifo", ["FifoQueue": "true"])
        let original = h.send("q.fifo", "x", group: "g", dedup: "once")
        var restored = QueueMachine(config: h.machine.config)
        try restored.restore(from: h.machine.snapshot())
        let result = restored.apply(
            .sendMessages(
                queueName: "q.fifo",
                entries: [
                    SendEntry(
                        body: Array("x".utf8), messageGroupId: "g", messageDeduplicationId: "once")
                ], isBatch: false),
            at: CommandStamp(logIndex: h.logIndex + 1, timeMs: h.nowMs + 1000))
        XCTAssertEqual(
            result,
            .sent([
                EntryResult(
                    id: "",
                    .success(
                        SentMessage(
                            messageId: original.messageId, sequenceNumber: original.sequenceNumber, wasDuplicate: true))
                )
            ]))
    }

    func testInFlightStateAndHandlesSurviveSnapshot() throws {
        // Bug 34: a new leader restored from a snapshot must still honour the old handles and group locks.
        var h = Harness()
        h.create("q.fifo", ["FifoQueue": "true"])
        h.send("q.fifo", "m1", group: "g", dedup: "1")
        h.send("q.fifo", "m2", group: "g", dedup: "2")
        let held = h.receive("q.fifo", max: 1)[0]
        try h.machine.restore(from: h.machine.snapshot())
        XCTAssertEqual(h.receive("q.fifo"), [], "the group is still locked")
        XCTAssertNil(h.delete("q.fifo", held.receiptHandle).error)
        XCTAssertEqual(h.bodies("q.fifo"), ["m2"])
    }

    func testCorruptSnapshotIsRejectedAndLeavesStateUnchanged() {
        var h = busyHarness()
        let before = h.machine.snapshot()
        XCTAssertThrowsError(try h.machine.restore(from: Array(before.dropLast(3))))
        XCTAssertThrowsError(try h.machine.restore(from: [1, 2, 3]))
        XCTAssertEqual(h.machine.snapshot(), before)
        _ = h.receive("src")
    }

    /// A node's snapshot at start is read a chunk at a time (never held whole) and decoded as it arrives: behind a
    /// prefix (its session table), in chunks of any size, cutting varints, strings and bodies anywhere, the
    /// restored state is the one a whole buffer gives.
    func testARestoreStreamedInChunksOfAnySizeIsTheWholeBuffersRestore() throws {
        let bytes = busyHarness().machine.snapshot()
        let prefix: [UInt8] = [9, 9, 9]
        for chunkBytes in [1, 2, 7, 64, 1000, bytes.count] {
            var chunks = stride(from: 0, to: bytes.count, by: chunkBytes).map {
                Array(bytes[$0..<min($0 + chunkBytes, bytes.count)])
            }
            let first = chunks.removeFirst()
            var reader = VarintReader(
                prefix + first, offset: prefix.count, thenChunks: { chunks.isEmpty ? [] : chunks.removeFirst() },
                unreadBytes: bytes.count - first.count)
            var restored = QueueMachine(config: .init(region: "other", accountId: "other"))
            try restored.restore(from: &reader)
            XCTAssertEqual(restored.snapshot(), bytes, "chunks of \(chunkBytes)")
            XCTAssertTrue(chunks.isEmpty, "read to the end, chunks of \(chunkBytes)")
        }
    }

    struct ChunkDidNotVerify: Error {}

    /// A chunk that fails (storage found it does not verify) ends the restore with that error, wherever it comes:
    /// what was decoded before it is dropped, the machine is as it was. A stream shorter than it said is no state.
    func testAStreamedRestoreThatFailsMidwayLeavesTheStateUnchanged() {
        var h = busyHarness()
        let before = h.machine.snapshot()
        for failingChunk in [1, 5, before.count / 10 - 1] {
            var given = 0
            var reader = VarintReader(
                Array(before[0..<10]), offset: 0,
                thenChunks: {
                    given += 1
                    guard given < failingChunk else { throw ChunkDidNotVerify() }
                    return Array(before[given * 10..<given * 10 + 10])
                }, unreadBytes: before.count - 10)
            XCTAssertThrowsError(try h.machine.restore(from: &reader), "failing chunk \(failingChunk)") {
                XCTAssertTrue($0 is ChunkDidNotVerify, "\($0)")
            }
        }
        var short = VarintReader(
            Array(before[0..<10]), offset: 0, thenChunks: { [] }, unreadBytes: before.count - 10)
        XCTAssertThrowsError(try h.machine.restore(from: &short))
        XCTAssertEqual(h.machine.snapshot(), before)
        _ = h.receive("src")
    }

    /// A streamed snapshot is decoded before its checksum is known, so a count in it may be garbage: bounded by
    /// the rest of the file, it can still be vast. A count of tag pairs past what the stream holds is a decode
    /// error, and nothing near what it says is reserved first (2^40 pairs would be 32 TiB: a failed allocation
    /// would stop the process instead).
    func testAGarbageCountOfPairsInAStreamIsADecodeErrorNotAHugeReservation() {
        var count = VarintWriter()
        count.uvarint(1 << 40)
        var reader = VarintReader(
            count.bytes + [0, 0], offset: 0, thenChunks: { [] }, unreadBytes: 1 << 45)
        XCTAssertThrowsError(try reader.pairs()) { XCTAssertTrue($0 is DecodeError, "\($0)") }
    }

    func testCommandsRoundTripThroughTheirEncoding() throws {
        let commands: [QueueCommand] = [
            .createQueue(name: "q", attributes: [KeyValue("VisibilityTimeout", "5")], tags: [KeyValue("t", "v")]),
            .deleteQueue(name: "q"), .setQueueAttributes(name: "q", attributes: [KeyValue("a", "b")]),
            .tagQueue(name: "q", tags: []), .untagQueue(name: "q", keys: ["a", "b"]), .purgeQueue(name: "q"),
            .sendMessages(
                queueName: "q",
                entries: [
                    SendEntry(
                        id: "e", body: [1, 2, 3], delaySeconds: 4,
                        attributes: [
                            MessageAttribute(name: "s", dataType: "String.x", value: .string("é")),
                            MessageAttribute(name: "b", dataType: "Binary", value: .binary([0, 255])),
                        ],
                        awsTraceHeader: "Root=1", messageGroupId: "g", messageDeduplicationId: "d")
                ], isBatch: true),
            .receiveMessages(
                ReceiveRequest(
                    queueName: "q", maxMessages: 7, visibilityTimeoutSeconds: 0, receiveRequestAttemptId: "a")),
            .receiveMessages(ReceiveRequest(queueName: "q")),
            .deleteMessages(queueName: "q", entries: [HandleEntry(id: "1", receiptHandle: "h")], isBatch: false),
            .changeVisibility(
                queueName: "q", entries: [HandleEntry(id: "1", receiptHandle: "h", visibilityTimeoutSeconds: 9)],
                isBatch: true),
            .startMessageMoveTask(MoveTaskRequest(sourceArn: "arn", destinationArn: nil, maxMessagesPerSecond: 3)),
            .cancelMessageMoveTask(taskHandle: "t"), .tick,
        ]
        for command in commands {
            XCTAssertEqual(try QueueCommand.decode(command.encode()), command)
        }
        XCTAssertThrowsError(try QueueCommand.decode([1, 99]))
        XCTAssertThrowsError(try QueueCommand.decode(QueueCommand.tick.encode() + [0]))
    }
}

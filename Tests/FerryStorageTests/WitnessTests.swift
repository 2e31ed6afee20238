import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// Witness records: the last batch before the log falls idle has no later record to say it was
/// durable, so without one a bit flip in it would pass for a torn write and be cut (NATS JetStream
/// 2.12.1). A witness record closes that gap, lazily: under load the next batch is the witness.
final class WitnessTests: XCTestCase {
    let keepEverything = DiskFaults(crashKeepWriteProbability: 1, crashTearWriteProbability: 0)
    let entryRecordBytes = recordOffset(ofIndex: 2, firstIndex: 1)

    /// Two batches, both durable, the second unwitnessed: the shape of a log that just fell idle.
    func idleLog(faults: DiskFaults = .crashOnly) throws -> StorageUnderTest {
        let node = try StorageUnderTest(faults: faults)
        node.storage.append(entries(1...5, term: 1))
        try node.persist()
        node.storage.append(entries(6...8, term: 1))
        try node.persist()
        return node
    }

    func testAnIdleLogOwesAWitnessForItsLastBatchAndPaysItOnce() throws {
        let node = try idleLog()
        XCTAssertTrue(node.storage.owesWitness)
        let batchEnd = node.storage.durableThrough

        node.storage.stageWitness()
        XCTAssertFalse(node.storage.owesWitness, "staged, it is no longer owed")
        let write = try XCTUnwrap(try node.persist())

        XCTAssertEqual(write.witnessedThrough, batchEnd)
        XCTAssertNil(write.entriesEnd, "a witness write holds no entry")
        XCTAssertFalse(node.storage.owesWitness, "a witness record needs no witness of its own")
        try node.restart()
        XCTAssertFalse(node.storage.owesWitness, "the witness is on disk")
        XCTAssertEqual(node.recovered.entries, entries(1...8, term: 1))
        XCTAssertNil(node.report.tornTail)
    }

    func testABitFlipInTheLastBatchIsCorruptionOnceItsWitnessIsDurable() throws {
        let node = try idleLog()
        node.storage.stageWitness()
        try node.persist()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let record7 = recordOffset(ofIndex: 7, firstIndex: 1)
        try node.disk.flipBit(segment, byteOffset: record7 + 60, bit: 5)

        node.assertRefusesAsCorruption(file: segment, offset: record7, "a flipped bit in a witnessed batch")
    }

    func testATornWitnessAtTheTailIsCutAndTheBatchKept() throws {
        let node = try idleLog(faults: keepEverything)
        node.storage.stageWitness()
        let write = try XCTUnwrap(try node.storage.nextWrite())
        for operation in write.operations {
            if case .write = operation { try operation.perform(on: node.disk) }  // never synced
        }
        node.disk.crash()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let witnessOffset = recordOffset(ofIndex: 9, firstIndex: 1)
        XCTAssertEqual(try node.disk.fileSize(segment), witnessOffset + WALRecord.headerBytes)
        try node.disk.truncateAtRest(segment, toSize: witnessOffset + 20)  // power failed mid-witness

        try node.restart()

        XCTAssertEqual(node.recovered.entries, entries(1...8, term: 1), "the batch it witnessed stays")
        XCTAssertEqual(node.report.tornTail?.offset, witnessOffset)
        XCTAssertEqual(node.report.tornTail?.bytesDropped, 20)
        XCTAssertTrue(node.storage.owesWitness, "the cut witness is owed again")
    }

    func testAWitnessTornAtSectorGranularityNeverDamagesTheBatchBeforeIt() throws {
        // The witness starts mid-sector, after synced bytes of the batch. Torn sector by sector, the
        // sector it shares with the batch keeps the batch's bytes whichever way it tears.
        for seed in 0..<40 as Range<UInt64> {
            let node = try StorageUnderTest(
                seed: seed, faults: DiskFaults(crashKeepWriteProbability: 0, crashTearWriteProbability: 1))
            node.storage.append(entries(1...3, term: 1, sizeBytes: 100 + Int(seed) * 13))
            try node.persist()
            XCTAssertNotEqual(
                node.storage.durableThrough.offset % DiskFaults.sectorBytes, 0, "seed \(seed): mid-sector")
            node.storage.stageWitness()
            let write = try XCTUnwrap(try node.storage.nextWrite())
            for operation in write.operations {
                if case .write = operation { try operation.perform(on: node.disk) }
            }

            try node.crashAndRestart()

            XCTAssertEqual(
                node.recovered.entries, entries(1...3, term: 1, sizeBytes: 100 + Int(seed) * 13), "seed \(seed)")
        }
    }

    func testUnderContinuousLoadNoWitnessIsOwedAndNoFsyncIsAdded() throws {
        // Large segments, commit-only hard state never written: one fdatasync per batch is the floor.
        let node = try StorageUnderTest(options: StorageOptions(segmentBytesMax: 1 << 20))
        var next: LogIndex = 1
        let batches = 200
        var witnessesWritten = 0
        let syncsBefore = node.disk.syncCount
        for batch in 0..<batches {
            let count = LogIndex(1 + batch % 16)
            // Load: the next batch is staged as soon as the last write completed, as a busy node does;
            // a node writes a witness only when nothing else is staged (here: never).
            node.storage.append(entries(next...(next + count - 1), term: 1))
            next += count
            XCTAssertFalse(node.storage.owesWitness, "batch \(batch): staged records already witness the last write")
            let write = try XCTUnwrap(try node.persist())
            XCTAssertEqual(
                write.witnessedThrough,
                batch == 0 ? .zero : node.storage.durableThrough.advanced(by: -write.bytesWritten))
            if node.storage.owesWitness && batch == batches - 1 {
                node.storage.stageWitness()
                try node.persist()
                witnessesWritten += 1
            }
        }
        // The first write also creates the segment: one directory fsync.
        XCTAssertEqual(node.disk.syncCount - syncsBefore, batches + 1 + witnessesWritten)
        XCTAssertEqual(witnessesWritten, 1, "one witness once the load stops")
        XCTAssertFalse(node.storage.owesWitness)
    }

    func testNoWitnessIsOwedWhileAWriteIsInFlight() throws {
        let node = try idleLog()
        node.storage.append(entries(9...9, term: 1))
        let write = try XCTUnwrap(try node.storage.nextWrite())
        XCTAssertFalse(node.storage.owesWitness, "the write in flight carries the witness")
        try node.storage.complete(write, write.performCatching(on: node.disk))
        XCTAssertTrue(node.storage.owesWitness, "now entry 9 is the unwitnessed last batch")
    }

    func testARecoveredUnwitnessedTailIsOwedAWitnessAndRefusesOnceItIsWritten() throws {
        // A crash before the witness: recovery keeps the last batch (it verifies) and owes its witness,
        // which goes into the fresh segment the restarted log writes to.
        let node = try idleLog()
        try node.crashAndRestart()
        XCTAssertEqual(node.recovered.entries, entries(1...8, term: 1))
        XCTAssertTrue(node.storage.owesWitness)
        node.storage.stageWitness()
        try node.persist()
        XCTAssertEqual(try node.segmentPaths().count, 2)
        let first = try XCTUnwrap(try node.segmentPaths().first)
        try node.disk.flipBit(first, byteOffset: recordOffset(ofIndex: 8, firstIndex: 1) + 3)

        node.assertRefusesAsCorruption(
            file: first, offset: recordOffset(ofIndex: 8, firstIndex: 1),
            "the witness in the next segment covers the whole of the first")
    }

    func testALogResetIsWitnessedLikeEntries() throws {
        let node = try idleLog()
        node.storage.stageWitness()
        try node.persist()
        // A leader's snapshot past the log: the reset record is the new tail and must be witnessed.
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 20, term: 2, configuration: testConfiguration), data: payload(20))
        node.storage.installSnapshot(snapshot)
        try node.persist()
        XCTAssertTrue(node.storage.owesWitness)
        node.storage.stageWitness()
        try node.persist()
        try node.restart()
        XCTAssertEqual(node.recovered.snapshot.metadata.index, 20)
        XCTAssertEqual(node.recovered.entries, [])
        XCTAssertFalse(node.storage.owesWitness)
    }
}

extension LogCursor {
    func advanced(by bytes: Int) -> LogCursor { LogCursor(segment: segment, offset: offset + bytes) }
}

extension DurableWrite {
    /// Bytes of log records this write appends.
    var bytesWritten: Int {
        operations.reduce(0) { total, operation in
            if case .write(_, _, _, let bytes) = operation { return total + bytes.count }
            return total
        }
    }
}

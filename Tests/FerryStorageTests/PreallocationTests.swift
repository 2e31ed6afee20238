import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// Spare segments: the log's next segment is zero-filled ahead of need, off the loop, and renamed into place
/// at the roll, so appends rewrite bytes already on disk and their fdatasync leaves the file's size and block
/// map alone. Recovery reads zeros after the last record as the end of the segment, never as a torn write,
/// unless a durability witness says records were there; it removes a spare it finds.
final class PreallocationTests: XCTestCase {
    let recordBytes = recordOffset(ofIndex: 2, firstIndex: 1)
    /// The first spare of a storage instance (the numbering restarts with each one).
    let spareName = StorageLayout.spareSegmentName(number: 1)

    func preallocating(segmentBytesMax: Int = 64 << 10, faults: DiskFaults = .crashOnly) throws -> StorageUnderTest {
        try StorageUnderTest(
            faults: faults, options: .testing(segmentBytesMax: segmentBytesMax, preallocateSegments: true))
    }

    func testTheSpareIsZeroFilledAndBecomesTheNextSegmentWhoseAppendsDoNotGrowIt() throws {
        let node = try preallocating()
        try node.prepareSpare()
        XCTAssertEqual(try node.disk.fileSize(testDirectory + "/" + spareName), 64 << 10)
        XCTAssertNil(node.storage.nextPreparation(), "one spare at a time")

        node.storage.append(entries(1...5, term: 1))
        let write = try XCTUnwrap(try node.persist())
        XCTAssertTrue(write.operations.contains { if case .rename = $0 { return true } else { return false } })
        XCTAssertFalse(try node.files().contains(spareName), "renamed into place")
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        XCTAssertEqual(try node.disk.fileSize(segment), 64 << 10)
        try node.appendDurably(6...10)
        XCTAssertEqual(try node.disk.fileSize(segment), 64 << 10, "appends land in the zeros")
        XCTAssertNotNil(node.storage.nextPreparation(), "the spare was used: the next one is due")
    }

    func testANewSpareNeverTouchesTheOneStillBeingRenamedIntoPlace() throws {
        // The roll that uses a spare stages its rename; the next spare can be handed out before that write
        // runs. It must be another file, or zero-filling it would wipe the segment the rename just made.
        let node = try preallocating()
        try node.prepareSpare()
        node.storage.append(entries(1...5, term: 1))  // stages the rename of spare 1
        let next = try XCTUnwrap(node.storage.nextPreparation())
        XCTAssertNotEqual(next.path, testDirectory + "/" + spareName)
        node.storage.completePreparation(next, next.performCatching(on: node.disk))
        try node.persist()
        try node.appendDurably(6...6)

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...6, term: 1))
        XCTAssertNil(node.report.tornTail)
    }

    func testASegmentCreatedEmptyGivesWayToTheSpareOnceItIsReady() throws {
        let node = try preallocating()
        try node.appendDurably(1...3)
        XCTAssertEqual(
            try node.disk.fileSize(try XCTUnwrap(try node.segmentPaths().first)), 3 * recordBytes,
            "no spare yet: the first segment is created empty")
        try node.prepareSpare()
        try node.appendDurably(4...5)
        XCTAssertEqual(try node.segmentPaths().count, 2, "the next append rolled to the spare")

        try node.crashAndRestart()
        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1))
        XCTAssertNil(node.report.tornTail)
    }

    func testRecoveryReadsAZeroFilledTailAsTheEndOfTheLogAndCutsNothing() throws {
        let node = try preallocating()
        try node.prepareSpare()
        try node.appendDurably(1...5, 6...8)
        let segment = try XCTUnwrap(try node.segmentPaths().first)

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...8, term: 1))
        XCTAssertNil(node.report.tornTail, "zeros past the last record are room, not a torn write")
        XCTAssertEqual(node.storage.durableThrough, LogCursor(segment: 1, offset: 8 * recordBytes))
        XCTAssertEqual(try node.disk.fileSize(segment), 64 << 10, "nothing truncated")
        XCTAssertTrue(node.storage.owesWitness, "the last batch still needs its witness")
        try node.appendDurably(9...9)
        try node.restart()
        XCTAssertEqual(node.recovered.entries, entries(1...9, term: 1), "the log continues in the next segment")
    }

    func testRecoveryRemovesASpareItFindsReadyOrNot() throws {
        let node = try preallocating()
        _ = try XCTUnwrap(node.storage.nextPreparation())  // opened, never filled: the crash came first
        try node.restart()
        XCTAssertFalse(try node.files().contains(spareName))
        XCTAssertEqual(node.report.removedFiles, [testDirectory + "/" + spareName])

        try node.prepareSpare()
        try node.restart()
        XCTAssertFalse(try node.files().contains(spareName))
    }

    func testACrashBeforeTheRenameIsDurableLosesNothingAcknowledged() throws {
        for seed in 0..<20 as Range<UInt64> {
            let node = try StorageUnderTest(
                seed: seed, options: .testing(segmentBytesMax: 64 << 10, preallocateSegments: true))
            try node.appendDurably(1...3)
            try node.prepareSpare()
            node.storage.append(entries(4...5, term: 1))  // rolls to the spare
            let write = try XCTUnwrap(try node.storage.nextWrite())
            for operation in write.operations {
                if case .syncDirectory = operation { break }  // power fails before the rename is durable
                try operation.perform(on: node.disk)
            }

            try node.crashAndRestart()

            XCTAssertTrue(
                [entries(1...3, term: 1), entries(1...5, term: 1)].contains(node.recovered.entries), "seed \(seed)")
            XCTAssertFalse(try node.files().contains(spareName), "seed \(seed)")
        }
    }

    func testTheSparesNewNameIsDurableBeforeAnyRecordIsWrittenIntoIt() throws {
        // Seed 776 of the queue simulator: a rewrite spanning several segments began with the spare renamed
        // into place; power failed before the write's closing directory fsync, the spare's new name was lost
        // and a later segment's kept, leaving a hole whose far side read as a rewrite. Whatever prefix of
        // the name operations a crash keeps, the renamed segment must exist once records are written to it.
        for seed in 0..<20 as Range<UInt64> {
            let segmentBytesMax = 4 * recordBytes
            let node = try StorageUnderTest(
                seed: seed, options: .testing(segmentBytesMax: segmentBytesMax, preallocateSegments: true))
            try node.appendDurably(1...3)
            try node.prepareSpare()
            node.storage.append(entries(2...9, term: 2))  // a follower replacing 2-3: spare first, then new files
            let write = try XCTUnwrap(try node.storage.nextWrite())
            guard let renameAt = write.operations.firstIndex(where: { if case .rename = $0 { true } else { false } }),
                case .rename(_, let renamed) = write.operations[renameAt]
            else { return XCTFail("the roll used no spare") }
            let firstWriteInto = try XCTUnwrap(
                write.operations.firstIndex {
                    if case .write(_, let path, _, _) = $0 { path == renamed } else { false }
                })
            for operation in write.operations[..<firstWriteInto] { try operation.perform(on: node.disk) }

            node.disk.crash()

            XCTAssertTrue(try node.files().contains(String(renamed.split(separator: "/").last!)), "seed \(seed)")
        }
    }

    func testZerosWhereWitnessedRecordsWereAreCorruptionNotTheEndOfTheLog() throws {
        // A lost or misdirected write leaves preallocated zeros where an acknowledged batch should be. Here
        // the batch fills its segment exactly, so the witness record that covers it opens the next segment,
        // and nothing after the zeros in the first one tells them apart from unused room.
        let segmentBytesMax = 4 * recordBytes
        let node = try preallocating(segmentBytesMax: segmentBytesMax)
        try node.prepareSpare()
        try node.appendDurably(1...2, 3...4)
        node.storage.stageWitness()
        try node.persist()
        XCTAssertEqual(try node.segmentPaths().count, 2, "the witness record rolled to a new segment")
        let first = try XCTUnwrap(try node.segmentPaths().first)
        let record3 = recordOffset(ofIndex: 3, firstIndex: 1)
        try node.disk.overwrite(first, at: record3, with: [UInt8](repeating: 0, count: segmentBytesMax - record3))

        node.assertRefusesAsCorruption(file: first, offset: record3, "witnessed entries read back as zeros")
    }

    func testAnAppendTornInsidePreallocatedBytesIsCutAsATornTail() throws {
        let node = try preallocating()
        try node.prepareSpare()
        try node.appendDurably(1...5)
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let record6 = recordOffset(ofIndex: 6, firstIndex: 1)
        // The first 30 bytes of entry 6's record reached the disk; the rest is still zeros.
        var partial = [UInt8]()
        WALRecord.entry(entries(6...6, term: 1)[0], durableThrough: node.storage.durableThrough).encode(into: &partial)
        try node.disk.overwrite(segment, at: record6, with: Array(partial.prefix(30)))

        try node.restart()

        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1))
        XCTAssertEqual(node.report.tornTail?.offset, record6)
    }

    func testABitFlipInTheZerosPastTheWitnessIsATornTailAndKeepsTheLog() throws {
        let node = try preallocating()
        try node.prepareSpare()
        try node.appendDurably(1...5)
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        try node.disk.flipBit(segment, byteOffset: 5 * recordBytes + 700, bit: 2)

        try node.restart()

        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1))
        XCTAssertEqual(node.report.tornTail?.offset, 5 * recordBytes, "unwitnessed bytes: cut, nothing durable lost")
    }

    func testEntriesLostFromTheEndOfAnEarlierSegmentAreCorruption() throws {
        // Each segment ends in zeros once the log rolls past it; where its records end is known only from
        // the records. If the last batch of an earlier segment reads back as zeros, the next segment no
        // longer continues the log, and later records witness that the batch was durable.
        let segmentBytesMax = 4 * recordBytes + 50
        let node = try preallocating(segmentBytesMax: segmentBytesMax)
        try node.prepareSpare()
        try node.appendDurably(1...2, 3...4)
        try node.prepareSpare()
        node.storage.append(entries(5...6, term: 1))  // rolls to the second spare
        try node.persist()
        try node.appendDurably(7...7)
        let first = try XCTUnwrap(try node.segmentPaths().first)
        XCTAssertEqual(try node.segmentPaths().count, 2)
        let record3 = recordOffset(ofIndex: 3, firstIndex: 1)
        try node.disk.overwrite(first, at: record3, with: [UInt8](repeating: 0, count: segmentBytesMax - record3))

        guard case .corruption = node.reopenError() else {
            return XCTFail("entries 3-4 were durable and witnessed: recovery must refuse, not shorten the log")
        }
    }

    func testRolledSegmentsEndingInZerosRecoverWhole() throws {
        let segmentBytesMax = 4 * recordBytes + 50  // 50 bytes of zeros end each full segment
        let node = try preallocating(segmentBytesMax: segmentBytesMax)
        for index in 1...12 as ClosedRange<LogIndex> {
            if let preparation = node.storage.nextPreparation() {
                node.storage.completePreparation(preparation, preparation.performCatching(on: node.disk))
            }
            node.storage.append(entries(index...index, term: 1))
            try node.persist()
        }
        XCTAssertEqual(try node.segmentPaths().count, 3)

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...12, term: 1))
        XCTAssertNil(node.report.tornTail)
    }

    func testAFailedPreparationCostsOnlyTheSpeedUpAndWaitsForTheNextRoll() throws {
        let node = try preallocating(faults: DiskFaults(capacityBytes: 16 << 10))
        let preparation = try XCTUnwrap(node.storage.nextPreparation())
        let result = preparation.performCatching(on: node.disk)
        guard case .failure(.noSpace) = result else { return XCTFail("a 64 KiB spare cannot fit in 16 KiB: \(result)") }
        node.storage.completePreparation(preparation, result)
        XCTAssertEqual(try node.disk.fileSize(testDirectory + "/" + spareName), 0, "the space is given back")

        XCTAssertNil(node.storage.nextPreparation(), "not retried before the log rolls to a new segment")
        try node.appendDurably(1...5)
        XCTAssertFalse(try node.files().contains(spareName), "the empty spare is removed with the next write")
        try node.restart()
        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1))
    }
}

extension StorageUnderTest {
    /// Appends each range of term-1 entries as its own durable write.
    func appendDurably(_ batches: ClosedRange<LogIndex>...) throws {
        for batch in batches {
            storage.append(entries(batch, term: 1))
            try persist()
        }
    }

    /// Zero-fills a spare at once, as the runtime would off the loop.
    func prepareSpare() throws {
        let preparation = try XCTUnwrap(storage.nextPreparation())
        storage.completePreparation(preparation, preparation.performCatching(on: disk))
    }
}

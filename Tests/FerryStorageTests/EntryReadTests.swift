import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// A leader keeps no payload of an applied entry past a small cache: storage reads the entries a lagging follower
/// needs back from the segment files, one AppendEntries' worth at a time, and verifies every record it reads.
final class EntryReadTests: XCTestCase {
    /// 48 header bytes, a 5-byte payload frame and 40 bytes of command (`recordOffset`).
    let recordBytes = WALRecord.headerBytes + 5 + 40

    func testEntriesReadBackAreTheOnesWrittenAcrossEverySegment() throws {
        let node = try storageFilledWith200Entries()
        XCTAssertGreaterThan(try node.segmentPaths().count, 10)
        XCTAssertEqual(node.storage.entries(from: 1, through: 200, bytesMax: .max), entries(1...200, term: 1))
        XCTAssertEqual(node.storage.entries(from: 57, through: 57, bytesMax: .max), entries(57...57, term: 1))
        XCTAssertEqual(node.storage.entryReadFailures, 0)
    }

    func testABatchStopsAtItsByteBoundAndHoldsAtLeastOneEntry() throws {
        let node = try storageFilledWith200Entries()
        XCTAssertEqual(node.storage.entries(from: 1, through: 200, bytesMax: 5 * recordBytes)?.count, 5, "at the limit")
        XCTAssertEqual(
            node.storage.entries(from: 1, through: 200, bytesMax: 5 * recordBytes - 1)?.count, 4, "one under")
        XCTAssertEqual(node.storage.entries(from: 1, through: 200, bytesMax: 5 * recordBytes + 1)?.count, 5, "one over")
        XCTAssertEqual(
            node.storage.entries(from: 9, through: 200, bytesMax: 1), entries(9...9, term: 1), "one at least")
        XCTAssertEqual(node.storage.entries(from: 9, through: 11, bytesMax: .max)?.count, 3, "up to `through`")
        let batch = try XCTUnwrap(node.storage.entries(from: 1, through: 200, bytesMax: 1 << 20))
        XCTAssertEqual(batch.count, 200)
        XCTAssertLessThanOrEqual(batch.map(\.sizeBytes).reduce(0, +), 1 << 20)
    }

    func testNothingIsServedOutsideTheDurableLog() throws {
        let node = try storageFilledWith200Entries()
        node.storage.append(entries(201...210, term: 1))
        XCTAssertNil(node.storage.entries(from: 195, through: 205, bytesMax: .max), "201... is staged, not durable")
        XCTAssertEqual(node.storage.entries(from: 195, through: 200, bytesMax: .max)?.count, 6)
        XCTAssertNil(node.storage.entries(from: 0, through: 3, bytesMax: .max), "index 0 is no entry")
        XCTAssertNil(node.storage.entries(from: 205, through: 211, bytesMax: .max), "past the last entry")
        XCTAssertNil(node.storage.entries(from: 7, through: 6, bytesMax: .max), "an empty range")
        try node.persist()
        XCTAssertEqual(node.storage.entries(from: 195, through: 210, bytesMax: .max), entries(195...210, term: 1))
    }

    func testAfterARestartRecoveredEntriesAreServedFromTheirFiles() throws {
        let node = try storageFilledWith200Entries()
        try node.crashAndRestart()
        XCTAssertEqual(node.storage.entries(from: 1, through: 200, bytesMax: .max), entries(1...200, term: 1))
        node.storage.append(entries(201...205, term: 1))
        try node.persist()
        XCTAssertEqual(node.storage.entries(from: 198, through: 205, bytesMax: .max), entries(198...205, term: 1))
    }

    func testARewrittenSuffixServesTheEntriesThatReplacedIt() throws {
        let node = try storageFilledWith200Entries()
        node.storage.append(entries(190...195, term: 2))
        try node.persist()
        let expected = entries(180...189, term: 1) + entries(190...195, term: 2)
        XCTAssertEqual(node.storage.entries(from: 180, through: 195, bytesMax: .max), expected)
        XCTAssertNil(node.storage.entries(from: 180, through: 200, bytesMax: .max), "196... was cut")
        try node.restart()
        XCTAssertEqual(node.storage.entries(from: 180, through: 195, bytesMax: .max), expected, "and after a restart")
    }

    func testEntriesUnderALeadersSnapshotAreNotServed() throws {
        let node = try storageFilledWith200Entries()
        node.storage.installSnapshot(
            Snapshot(metadata: SnapshotMetadata(index: 300, term: 2, configuration: testConfiguration), data: [1]))
        try node.persist()
        XCTAssertNil(node.storage.entries(from: 100, through: 110, bytesMax: .max))
    }

    func testRotOnDiskIsANamedCorruptionAndNeverServed() throws {
        let node = try storageFilledWith200Entries()
        let firstSegment = try node.segmentPaths().sorted()[0]
        try node.disk.flipBit(firstSegment, byteOffset: recordOffset(ofIndex: 5, firstIndex: 1) + 60, bit: 2)

        XCTAssertEqual(node.storage.entries(from: 1, through: 4, bytesMax: .max), entries(1...4, term: 1))
        XCTAssertNil(node.storage.entries(from: 1, through: 8, bytesMax: .max), "a batch across the damaged record")
        XCTAssertEqual(node.storage.entryReadFailures, 1)
        guard case .corruption(let file, let offset, _) = node.storage.lastEntryReadError else {
            return XCTFail("a named corruption, not \(String(describing: node.storage.lastEntryReadError))")
        }
        XCTAssertEqual(file, firstSegment)
        XCTAssertEqual(offset, recordOffset(ofIndex: 5, firstIndex: 1))
        XCTAssertEqual(node.storage.takeEntryReadError(), node.storage.lastEntryReadError, "reported once")
        XCTAssertNil(node.storage.takeEntryReadError())
    }

    func testAShortFileIsAFailedReadNotATrap() throws {
        let node = try storageFilledWith200Entries()
        let firstSegment = try node.segmentPaths().sorted()[0]
        try node.disk.truncateAtRest(firstSegment, toSize: recordOffset(ofIndex: 3, firstIndex: 1) + 10)
        XCTAssertNil(node.storage.entries(from: 1, through: 5, bytesMax: .max))
        XCTAssertEqual(node.storage.entryReadFailures, 1)
        XCTAssertNotNil(node.storage.lastEntryReadError)
    }

    func testEntriesOfCompactedSegmentsAreNotServed() throws {
        let node = try storageFilledWith200Entries()
        let save = try XCTUnwrap(
            node.storage.startSnapshotSave(SnapshotMetadata(index: 150, term: 1, configuration: testConfiguration)) {
                [1, 2, 3]
            })
        XCTAssertTrue(try node.storage.completeSnapshotSave(save, save.performCatching(on: node.disk)))
        try node.persist()
        XCTAssertNil(node.storage.entries(from: 1, through: 5, bytesMax: .max), "the segment is gone")
        XCTAssertEqual(node.storage.entries(from: 160, through: 200, bytesMax: .max), entries(160...200, term: 1))
    }
}

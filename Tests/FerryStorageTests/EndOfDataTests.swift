import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// Where a segment's data ends, and what recovery reads of a log: a header of all zero bytes at a record
/// boundary ends the data, and recovery checks `SegmentScan.endOfDataCheckedBytes` past it (never the rest of
/// a preallocated segment); entries a snapshot covers are verified but not decoded.
final class EndOfDataTests: XCTestCase {
    let recordBytes = recordOffset(ofIndex: 2, firstIndex: 1)
    /// Larger than the bytes checked past an end-of-data mark, so that bytes lie beyond them.
    let segmentBytesMax = 4 << 20
    let checkedBytes = SegmentScan.endOfDataCheckedBytes

    func preallocated(_ batches: ClosedRange<LogIndex>...) throws -> (StorageUnderTest, segment: String) {
        let node = try StorageUnderTest(
            options: .testing(segmentBytesMax: segmentBytesMax, preallocateSegments: true))
        try node.prepareSpare()
        for batch in batches { try node.appendDurably(batch) }
        return (node, try XCTUnwrap(try node.segmentPaths().first))
    }

    func testTheCheckedBytesStopShortOfAPreallocatedSegmentsEnd() {
        XCTAssertGreaterThanOrEqual(checkedBytes, WALRecord.framedBytesMax, "one largest record past the mark")
        XCTAssertLessThan(checkedBytes, StorageOptions().segmentBytesMax / 32)
    }

    func testNoRecordHasAnAllZeroHeader() {
        for record in [
            WALRecord.entry(entries(1...1, term: 1)[0], durableThrough: .zero),
            WALRecord.witness(last: LogPosition(index: 0, term: 0), durableThrough: .zero),
            WALRecord(kind: .logReset, index: 0, term: 0, durableThrough: .zero, payload: []),
        ] {
            var bytes: [UInt8] = []
            record.encode(into: &bytes)
            XCTAssertFalse(bytes.prefix(WALRecord.headerBytes).allSatisfy { $0 == 0 }, "\(record.kind)")
        }
    }

    func testBytesPastTheCheckedRunAreNeverRead() throws {
        // Were they read, the garbage would stop the scan and be cut as a torn tail.
        let (node, segment) = try preallocated(1...5, 6...8)
        let end = 8 * recordBytes
        try node.disk.overwrite(segment, at: end + checkedBytes, with: [UInt8](repeating: 0xA5, count: 4096))

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...8, term: 1))
        XCTAssertNil(node.report.tornTail)
        XCTAssertEqual(try node.disk.fileSize(segment), segmentBytesMax, "nothing truncated")
    }

    func testGarbageInsideTheCheckedRunIsATornTail() throws {
        // A torn write whose first sector was lost and a later one kept: zeros where the next record starts,
        // then bytes. No witness reaches past the last batch: it is cut, as when the whole tail was read.
        for garbageOffset in [WALRecord.headerBytes, 4096, checkedBytes - 1] {
            let (node, segment) = try preallocated(1...5)
            let end = 5 * recordBytes
            try node.disk.overwrite(segment, at: end + garbageOffset, with: [0x01])

            try node.restart()

            XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1), "garbage at +\(garbageOffset)")
            XCTAssertEqual(node.report.tornTail?.offset, end, "garbage at +\(garbageOffset)")
            XCTAssertEqual(try node.disk.fileSize(segment), end, "cut at the mark")
        }
    }

    func testATornWriteAtTheMarkIsCutThere() throws {
        // Entry 6's header lost (zeros), its payload and entry 7 on disk: torn inside the last batch.
        let (node, segment) = try preallocated(1...5)
        let record6 = 5 * recordBytes
        var batch: [UInt8] = []
        for entry in entries(6...7, term: 1) {
            WALRecord.entry(entry, durableThrough: node.storage.durableThrough).encode(into: &batch)
        }
        let headerZeroed = [UInt8](repeating: 0, count: WALRecord.headerBytes) + batch.dropFirst(WALRecord.headerBytes)
        try node.disk.overwrite(segment, at: record6, with: headerZeroed)

        try node.restart()

        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1))
        XCTAssertEqual(node.report.tornTail?.offset, record6)
    }

    func testZerosAtTheMarkThatLaterRecordsWitnessAreCorruption() throws {
        // Batches 3-4 and 5-6 were durable; 3-4 read back as zeros. Batch 5-6, inside the checked run,
        // witnesses that 3-4 was durable: the zero header is damage, not the end of the data.
        let (node, segment) = try preallocated(1...2, 3...4, 5...6)
        let record3 = recordOffset(ofIndex: 3, firstIndex: 1)
        try node.disk.overwrite(segment, at: record3, with: [UInt8](repeating: 0, count: 2 * recordBytes))

        node.assertRefusesAsCorruption(file: segment, offset: record3, "witnessed entries read back as zeros")
    }

    func testAFullSegmentEndsAtItsLastRecordWithoutAMark() throws {
        let segmentBytesMax = 4 * recordBytes
        let node = try StorageUnderTest(
            options: .testing(segmentBytesMax: segmentBytesMax, preallocateSegments: true))
        try node.prepareSpare()
        try node.appendDurably(1...4)
        try node.prepareSpare()
        try node.appendDurably(5...6)
        let first = try XCTUnwrap(try node.segmentPaths().first)
        XCTAssertEqual(try node.disk.fileSize(first), segmentBytesMax)
        XCTAssertEqual(try node.disk.contents(first).suffix(recordBytes), try recordBytesOf(entry: 4, in: node))

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...6, term: 1))
        XCTAssertNil(node.report.tornTail)
    }

    private func recordBytesOf(entry index: LogIndex, in node: StorageUnderTest) throws -> [UInt8] {
        let first = try XCTUnwrap(try node.segmentPaths().first)
        let offset = recordOffset(ofIndex: index, firstIndex: 1)
        return Array(try node.disk.contents(first)[offset..<offset + recordBytes])
    }

    // MARK: entries under the snapshot

    /// Entries 1...10 and 11...12 in one segment (the second batch witnesses the first) and a durable snapshot
    /// at 5 that leaves the segment in place.
    func logWithSnapshotAt5() throws -> (StorageUnderTest, segment: String) {
        let node = try StorageUnderTest(options: .testing(segmentBytesMax: 64 << 10))
        try node.appendDurably(1...10, 11...12)
        node.storage.installSnapshot(
            Snapshot(metadata: SnapshotMetadata(index: 5, term: 1, configuration: testConfiguration), data: [7]))
        try node.persist()
        return (node, try XCTUnwrap(try node.segmentPaths().first))
    }

    /// `logWithSnapshotAt5`, with entry `damaged`'s record rewritten to verify while its payload does not decode.
    func logWithUndecodablePayload(at damaged: LogIndex) throws -> (StorageUnderTest, segment: String, offset: Int) {
        let (node, segment) = try logWithSnapshotAt5()
        let offset = recordOffset(ofIndex: damaged, firstIndex: 1)
        let scan = try SegmentScan.parse(sequence: 1, path: segment, bytes: node.disk.contents(segment))
        let original = try XCTUnwrap(scan.records.first { $0.offset == offset }?.record)
        XCTAssertEqual(original.index, damaged)
        let undecodable = [UInt8](repeating: 0xEE, count: recordBytes - WALRecord.headerBytes)  // no such tag
        var bytes: [UInt8] = []
        WALRecord(
            kind: .entry, index: damaged, term: 1, durableThrough: original.durableThrough, payload: undecodable
        ).encode(into: &bytes)
        try node.disk.overwrite(segment, at: offset, with: bytes)
        return (node, segment, offset)
    }

    func testAnEntryUnderTheSnapshotIsVerifiedButItsPayloadIsNotDecoded() throws {
        let (node, _, _) = try logWithUndecodablePayload(at: 3)

        try node.restart()

        XCTAssertEqual(node.recovered.snapshot.metadata.index, 5)
        XCTAssertEqual(node.recovered.entries, entries(6...12, term: 1))
    }

    func testAnEntryAboveTheSnapshotWhosePayloadDoesNotDecodeIsCorruption() throws {
        let (node, segment, offset) = try logWithUndecodablePayload(at: 7)
        node.assertRefusesAsCorruption(file: segment, offset: offset, "entry 7 is the log's; it must decode")
    }

    func testABitFlipUnderTheSnapshotIsStillCaughtByTheChecksum() throws {
        let (node, segment) = try logWithSnapshotAt5()
        let record3 = recordOffset(ofIndex: 3, firstIndex: 1)
        try node.disk.flipBit(segment, byteOffset: record3 + WALRecord.headerBytes + 10)

        node.assertRefusesAsCorruption(file: segment, offset: record3, "witnessed, and damaged at rest")
    }
}

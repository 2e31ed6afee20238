import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// Recovery after crashes and disk faults: what is cut, what is kept, and what stops the node.
final class RecoveryTests: XCTestCase {
    /// Crashes in these tests keep every unsynced write whole unless a test says otherwise, so the
    /// bytes on disk are exactly what the test arranged.
    let keepEverything = DiskFaults(crashKeepWriteProbability: 1, crashTearWriteProbability: 0)
    let loseEverything = DiskFaults(crashKeepWriteProbability: 0, crashTearWriteProbability: 0)

    /// Runs a write's `write` operations but none of its syncs: the bytes sit in the page cache.
    func writeWithoutSync(_ node: StorageUnderTest) throws {
        let write = try XCTUnwrap(try node.storage.nextWrite())
        for operation in write.operations {
            if case .write = operation { try operation.perform(on: node.disk) }
        }
    }

    func testSyncedEntriesSurviveACrashAndUnsyncedOnesAreLost() throws {
        let node = try StorageUnderTest(faults: loseEverything)
        node.storage.append(entries(1...5, term: 1))
        try node.persist()
        node.storage.append(entries(6...8, term: 1))
        try writeWithoutSync(node)

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1))
    }

    func testATornTailIsCutAtTheFirstRecordThatDoesNotVerify() throws {
        let node = try StorageUnderTest(faults: keepEverything)
        node.storage.append(entries(1...5, term: 1))
        try node.persist()
        node.storage.append(entries(6...8, term: 1))
        try writeWithoutSync(node)
        node.disk.crash()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let record7 = recordOffset(ofIndex: 7, firstIndex: 1)
        try node.disk.truncateAtRest(segment, toSize: record7 + 30)  // power failed mid-record 7

        try node.restart()

        XCTAssertEqual(node.recovered.entries, entries(1...6, term: 1))
        XCTAssertEqual(node.report.tornTail?.file, segment)
        XCTAssertEqual(node.report.tornTail?.offset, record7)
        XCTAssertEqual(try node.disk.fileSize(segment), record7, "the torn bytes are gone from the file")
    }

    func testAfterATornTailNewEntriesContinueAndSurviveTheNextRestart() throws {
        let node = try StorageUnderTest(faults: keepEverything)
        node.storage.append(entries(1...5, term: 1))
        try node.persist()
        node.storage.append(entries(6...8, term: 1))
        try writeWithoutSync(node)
        node.disk.crash()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        try node.disk.flipBit(segment, byteOffset: recordOffset(ofIndex: 8, firstIndex: 1) + 60)
        try node.restart()
        XCTAssertEqual(node.recovered.entries.last?.index, 7)

        node.storage.append(entries(8...9, term: 2))
        try node.persist()
        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...7, term: 1) + entries(8...9, term: 2))
        XCTAssertNil(node.report.tornTail)
    }

    func testABitFlipInsideTheDurablePrefixIsCorruptionNamedByFileAndOffset() throws {
        let node = try StorageUnderTest()
        for batch in [1...5, 6...10, 11...12] as [ClosedRange<LogIndex>] {
            node.storage.append(entries(batch, term: 1))
            try node.persist()
        }
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let record3 = recordOffset(ofIndex: 3, firstIndex: 1)
        try node.disk.flipBit(segment, byteOffset: record3 + 70, bit: 3)

        guard case .corruption(let file, let offset, _) = node.reopenError() else {
            return XCTFail("a flipped bit in a synced record must stop the node, not shorten its log")
        }
        XCTAssertEqual(file, segment)
        XCTAssertEqual(offset, record3)
    }

    func testASealedSegmentCutShortIsCorruptionNotAShorterLog() throws {
        let node = try StorageUnderTest(options: .testing(segmentBytesMax: 512))
        for index in 1...20 as ClosedRange<LogIndex> {
            node.storage.append(entries(index...index, term: 1))
            try node.persist()
        }
        let first = try XCTUnwrap(try node.segmentPaths().first)
        try node.disk.truncateAtRest(first, toSize: recordOffset(ofIndex: 3, firstIndex: 1) + 10)

        guard case .corruption(let file, let offset, _) = node.reopenError() else {
            return XCTFail("synced records cut off must stop the node (NATS 2.12.1, bug 29)")
        }
        XCTAssertEqual(file, first)
        XCTAssertEqual(offset, recordOffset(ofIndex: 3, firstIndex: 1))
    }

    /// The limit of what one disk can tell: damage to the last batch before its witness record is
    /// durable (the crash came after the batch's fsync, before the witness's: see
    /// `RaftStorage.owesWitness`) looks like a torn write. Recovery cuts it but says so, with the
    /// file, offset and byte count; a commit hint that covers them turns it into `commitBeyondLog`.
    /// Once the witness is durable the same damage is corruption (`WitnessTests`).
    func testDamageToTheLastUnwitnessedBatchIsReportedAsATornTail() throws {
        let node = try StorageUnderTest()
        node.storage.append(entries(1...5, term: 1))
        try node.persist()
        node.storage.append(entries(6...8, term: 1))
        try node.persist()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        try node.disk.flipBit(segment, byteOffset: recordOffset(ofIndex: 7, firstIndex: 1) + 60)

        try node.restart()

        XCTAssertEqual(node.recovered.entries, entries(1...6, term: 1))
        XCTAssertEqual(node.report.tornTail?.offset, recordOffset(ofIndex: 7, firstIndex: 1))
        XCTAssertEqual(node.report.tornTail?.bytesDropped, 2 * recordOffset(ofIndex: 2, firstIndex: 1))
    }

    func testAMisdirectedRecordIsRejectedBecauseItsIndexIsCovered() throws {
        let node = try StorageUnderTest()
        for batch in [1...5, 6...10, 11...12] as [ClosedRange<LogIndex>] {
            node.storage.append(entries(batch, term: 1))
            try node.persist()
        }
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let bytes = try node.disk.contents(segment)
        let size = recordOffset(ofIndex: 2, firstIndex: 1)
        let record7 = Array(bytes[recordOffset(ofIndex: 7, firstIndex: 1)...].prefix(size))
        try node.disk.overwrite(segment, at: recordOffset(ofIndex: 4, firstIndex: 1), with: record7)

        guard case .corruption(let file, let offset, _) = node.reopenError() else {
            return XCTFail("record 7 written where record 4 belongs must not pass for record 4")
        }
        XCTAssertEqual(file, segment)
        XCTAssertEqual(offset, recordOffset(ofIndex: 4, firstIndex: 1))
    }

    func testAStaleRecordFromAnOlderTermIsRejectedBecauseItsTermIsCovered() throws {
        // Entry 4 was once written in term 1 and is now 4@2. A record whose term field says 1 (a
        // stale copy, or a header rewritten by a misdirected write) must not verify as 4@1.
        let node = try StorageUnderTest()
        node.storage.append(entries(1...3, term: 1))
        try node.persist()
        node.storage.append(entries(4...10, term: 2))
        try node.persist()
        node.storage.append(entries(11...12, term: 2))
        try node.persist()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        let termField = recordOffset(ofIndex: 4, firstIndex: 1) + 24
        var staleTerm = [UInt8](repeating: 0, count: 8)
        staleTerm[0] = 1
        try node.disk.overwrite(segment, at: termField, with: staleTerm)

        guard case .corruption(let file, let offset, _) = node.reopenError() else {
            return XCTFail("a record whose term was changed must not verify")
        }
        XCTAssertEqual(file, segment)
        XCTAssertEqual(offset, recordOffset(ofIndex: 4, firstIndex: 1))
    }

    func testAMissingMiddleSegmentIsReportedNotSkipped() throws {
        let node = try StorageUnderTest(options: .testing(segmentBytesMax: 512))
        for index in 1...20 as ClosedRange<LogIndex> {
            node.storage.append(entries(index...index, term: 1))
            try node.persist()
        }
        let segments = try node.segmentPaths()
        XCTAssertGreaterThan(segments.count, 3)
        try node.disk.remove(segments[1])

        XCTAssertNotNil(node.reopenError(), "a lost segment must stop the node")
    }

    func testAFollowersTruncatedSuffixStaysTruncatedAfterRestart() throws {
        let node = try StorageUnderTest()
        node.storage.append(entries(1...10, term: 1))
        try node.persist()
        node.storage.append(entries(6...8, term: 2))
        try node.persist()

        try node.crashAndRestart()

        XCTAssertEqual(node.recovered.entries, entries(1...5, term: 1) + entries(6...8, term: 2))
    }

    /// Seed 776 of the queue simulator: a follower replaced its stale suffix (6-7 of term 1) with a new
    /// leader's entries (6-30 of term 2) in one write over several new segments, and power failed before the
    /// directory fsync. The name of the rewrite's first segment was lost, the later ones kept. The segment
    /// after the hole starts with a rewrite (an index already in the log): read as one, it spliced term 2
    /// onto the stale term-1 entries, and the replica applied entries no leader had committed there.
    func testAHoleBeforeARewritingSegmentEndsTheLogThere() throws {
        // Segments of exactly seven records: the stale suffix ends the first one, the rewrite starts the next.
        let node = try StorageUnderTest(options: .testing(segmentBytesMax: recordOffset(ofIndex: 8, firstIndex: 1)))
        node.storage.append(entries(1...7, term: 1))
        try node.persist()
        let before = Set(try node.segmentPaths())
        // Entry 6 fills a segment of its own, so the segment after it starts with a rewrite of 7.
        let sevenRecordsBytes = recordOffset(ofIndex: 8, firstIndex: 1)
        node.storage.append(
            entries(6...6, term: 2, sizeBytes: 40 + sevenRecordsBytes - recordOffset(ofIndex: 2, firstIndex: 1))
                + entries(7...30, term: 2))
        try writeWithoutSync(node)
        let created = try node.segmentPaths().filter { !before.contains($0) }
        guard created.count > 2 else { return XCTFail("the rewrite spans several new segments: \(created)") }
        try node.disk.remove(created[0])  // the power loss kept every name but the first new segment's

        try node.restart()

        let terms = Dictionary(
            node.recovered.entries.map { ($0.index, $0.term) }, uniquingKeysWith: { _, last in last })
        XCTAssertEqual(
            node.recovered.entries, entries(1...7, term: 1),
            "the log ends before the hole, never term 2 after stale term 1: \(terms)")
        XCTAssertEqual(node.report.tornTail?.file, created[1])
        XCTAssertEqual(
            try node.segmentPaths().filter { !before.contains($0) }, [], "the segments after the hole are removed")
    }

    /// Entries of 200-byte payloads, two to a segment of `twoBigRecordsBytes`.
    func bigEntries(_ range: ClosedRange<LogIndex>, term: Term) -> [Entry] {
        entries(range, term: term, sizeBytes: 200)
    }
    let twoBigRecordsBytes = recordOffset(ofIndex: 3, firstIndex: 1, payloadBytes: 200)

    /// Queue simulator seed 776 (with the spare's directory fsync moved to the rename): as above, but power
    /// kept every name and lost the data of the rewrite's first segments. Those segments read as empty, and the
    /// first later segment that kept its data continued the stale suffix by index: term 2 after stale term 1.
    func testEmptySegmentsBeforeALaterSegmentOfTheSameWriteEndTheLogThere() throws {
        let node = try StorageUnderTest(options: .testing(segmentBytesMax: twoBigRecordsBytes))
        node.storage.append(bigEntries(1...6, term: 1))  // two records a segment: 1-2, 3-4, 5-6
        try node.persist()
        let before = Set(try node.segmentPaths())
        node.storage.append(bigEntries(5...12, term: 2))  // a new leader replaces 5-6: new segments 5-6, 7-8, ...
        let write = try XCTUnwrap(try node.storage.nextWrite())
        let writes = write.operations.filter { if case .write = $0 { true } else { false } }
        guard writes.count > 2 else { return XCTFail("the rewrite spans several new segments: \(writes)") }
        // Power failed before the write's fsyncs: every name kept, the first segment's records lost.
        for operation in writes.dropFirst() { try operation.perform(on: node.disk) }
        let created = try node.segmentPaths().filter { !before.contains($0) }

        try node.restart()

        XCTAssertEqual(
            node.recovered.entries, bigEntries(1...6, term: 1), "the log ends at the empty segment, never 7@2 after 6@1"
        )
        XCTAssertEqual(node.report.tornTail?.file, created[0])
        XCTAssertEqual(
            try node.segmentPaths().filter { !before.contains($0) }, [], "the rewrite's segments are removed")
        try node.restart()
        XCTAssertEqual(node.recovered.entries, bigEntries(1...6, term: 1))
    }

    /// A follower's rewrite that starts in the active segment's room and continues into new segments: whatever
    /// a power loss keeps of the unsynced writes (here, adversarially, everything but the earliest segment's),
    /// the log never reads back as the stale suffix continued by the rewrite's later entries. Storage makes a
    /// segment's part of a write durable before writing the next segment (queue simulator seed 30, 5 nodes).
    func testARewriteSpanningASegmentRollNeverRecoversTheStaleSuffixContinued() throws {
        var crashPoint = 0
        while true {
            let node = try StorageUnderTest(options: .testing(segmentBytesMax: twoBigRecordsBytes))
            node.storage.append(bigEntries(1...3, term: 1))  // segments 1-2 and 3 (with room for one more)
            try node.persist()
            // A new leader replaces 3: 3@2 in the room, 4-6 in new segments.
            node.storage.append(bigEntries(3...6, term: 2))
            let operations = try XCTUnwrap(try node.storage.nextWrite()).operations
            guard crashPoint <= operations.count else { break }
            var unsynced: [(path: String, operation: DiskOperation)] = []
            for operation in operations.prefix(crashPoint) {
                switch operation {
                case .write(_, let path, _, _): unsynced.append((path, operation))
                case .sync(_, let path):
                    for write in unsynced where write.path == path { try write.operation.perform(on: node.disk) }
                    unsynced.removeAll { $0.path == path }
                default: try operation.perform(on: node.disk)
                }
            }
            // The power loss keeps every unsynced write but those of the earliest segment written.
            for write in unsynced where write.path != unsynced.first!.path {
                try write.operation.perform(on: node.disk)
            }

            try node.restart()

            let entries = node.recovered.entries
            XCTAssertEqual(Array(entries.prefix(2)), bigEntries(1...2, term: 1), "crash at \(crashPoint)")
            if entries.count > 2 {
                XCTAssertTrue(
                    entries[2] == bigEntries(3...3, term: 1)[0] ? entries.count == 3 : entries[2].term == 2,
                    "crash at \(crashPoint): \(entries.map { "\($0.index)@\($0.term)" })")
            }
            crashPoint += 1
        }
        XCTAssertGreaterThan(crashPoint, 3)
    }

    /// Entries 1-4 durable, then 5-8 staged over two new segments and the process killed before the write's
    /// fsyncs, with the records of its later segment written (a crash that lost the first segment's) or none.
    func restartedDuringAWriteOfTwoSegments(keepingTheLaterOnesRecords: Bool) throws -> StorageUnderTest {
        let node = try StorageUnderTest(options: .testing(segmentBytesMax: twoBigRecordsBytes))
        node.storage.append(bigEntries(1...4, term: 1))
        try node.persist()
        node.storage.append(bigEntries(5...8, term: 1))
        let write = try XCTUnwrap(try node.storage.nextWrite())
        if keepingTheLaterOnesRecords {
            for operation in write.operations.filter({ if case .write = $0 { true } else { false } }).dropFirst() {
                try operation.perform(on: node.disk)
            }
        }
        try node.restart()
        XCTAssertEqual(node.recovered.entries, bigEntries(1...4, term: 1))
        return node
    }

    /// A new leader's entries, and a commit covering them, made durable.
    func persistCommitted(_ node: StorageUnderTest, _ leaders: [Entry]) throws {
        node.storage.append(leaders)
        node.storage.setHardState(HardState(term: 2, votedFor: 1, commit: leaders.last!.index))
        try node.persist()
    }

    func testSegmentsLeftEmptyByACrashAreNotAGapForTheWritesAfterTheRestart() throws {
        let node = try restartedDuringAWriteOfTwoSegments(keepingTheLaterOnesRecords: false)
        XCTAssertNil(node.report.tornTail)
        try persistCommitted(node, bigEntries(5...8, term: 2))

        try node.restart()

        XCTAssertEqual(node.recovered.entries, bigEntries(1...4, term: 1) + bigEntries(5...8, term: 2))
        XCTAssertNil(node.report.tornTail)
    }

    func testARewriteWrittenAfterRecoveryDroppedSegmentsSurvivesTheNextRecovery() throws {
        // Recovery drops the segments of a torn write; the next segment must not leave a hole in the chain
        // that the rule above (a hole before a rewrite is a torn write) would read as one, dropping a
        // completed write: here a new leader's entries replacing 4, committed.
        let node = try restartedDuringAWriteOfTwoSegments(keepingTheLaterOnesRecords: true)
        XCTAssertNotNil(node.report.tornTail)
        try persistCommitted(node, bigEntries(4...6, term: 2))

        try node.restart()

        XCTAssertEqual(node.recovered.entries, bigEntries(1...3, term: 1) + bigEntries(4...6, term: 2))
        XCTAssertNil(node.report.tornTail)
    }

    /// Queue simulator seed 81: a follower installed a leader's snapshot that its log contradicts, and power
    /// failed after the snapshot was durable, before the log reset record was. Recovery dropped the log as
    /// conflicting with the snapshot, but only in memory: the entries written after the restart continued the
    /// stale records on disk, and the next recovery dropped them with the stale ones, committed entries included.
    func testEntriesWrittenAfterRecoveryDroppedAConflictingLogSurviveTheNextRecovery() throws {
        // The stale log ends at the snapshot's index (as in seed 81: 149@10 under the snapshot 149@11), or past it.
        for staleLastIndex in [8, 10] as [LogIndex] {
            let node = try StorageUnderTest()
            node.storage.append(entries(1...staleLastIndex, term: 1))
            try node.persist()
            let leaders = Snapshot(
                metadata: SnapshotMetadata(index: 8, term: 2, configuration: testConfiguration), data: [1, 2, 3])
            node.storage.installSnapshot(leaders)
            let write = try XCTUnwrap(try node.storage.nextWrite())
            guard case .replaceFileWithSnapshot = write.operations.first else { return XCTFail("\(write.operations)") }
            try write.operations[0].perform(on: node.disk)  // the process dies before the log reset is written

            try node.restart()
            XCTAssertEqual(node.recovered.entries, [], "stale log through \(staleLastIndex)")
            XCTAssertEqual(node.report.discardedConflictingEntries, Int(staleLastIndex - 8))
            node.storage.append(entries(9...12, term: 2))
            node.storage.setHardState(HardState(term: 2, votedFor: 1, commit: 12))
            try node.persist()

            try node.restart()

            XCTAssertEqual(node.recovered.snapshot.metadata.index, 8, "stale log through \(staleLastIndex)")
            XCTAssertEqual(node.recovered.entries, entries(9...12, term: 2), "stale log through \(staleLastIndex)")
            XCTAssertEqual(node.recovered.hardState.commit, 12, "stale log through \(staleLastIndex)")
        }
    }

    func testAFailedFsyncIsFatalAndNeverRetried() throws {
        let node = try StorageUnderTest()
        node.storage.append(entries(1...3, term: 1))
        try node.persist()
        node.disk.faults.syncFailureProbability = 1
        node.storage.append(entries(4...5, term: 1))

        XCTAssertThrowsError(try node.persist()) { error in
            guard case .writeFailed(.io) = error as? StorageError else { return XCTFail("got \(error)") }
        }
        node.disk.faults.syncFailureProbability = 0
        node.storage.append(entries(6...6, term: 1))
        XCTAssertThrowsError(try node.storage.nextWrite()) { error in
            XCTAssertEqual(error as? StorageError, .failedEarlier)
        }
        try node.crashAndRestart()
        XCTAssertEqual(node.recovered.entries.prefix(3), ArraySlice(entries(1...3, term: 1)))
    }

    func testAFullDiskIsFatalAndNamedAsSuch() throws {
        let node = try StorageUnderTest(faults: DiskFaults(capacityBytes: 1000))
        node.storage.append(entries(1...30, term: 1))
        XCTAssertThrowsError(try node.persist()) { error in
            guard case .diskFull = error as? StorageError else { return XCTFail("got \(error)") }
        }
    }

    func testACommitHintBeyondTheRecoveredLogStopsTheNode() throws {
        let node = try StorageUnderTest()
        node.storage.append(entries(1...10, term: 1))
        node.storage.setHardState(HardState(term: 1, votedFor: 1, commit: 10))
        try node.persist()
        let segment = try XCTUnwrap(try node.segmentPaths().first)
        try node.disk.truncateAtRest(segment, toSize: recordOffset(ofIndex: 9, firstIndex: 1))

        XCTAssertEqual(node.reopenError(), .commitBeyondLog(commit: 10, lastIndex: 8))
    }

    func testAReadThatFlipsABitOnTheWayIsReadAgainNotCalledCorruption() throws {
        let node = try StorageUnderTest()
        for batch in [1...5, 6...10, 11...12] as [ClosedRange<LogIndex>] {
            node.storage.append(entries(batch, term: 1))
            try node.persist()
        }
        node.disk.faults.readBitFlipProbability = 0.2
        for attempt in 0..<10 {
            if let error = node.reopenError() {
                XCTFail("attempt \(attempt): transient read flip reported as \(error)")
            }
        }
        node.disk.faults.readBitFlipProbability = 0
        XCTAssertEqual(node.recovered.entries, entries(1...12, term: 1))
    }
}

import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// Random histories over many seeds: appends (some overwriting a suffix), own and leader
/// snapshots, compaction, hard state changes, writes held in flight (slow fsync), and power loss at
/// a random system call. After every restart, every entry reported durable is there byte for
/// byte, and nothing is there that was never written.
final class CrashHarnessTests: XCTestCase {
    /// Seeds per run: enough to reach every kind of crash point many times in a few seconds of a debug build.
    static let seedCount: UInt64 = 100
    static let stepsPerSeed = 80

    struct LogModel {
        var snapshotIndex: LogIndex = 0
        var entries: [LogIndex: Entry] = [:]
        var lastIndex: LogIndex = 0
        var hardState = HardState()
    }

    func testEveryEntryReportedDurableSurvivesRandomCrashes() throws {
        for seed in 0..<Self.seedCount {
            do { try runHistory(seed: seed) } catch { return XCTFail("seed \(seed): \(error)") }
        }
    }

    /// Damage to any byte a durable record witnesses, the last batch included once its witness record
    /// is durable, stops the node with `corruption` naming the file and the record.
    func testDamageInsideTheWitnessedPrefixAlwaysStopsTheNode() throws {
        var lastBatchHits = 0
        for seed in 0..<Self.seedCount {
            var random = SplitMix64(seed: seed)
            let node = try StorageUnderTest(seed: seed, options: .testing(segmentBytesMax: 2048))
            var next: LogIndex = 1
            var lastBatchStart = LogCursor.zero
            for _ in 0..<(5 + Int(random.next() % 20)) {
                let count = LogIndex(1 + random.next() % 6)
                node.storage.append(entries(next...(next + count - 1), term: 1, sizeBytes: Int(random.next() % 200)))
                next += count
                lastBatchStart = node.storage.durableThrough
                try node.persist()
            }
            // Everything is durable; what witnesses the last batch is either a later batch (load) or a
            // witness record (the log fell idle).
            let witnessed = node.storage.durableThrough
            let byWitnessRecord = random.next() % 2 == 0
            if byWitnessRecord {
                node.storage.stageWitness()
            } else {
                node.storage.append(entries(next...next, term: 1))
            }
            try node.persist()
            XCTAssertEqual(
                node.storage.owesWitness, !byWitnessRecord, "seed \(seed): a later batch is owed a witness in turn")
            let (path, offset) = try pickWitnessedByte(node, through: witnessed, random: &random)
            if LogCursor(segment: sequence(of: path), offset: offset) >= lastBatchStart { lastBatchHits += 1 }
            try expectRefusal(
                node, flippingBitAt: offset, of: path, bit: Int(random.next() % 8), context: "seed \(seed)")
        }
        XCTAssertGreaterThan(lastBatchHits, 0, "some flips must land in the last batch")
    }

    private func sequence(of path: String) -> UInt64 {
        StorageLayout.segmentSequence(ofName: String(path.split(separator: "/").last!))!
    }

    /// A byte of a segment before `witnessed`: earlier segments whole, the witnessed one up to its offset.
    private func pickWitnessedByte(
        _ node: StorageUnderTest, through witnessed: LogCursor,
        random: inout SplitMix64
    ) throws -> (path: String, offset: Int) {
        let sized = try node.segmentPaths().compactMap { path -> (String, Int)? in
            let end =
                sequence(of: path) < witnessed.segment
                ? try node.disk.fileSize(path)
                : sequence(of: path) == witnessed.segment ? witnessed.offset : 0
            return end > 0 ? (path, end) : nil
        }
        let (path, end) = sized[Int(random.next() % UInt64(sized.count))]
        return (path, Int(random.next() % UInt64(end)))
    }

    /// Flips a bit and expects recovery to name the file and the record holding that byte.
    private func expectRefusal(
        _ node: StorageUnderTest, flippingBitAt offset: Int, of path: String, bit: Int,
        context: String
    ) throws {
        let records = try SegmentScan.parse(sequence: sequence(of: path), path: path, bytes: node.disk.contents(path))
            .records
        let record = try XCTUnwrap(records.last { $0.offset <= offset }, context)
        XCTAssertLessThan(offset, record.offset + record.record.sizeBytes, "\(context): the byte is inside a record")
        try node.disk.flipBit(path, byteOffset: offset, bit: bit)
        node.assertRefusesAsCorruption(
            file: path, offset: record.offset, "\(context): a flipped witnessed bit at \(path)@\(offset)")
    }

    private func runHistory(seed: UInt64) throws {
        var random = SplitMix64(seed: seed ^ 0x5EED)
        let faults = DiskFaults(crashKeepWriteProbability: 0.3, crashTearWriteProbability: 0.4)
        let node = try StorageUnderTest(
            seed: seed, faults: faults, options: .testing(segmentBytesMax: 1024 + Int(seed % 4) * 512))
        var staged = LogModel()
        var durable = LogModel()
        var inFlight: (write: DurableWrite, model: LogModel)?
        var written: [LogIndex: [Entry]] = [:]
        var lowestRewritten = LogIndex.max
        var term: Term = 1

        func check(_ context: String) throws {
            let recovered = node.recovered
            let snapshotIndex = recovered.snapshot.metadata.index
            XCTAssertGreaterThanOrEqual(snapshotIndex, durable.snapshotIndex, context)
            XCTAssertGreaterThanOrEqual(recovered.hardState.term, durable.hardState.term, context)
            for (offset, entry) in recovered.entries.enumerated() {
                XCTAssertEqual(entry.index, snapshotIndex + LogIndex(offset) + 1, "\(context): contiguous")
                XCTAssertTrue(written[entry.index]?.contains(entry) ?? false, "\(context): \(entry) was never written")
            }
            let present = Dictionary(uniqueKeysWithValues: recovered.entries.map { ($0.index, $0) })
            if durable.lastIndex > snapshotIndex {
                for index in (snapshotIndex + 1)...durable.lastIndex where index < lowestRewritten {
                    XCTAssertEqual(present[index], durable.entries[index], "\(context): durable entry \(index)")
                }
            }
        }

        for step in 0..<Self.stepsPerSeed {
            let context = "seed \(seed) step \(step)"
            if ProcessInfo.processInfo.environment["FERRY_TRACE_SEED"] == "\(seed)" {
                print(
                    context, "snapshot", staged.snapshotIndex, "last", staged.lastIndex, "durable snap",
                    durable.snapshotIndex)
            }
            switch random.next() % 13 {
            case 0...4:
                var start = staged.lastIndex + 1
                if random.next() % 5 == 0 && staged.lastIndex > staged.snapshotIndex {
                    start = staged.snapshotIndex + 1 + random.next() % (staged.lastIndex - staged.snapshotIndex)
                    term += 1
                    lowestRewritten = min(lowestRewritten, start)
                }
                let count = LogIndex(1 + random.next() % 8)
                let batch = entries(start...(start + count - 1), term: term, sizeBytes: Int(random.next() % 300))
                node.storage.append(batch)
                for index in start...staged.lastIndex + 1 where index <= staged.lastIndex {
                    staged.entries[index] = nil
                }
                for entry in batch {
                    staged.entries[entry.index] = entry
                    written[entry.index, default: []].append(entry)
                }
                staged.lastIndex = start + count - 1
            case 5 where staged.lastIndex > staged.snapshotIndex:
                let index = staged.snapshotIndex + 1 + random.next() % (staged.lastIndex - staged.snapshotIndex)
                let entryTerm = staged.entries[index]!.term
                node.storage.installSnapshot(
                    Snapshot(
                        metadata: SnapshotMetadata(index: index, term: entryTerm, configuration: testConfiguration),
                        data: payload(index)))
                node.storage.compact(through: index - min(index, random.next() % 3))
                staged.snapshotIndex = index
            case 6 where random.next() % 4 == 0:
                term += 1
                let index = staged.lastIndex + 1 + random.next() % 4
                node.storage.installSnapshot(
                    Snapshot(
                        metadata: SnapshotMetadata(index: index, term: term, configuration: testConfiguration),
                        data: payload(index)))
                lowestRewritten = min(lowestRewritten, staged.snapshotIndex + 1)
                staged.entries = [:]
                staged.snapshotIndex = index
                staged.lastIndex = index
            case 7:
                term += random.next() % 2
                staged.hardState = HardState(term: term, votedFor: 1 + random.next() % 3, commit: durable.snapshotIndex)
                node.storage.setHardState(staged.hardState)
            case 8, 9:
                if let pending = inFlight {
                    try node.storage.complete(pending.write, pending.write.performCatching(on: node.disk))
                    durable = pending.model
                    inFlight = nil
                    if node.storage.durableTicket == node.storage.stagedTicket { lowestRewritten = .max }
                } else if let write = try node.storage.nextWrite() {
                    inFlight = (write, staged)
                }
            case 10, 11:
                if let pending = inFlight {
                    let budget = Int(random.next() % UInt64(pending.write.operations.count * 4 + 2))
                    _ = try? pending.write.perform(on: CrashAfterFileSystem(node.disk, mutatingCalls: budget))
                    inFlight = nil
                }
                if ProcessInfo.processInfo.environment["FERRY_TRACE_SEED"] == "\(seed)" {
                    print(context, "crash; staged", staged.snapshotIndex, staged.lastIndex, "files", try node.files())
                }
                try node.crashAndRestart()
                try check(context)
                let recovered = node.recovered
                staged = LogModel(
                    snapshotIndex: recovered.snapshot.metadata.index,
                    entries: Dictionary(uniqueKeysWithValues: recovered.entries.map { ($0.index, $0) }),
                    lastIndex: recovered.entries.last?.index ?? recovered.snapshot.metadata.index,
                    hardState: recovered.hardState)
                durable = staged
                lowestRewritten = .max
                term = max(term, recovered.hardState.term, recovered.entries.last?.term ?? 0)
            case 12 where inFlight == nil && node.storage.owesWitness:
                node.storage.stageWitness()
            default:
                break
            }
        }
        try damageTheWitnessedLog(node, seed: seed, random: &random)
    }

    /// The end of a history: the log falls idle and writes its witness; then a bit flipped anywhere in
    /// the witnessed bytes (whatever the crashes, resets and compactions before) must stop the node.
    private func damageTheWitnessedLog(_ node: StorageUnderTest, seed: UInt64, random: inout SplitMix64) throws {
        try node.crashAndRestart()
        let snapshot = node.recovered.snapshot.metadata
        let last =
            node.recovered.entries.last.map { LogPosition(index: $0.index, term: $0.term) }
            ?? LogPosition(index: snapshot.index, term: snapshot.term)
        let count = 1 + random.next() % 4
        node.storage.append(entries((last.index + 1)...(last.index + count), term: max(last.term, 1)))
        try node.persist()
        let witnessed = node.storage.durableThrough
        XCTAssertTrue(node.storage.owesWitness, "seed \(seed): an idle log owes a witness for its last batch")
        node.storage.stageWitness()
        try node.persist()
        XCTAssertFalse(node.storage.owesWitness, "seed \(seed)")
        guard
            try node.segmentPaths().contains(where: {
                sequence(of: $0) < witnessed.segment || (sequence(of: $0) == witnessed.segment && witnessed.offset > 0)
            })
        else { return }
        let (path, offset) = try pickWitnessedByte(node, through: witnessed, random: &random)
        try expectRefusal(
            node, flippingBitAt: offset, of: path, bit: Int(random.next() % 8), context: "seed \(seed) final flip")
    }
}

import FerryRaft
import XCTest
@testable import FerryStorage

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

    func testDamageInsideTheWitnessedPrefixAlwaysStopsTheNode() throws {
        for seed in 0..<Self.seedCount {
            var random = SplitMix64(seed: seed)
            let node = try StorageUnderTest(seed: seed, options: .testing(segmentBytesMax: 2048))
            var next: LogIndex = 1
            for _ in 0..<(5 + Int(random.next() % 20)) {
                let count = LogIndex(1 + random.next() % 6)
                node.storage.append(entries(next...(next + count - 1), term: 1, sizeBytes: Int(random.next() % 200)))
                next += count
                try node.persist()
            }
            // Everything but the last batch is witnessed by the records after it.
            let witnessed = node.storage.durableThrough
            node.storage.append(entries(next...next, term: 1))
            try node.persist()
            let candidates = try node.segmentPaths().filter {
                StorageLayout.segmentSequence(ofName: String($0.split(separator: "/").last!))! <= witnessed.segment
            }
            let path = candidates[Int(random.next() % UInt64(candidates.count))]
            let sequence = StorageLayout.segmentSequence(ofName: String(path.split(separator: "/").last!))!
            let end = sequence == witnessed.segment ? witnessed.offset : try node.disk.fileSize(path)
            guard end > 0 else { continue }
            try node.disk.flipBit(path, byteOffset: Int(random.next() % UInt64(end)), bit: Int(random.next() % 8))

            XCTAssertNotNil(node.reopenError(), "seed \(seed): a flipped durable bit must stop the node")
        }
    }

    private func runHistory(seed: UInt64) throws {
        var random = SplitMix64(seed: seed ^ 0x5EED)
        let faults = DiskFaults(crashKeepWriteProbability: 0.3, crashTearWriteProbability: 0.4)
        let node = try StorageUnderTest(seed: seed, faults: faults, options: .testing(segmentBytesMax: 1024 + Int(seed % 4) * 512))
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
                print(context, "snapshot", staged.snapshotIndex, "last", staged.lastIndex, "durable snap", durable.snapshotIndex)
            }
            switch random.next() % 12 {
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
                for index in start...staged.lastIndex + 1 where index <= staged.lastIndex { staged.entries[index] = nil }
                for entry in batch { staged.entries[entry.index] = entry; written[entry.index, default: []].append(entry) }
                staged.lastIndex = start + count - 1
            case 5 where staged.lastIndex > staged.snapshotIndex:
                let index = staged.snapshotIndex + 1 + random.next() % (staged.lastIndex - staged.snapshotIndex)
                let entryTerm = staged.entries[index]!.term
                node.storage.installSnapshot(Snapshot(metadata: SnapshotMetadata(index: index, term: entryTerm, configuration: testConfiguration), data: payload(index)))
                node.storage.compact(through: index - min(index, random.next() % 3))
                staged.snapshotIndex = index
            case 6 where random.next() % 4 == 0:
                term += 1
                let index = staged.lastIndex + 1 + random.next() % 4
                node.storage.installSnapshot(Snapshot(metadata: SnapshotMetadata(index: index, term: term, configuration: testConfiguration), data: payload(index)))
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
                staged = LogModel(snapshotIndex: recovered.snapshot.metadata.index,
                                  entries: Dictionary(uniqueKeysWithValues: recovered.entries.map { ($0.index, $0) }),
                                  lastIndex: recovered.entries.last?.index ?? recovered.snapshot.metadata.index,
                                  hardState: recovered.hardState)
                durable = staged
                lowestRewritten = .max
                term = max(term, recovered.hardState.term, recovered.entries.last?.term ?? 0)
            default:
                break
            }
        }
    }
}

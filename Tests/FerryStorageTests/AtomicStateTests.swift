import FerryRaft
import XCTest

@testable import FerryStorage

/// The hard state and snapshots are replaced atomically: a crash between any two system calls of
/// the write that replaces them leaves the old version or the new one, whole, never a mix or
/// nothing.
final class AtomicStateTests: XCTestCase {
    let oldHardState = HardState(term: 2, votedFor: 1, commit: 10)
    let newHardState = HardState(term: 3, votedFor: 2, commit: 12)

    func snapshot(_ index: LogIndex, term: Term) -> Snapshot {
        Snapshot(
            metadata: SnapshotMetadata(index: index, term: term, configuration: testConfiguration),
            data: payload(index, sizeBytes: 3000))
    }

    /// A node with `oldHardState`, a snapshot at 5 and entries 1...20 durable.
    func prepared(seed: UInt64) throws -> StorageUnderTest {
        let node = try StorageUnderTest(seed: seed)
        node.storage.append(entries(1...20, term: 2))
        node.storage.installSnapshot(snapshot(5, term: 2))
        node.storage.setHardState(oldHardState)
        try node.persist()
        return node
    }

    /// A leader's snapshot is staged as it came, and framed into its file only when the write is performed
    /// (off the node's thread in ferryd); the file is byte for byte the framing of metadata, length and data.
    func testAnInstalledSnapshotIsFramedWhenTheWriteIsPerformedInTheUnchangedFormat() throws {
        let node = try prepared(seed: 1)
        let installed = snapshot(15, term: 2)
        node.storage.installSnapshot(installed)
        let write = try XCTUnwrap(try node.storage.nextWrite())
        let staged = write.operations.compactMap { operation -> Snapshot? in
            if case .replaceFileWithSnapshot(_, let snapshot) = operation { return snapshot } else { return nil }
        }
        XCTAssertEqual(staged, [installed], "staged unencoded")

        var body = LittleEndianWriter()
        installed.metadata.encode(into: &body)
        body.write(UInt64(installed.data.count))
        body.writeRaw(installed.data)
        XCTAssertEqual(StateFile.encode(installed), StateFile.frame(magic: StateFile.snapshotMagic, body: body.bytes))
        XCTAssertEqual(try StateFile.decodeSnapshot(StateFile.encode(installed)).get(), installed)

        try node.storage.complete(write, write.performCatching(on: node.disk))
        try node.crashAndRestart()
        XCTAssertEqual(try node.recoveredSnapshot(), installed)
    }

    func testHardStateAndSnapshotAreOldOrNewUnderACrashAtEveryStep() throws {
        let callsInWrite = try countMutatingCalls()
        XCTAssertGreaterThan(callsInWrite, 10)
        for crashAfter in 0...callsInWrite {
            for seed in 0..<8 as Range<UInt64> {
                let node = try prepared(seed: seed)
                node.storage.installSnapshot(snapshot(15, term: 2))
                node.storage.append(entries(21...22, term: 3))
                node.storage.setHardState(newHardState)
                let write = try XCTUnwrap(try node.storage.nextWrite())
                let dying = CrashAfterFileSystem(node.disk, mutatingCalls: crashAfter)
                let completed = (try? write.perform(on: dying)) != nil

                try node.crashAndRestart()

                let context = "crash after \(crashAfter) of \(callsInWrite) calls, seed \(seed)"
                XCTAssertTrue([oldHardState, newHardState].contains(node.recovered.hardState), context)
                XCTAssertTrue([5, 15].contains(node.recovered.snapshot.metadata.index), context)
                XCTAssertEqual(
                    try node.recoveredSnapshot(), snapshot(node.recovered.snapshot.metadata.index, term: 2), context)
                let expectedEntries = entries(1...20, term: 2).filter {
                    $0.index > node.recovered.snapshot.metadata.index
                }
                XCTAssertEqual(Array(node.recovered.entries.prefix(expectedEntries.count)), expectedEntries, context)
                if completed {
                    XCTAssertEqual(node.recovered.hardState, newHardState, context)
                    XCTAssertEqual(node.recovered.snapshot.metadata.index, 15, context)
                    XCTAssertEqual(node.recovered.entries.last?.index, 22, context)
                }
            }
        }
    }

    func testAFollowersInstalledSnapshotResetsTheLogUnderACrashAtEveryStep() throws {
        for crashAfter in 0...12 {
            for seed in 0..<8 as Range<UInt64> {
                let node = try prepared(seed: seed)
                // The leader's snapshot at 30@4 does not match this log (which ends at 20@2).
                node.storage.installSnapshot(snapshot(30, term: 4))
                node.storage.append(entries(31...32, term: 4))
                let write = try XCTUnwrap(try node.storage.nextWrite())
                let completed =
                    (try? write.perform(on: CrashAfterFileSystem(node.disk, mutatingCalls: crashAfter))) != nil

                try node.crashAndRestart()

                let context = "crash after \(crashAfter), seed \(seed)"
                let recovered = node.recovered
                if recovered.snapshot.metadata.index == 30 {
                    XCTAssertTrue(recovered.entries.allSatisfy { $0.index > 30 && $0.term == 4 }, context)
                } else {
                    XCTAssertEqual(recovered.snapshot.metadata.index, 5, context)
                    XCTAssertEqual(recovered.entries, entries(6...20, term: 2), context)
                }
                if completed { XCTAssertEqual(recovered.entries, entries(31...32, term: 4), context) }
            }
        }
    }

    private func countMutatingCalls() throws -> Int {
        let node = try prepared(seed: 0)
        node.storage.installSnapshot(snapshot(15, term: 2))
        node.storage.append(entries(21...22, term: 3))
        node.storage.setHardState(newHardState)
        let write = try XCTUnwrap(try node.storage.nextWrite())
        let counter = CrashAfterFileSystem(node.disk, mutatingCalls: Int.max)
        try write.perform(on: counter)
        return Int.max - counter.callsLeft
    }
}

import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

/// A leader keeps no snapshot data in memory: storage reads each chunk a follower needs back from the durable
/// snapshot file, and verifies it against the block checksums taken while the data passed through.
final class SnapshotChunkReadTests: XCTestCase {
    /// 200 KB: more than three checksum blocks, the last one short.
    let data: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }

    func saved(_ node: StorageUnderTest, at index: LogIndex = 150) throws -> StoredSnapshot {
        let data = self.data
        let save = try XCTUnwrap(
            node.storage.startSnapshotSave(
                SnapshotMetadata(index: index, term: 1, configuration: testConfiguration)
            ) { data })
        let result = save.performCatching(on: node.disk)
        XCTAssertTrue(try node.storage.completeSnapshotSave(save, result))
        try node.persist()
        return try result.get().stored
    }

    func read(_ node: StorageUnderTest, _ snapshot: StoredSnapshot, chunkBytes: Int) -> [UInt8]? {
        var out: [UInt8] = []
        while out.count < snapshot.sizeBytes {
            let count = min(chunkBytes, snapshot.sizeBytes - out.count)
            guard let chunk = node.storage.snapshotChunk(of: snapshot, offset: out.count, count: count) else {
                return nil
            }
            XCTAssertEqual(chunk.count, count)
            out += chunk
        }
        return out
    }

    func testChunksOfTheSavedSnapshotAreItsDataAtAnyChunkSize() throws {
        let node = try storageFilledWith200Entries()
        let snapshot = try saved(node)
        XCTAssertEqual(snapshot.sizeBytes, data.count)
        for chunkBytes in [1000, 65_536, 100_000, 256 << 10] {
            XCTAssertEqual(read(node, snapshot, chunkBytes: chunkBytes), data, "chunks of \(chunkBytes)")
        }
        XCTAssertEqual(node.storage.snapshotChunk(of: snapshot, offset: data.count, count: 0), [], "the empty end")
    }

    func testAfterARestartChunksAreServedFromTheFileVerifiedAtStart() throws {
        let node = try storageFilledWith200Entries()
        let snapshot = try saved(node)
        try node.crashAndRestart()
        XCTAssertEqual(try node.recoveredSnapshot().data, data)
        XCTAssertEqual(read(node, snapshot, chunkBytes: 256 << 10), data)
    }

    func testNothingIsServedForAnotherSnapshotOrPastTheEnd() throws {
        let node = try storageFilledWith200Entries()
        let snapshot = try saved(node)
        var other = snapshot
        other.metadata.index = 140
        XCTAssertNil(node.storage.snapshotChunk(of: other, offset: 0, count: 10))
        var longer = snapshot
        longer.sizeBytes += 1
        XCTAssertNil(node.storage.snapshotChunk(of: longer, offset: 0, count: 10))
        XCTAssertNil(node.storage.snapshotChunk(of: snapshot, offset: data.count - 5, count: 6), "one past the end")
        XCTAssertNil(node.storage.snapshotChunk(of: snapshot, offset: -1, count: 1))
    }

    func testNothingIsServedWhileALeadersNewerSnapshotReplacesTheFile() throws {
        let node = try storageFilledWith200Entries()
        let snapshot = try saved(node)
        node.storage.installSnapshot(
            Snapshot(
                metadata: SnapshotMetadata(index: 300, term: 2, configuration: testConfiguration), data: [1, 2, 3]))
        XCTAssertNil(node.storage.snapshotChunk(of: snapshot, offset: 0, count: 10), "its removal is staged")
    }

    func testDataThatRottedOnDiskIsNeverServed() throws {
        let node = try storageFilledWith200Entries()
        let snapshot = try saved(node)
        let path = StorageLayout.path(testDirectory, StorageLayout.snapshotName(index: 150, term: 1))
        let dataOffset = try node.disk.fileSize(path) - data.count
        try node.disk.flipBit(path, byteOffset: dataOffset + 70_000, bit: 3)

        XCTAssertEqual(
            node.storage.snapshotChunk(of: snapshot, offset: 0, count: 65_536), Array(data[0..<65_536]),
            "blocks before the damage still verify")
        XCTAssertNil(node.storage.snapshotChunk(of: snapshot, offset: 65_536, count: 10), "the damaged block")
        XCTAssertNil(node.storage.snapshotChunk(of: snapshot, offset: 60_000, count: 10_000), "a read across it")
        XCTAssertEqual(node.storage.snapshotChunkReadFailures, 2)
    }

    func testTheChecksumOfALeadersSnapshotIsLearnedOnlyForTheDurableOne() throws {
        let node = try storageFilledWith200Entries()
        let installed = Snapshot(
            metadata: SnapshotMetadata(index: 300, term: 2, configuration: testConfiguration), data: data)
        node.storage.installSnapshot(installed)
        node.storage.noteSnapshotChecksums(SnapshotBlockChecksums(of: installed.stored, data: data))
        XCTAssertNil(node.storage.snapshotChunk(of: installed.stored, offset: 0, count: 10), "not durable yet")
        try node.persist()
        XCTAssertNil(
            node.storage.snapshotChunk(of: installed.stored, offset: 0, count: 10),
            "checksums given too early are dropped")
        node.storage.noteSnapshotChecksums(SnapshotBlockChecksums(of: installed.stored, data: data))
        XCTAssertEqual(read(node, installed.stored, chunkBytes: 100_000), data)
    }
}

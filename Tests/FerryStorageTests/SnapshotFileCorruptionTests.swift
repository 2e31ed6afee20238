import FerryRaft
import XCTest

@testable import FerryStorage

/// A snapshot file that does not verify stops the node with a named corruption error for that file: never a
/// crash, never a start from less state. Its checksum is joined from the checksums of its 64 KiB blocks at
/// start (one pass over the data), so a flip is tried in a whole block, in the short last block, in the
/// metadata and in the stored checksum itself; and in the data read again, as the node decodes it.
final class SnapshotFileCorruptionTests: XCTestCase {
    /// Two whole blocks and a short one.
    let dataBytes = 2 * SnapshotBlockChecksums.blockBytes + 1_234

    func snapshotData() -> [UInt8] {
        var random = SplitMix64(seed: 41)
        return (0..<dataBytes).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// Entries 1...200 with a durable snapshot at 150 holding `data`; returns the file's path.
    func nodeWithSavedSnapshot(_ data: [UInt8]? = nil) throws -> (StorageUnderTest, String) {
        let node = try storageFilledWith200Entries()
        let metadata = SnapshotMetadata(index: 150, term: 1, configuration: testConfiguration)
        let data = data ?? snapshotData()
        let save = try XCTUnwrap(node.storage.startSnapshotSave(metadata) { data })
        XCTAssertTrue(try node.storage.completeSnapshotSave(save, save.performCatching(on: node.disk)))
        try node.persist()
        let name = try XCTUnwrap(try node.files().first { $0.hasSuffix(".snap") })
        return (node, testDirectory + "/" + name)
    }

    func testAnIntactSnapshotRestoresItsDataByteForByte() throws {
        let (node, _) = try nodeWithSavedSnapshot()
        try node.restart()
        XCTAssertEqual(node.recovered.snapshot.metadata.index, 150)
        XCTAssertEqual(try node.recoveredSnapshot().data, snapshotData())
    }

    func testAFlippedBitAnywhereInTheFileIsCorruptionOfThatFile() throws {
        let (intact, intactPath) = try nodeWithSavedSnapshot()
        let fileBytes = try intact.disk.readFile(intactPath).count
        let dataStart = fileBytes - dataBytes
        let places = [
            ("the stored checksum", 9), ("the metadata", StateFile.headerBytes + 3),
            ("the first whole block", dataStart + 100),
            ("the second whole block", dataStart + SnapshotBlockChecksums.blockBytes + 5),
            ("the short last block", fileBytes - 1),
        ]
        for (place, offset) in places {
            let (node, path) = try nodeWithSavedSnapshot()
            try node.disk.flipBit(path, byteOffset: offset, bit: 5)
            node.assertRefusesAsCorruption(file: path, offset: 0, "a bit flipped in \(place)")
        }
    }

    /// At start the data is read twice, a chunk at a time: once at open to verify the whole file, again as the node
    /// decodes it, each chunk checked against the block checksums of the first read. A bit that rots in between,
    /// in the last chunk, is found only after every earlier chunk was handed out: the read ends in the named error
    /// (whatever was decoded from the earlier chunks is dropped with it).
    func testABitFlippedAfterOpenInTheLastChunkIsCorruptionFoundAtTheEndOfTheStreamedRead() throws {
        let chunkBytes = StateFile.snapshotReadChunkBytes
        let data = (0..<chunkBytes + 1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (node, path) = try nodeWithSavedSnapshot(data)
        try node.restart()
        let fileBytes = try node.disk.readFile(path).count
        let dataStart = fileBytes - data.count
        try node.disk.flipBit(path, byteOffset: fileBytes - 10, bit: 2)

        let source = node.recovered.snapshotData
        XCTAssertEqual(try source.nextChunk(), Array(data[0..<chunkBytes]), "the first chunk verifies")
        XCTAssertThrowsError(try source.nextChunk(), "the last chunk does not") { error in
            XCTAssertEqual(
                error as? StorageError,
                .corruption(
                    file: path, offset: dataStart + chunkBytes,
                    reason: "snapshot data does not verify against the checksums it had at open"))
        }
        XCTAssertNil(
            node.storage.snapshotChunk(of: node.recovered.snapshot, offset: chunkBytes, count: 1000),
            "nor is the rotten block served to a follower")
    }

    func testASnapshotCutShortIsCorruptionOfThatFile() throws {
        let (node, path) = try nodeWithSavedSnapshot()
        let fileBytes = try node.disk.readFile(path).count
        try node.disk.truncateAtRest(path, toSize: fileBytes - 1)
        node.assertRefusesAsCorruption(file: path, offset: 0, "the last byte cut off")
    }
}

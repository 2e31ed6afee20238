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

    /// Where a flipped bit is tried: the stored checksum, the metadata, the first and second `unit` of the data,
    /// and the file's last byte (in the short last block).
    func flipPlaces(fileBytes: Int, dataStart: Int, unit: (name: String, bytes: Int)) -> [(String, Int)] {
        [
            ("the stored checksum", 9), ("the metadata", StateFile.headerBytes + 3),
            ("the first \(unit.name)", dataStart + 100), ("the second \(unit.name)", dataStart + unit.bytes + 5),
            ("the last byte", fileBytes - 1),
        ]
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
        let places = flipPlaces(
            fileBytes: fileBytes, dataStart: dataStart, unit: ("block", SnapshotBlockChecksums.blockBytes))
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

    // MARK: - One read: decoded while it is verified (`RaftStorage.open`'s `restoringSnapshot`)

    /// Two whole chunks and part of a third: the last chunk is the one held back until the file verifies.
    func threeChunkData() -> [UInt8] {
        (0..<(2 * StateFile.snapshotReadChunkBytes + 1_000)).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 7) }
    }

    /// Opens `node`'s directory with a decoder that reads up to `chunksMax` chunks: what it was handed, and
    /// the error it met, if any.
    func openDecoding(
        _ node: StorageUnderTest, chunksMax: Int = .max
    ) -> (opened: Result<RecoveredState, StorageError>, handed: [UInt8], met: (any Error)?) {
        var handed: [UInt8] = []
        var met: (any Error)?
        let opened: Result<RecoveredState, StorageError>
        do {
            opened = .success(
                try RaftStorage.open(
                    directory: testDirectory, fileSystem: node.disk, options: node.options,
                    initialConfiguration: testConfiguration
                ) { data in
                    do {
                        for _ in 0..<chunksMax {
                            let chunk = try data.nextChunk()
                            if chunk.isEmpty { break }
                            handed += chunk
                        }
                    } catch { met = error }
                }.state)
        } catch { opened = .failure(error) }
        return (opened, handed, met)
    }

    func testASnapshotDecodedInTheOneReadThatVerifiesItIsItsDataAndIsServedAfter() throws {
        let data = threeChunkData()
        let (node, _) = try nodeWithSavedSnapshot(data)
        let (opened, handed, met) = openDecoding(node)
        XCTAssertEqual(try opened.get().snapshot.metadata.index, 150)
        XCTAssertEqual(handed, data)
        XCTAssertNil(met)
        try node.restart()
        XCTAssertEqual(
            node.storage.snapshotChunk(of: node.recovered.snapshot, offset: 5, count: 1_000), Array(data[5..<1_005]))
    }

    /// A flip anywhere, metadata included, stops the start with the file's named corruption; the decoder is never
    /// handed the last chunk, and nothing on disk changed (recovery acts on a snapshot only once it verified).
    func testAFlipAnywhereIsCorruptionFoundInTheOneReadBeforeTheLastChunkIsHandedOut() throws {
        let data = threeChunkData()
        let (intact, intactPath) = try nodeWithSavedSnapshot(data)
        let fileBytes = try intact.disk.readFile(intactPath).count
        let dataStart = fileBytes - data.count
        let places = flipPlaces(
            fileBytes: fileBytes, dataStart: dataStart, unit: ("chunk", StateFile.snapshotReadChunkBytes))
        for (place, offset) in places {
            let (node, path) = try nodeWithSavedSnapshot(data)
            try node.disk.flipBit(path, byteOffset: offset, bit: 5)
            let files = try node.files()
            let (opened, handed, met) = openDecoding(node)
            guard case .failure(.corruption(let file, 0, _)) = opened else {
                XCTFail("a bit flipped in \(place): \(opened)")
                continue
            }
            XCTAssertEqual(file, path, place)
            XCTAssertLessThanOrEqual(handed.count, 2 * StateFile.snapshotReadChunkBytes, place)
            if !handed.isEmpty { XCTAssertNotNil(met, "\(place): the decoder's read fails at the last chunk") }
            XCTAssertEqual(try node.files(), files, place)
        }
    }

    /// What a decoder leaves unread is read and verified all the same: one that stops after a chunk cannot make a
    /// file that does not verify pass.
    func testADecoderThatStopsEarlyLeavesTheRestVerified() throws {
        let data = threeChunkData()
        let (node, path) = try nodeWithSavedSnapshot(data)
        XCTAssertNoThrow(try openDecoding(node, chunksMax: 1).opened.get(), "an intact file opens")
        try node.disk.flipBit(path, byteOffset: try node.disk.readFile(path).count - 1, bit: 0)
        let (opened, handed, met) = openDecoding(node, chunksMax: 1)
        XCTAssertEqual(handed, Array(data[0..<StateFile.snapshotReadChunkBytes]))
        XCTAssertNil(met)
        guard case .failure(.corruption(path, 0, _)) = opened else { return XCTFail("\(opened)") }
    }
}

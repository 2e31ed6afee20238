import FerryRaft
import XCTest

@testable import FerryStorage

/// A node's own snapshot is saved beside the log, not inside its writes: the log goes on meanwhile, and
/// compaction waits until the snapshot is durable.
final class SnapshotSaveTests: XCTestCase {
    func metadata(_ index: LogIndex, term: Term = 1) -> SnapshotMetadata {
        SnapshotMetadata(index: index, term: term, configuration: testConfiguration)
    }

    func testTheLogKeepsWritingWhileASnapshotIsSaved() throws {
        let node = try storageFilledWith200Entries()
        XCTAssertNotNil(node.storage.startSnapshotSave(metadata(150)) { [1, 2, 3] })
        XCTAssertTrue(node.storage.isSavingSnapshot)
        XCTAssertNil(node.storage.startSnapshotSave(metadata(160)) { [] }, "one save at a time")

        node.storage.append(entries(201...210, term: 1))
        let write = try XCTUnwrap(try node.storage.nextWrite(), "a log write goes out while the save is out")
        XCTAssertFalse(
            write.operations.contains {
                switch $0 {
                case .replaceFile(let path, _): return path.contains("snap")
                case .replaceFileWithSnapshot: return true
                default: return false
                }
            }, "the snapshot is no part of the log's writes")
        try node.storage.complete(write, write.performCatching(on: node.disk))
        XCTAssertEqual(node.storage.durableSnapshot.index, 0, "not durable before the save completes")
    }

    func testASavedSnapshotCompactsTheLogWithTheNextWriteAndRecoveryStartsFromIt() throws {
        let node = try storageFilledWith200Entries()
        let before = try node.segmentPaths()
        let save = try XCTUnwrap(node.storage.startSnapshotSave(metadata(150)) { [7, 7, 7] })
        let result = save.performCatching(on: node.disk)
        XCTAssertEqual(try result.get().stored.sizeBytes, 3, "only the size comes back: the data stays in the file")
        XCTAssertTrue(try node.storage.completeSnapshotSave(save, result))
        XCTAssertEqual(node.storage.durableSnapshot.index, 150)
        XCTAssertFalse(node.storage.isSavingSnapshot)

        try node.persist()
        XCTAssertLessThan(try node.segmentPaths().count, before.count, "the segments it covers are gone")

        try node.crashAndRestart()
        XCTAssertEqual(node.recovered.snapshot.metadata.index, 150)
        XCTAssertEqual(try node.recoveredSnapshot().data, [7, 7, 7])
        XCTAssertEqual(node.recovered.entries, entries(151...200, term: 1))
    }

    func testACrashBeforeTheSaveCompletesKeepsTheLogWhole() throws {
        let node = try storageFilledWith200Entries()
        _ = try XCTUnwrap(node.storage.startSnapshotSave(metadata(150)) { [1] })  // never performed

        try node.crashAndRestart()
        XCTAssertEqual(node.recovered.snapshot.metadata.index, 0)
        XCTAssertEqual(node.recovered.entries, entries(1...200, term: 1))
    }

    func testALeadersSnapshotStagedDuringTheSaveWinsAndTheSavedFileGoes() throws {
        let node = try storageFilledWith200Entries()
        let save = try XCTUnwrap(node.storage.startSnapshotSave(metadata(150)) { [1] })
        let leaders = Snapshot(metadata: metadata(300, term: 2), data: [2])
        node.storage.installSnapshot(leaders)
        let result = save.performCatching(on: node.disk)
        XCTAssertFalse(try node.storage.completeSnapshotSave(save, result), "older than the leader's: dropped")

        try node.persist()
        XCTAssertFalse(
            try node.files().contains { $0.contains(StorageLayout.snapshotName(index: 150, term: 1)) },
            "the dropped snapshot's file is removed")
        try node.crashAndRestart()
        XCTAssertEqual(try node.recoveredSnapshot(), leaders)
        XCTAssertEqual(node.recovered.entries, [])
    }

    func testNoSaveStartsWhileALeadersSnapshotIsNotYetDurable() throws {
        let node = try storageFilledWith200Entries()
        node.storage.installSnapshot(Snapshot(metadata: metadata(300, term: 2), data: [2]))
        XCTAssertNil(node.storage.startSnapshotSave(metadata(150)) { [1] })
        try node.persist()
        XCTAssertNil(node.storage.startSnapshotSave(metadata(150)) { [1] }, "not older than the durable one")
    }

    func testAFailedSaveStopsTheStorage() throws {
        let node = try storageFilledWith200Entries()
        let save = try XCTUnwrap(node.storage.startSnapshotSave(metadata(150)) { [1] })
        let failure = FileSystemError.io(path: save.path, operation: "fsync", errno: 5)
        XCTAssertThrowsError(try node.storage.completeSnapshotSave(save, .failure(failure))) { error in
            guard case StorageError.writeFailed = error else { return XCTFail("\(error)") }
        }
        node.storage.append(entries(201...201, term: 1))
        XCTAssertThrowsError(try node.storage.nextWrite(), "nothing more is written after a failed fsync")
    }
}

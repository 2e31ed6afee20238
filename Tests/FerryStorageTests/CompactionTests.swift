import FerryRaft
import XCTest

@testable import FerryStorage

/// Old segments go only once a durable snapshot covers them.
final class CompactionTests: XCTestCase {
    func snapshot(_ index: LogIndex) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: index, term: 1, configuration: testConfiguration), data: [1, 2, 3])
    }

    func testCompactionWithoutASnapshotRemovesNothing() throws {
        let node = try storageFilledWith200Entries()
        let before = try node.segmentPaths()
        node.storage.compact(through: 150)
        XCTAssertNil(try node.storage.nextWrite())
        XCTAssertEqual(try node.segmentPaths(), before)
    }

    func testSegmentsAreRemovedOnlyAfterTheSnapshotCoveringThemIsDurable() throws {
        let node = try storageFilledWith200Entries()
        let before = try node.segmentPaths()
        node.storage.installSnapshot(snapshot(150))
        node.storage.compact(through: 150)
        let first = try XCTUnwrap(try node.storage.nextWrite())
        XCTAssertFalse(
            first.operations.contains {
                if case .remove(let path) = $0 { return path.contains("wal-") } else { return false }
            },
            "the write that makes the snapshot durable must not also remove what it covers")
        try node.storage.complete(first, first.performCatching(on: node.disk))
        XCTAssertEqual(try node.segmentPaths(), before)

        try node.persist()

        let after = try node.segmentPaths()
        XCTAssertLessThan(after.count, before.count)
        try node.crashAndRestart()
        XCTAssertEqual(node.recovered.snapshot.metadata.index, 150)
        XCTAssertEqual(node.recovered.entries, entries(151...200, term: 1))
    }

    func testARemovedSegmentIsClosedByTheWriteThatRemovesItNotOnTheLoop() throws {
        // The last close of an unlinked file frees its blocks (a TRIM under `discard`): hundreds of ms.
        let node = try storageFilledWith200Entries()
        node.storage.installSnapshot(snapshot(150))
        node.storage.compact(through: 150)
        try node.persist()
        let write = try XCTUnwrap(try node.storage.nextWrite())
        let removed = write.operations.compactMap { if case .remove(let path) = $0 { return path } else { return nil } }
        let closed = write.operations.compactMap {
            if case .close(_, let path) = $0 { return path } else { return nil }
        }
        XCTAssertFalse(removed.isEmpty)
        XCTAssertEqual(closed, removed, "every removed segment's descriptor is closed in the same write")
        for path in removed {
            let removeAt = write.operations.firstIndex {
                if case .remove(path) = $0 { return true } else { return false }
            }!
            let closeAt = write.operations.firstIndex {
                if case .close(_, path) = $0 { return true } else { return false }
            }!
            XCTAssertLessThan(removeAt, closeAt, "closed after it is unlinked, so the close frees the blocks")
        }
        try node.storage.complete(write, write.performCatching(on: node.disk))
    }

    func testACrashBeforeTheSnapshotIsDurableKeepsEverySegment() throws {
        let node = try storageFilledWith200Entries()
        let before = try node.segmentPaths()
        node.storage.installSnapshot(snapshot(150))
        node.storage.compact(through: 150)
        _ = try node.storage.nextWrite()  // handed out, never performed: the crash comes first

        try node.crashAndRestart()

        XCTAssertEqual(try node.segmentPaths().prefix(before.count), ArraySlice(before))
        XCTAssertEqual(node.recovered.snapshot.metadata.index, 0)
        XCTAssertEqual(node.recovered.entries, entries(1...200, term: 1))
    }
}

import FerryNode
import FerryRaft
import FerryStorage
import FerryStorageTesting
import XCTest

/// A node restores its state at start from its durable snapshot, read a chunk at a time (never whole) after
/// storage verified the whole file at open. Data that no longer verifies when it is read again stops the start
/// with storage's named corruption error: no node runs on a state decoded from it.
final class SnapshotRestoreAtStartTests: XCTestCase {
    /// Three nodes that each saved a snapshot of "a0"..."a11" and compacted their logs; node 1 is down.
    func worldWithSnapshots() -> NodeTestWorld {
        let world = NodeTestWorld.snapshotting(every: 10)
        let leader = world.electLeader()
        for i in 0..<12 { world.node(leader).submit("a\(i)") { _ in } }
        world.run()
        world.tick(5)
        XCTAssertGreaterThanOrEqual(world.node(1).raft.snapshotMetadata.index, 10, "node 1 compacted")
        world.crash(1)
        return world
    }

    func testANodeRestartsFromItsSnapshotReadInChunks() throws {
        let world = worldWithSnapshots()
        try world.start(1, afterOpen: { _ in })
        XCTAssertEqual(world.node(1).machine.lines, (0..<12).map { "a\($0)" })
    }

    func testSnapshotDataThatRotsAfterOpenStopsTheStartWithANamedCorruption() throws {
        let world = worldWithSnapshots()
        var snapshotPath = ""
        XCTAssertThrowsError(
            try world.start(1) { disk in
                let name = try XCTUnwrap(try disk.list("/data").first { $0.hasSuffix(".snap") })
                snapshotPath = "/data/" + name
                // The file's last byte is the end of its data: the machine's last line.
                try disk.flipBit(snapshotPath, byteOffset: try disk.readFile(snapshotPath).count - 1, bit: 0)
            }
        ) { error in
            guard case .corruption(let file, _, let reason) = error as? StorageError else {
                return XCTFail("not a named corruption: \(error)")
            }
            XCTAssertEqual(file, snapshotPath)
            XCTAssertTrue(reason.contains("snapshot data does not verify"), reason)
        }
        XCTAssertNil(world.hosts[1]!.node, "no node started on it")
    }
}

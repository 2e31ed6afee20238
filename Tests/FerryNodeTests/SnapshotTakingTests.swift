import FerryNode
import FerryRaft
import FerryStorage
import XCTest

/// A node snapshots its own state beside the log: commands keep committing while a snapshot is saved, and
/// a large state is snapshotted no more often than the log grows by as much.
final class SnapshotTakingTests: XCTestCase {
    func testCommandsCommitWhileTheSnapshotIsBeingSaved() {
        let world = NodeTestWorld.snapshotting(every: 10)
        world.holdsSnapshotSaves = true
        let leader = world.electLeader()
        for i in 0..<10 { world.node(leader).submit("a\(i)") { _ in } }
        world.run()
        XCTAssertEqual(world.heldSnapshotSaves.count, 3, "every node started saving a snapshot")

        var outcomes: [SubmitOutcome<Int>] = []
        for i in 0..<5 { world.node(leader).submit("b\(i)") { outcomes.append($0) } }
        world.run()
        XCTAssertEqual(outcomes.count, 5)
        for outcome in outcomes { guard case .applied = outcome else { return XCTFail("\(outcome)") } }
        XCTAssertEqual(world.node(leader).raft.snapshotMetadata.index, 0, "not compacted before the save completes")

        while !world.heldSnapshotSaves.isEmpty { world.heldSnapshotSaves.removeFirst().run() }
        world.run()
        for id in [NodeID(1), 2, 3] {
            XCTAssertGreaterThanOrEqual(world.node(id).raft.snapshotMetadata.index, 10, "node \(id) compacted")
            XCTAssertEqual(world.node(id).machine.lines.count, 15, "node \(id)")
        }

        // A restart starts from the saved snapshot and the log after it.
        world.crash(leader)
        world.start(leader)
        world.tick(30)
        XCTAssertEqual(world.node(leader).machine.lines, (0..<10).map { "a\($0)" } + (0..<5).map { "b\($0)" })
    }

    func testTheNextSnapshotWaitsUntilTheLogHoldsAsManyBytesAsTheLastSnapshot() {
        let world = NodeTestWorld.snapshotting(every: 10)
        let leader = world.electLeader()
        let body = String(repeating: "x", count: 100)
        // One command per write, so the node checks after every entry.
        for _ in 0..<200 {
            world.node(leader).submit(body) { _ in }
            world.run()
        }
        let taken: [(index: LogIndex, sizeBytes: Int)] = world.hosts[leader]!.events.compactMap {
            if case .snapshotTaken(let index, let size) = $0 { return (index, size) } else { return nil }
        }
        XCTAssertGreaterThanOrEqual(taken.count, 2)
        let entryBytes = 24 + body.utf8.count  // the log command's header, then the command
        for (previous, next) in zip(taken, taken.dropFirst()) {
            // An entry count alone would snapshot every 10 entries; the state (over 8 KiB of session table)
            // holds back each snapshot until as many command bytes were applied since the one before.
            let entriesNeeded = LogIndex((previous.sizeBytes + entryBytes - 1) / entryBytes)
            XCTAssertEqual(
                next.index - previous.index, max(10, entriesNeeded), "after the snapshot at \(previous.index)")
        }
    }
}

import FerryNode
import FerryRaft
import XCTest

/// A leader's snapshot is decoded into the machine off the node's thread (`NodeEnvironment.decodeSnapshot`).
/// Until it is restored the follower applies nothing, and then it catches up in log order.
final class SnapshotDecodeTests: XCTestCase {
    /// A cluster whose leader compacted past `lagging`'s log; `lagging` restarted and holding its decode.
    func laggingFollowerHoldingItsDecode() -> (world: NodeTestWorld, leader: NodeID, lagging: NodeID) {
        let (world, leader, lagging) = NodeTestWorld.withAFollowerDownPastCompaction()
        world.holdsSnapshotDecodes = true
        world.start(lagging)
        world.tick(20)
        return (world, leader, lagging)
    }

    func testAFollowerAppliesNothingUntilTheLeadersSnapshotIsDecodedThenCatchesUpInOrder() {
        let (world, leader, lagging) = laggingFollowerHoldingItsDecode()
        XCTAssertEqual(world.heldSnapshotDecodes.map(\.host), [lagging], "one decode, held")
        let snapshotIndex = world.node(lagging).raft.snapshotMetadata.index
        XCTAssertGreaterThan(snapshotIndex, 0, "the snapshot is durable and Raft moved to it")
        XCTAssertEqual(world.node(lagging).machine.lines, [], "the machine is not restored before the decode")
        XCTAssertLessThan(world.node(lagging).raft.appliedIndex, snapshotIndex)

        // Commands committed meanwhile wait for the decode on the lagging node; the others go on.
        var outcome: SubmitOutcome<Int>?
        world.node(leader).submit("during") { outcome = $0 }
        world.tick(2)
        guard case .applied? = outcome else {
            return XCTFail("the majority commits without the lagging node: \(String(describing: outcome))")
        }
        XCTAssertEqual(world.node(lagging).machine.lines, [], "nothing applied on top of a state not yet restored")
        XCTAssertEqual(world.heldSnapshotDecodes.count, 1, "still one decode, not started twice by later writes")

        world.heldSnapshotDecodes.removeFirst().run()
        world.holdsSnapshotDecodes = false
        world.tick(5)
        XCTAssertEqual(world.node(lagging).machine.lines, (0..<40).map { "s\($0)" } + ["during"])
        XCTAssertEqual(world.node(lagging).raft.appliedIndex, world.node(leader).raft.appliedIndex)
        XCTAssertTrue(
            world.hosts[lagging]!.events.contains {
                if case .snapshotInstalled = $0 { return true } else { return false }
            })
    }

    /// The snapshot is durable before it is decoded: a crash mid-decode restarts from it.
    func testACrashWhileDecodingRestartsFromTheDurableSnapshot() {
        let (world, _, lagging) = laggingFollowerHoldingItsDecode()
        let snapshotIndex = world.node(lagging).raft.snapshotMetadata.index
        world.crash(lagging)
        XCTAssertTrue(world.heldSnapshotDecodes.isEmpty, "the decode died with the process")
        world.holdsSnapshotDecodes = false
        world.start(lagging)
        XCTAssertEqual(world.node(lagging).raft.snapshotMetadata.index, snapshotIndex, "recovered from the snapshot")
        world.tick(20)
        XCTAssertEqual(world.node(lagging).machine.lines, (0..<40).map { "s\($0)" })
    }
}

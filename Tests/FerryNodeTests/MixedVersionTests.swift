import FerryRaft
import XCTest

@testable import FerryNode

/// Replicas must never disagree because they run different builds. A leader proposes nothing it could not
/// apply itself, and a replica that meets a committed command it cannot decode stops at it instead of
/// skipping it (a skip would leave its state behind every replica that applies it).
final class MixedVersionTests: XCTestCase {
    private let newerCommand = [Journal.newerFormatByte, 1, 2, 3]

    func testALeaderRefusesAForwardedCommandItCannotDecode() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        let lastIndex = world.node(leader).raft.lastIndex
        world.node(leader).receive(
            .forward(ForwardRequest(session: 5, sequence: 1, command: newerCommand)), from: follower)
        world.run()
        XCTAssertEqual(world.node(leader).raft.lastIndex, lastIndex, "nothing was proposed")
        XCTAssertTrue(world.node(leader).isRunning)
        XCTAssertTrue(
            world.hosts[leader]!.events.contains { event in
                if case .peerMessageRejected(let from, let reason) = event {
                    return from == follower && reason.contains("does not decode")
                }
                return false
            })
    }

    func testAReplicaStopsAtACommittedCommandItCannotDecodeAndAppliesNothingAfterIt() throws {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        world.node(leader).submit("before") { _ in }
        world.run()
        world.tick(2)
        // As a newer leader would: stamped like any command, in a format this build does not know.
        let stamped = LogCommand(timeMs: 1, session: 0, sequence: 0, body: newerCommand).encoded()
        let position = try world.node(leader).raft.propose(stamped)
        world.node(leader).submit("after") { _ in }
        world.node(leader).afterInput()
        world.run()
        world.tick(3)

        XCTAssertFalse(world.node(leader).isRunning, "the leader applied it first, and stopped")
        for id in [NodeID(1), 2, 3] {
            let node = world.node(id)
            XCTAssertEqual(node.machine.lines, ["before"], "node \(id) applied nothing at or after the entry")
            // A follower stops at it once it learns it is committed; with the leader gone it may never learn.
            guard node.raft.commitIndex >= position.index else { continue }
            XCTAssertFalse(node.isRunning, "node \(id) stopped")
            XCTAssertTrue(
                world.hosts[id]!.events.contains { event in
                    if case .undecodableCommand(let index, _) = event { return index == position.index }
                    return false
                }, "node \(id) said why")
        }
    }
}

import FerryNode
import FerryRaft
import XCTest

/// A command is applied, and its client answered, as soon as it commits: committed means durable on a
/// majority, so it does not wait for this node's own write of it, nor for a later write that is in flight.
final class ApplyWhileWritingTests: XCTestCase {
    func testTheLeaderAnswersOnceTheFollowersHoldTheCommandEvenIfItsOwnWriteIsStillOut() {
        let (world, leader, first) = submitCommittedByTheFollowersOnly()
        XCTAssertTrue(world.writes.contains { $0.host == leader }, "the leader's own write of 'first' is still out")
        XCTAssertEqual(
            world.node(leader).raft.commitIndex, world.node(leader).raft.lastIndex, "committed by the followers")
        guard case .applied? = first else {
            return XCTFail("'first' is durable on two of three nodes: answer it now, not after the leader's fsync")
        }
        XCTAssertEqual(world.node(leader).machine.lines, ["first"])

        world.run()
        world.tick(2)
        for id in [NodeID(1), 2, 3] { XCTAssertEqual(world.node(id).machine.lines, ["first"], "node \(id)") }
    }

    func testACrashOfTheLeaderBeforeItsOwnWriteLosesNothingAnswered() {
        let (world, leader, first) = submitCommittedByTheFollowersOnly()
        guard case .applied? = first else { return XCTFail("\(String(describing: first))") }

        world.crash(leader)  // its write of "first" never completes
        world.start(leader)
        world.run()
        world.tick(40)
        world.run()
        for id in [NodeID(1), 2, 3] { XCTAssertEqual(world.node(id).machine.lines, ["first"], "node \(id)") }
    }

    func testASnapshotTakenAfterApplyingWhileWritingNeverLiesBeyondTheLog() {
        // "second" is proposed while the leader's write of "first" is out, so it is not yet in the leader's
        // storage when the followers commit it. The leader snapshots after every entry: a snapshot at
        // "second" taken before its log holds "second" would leave the log behind the snapshot.
        let world = NodeTestWorld.snapshotting(every: 1)
        let leader = world.electLeader()
        let followers = [NodeID(1), 2, 3].filter { $0 != leader }

        var outcomes: [String: SubmitOutcome<Int>] = [:]
        world.node(leader).submit("first") { outcomes["first"] = $0 }
        world.node(leader).submit("second") { outcomes["second"] = $0 }
        deliverAll(world, to: followers)
        for follower in followers { runWrites(world, of: follower) }
        deliverAll(world, to: [leader])
        world.run()
        world.tick(2)
        world.run()
        guard case .applied? = outcomes["first"], case .applied? = outcomes["second"] else {
            return XCTFail("\(outcomes)")
        }
        for id in [NodeID(1), 2, 3] { XCTAssertEqual(world.node(id).machine.lines, ["first", "second"], "node \(id)") }
    }

    /// The leader submits "first"; both followers store and acknowledge it; the leader's own write of it
    /// is left out.
    private func submitCommittedByTheFollowersOnly() -> (NodeTestWorld, NodeID, SubmitOutcome<Int>?) {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let followers = [NodeID(1), 2, 3].filter { $0 != leader }
        var first: SubmitOutcome<Int>?
        world.node(leader).submit("first") { first = $0 }
        deliverAll(world, to: followers)
        for follower in followers { runWrites(world, of: follower) }
        deliverAll(world, to: [leader])
        return (world, leader, first)
    }

    func testALeadersSnapshotArrivingWhileAWriteIsOutIsNotOvertakenByTheLogItReplaces() {
        // Simulator seed 3117: a follower whose write is out receives the leader's snapshot. Raft drops the
        // log it replaces at once; the machine is restored from it only once the write is done. Applying
        // committed entries meanwhile must wait for that, not look for entries that are gone.
        let world = NodeTestWorld.snapshotting(every: 10)
        let leader = world.electLeader()
        let lagging = [NodeID(1), 2, 3].first { $0 != leader }!

        world.node(leader).submit("a0") { _ in }
        deliverAll(world, to: [lagging])  // its write of "a0" goes out and stays out
        XCTAssertTrue(world.writes.contains { $0.host == lagging })
        for i in 1...30 { world.node(leader).submit("a\(i)") { _ in } }
        settle(world, excluding: lagging)
        XCTAssertGreaterThan(world.node(leader).raft.snapshotMetadata.index, 2, "the leader compacted past a0")

        // Heartbeats' answers (sent at once: the term is durable) make the leader send its snapshot.
        for _ in 0..<20 where world.node(lagging).raft.snapshotMetadata.index == 0 {
            world.node(leader).tick()
            deliverAll(world, to: [lagging])
            deliverAll(world, to: [leader])
        }
        XCTAssertGreaterThan(
            world.node(lagging).raft.snapshotMetadata.index, world.node(lagging).raft.appliedIndex,
            "the snapshot arrived while the write was out")

        world.run()
        world.tick(20)
        XCTAssertEqual(world.node(lagging).machine.lines, (0...30).map { "a\($0)" })
    }

    /// Runs every write and delivers every message except those of `excluded`, whose messages are lost.
    private func settle(_ world: NodeTestWorld, excluding excluded: NodeID) {
        while true {
            world.network.removeAll { $0.to == excluded }
            if let index = world.writes.firstIndex(where: { $0.host != excluded }) {
                world.writes.remove(at: index).run()
            } else if !world.network.isEmpty {
                let (from, to, bytes) = world.network.removeFirst()
                world.hosts[to]!.node!.receive(try! PeerMessage.decode(bytes), from: from)
            } else {
                return
            }
        }
    }

    private func deliverAll(_ world: NodeTestWorld, to targets: [NodeID]) {
        while let index = world.network.firstIndex(where: { targets.contains($0.to) }) {
            let (from, to, bytes) = world.network.remove(at: index)
            world.hosts[to]!.node!.receive(try! PeerMessage.decode(bytes), from: from)
        }
    }

    private func runWrites(_ world: NodeTestWorld, of host: NodeID) {
        while let index = world.writes.firstIndex(where: { $0.host == host }) { world.writes.remove(at: index).run() }
    }
}

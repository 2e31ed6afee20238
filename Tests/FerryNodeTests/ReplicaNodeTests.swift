import FerryNode
import FerryRaft
import XCTest

/// A node end to end over its seams: commands replicate through Raft onto durable logs and apply on
/// every replica; followers forward; crashes lose nothing acknowledged.
final class ReplicaNodeTests: XCTestCase {
    func testACommandSubmittedAtTheLeaderIsAppliedEverywhere() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        var outcome: SubmitOutcome<Int>?
        world.node(leader).submit("hello") { outcome = $0 }
        world.run()
        world.tick(2)
        guard case .applied(let count)? = outcome else { return XCTFail("\(String(describing: outcome))") }
        XCTAssertEqual(count, 1)
        for id in [NodeID(1), 2, 3] { XCTAssertEqual(world.node(id).machine.lines, ["hello"], "node \(id)") }
    }

    func testAFollowerForwardsToTheLeaderAndAnswersItsOwnClient() {
        for batchesInputs in [false, true] { followerForwardsAndAnswers(batchesInputs: batchesInputs) }
    }

    private func followerForwardsAndAnswers(batchesInputs: Bool) {
        let world = NodeTestWorld(voters: [1, 2, 3])
        world.batchesInputs = batchesInputs
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        var outcomes: [SubmitOutcome<Int>] = []
        for i in 0..<5 { world.node(follower).submit("f\(i)") { outcomes.append($0) } }
        world.run()
        world.tick(2)
        XCTAssertEqual(outcomes.count, 5)
        XCTAssertEqual(world.node(leader).machine.lines, (0..<5).map { "f\($0)" })
        XCTAssertTrue(
            world.hosts.values.allSatisfy { host in
                host.events.allSatisfy { if case .storageFailed = $0 { return false } else { return true } }
            })
    }

    func testCommandsWaitForALeaderInsteadOfFailing() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        var outcome: SubmitOutcome<Int>?
        world.node(2).submit("early") { outcome = $0 }  // no leader yet
        _ = world.electLeader()
        world.tick(3)
        guard case .applied? = outcome else { return XCTFail("\(String(describing: outcome))") }
    }

    func testEveryAcknowledgedCommandSurvivesACrashOfEveryNode() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        var acknowledged: [String] = []
        for i in 0..<20 {
            let line = "m\(i)"
            world.node(leader).submit(line) { if case .applied = $0 { acknowledged.append(line) } }
        }
        world.run()
        world.tick(2)
        XCTAssertEqual(acknowledged.count, 20)
        for id in [NodeID(1), 2, 3] { world.crash(id) }  // coordinated power loss
        for id in [NodeID(1), 2, 3] { world.start(id) }
        _ = world.electLeader()
        world.tick(5)
        for id in [NodeID(1), 2, 3] {
            XCTAssertEqual(world.node(id).machine.lines, acknowledged, "node \(id) after power loss")
        }
    }

    func testAForwardLostWithACrashedLeaderIsSentToTheNewLeaderAndAppliedOnce() {
        // The follower cannot know whether the dead leader appended the command; its session makes sending it
        // again safe, so the client gets its answer from the new leader instead of a 503 (thesis §6.3).
        let world = NodeTestWorld(voters: [1, 2, 3])
        let first = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != first }!
        var outcome: SubmitOutcome<Int>?
        world.node(follower).submit("lost with the leader") { outcome = $0 }
        world.crash(first)  // the forward dies in flight
        _ = world.electLeader()
        world.tick(5)
        guard case .applied? = outcome else { return XCTFail("\(String(describing: outcome))") }
        XCTAssertEqual(world.node(follower).machine.lines, ["lost with the leader"])
    }

    func testAForwardDeliveredTwiceIsAppliedOnce() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        world.node(follower).submit("once") { _ in }
        // The network duplicates the forward (and a retransmission would do the same).
        let forward = world.network.first {
            if case .forward = (try? PeerMessage.decode($0.bytes)) { return true } else { return false }
        }!
        world.network.append(forward)
        world.network.append(forward)
        world.run()
        world.tick(3)
        for id in [NodeID(1), 2, 3] { XCTAssertEqual(world.node(id).machine.lines, ["once"], "node \(id)") }
    }

    func testAForwardWhoseAnswerNeverComesIsSentAgain() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        var outcome: SubmitOutcome<Int>?
        world.node(follower).submit("dropped once") { outcome = $0 }
        world.network.removeAll {
            if case .forward = (try? PeerMessage.decode($0.bytes)) { return true } else { return false }
        }
        world.tick(50)  // past forwardRetryTicks
        guard case .applied? = outcome else { return XCTFail("\(String(describing: outcome))") }
        XCTAssertEqual(world.node(leader).machine.lines, ["dropped once"])
    }

    func testLeaderCrashFailsOverAndTheOldLeaderCatchesUp() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let first = world.electLeader()
        world.node(first).submit("before") { _ in }
        world.run()
        world.crash(first)
        let second = world.electLeader()
        XCTAssertNotEqual(first, second)
        var outcome: SubmitOutcome<Int>?
        world.node(second).submit("after") { outcome = $0 }
        world.run()
        guard case .applied? = outcome else { return XCTFail("\(String(describing: outcome))") }
        world.start(first)
        world.tick(10)
        XCTAssertEqual(world.node(first).machine.lines, ["before", "after"])
    }

    func testSnapshotsCompactTheLogAndCatchUpARestartedNode() {
        let (world, _, lagging) = NodeTestWorld.withAFollowerDownPastCompaction()
        world.start(lagging)
        world.tick(20)
        XCTAssertEqual(world.node(lagging).machine.lines, (0..<40).map { "s\($0)" })
        XCTAssertTrue(
            world.hosts[lagging]!.events.contains {
                if case .snapshotInstalled = $0 { return true } else { return false }
            })
    }

    func testLinearizableReadSeesEveryEarlierWrite() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        world.node(leader).submit("w") { _ in }
        world.run()
        var lines: [String]?
        world.node(follower).read { ok in if ok { lines = world.node(follower).machine.lines } }
        world.run()
        world.tick(2)
        XCTAssertEqual(lines, ["w"])
    }

    func testThePeerProtocolRefusesGarbage() {
        XCTAssertThrowsError(try PeerMessage.decode([]))
        XCTAssertThrowsError(try PeerMessage.decode([9, 1, 2]))
        let forward = PeerMessage.forward(ForwardRequest(session: 9, sequence: 3, command: [1, 2]))
        XCTAssertEqual(try PeerMessage.decode(forward.encoded()), forward)
        XCTAssertThrowsError(try PeerMessage.decode(forward.encoded() + [0]))
    }

    /// A message read where its frame lies in a link's buffer: only the frame's bytes count, and a frame with a
    /// byte to spare is refused as a whole buffer would be.
    func testAPeerMessageDecodesInPlaceFromItsFrameOnly() throws {
        let append = PeerMessage.raft(
            Envelope(
                from: 1, to: 2,
                message: .appendEntries(
                    AppendEntries(
                        term: 3, prevLogIndex: 4, prevLogTerm: 3,
                        entries: [Entry(index: 5, term: 3, payload: .command([7, 8, 9]))], leaderCommit: 4))))
        let bytes = append.encoded()
        let buffer: [UInt8] = [0xFF, 0xFF] + bytes + [0, 9]
        XCTAssertEqual(try PeerMessage.decode(buffer, payload: 2..<(2 + bytes.count)), append)
        XCTAssertThrowsError(try PeerMessage.decode(buffer, payload: 2..<(3 + bytes.count)))
        XCTAssertThrowsError(try PeerMessage.decode(buffer, payload: 2..<(1 + bytes.count)))
    }
}

final class LeaderClockTests: XCTestCase {
    func testAWallClockStepOnTheLeaderDoesNotMoveReplicatedTime() {
        // Bug 35: the leader's stamps follow its monotonic clock between elections.
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        world.node(leader).submit("a") { _ in }
        world.run()
        let before = world.node(leader).machine.lastTimeMs
        world.hosts[leader]!.wallClockOffsetMs = 3_600_000  // the leader's wall clock jumps an hour ahead
        world.tick(1)
        world.node(leader).submit("b") { _ in }
        world.run()
        let after = world.node(leader).machine.lastTimeMs
        XCTAssertGreaterThanOrEqual(after, before)
        XCTAssertLessThan(after - before, 1_000, "stamps advanced by monotonic time, not by the jump")
    }
}

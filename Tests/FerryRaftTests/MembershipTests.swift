import XCTest

@testable import FerryRaft

/// Single-server membership changes (thesis §4.1-4.3), learners, leadership transfer (§3.10), ReadIndex (§6.4).
final class MembershipTests: XCTestCase {
    func testALearnerCatchesUpAndIsPromotedToVoter() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        for i in 0..<10 { try! cluster.propose("c\(i)", at: 1) }
        cluster.addBlankNode(4)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.addLearner(4))
        cluster.drain(1)
        cluster.tick(10)
        XCTAssertEqual(cluster.commands(4).count, 10, "the learner receives the whole log")
        XCTAssertTrue(cluster.node(4).configuration.isLearner(4))
        XCTAssertEqual(cluster.node(4).role, .follower)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.promote(4))
        cluster.drain(1)
        cluster.tick(10)
        for id in cluster.ids { XCTAssertEqual(cluster.node(id).configuration.voters, [1, 2, 3, 4], "node \(id)") }
    }

    func testALaggingLearnerIsNotPromoted() {
        // Bug 24: a new voter gets a vote only once it is caught up.
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.promotionLagEntriesMax = 5 }
        cluster.campaign(1)
        cluster.addBlankNode(4)
        cluster.isolate(4)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.addLearner(4))
        cluster.drain(1)
        for i in 0..<20 { try! cluster.propose("c\(i)", at: 1) }
        XCTAssertThrowsError(try cluster.nodes[1]!.proposeConfigurationChange(.promote(4)))
    }

    func testALearnerThatNeverAnsweredTheLeaderIsNotPromoted() {
        // On a young log the lag bound passes at match 0: the node would count in every quorum before it
        // ever ran (3 voters and a phantom: a majority becomes 3 of 4).
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.addBlankNode(4)
        cluster.isolate(4)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.addLearner(4))
        cluster.drain(1)
        cluster.tick(10)
        XCTAssertLessThan(cluster.node(1).lastIndex, RaftOptions(id: 1).promotionLagEntriesMax, "a young log")
        XCTAssertThrowsError(try cluster.nodes[1]!.proposeConfigurationChange(.promote(4))) { error in
            XCTAssertEqual(
                error as? ProposeError, .invalidConfigurationChange("learner 4 has not answered the leader yet"))
        }
        XCTAssertEqual(cluster.node(1).configuration.voters, [1, 2, 3])

        cluster.heal()
        cluster.tick(10)
        XCTAssertNoThrow(try cluster.nodes[1]!.proposeConfigurationChange(.promote(4)))
        cluster.drain(1)
        cluster.tick(10)
        for id in cluster.ids { XCTAssertEqual(cluster.node(id).configuration.voters, [1, 2, 3, 4], "node \(id)") }
    }

    func testAVoterWhosePromotionHasNotReachedItStillVotes() {
        // Seed 744 (ferry-sim --seed 744 --nodes 3): node 4 is promoted while cut off, so it still thinks it
        // is a learner. The leader then proposes its own removal, which reaches no one, and steps down. Its log
        // is now the longest, so it grants no vote, and it is no voter in it, so it never campaigns: nodes 2 and 3
        // need node 4 (3 of 4 voters). Node 4 must answer once its leader has been silent for an election timeout.
        var cluster = TestCluster(voters: [1, 2, 3], seed: 11)
        cluster.campaign(1)
        cluster.addBlankNode(4)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.addLearner(4))
        cluster.drain(1)
        cluster.tick(10)
        XCTAssertEqual(cluster.node(4).leader, 1)
        // As for seed 744's node 4, its election timeout drew the minimum: a learner that reset its timer at
        // each timeout then never left the leader's lease.
        XCTAssertEqual(cluster.node(4).randomizedElectionTimeoutTicks, RaftOptions(id: 4).electionTimeoutTicks)

        cluster.isolate(4)
        let promotion = try! cluster.nodes[1]!.proposeConfigurationChange(.promote(4))
        cluster.drain(1)
        cluster.stabilize()
        XCTAssertGreaterThanOrEqual(cluster.node(1).commitIndex, promotion.index, "1, 2 and 3 commit it: 3 of 4")
        XCTAssertTrue(cluster.node(4).configuration.isLearner(4), "node 4 never received its promotion")

        cluster.heal()
        cluster.isolate(1)
        cluster.isolate(4)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.remove(1))
        cluster.drain(1)
        cluster.tick(40)
        XCTAssertEqual(cluster.node(1).role, .follower, "CheckQuorum: the cut-off leader stepped down")
        XCTAssertEqual(cluster.node(1).configuration.voters, [2, 3, 4])

        cluster.heal()
        cluster.tick(200)
        XCTAssertEqual(cluster.leaders.count, 1)
        XCTAssertTrue([2, 3].contains(cluster.leaders.first ?? 0), "\(cluster.leaders)")
        for id in cluster.ids {
            XCTAssertEqual(
                cluster.node(id).configuration.voters, [1, 2, 3, 4], "node \(id): the uncommitted removal is gone")
        }
    }

    func testOnlyOneConfigurationChangeIsUncommittedAtATime() {
        // Bug 21.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(1)
        var leader = cluster.nodes[1]!
        _ = try! leader.proposeConfigurationChange(.addLearner(4))
        XCTAssertThrowsError(try leader.proposeConfigurationChange(.addLearner(5))) { error in
            XCTAssertEqual(error as? ProposeError, .configurationChangePending)
        }
    }

    func testANewLeaderProposesNoChangeBeforeItCommitsAnEntryOfItsTerm() {
        // Bug 22 (Ongaro 2015): the fix is to wait for the leader's first entry of its term to commit.
        var leader = RaftNode(
            options: RaftOptions(id: 1),
            recovered: RecoveredState(
                hardState: HardState(), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])), entries: []),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        leader.campaign()
        leader.advance(leader.ready())
        leader.step(
            Envelope(
                from: 2, to: 1, message: .voteResponse(VoteResponse(term: leader.term, granted: true, isPreVote: false))
            ))
        XCTAssertEqual(leader.role, .leader)
        XCTAssertThrowsError(try leader.proposeConfigurationChange(.addLearner(4))) { error in
            XCTAssertEqual(error as? ProposeError, .configurationChangePending)
        }
        leader.advance(leader.ready())
        leader.step(
            Envelope(
                from: 2, to: 1, message: .appendResponse(AppendResponse(term: leader.term, success: true, index: 1))))
        XCTAssertEqual(leader.commitIndex, 1)
        XCTAssertNoThrow(try leader.proposeConfigurationChange(.addLearner(4)))
    }

    func testATruncatedConfigurationEntryRollsBackToThePreviousOne() {
        // Bug 23: a follower uses the latest configuration in its log; when that entry is overwritten,
        // the previous configuration is in force again.
        var node = RaftNode(
            options: RaftOptions(id: 3),
            recovered: RecoveredState(
                hardState: HardState(term: 1), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])), entries: []),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        let widened = Configuration(voters: [1, 2, 3], learners: [4])
        node.step(
            Envelope(
                from: 1, to: 3,
                message: .appendEntries(
                    AppendEntries(
                        term: 1, prevLogIndex: 0, prevLogTerm: 0,
                        entries: [Entry(index: 1, term: 1, payload: .configuration(widened))], leaderCommit: 0))))
        XCTAssertEqual(node.configuration, widened)
        node.step(
            Envelope(
                from: 2, to: 3,
                message: .appendEntries(
                    AppendEntries(
                        term: 2, prevLogIndex: 0, prevLogTerm: 0,
                        entries: [Entry(index: 1, term: 2, payload: .noop)], leaderCommit: 0))))
        XCTAssertEqual(node.configuration, Configuration(voters: [1, 2, 3]))
    }

    func testARemovedNodeCannotDisruptTheCluster() {
        // PreVote plus leader stickiness: a node removed from the configuration that never learned it keeps
        // timing out, and the others ignore it.
        var cluster = TestCluster(voters: [1, 2, 3, 4])
        cluster.campaign(1)
        cluster.isolate(4)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.remove(4))
        cluster.drain(1)
        cluster.tick(5)
        let term = cluster.node(1).term
        cluster.heal()
        cluster.tick(200)
        XCTAssertEqual(cluster.leaders, [1])
        XCTAssertEqual(cluster.node(1).term, term)
    }

    func testRemovingTheLeaderHandsLeadershipOver() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        _ = try! cluster.nodes[1]!.proposeConfigurationChange(.remove(1))
        cluster.drain(1)
        cluster.tick(60)
        XCTAssertEqual(cluster.leaders.count, 1)
        XCTAssertNotEqual(cluster.leaders.first, 1)
        XCTAssertEqual(cluster.node(2).configuration.voters, [2, 3])
    }

    func testLeadershipTransferWaitsForTheTargetToCatchUp() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(3)
        for i in 0..<5 { try! cluster.propose("c\(i)", at: 1) }
        cluster.nodes[1]!.transferLeadership(to: 3)
        XCTAssertThrowsError(try cluster.propose("blocked", at: 1)) { error in
            XCTAssertEqual(error as? ProposeError, .transferInProgress)
        }
        cluster.heal()
        cluster.tick(12)  // two heartbeat rounds show node 3 stalled; it is caught up, then takes over
        XCTAssertEqual(cluster.leaders, [3])
        XCTAssertEqual(cluster.commands(3), (0..<5).map { "c\($0)" })
    }

    func testReadIndexIsServedOnlyAfterAQuorumConfirmsLeadership() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        try! cluster.propose("x", at: 1)
        cluster.nodes[1]!.readIndex(requestID: 7)
        cluster.drain(1)
        cluster.stabilize()
        XCTAssertEqual(cluster.readStates[1], [ReadState(requestID: 7, index: cluster.node(1).commitIndex)])

        // An isolated leader cannot confirm: the read waits, and fails when it steps down.
        cluster.isolate(1)
        cluster.nodes[1]!.readIndex(requestID: 8)
        cluster.drain(1)
        cluster.stabilize()
        XCTAssertEqual(cluster.readStates[1]!.count, 1)
        cluster.tick(40)
        XCTAssertEqual(cluster.readStates[1]!.last, ReadState(requestID: 8, index: nil))
    }

    func testFollowerReadIndexGoesThroughTheLeader() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        try! cluster.propose("x", at: 1)
        cluster.nodes[2]!.readIndex(requestID: 1)
        cluster.drain(2)
        cluster.stabilize()
        XCTAssertEqual(cluster.readStates[2], [ReadState(requestID: 1, index: cluster.node(1).commitIndex)])
    }

    func testSameSeedSameHistory() {
        func run() -> [Envelope] {
            var cluster = TestCluster(voters: [1, 2, 3, 4, 5], seed: 42)
            cluster.electLeader()
            return cluster.delivered
        }
        XCTAssertEqual(run(), run())
    }
}

import XCTest

@testable import FerryRaft

/// Leader election: Raft §5.2, §5.4.1, thesis §9.6 (PreVote) and §6.2 (CheckQuorum).
final class ElectionTests: XCTestCase {
    func testThreeNodesElectExactlyOneLeader() {
        var cluster = TestCluster(voters: [1, 2, 3])
        let leader = cluster.electLeader()
        XCTAssertNotNil(leader)
        XCTAssertEqual(cluster.leaders.count, 1)
        for id in cluster.ids {
            XCTAssertEqual(cluster.node(id).leader, leader)
            XCTAssertEqual(cluster.node(id).term, cluster.node(leader!).term)
        }
    }

    func testNewLeaderCommitsANoopOfItsTerm() {
        // §5.4.2 / §8: a leader commits an entry of its own term before anything else.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        let n1 = cluster.node(1)
        XCTAssertEqual(n1.role, .leader)
        XCTAssertEqual(n1.commitIndex, 1)
        XCTAssertEqual(cluster.applied[1]?.first?.payload, .noop)
    }

    func testVoteRefusedToCandidateWithStaleLog() {
        // §5.4.1: a voter denies its vote to a candidate whose log is less up to date than its own.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(3)
        try! cluster.propose("x", at: 1)
        XCTAssertEqual(cluster.node(2).lastIndex, 2)
        XCTAssertEqual(cluster.node(3).lastIndex, 1)
        cluster.heal()
        cluster.isolate(1)
        cluster.campaign(3)
        XCTAssertNotEqual(cluster.node(3).role, .leader, "node 3 lacks entry 2, which node 2 holds")
    }

    func testVoteIsPersistedBeforeTheResponseLeaves() {
        // Figure 2: votedFor and currentTerm are durable before the vote is granted on the wire.
        var node = RaftNode(
            options: RaftOptions(id: 2),
            recovered: RecoveredState(
                hardState: HardState(), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])), entries: []),
            random: SeededGenerator(seed: 7), snapshotSource: nil)
        node.step(
            Envelope(
                from: 1, to: 2,
                message: .voteRequest(
                    VoteRequest(
                        term: 1, lastLogIndex: 0, lastLogTerm: 0, isPreVote: false, isLeadershipTransfer: false))))
        XCTAssertTrue(node.takeMessages().isEmpty, "nothing may leave before the vote is durable")
        let ready = node.ready()
        XCTAssertEqual(ready.hardState, HardState(term: 1, votedFor: 1, commit: 0))
        XCTAssertTrue(ready.mustSync)
        XCTAssertEqual(ready.messagesAfterPersist.count, 1)
        guard case .voteResponse(let response) = ready.messagesAfterPersist[0].message else { return XCTFail() }
        XCTAssertTrue(response.granted)
    }

    func testOneVotePerTermAcrossRestart() {
        // A restarted node remembers its vote: a second candidate in the same term is refused.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.isolate(3)
        cluster.cut(1, 3)
        cluster.campaign(1)
        XCTAssertEqual(cluster.node(2).votedFor, 1)
        let term = cluster.node(2).term
        cluster.crash(2)
        cluster.restart(2)
        XCTAssertEqual(cluster.node(2).votedFor, 1)
        var n2 = cluster.nodes[2]!
        n2.step(
            Envelope(
                from: 3, to: 2,
                message: .voteRequest(
                    VoteRequest(
                        term: term, lastLogIndex: 5, lastLogTerm: term, isPreVote: false, isLeadershipTransfer: false)))
        )
        let ready = n2.ready()
        guard case .voteResponse(let response) = ready.messagesAfterPersist.first?.message else { return XCTFail() }
        XCTAssertFalse(response.granted)
    }

    func testPreVoteKeepsARejoiningPartitionedNodeFromDisruptingTheLeader() {
        // Thesis §9.6: a node cut off for a long time does not bump its term, so on rejoining it does not
        // depose a healthy leader.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        let term = cluster.node(1).term
        cluster.isolate(3)
        cluster.tick(200)
        XCTAssertEqual(cluster.node(3).term, term, "PreVote rounds never bump the term")
        cluster.heal()
        cluster.tick(50)
        XCTAssertEqual(cluster.node(1).role, .leader)
        XCTAssertEqual(cluster.node(1).term, term)
    }

    func testPreVoteGrantDoesNotResetTheVotersTimer() {
        // docs/simulation.md, "Planted bugs", bug 25: a PreVote grant must change no state on the voter.
        var node = RaftNode(
            options: RaftOptions(id: 2),
            recovered: RecoveredState(
                hardState: HardState(term: 3), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])), entries: []),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        for _ in 0..<5 { node.tick() }
        let before = node.electionElapsedTicks
        node.step(
            Envelope(
                from: 1, to: 2,
                message: .voteRequest(
                    VoteRequest(
                        term: 4, lastLogIndex: 0, lastLogTerm: 0, isPreVote: true, isLeadershipTransfer: false))))
        XCTAssertEqual(node.term, 3)
        XCTAssertNil(node.votedFor)
        XCTAssertEqual(node.electionElapsedTicks, before)
    }

    func testALearnerWhoseLeaderFellSilentAnswersEveryElection() {
        // Leader stickiness lasts an election timeout after the leader was last heard, for learners too: a
        // learner may be a voter whose promotion has not reached it yet (seed 744). Whatever its timeout drew.
        var cluster = TestCluster(voters: [1, 2, 3], learners: [4])
        cluster.campaign(1)
        cluster.tick(5)
        XCTAssertEqual(cluster.node(4).leader, 1)
        cluster.isolate(4)
        let timeout = RaftOptions(id: 4).electionTimeoutTicks
        for tick in 1...(4 * timeout) {
            cluster.tick()
            guard tick >= timeout else { continue }
            let term = cluster.node(4).term
            let request = VoteRequest(
                term: term + 1, lastLogIndex: cluster.node(2).lastIndex, lastLogTerm: term,
                isPreVote: true, isLeadershipTransfer: false)
            cluster.nodes[4]!.step(Envelope(from: 2, to: 4, message: .voteRequest(request)))
            cluster.drain(4)
            let answered = cluster.network.contains {
                if case .voteResponse(let response) = $0.message { return $0.to == 2 && response.granted }
                return false
            }
            XCTAssertTrue(answered, "tick \(tick): node 4 ignored a PreVote after its leader fell silent")
            cluster.network.removeAll()
        }
    }

    func testCheckQuorumMakesAnIsolatedLeaderStepDown() {
        // Thesis §6.2: a leader that cannot reach a majority for an election timeout steps down.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(1)
        cluster.tick(40)
        XCTAssertNotEqual(cluster.node(1).role, .leader)
        let others = [NodeID(2), 3].filter { cluster.node($0).role == .leader }
        XCTAssertEqual(others.count, 1, "the majority side elects a new leader")
    }

    func testStaleLeaderStepsDownWhenItHearsAHigherTerm() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.checkQuorum = false }
        cluster.campaign(1)
        cluster.isolate(1)
        cluster.campaign(2)
        XCTAssertEqual(cluster.node(1).role, .leader, "without CheckQuorum the old leader still thinks it leads")
        cluster.heal()
        cluster.tick(10)
        XCTAssertEqual(cluster.leaders, [2])
        XCTAssertEqual(cluster.node(1).leader, 2)
    }

    func testFiveNodesSurviveTwoFailures() {
        var cluster = TestCluster(voters: [1, 2, 3, 4, 5])
        cluster.campaign(1)
        cluster.crash(1)
        cluster.crash(2)
        let leader = cluster.electLeader()
        XCTAssertNotNil(leader)
        try! cluster.propose("after-failures", at: leader!)
        for id in [NodeID(3), 4, 5] { XCTAssertEqual(cluster.commands(id), ["after-failures"]) }
    }
}

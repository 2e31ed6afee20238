import XCTest

@testable import FerryRaft

/// Log replication: Raft §5.3, §5.4.2 (Figure 8), Figure 2's AppendEntries receiver rules.
final class ReplicationTests: XCTestCase {
    func testProposalsCommitAndApplyInTheSameOrderEverywhere() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        for i in 0..<20 { try! cluster.propose("c\(i)", at: 1) }
        cluster.tick(10)
        let expected = (0..<20).map { "c\($0)" }
        for id in cluster.ids { XCTAssertEqual(cluster.commands(id), expected, "node \(id)") }
    }

    func testFollowerRefusesProposals() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        XCTAssertThrowsError(try cluster.propose("x", at: 2)) { error in
            XCTAssertEqual(error as? ProposeError, .notLeader(leaderHint: 1))
        }
    }

    func testLeaderDoesNotCommitAnEntryAppendedButNotDurable() {
        // Bugs 10 and 12: a single voter commits only once its own write is durable.
        var node = RaftNode(
            options: RaftOptions(id: 1),
            recovered: RecoveredState(
                hardState: HardState(), snapshot: .bootstrap(Configuration(voters: [1])), entries: []),
            random: SeededGenerator(seed: 3), snapshotSource: nil)
        node.campaign()
        XCTAssertEqual(node.role, .leader)
        let position = try! node.propose([1])
        XCTAssertLessThan(node.commitIndex, position.index)
        let ready = node.ready()
        XCTAssertTrue(ready.committedEntries.isEmpty, "nothing is durable yet")
        node.advance(ready)
        XCTAssertEqual(node.commitIndex, position.index)
        XCTAssertEqual(node.ready().committedEntries.last?.position, position)
    }

    func testMaybeCommitRefusesAnOlderTermIndexEvenOnAMajority() {
        // Raft §5.4.2, Figure 8 (bug 1): the rule in isolation; the simulator's planted bug 1 covers the scenario.
        // The rule itself, in isolation: a leader whose only majority-replicated entry is from an older term.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        var leader = cluster.nodes[1]!
        // Pretend followers hold index 1 only (the old noop); a new term starts with the noop at 2 uncommitted.
        leader.becomeFollower(term: leader.term + 1, leader: nil)
        leader.role = .candidate
        leader.becomeLeader()
        let ready = leader.ready()
        leader.advance(ready)
        for peer in [NodeID(2), 3] { leader.progress[peer]!.match = 1 }
        XCTAssertFalse(leader.maybeCommit(), "index 1 is committed already and index 2 is on one node only")
        leader.progress[2]!.match = 2
        XCTAssertTrue(leader.maybeCommit())
        XCTAssertEqual(leader.commitIndex, 2)
    }

    func testDivergentFollowerTailIsReplacedUsingTheConflictHint() {
        // A deposed leader's uncommitted tail is overwritten by the new leader (§5.3), found in few round trips.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.isolate(1)
        for i in 0..<30 { _ = try! cluster.nodes[1]!.propose(Array("lost\(i)".utf8)) }
        cluster.drain(1)
        cluster.stabilize()
        cluster.tick(40)  // 2 and 3 stop hearing from 1 and elect one of them
        let newLeader = [NodeID(2), 3].first { cluster.node($0).role == .leader }!
        for i in 0..<5 { try! cluster.propose("kept\(i)", at: newLeader) }
        let before = cluster.delivered.count
        cluster.heal()
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(1), (0..<5).map { "kept\($0)" })
        let appendsTo1 = cluster.delivered[before...].filter {
            if case .appendEntries = $0.message, $0.to == 1 { return true } else { return false }
        }.count
        XCTAssertLessThan(appendsTo1, 10, "the hint skips the whole divergent term at once")
    }

    func testFollowerRejectsAppendEntriesFromAnOlderTerm() {
        // Figure 2, receiver rule 1 (bug 6).
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.campaign(2)
        var n3 = cluster.nodes[3]!
        let lastBefore = n3.lastIndex
        let stale = AppendEntries(
            term: 1, prevLogIndex: 1, prevLogTerm: 1,
            entries: [Entry(index: 2, term: 1, payload: .command([9]))], leaderCommit: 2)
        n3.step(Envelope(from: 1, to: 3, message: .appendEntries(stale)))
        XCTAssertEqual(n3.lastIndex, lastBefore)
        XCTAssertNotEqual(n3.entry(at: 2)?.payload, .command([9]))
    }

    func testStaleOrReorderedAppendDoesNotTruncateMatchingEntries() {
        // Bug 7: an old AppendEntries carrying a prefix must not cut entries that came after it.
        var node = RaftNode(
            options: RaftOptions(id: 2),
            recovered: RecoveredState(
                hardState: HardState(term: 1), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])), entries: []),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        let e = (1...3).map { Entry(index: LogIndex($0), term: 1, payload: .command([UInt8($0)])) }
        node.step(
            Envelope(
                from: 1, to: 2,
                message: .appendEntries(
                    AppendEntries(term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: e, leaderCommit: 0))))
        node.step(
            Envelope(
                from: 1, to: 2,
                message: .appendEntries(
                    AppendEntries(term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [e[0]], leaderCommit: 0))))
        XCTAssertEqual(node.lastIndex, 3)
    }

    func testCommitIndexIsCappedAtTheLastEntryTheRequestProved() {
        // Figure 2, receiver rule 5 (bug 9): commit = min(leaderCommit, index of last new entry).
        var node = RaftNode(
            options: RaftOptions(id: 2),
            recovered: RecoveredState(
                hardState: HardState(term: 1), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])),
                entries: (1...5).map { Entry(index: LogIndex($0), term: 1, payload: .command([UInt8($0)])) }),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        node.step(
            Envelope(
                from: 1, to: 2,
                message: .appendEntries(
                    AppendEntries(
                        term: 2, prevLogIndex: 2, prevLogTerm: 1, entries: [], leaderCommit: 9))))
        XCTAssertEqual(node.commitIndex, 2, "entries 3-5 may differ from the leader's")
    }

    func testInflightWindowBoundsUnacknowledgedAppends() {
        var cluster = TestCluster(voters: [1, 2, 3]) {
            $0.inflightAppendsMax = 4
            $0.appendEntriesMax = 1
        }
        cluster.campaign(1)
        cluster.isolate(1)
        var leader = cluster.nodes[1]!
        for i in 0..<20 { _ = try! leader.propose([UInt8(i)]) }
        let appends = leader.takeMessages().filter { $0.to == 2 }
        XCTAssertEqual(appends.count, 4, "at most inflightAppendsMax appends in flight per follower")
    }

    func testLeaderSendsAppendsBeforeItsOwnWriteIsDurable() {
        // Thesis §10.2.1: the leader writes its log in parallel with replication.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        var leader = cluster.nodes[1]!
        _ = try! leader.propose([42])
        let now = leader.takeMessages()
        XCTAssertEqual(
            now.filter { if case .appendEntries = $0.message { return true } else { return false } }.count, 2)
        XCTAssertTrue(leader.hasReady)
    }

    func testReadyIfAnyHandsOutAReadyOnlyWhenThereIsOne() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        var leader = cluster.nodes[1]!
        XCTAssertFalse(leader.hasReady)
        XCTAssertNil(leader.readyIfAny())
        _ = try! leader.propose([42])
        guard let ready = leader.readyIfAny() else { return XCTFail("a proposal leaves an entry to persist") }
        XCTAssertEqual(ready.entries.map(\.payload), [.command([42])])
        XCTAssertNil(leader.readyIfAny(), "not again until the Ready is advanced")
    }
}

final class AcknowledgementTests: XCTestCase {
    func testAnAckForEntriesReplacedByANewerLeaderNeverLeaves() {
        // The follower acks 2-3@1 but has not persisted yet; a term-2 leader replaces index 2 before the next
        // persist. The term-1 ack would leave after a persist that no longer holds 3@1, and the term-1 leader
        // could count it toward a commit (DUR). It must be dropped.
        var node = RaftNode(
            options: RaftOptions(id: 2),
            recovered: RecoveredState(
                hardState: HardState(term: 1), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])),
                entries: [Entry(index: 1, term: 1, payload: .noop)]), random: SeededGenerator(seed: 1),
            snapshotSource: nil)
        let outstanding = node.ready()  // a persist is in flight: new output waits for the next Ready
        node.step(
            Envelope(
                from: 1, to: 2,
                message: .appendEntries(
                    AppendEntries(
                        term: 1, prevLogIndex: 1, prevLogTerm: 1,
                        entries: [
                            Entry(index: 2, term: 1, payload: .command([1])),
                            Entry(index: 3, term: 1, payload: .command([2])),
                        ], leaderCommit: 1))))
        node.step(
            Envelope(
                from: 3, to: 2,
                message: .appendEntries(
                    AppendEntries(
                        term: 2, prevLogIndex: 1, prevLogTerm: 1,
                        entries: [Entry(index: 2, term: 2, payload: .noop)], leaderCommit: 1))))
        node.advance(outstanding)
        let ready = node.ready()
        let acks = ready.messagesAfterPersist.compactMap { envelope -> AppendResponse? in
            if case .appendResponse(let r) = envelope.message { return r } else { return nil }
        }
        XCTAssertEqual(acks.map(\.term), [2], "only the term-2 ack leaves")
        XCTAssertEqual(acks.first?.index, 2)
        XCTAssertEqual(node.term(at: 2), 2)
        XCTAssertNil(node.entry(at: 3))
    }
}

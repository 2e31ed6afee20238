import FerryRaft
import XCTest

@testable import FerryNode

final class PeerMessageTests: XCTestCase {
    private func raft(_ message: RaftMessage) -> PeerMessage { .raft(Envelope(from: 1, to: 2, message: message)) }

    func testOnlyACommitIndexNoticeWaitsForTheEndOfTheTurn() {
        let entry = Entry(index: 8, term: 3, payload: .command([1, 2, 3]))
        let append = AppendEntries(term: 3, prevLogIndex: 7, prevLogTerm: 3, entries: [entry], leaderCommit: 7)
        var commitNotice = append
        commitNotice.entries = []
        commitNotice.prevLogIndex = 8
        commitNotice.leaderCommit = 8

        XCTAssertFalse(raft(.appendEntries(commitNotice)).isUrgent, "nobody waits on it as on the rest")
        XCTAssertTrue(raft(.appendEntries(append)).isUrgent, "the follower's write waits on it")
        XCTAssertTrue(
            raft(.appendResponse(AppendResponse(term: 3, success: true, index: 8))).isUrgent,
            "the commit waits on it")
        XCTAssertTrue(raft(.heartbeat(Heartbeat(term: 3, commit: 8, readRound: 1))).isUrgent, "reads wait on it")
        XCTAssertTrue(
            raft(
                .voteRequest(
                    VoteRequest(
                        term: 4, lastLogIndex: 8, lastLogTerm: 3, isPreVote: false,
                        isLeadershipTransfer: false))
            ).isUrgent)
        XCTAssertTrue(
            PeerMessage.forward(ForwardRequest(session: 9, sequence: 1, command: [0])).isUrgent,
            "a follower's client waits on it")
        XCTAssertTrue(PeerMessage.forwardRefused(sequence: 1, leaderHint: 2).isUrgent)
    }
}

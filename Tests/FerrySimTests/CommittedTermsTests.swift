import FerryRaft
import XCTest

@testable import FerrySim

/// The boot check of queue mode: a rebooted node's recovered log keeps Log Matching against what committed.
final class CommittedTermsTests: XCTestCase {
    /// 1-3 committed in term 1, 4-6 in term 2.
    func committed() -> CommittedTerms {
        var terms = CommittedTerms()
        for index in 1...3 as ClosedRange<LogIndex> { terms.record(index, term: 1) }
        for index in 4...6 as ClosedRange<LogIndex> { terms.record(index, term: 2) }
        return terms
    }

    let noSnapshot = SnapshotMetadata(index: 0, term: 0, configuration: Configuration(voters: [1]))

    func log(_ positions: [(LogIndex, Term)]) -> [Entry] {
        positions.map { Entry(index: $0.0, term: $0.1, payload: .noop) }
    }

    func testAPrefixOfTheCommittedLogAgrees() {
        XCTAssertNil(committed().disagreement(snapshot: noSnapshot, entries: log([(1, 1), (2, 1), (3, 1), (4, 2)])))
    }

    func testAStaleSuffixAtCommittedIndexesIsAFollowerThatCrashedBeforeTheFixReachedItsDisk() {
        XCTAssertNil(
            committed().disagreement(snapshot: noSnapshot, entries: log([(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)])))
    }

    func testAStaleEntryUnderOneThatMatchesIsASplicedLog() {
        // Seed 776's shape: 4-5 of the stale term kept, then the committed term's 6.
        let problem = committed().disagreement(
            snapshot: noSnapshot, entries: log([(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 2)]))
        XCTAssertEqual(
            problem, "it holds 4@1 before 6@2, which matches the committed log, but index 4 committed in term 2")
    }

    func testAStaleEntryMayCarryALaterTermThanTheOneCommittedThere() {
        // A leader of term 3 wrote 5@3 and crashed; a leader of a later term committed the older 5@2 (§5.4.2).
        XCTAssertNil(
            committed().disagreement(snapshot: noSnapshot, entries: log([(1, 1), (2, 1), (3, 1), (4, 2), (5, 3)])))
    }

    func testASnapshotMustEndOnACommittedEntry() {
        XCTAssertNotNil(
            committed().disagreement(
                snapshot: SnapshotMetadata(index: 5, term: 1, configuration: Configuration(voters: [1])), entries: []))
        XCTAssertNil(
            committed().disagreement(
                snapshot: SnapshotMetadata(index: 5, term: 2, configuration: Configuration(voters: [1])), entries: []))
    }

    func testIndexesNeverSeenCommittedAreNotJudged() {
        XCTAssertNil(committed().disagreement(snapshot: noSnapshot, entries: log([(6, 2), (7, 9), (8, 1)])))
    }
}

import FerryRaft
import XCTest

@testable import FerryNode

/// Client sessions (thesis §6.3): each (session, sequence) changes the state at most once.
final class SessionTableTests: XCTestCase {
    func testASequenceIsAdmittedOnceInAnyOrder() {
        var table = SessionTable()
        XCTAssertTrue(table.admit(session: 7, sequence: 2, timeMs: 1))
        XCTAssertTrue(table.admit(session: 7, sequence: 1, timeMs: 1), "out of order is fine")
        XCTAssertFalse(table.admit(session: 7, sequence: 2, timeMs: 1))
        XCTAssertFalse(table.admit(session: 7, sequence: 1, timeMs: 1))
        XCTAssertTrue(table.admit(session: 8, sequence: 1, timeMs: 1), "sessions are independent")
    }

    func testASequenceOlderThanTheWindowIsRefusedNeverReapplied() {
        var table = SessionTable()
        XCTAssertTrue(table.admit(session: 1, sequence: SessionTable.windowSequences + 10, timeMs: 1))
        XCTAssertFalse(table.admit(session: 1, sequence: 5, timeMs: 1))
        XCTAssertTrue(table.admit(session: 1, sequence: SessionTable.windowSequences + 9, timeMs: 1))
    }

    func testTheWindowForgetsSlotsItSlidesPast() {
        var table = SessionTable()
        let w = SessionTable.windowSequences
        XCTAssertTrue(table.admit(session: 1, sequence: 3, timeMs: 1))
        XCTAssertTrue(table.admit(session: 1, sequence: 3 + w, timeMs: 1), "same slot, next lap: a new sequence")
        XCTAssertFalse(table.admit(session: 1, sequence: 3 + w, timeMs: 1))
    }

    func testIdleSessionsExpireInReplicatedTime() {
        var table = SessionTable()
        _ = table.admit(session: 1, sequence: 1, timeMs: 1_000)
        _ = table.admit(
            session: 2, sequence: 1, timeMs: 1_000 + SessionTable.idleExpiryMs + SessionTable.sweepIntervalMs + 1)
        XCTAssertNil(table.sessions[1])
        XCTAssertNotNil(table.sessions[2])
    }

    func testTheSnapshotEncodingRoundTripsByteForByte() throws {
        var table = SessionTable()
        for session in [UInt64(5), 3, 9] {
            for sequence in [UInt64(1), 2, 70, 200] {
                _ = table.admit(session: session, sequence: sequence, timeMs: 42)
            }
        }
        var writer = LittleEndianWriter()
        table.encode(into: &writer)
        var reader = LittleEndianReader(writer.bytes)
        let decoded = try SessionTable.decode(from: &reader)
        XCTAssertEqual(decoded, table)
        var again = LittleEndianWriter()
        decoded.encode(into: &again)
        XCTAssertEqual(again.bytes, writer.bytes)
        var truncated = LittleEndianReader(Array(writer.bytes.dropLast(3)))
        XCTAssertThrowsError(try SessionTable.decode(from: &truncated))
    }
}

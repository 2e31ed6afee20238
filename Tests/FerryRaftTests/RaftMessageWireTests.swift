import XCTest

@testable import FerryRaft

/// Every peer message survives an encode/decode round trip; damaged bytes are refused, never trusted.
final class RaftMessageWireTests: XCTestCase {
    static let configuration = Configuration(voters: [1, 2, 3], learners: [4])
    static let addressed = Configuration(
        voters: [1, 2], learners: [4],
        addresses: [
            1: MemberAddress(peer: "10.0.0.1:7001", clientURL: "http://10.0.0.1:9324"),
            4: MemberAddress(peer: "node4.ferry:7001"),
        ])
    static let samples: [RaftMessage] = [
        .voteRequest(
            VoteRequest(term: 7, lastLogIndex: 42, lastLogTerm: 6, isPreVote: true, isLeadershipTransfer: false)),
        .voteResponse(VoteResponse(term: 7, granted: true, isPreVote: false)),
        .appendEntries(
            AppendEntries(
                term: 3, prevLogIndex: 9, prevLogTerm: 2,
                entries: [
                    Entry(index: 10, term: 3, payload: .noop),
                    Entry(index: 11, term: 3, payload: .command([1, 2, 3])),
                    Entry(index: 12, term: 3, payload: .configuration(configuration)),
                    Entry(index: 13, term: 3, payload: .configuration(addressed)),
                ], leaderCommit: 9)),
        .appendEntries(AppendEntries(term: 3, prevLogIndex: 9, prevLogTerm: 2, entries: [], leaderCommit: 9)),
        .appendResponse(AppendResponse(term: 3, success: false, index: 9, conflictTerm: 2, conflictIndex: 5)),
        .heartbeat(Heartbeat(term: 3, commit: 8, readRound: 99)),
        .heartbeatResponse(HeartbeatResponse(term: 3, readRound: 99)),
        .snapshotChunk(
            SnapshotChunk(
                term: 4, metadata: SnapshotMetadata(index: 100, term: 3, configuration: configuration),
                offset: 10, data: [9, 8, 7], totalBytes: 20)),
        .snapshotChunk(
            SnapshotChunk(
                term: 4, metadata: SnapshotMetadata(index: 100, term: 3, configuration: addressed),
                offset: 0, data: [1], totalBytes: 1)),
        .snapshotResponse(SnapshotResponse(term: 4, snapshotIndex: 100, nextOffset: 13, done: false)),
        .timeoutNow(TimeoutNow(term: 5)),
        .readIndexRequest(ReadIndexRequest(term: 5, requestID: 77)),
        .readIndexResponse(ReadIndexResponse(term: 5, requestID: 77, index: 12)),
        .readIndexResponse(ReadIndexResponse(term: 5, requestID: 78, index: nil)),
    ]

    func testEveryMessageRoundTrips() throws {
        for message in Self.samples {
            let envelope = Envelope(from: 1, to: 2, message: message)
            XCTAssertEqual(try Envelope.decode(envelope.encoded()), envelope)
        }
    }

    func testTheReservedRoomCoversEveryEncoding() {
        for message in Self.samples {
            let envelope = Envelope(from: 1, to: 2, message: message)
            XCTAssertGreaterThanOrEqual(envelope.encodedBytesEstimate, envelope.encoded().count, "\(message)")
        }
    }

    func testTruncatedMessagesAreRefused() {
        for message in Self.samples {
            let bytes = Envelope(from: 1, to: 2, message: message).encoded()
            for cut in 0..<bytes.count {
                XCTAssertThrowsError(try Envelope.decode(Array(bytes[..<cut])), "\(message) cut at \(cut)")
            }
        }
    }

    /// Fixed-width fields are loaded whole: the same values as assembling them byte by byte (little-endian),
    /// at every offset, and the same `truncated` error when fewer bytes are left.
    func testFixedWidthFieldsReadAsTheirLittleEndianBytes() {
        var random = SeededGenerator(seed: 6)
        let bytes = (0..<23).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for offset in 0...bytes.count {
            let rest = bytes[offset...]
            var reader = LittleEndianReader(bytes, offset: offset)
            if rest.count >= 8 {
                XCTAssertEqual(try reader.readUInt64(), rest.prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) })
                XCTAssertEqual(reader.offset, offset + 8)
            } else {
                XCTAssertThrowsError(try reader.readUInt64()) {
                    XCTAssertEqual($0 as? WireError, .truncated(needed: 8, available: rest.count))
                }
                XCTAssertEqual(reader.offset, offset)
            }
            reader = LittleEndianReader(bytes, offset: offset)
            if rest.count >= 4 {
                XCTAssertEqual(try reader.readUInt32(), rest.prefix(4).reversed().reduce(0) { $0 << 8 | UInt32($1) })
            } else {
                XCTAssertThrowsError(try reader.readUInt32()) {
                    XCTAssertEqual($0 as? WireError, .truncated(needed: 4, available: rest.count))
                }
            }
        }
    }

    func testRandomCorruptionNeverTraps() {
        var random = SeededGenerator(seed: 5)
        for message in Self.samples {
            let bytes = Envelope(from: 1, to: 2, message: message).encoded()
            for _ in 0..<200 {
                var damaged = bytes
                let position = Int(random.next() % UInt64(damaged.count))
                damaged[position] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                _ = try? Envelope.decode(damaged)  // either refused or a different valid message: never a crash
            }
        }
    }

    func testAnUnknownTagIsNamed() {
        var bytes = Envelope(from: 1, to: 2, message: .timeoutNow(TimeoutNow(term: 1))).encoded()
        bytes[16] = 200
        XCTAssertThrowsError(try Envelope.decode(bytes)) { error in
            XCTAssertEqual(error as? WireError, .unknownTag(type: "RaftMessage", tag: 200))
        }
    }
}

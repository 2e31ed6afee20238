import FerryRaft
import XCTest

final class WireCodecTests: XCTestCase {
    func testEntriesRoundTripEveryPayloadKind() throws {
        let samples = [
            Entry(index: 1, term: 1, payload: .noop),
            Entry(index: 2, term: 3, payload: .command([1, 2, 3, 255])),
            Entry(
                index: UInt64.max, term: 9, payload: .configuration(Configuration(voters: [1, 2, 3], learners: [4]))),
        ]
        for entry in samples {
            var writer = LittleEndianWriter()
            entry.encode(into: &writer)
            var reader = LittleEndianReader(writer.bytes)
            XCTAssertEqual(try Entry.decode(from: &reader), entry)
            XCTAssertEqual(reader.remaining, 0)
        }
    }

    func testHardStateRoundTripsWithAndWithoutVote() throws {
        for state in [HardState(), HardState(term: 7, votedFor: 2, commit: 40)] {
            var writer = LittleEndianWriter()
            state.encode(into: &writer)
            var reader = LittleEndianReader(writer.bytes)
            XCTAssertEqual(try HardState.decode(from: &reader), state)
        }
    }

    func testEveryTruncationOfAnEncodingThrowsInsteadOfTrapping() {
        var writer = LittleEndianWriter()
        Entry(index: 5, term: 2, payload: .configuration(Configuration(voters: [1, 2]))).encode(into: &writer)
        for cut in 0..<writer.bytes.count {
            var reader = LittleEndianReader(Array(writer.bytes[..<cut]))
            XCTAssertThrowsError(try Entry.decode(from: &reader), "cut at \(cut)")
        }
    }

    func testAnOversizedLengthIsRejectedBeforeAllocating() {
        var writer = LittleEndianWriter()
        writer.write(UInt32.max)
        var reader = LittleEndianReader(writer.bytes)
        XCTAssertThrowsError(try reader.readLengthPrefixed(max: 16)) { error in
            XCTAssertEqual(error as? WireError, .lengthTooLarge(length: Int(UInt32.max), max: 16))
        }
    }
}

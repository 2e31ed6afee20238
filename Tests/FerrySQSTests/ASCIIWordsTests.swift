import FerryRaft
import XCTest

@testable import FerrySQS

/// `ASCIIWords` against the byte-at-a-time definitions it replaces in the head parser: every byte value,
/// every length and offset around a word, and seeded random ASCII text.
final class ASCIIWordsTests: XCTestCase {
    func testTokenBytesAreExactlyTheHeadParsersTokenBytes() {
        for byte in 0...255 {
            XCTAssertEqual(ASCIIWords.isTokenByte(UInt8(byte)), HTTPHeadParser.isTokenByte(UInt8(byte)), "\(byte)")
        }
    }

    func testIsASCIIFindsAHighByteAtEveryPosition() {
        for count in 0...20 {
            let ascii = [UInt8](repeating: 0x7F, count: count)
            XCTAssertTrue(ascii.withUnsafeBufferPointer(ASCIIWords.isASCII))
            for position in 0..<count {
                var text = ascii
                text[position] = 0x80
                XCTAssertFalse(text.withUnsafeBufferPointer(ASCIIWords.isASCII), "\(count) \(position)")
            }
        }
    }

    func testFirstIndexAndFieldValueAgreeWithTheBytewiseDefinitions() {
        var rng = SplitMix64(seed: 19)
        // Mostly bytes that sit next to the ones looked for, so the word tests see every near miss.
        let near: [UInt8] = [0x00, 0x08, 0x09, 0x0A, 0x0B, 0x0D, 0x1F, 0x20, 0x21, 0x39, 0x3A, 0x3B, 0x41, 0x7E, 0x7F]
        let high: [UInt8] = [0x80, 0x8A, 0xBA, 0xFF]
        for iteration in 0..<20_000 {
            // firstIndex takes any bytes; isFieldValue an ASCII head's.
            let ascii = iteration % 2 == 0
            let count = Int(rng.next() % 40)
            let text = (0..<count).map { _ -> UInt8 in
                switch rng.next() % 4 {
                case 0: return near[Int(rng.next() % UInt64(near.count))]
                case 1 where !ascii: return high[Int(rng.next() % UInt64(high.count))]
                default: return UInt8(0x20 + rng.next() % 0x5F)
                }
            }
            let start = count == 0 ? 0 : Int(rng.next() % UInt64(count + 1))
            let end = start + Int(rng.next() % UInt64(count - start + 1))
            text.withUnsafeBufferPointer { bytes in
                for wanted: UInt8 in [0x0A, 0x3A] {
                    XCTAssertEqual(
                        ASCIIWords.firstIndex(of: wanted, in: bytes, from: start, to: end),
                        bytes[start..<end].firstIndex(of: wanted), "\(text) \(start)..<\(end) \(wanted)")
                }
                guard ascii else { return }
                XCTAssertEqual(
                    ASCIIWords.isFieldValue(bytes, from: start, to: end),
                    bytes[start..<end].allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 },
                    "\(text) \(start)..<\(end)")
            }
        }
    }
}

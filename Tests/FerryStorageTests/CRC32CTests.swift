import XCTest
import FerryRaft
@testable import FerryStorage

final class CRC32CTests: XCTestCase {
    func testStandardCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
    }

    func testEmptyInputIsZero() {
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    func testIncrementalUpdatesEqualOneShotAtEverySplit() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            var crc = CRC32C()
            crc.update(bytes[..<split])
            crc.update(bytes[split...])
            XCTAssertEqual(crc.value, whole, "split at \(split)")
        }
    }

    func testSlicingBy8MatchesBitwiseReference() {
        var random = SplitMix64(seed: 7)
        for length in [1, 7, 8, 9, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var reference: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                reference ^= UInt32(byte)
                for _ in 0..<8 { reference = (reference & 1) != 0 ? (reference >> 1) ^ 0x82F6_3B78 : reference >> 1 }
            }
            XCTAssertEqual(CRC32C.checksum(bytes), ~reference, "length \(length)")
        }
    }
}

import FerryRaft
import XCTest

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

    /// The CPU instruction and the table code agree on every length and alignment (the hardware path
    /// works in 8-byte words plus a byte tail, so lengths around multiples of 8 and odd offsets matter).
    func testHardwarePathMatchesTheTablesAtEveryLengthAndAlignment() throws {
        try XCTSkipUnless(CRC32C.usesHardware, "this CPU has no CRC-32C instruction; the tables are the only path")
        var random = SplitMix64(seed: 11)
        let bytes = (0..<4_200).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        bytes.withUnsafeBytes { all in
            for offset in 0..<9 {
                for length in Array(0..<70) + [1_023, 1_024, 1_025, 4_096, 4_191] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    var hardware = CRC32C()
                    hardware.update(slice)
                    let software = ~CRC32C.updateInSoftware(0xFFFF_FFFF, slice)
                    XCTAssertEqual(hardware.value, software, "offset \(offset) length \(length)")
                }
            }
        }
    }

    /// Long inputs run as three interleaved lanes of 8 KiB, then of 1 KiB, joined by a shift constant each: every
    /// length on either side of a lane boundary, and a snapshot block's 64 KiB, agree with the tables.
    func testThreeLaneHardwarePathMatchesTheTablesAroundEveryLaneBoundary() throws {
        try XCTSkipUnless(CRC32C.usesHardware, "this CPU has no CRC-32C instruction; the tables are the only path")
        var random = SplitMix64(seed: 12)
        let bytes = (0..<140_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let boundaries = [3 * 1_024, 2 * 3 * 1_024, 3 * 8_192, 3 * 8_192 + 3 * 1_024, 2 * 3 * 8_192 + 5 * 3 * 1_024]
        let lengths = boundaries.flatMap { [$0 - 9, $0 - 8, $0 - 1, $0, $0 + 1, $0 + 8] } + [65_536, 131_072, 139_991]
        bytes.withUnsafeBytes { all in
            for offset in [0, 1, 7] {
                for length in lengths {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    var hardware = CRC32C()
                    hardware.update(slice)
                    XCTAssertEqual(
                        hardware.value, ~CRC32C.updateInSoftware(0xFFFF_FFFF, slice),
                        "offset \(offset) length \(length)")
                }
            }
        }
    }
}

import FerryRaft
import XCTest

@testable import FerryStorage

final class CRC32CCombineTests: XCTestCase {
    func testJoiningTwoChecksumsGivesTheChecksumOfBothAtEverySplit() {
        var random = SplitMix64(seed: 23)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(bytes[..<split])
            let second = CRC32C.checksum(bytes[split...])
            let joined = CRC32C.combine(first, second, appending: CRC32C.zerosOperator(bytes: bytes.count - split))
            XCTAssertEqual(joined, whole, "split at \(split)")
        }
    }

    func testJoiningAcrossLongLengths() {
        var random = SplitMix64(seed: 29)
        let bytes = (0..<(3 * 65_536 + 5)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for split in [0, 1, 65_536, 65_541, 2 * 65_536 + 7] {
            let joined = CRC32C.combine(
                CRC32C.checksum(bytes[..<split]), CRC32C.checksum(bytes[split...]),
                appending: CRC32C.zerosOperator(bytes: bytes.count - split))
            XCTAssertEqual(joined, CRC32C.checksum(bytes), "split at \(split)")
        }
    }

    func testFeedingAChecksumEqualsFeedingItsBytes() {
        let head = Array("header".utf8)
        let body = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var fedBytes = CRC32C()
        fedBytes.update(head)
        fedBytes.update(body)
        var fedChecksum = CRC32C()
        fedChecksum.update(head)
        fedChecksum.update(checksum: CRC32C.checksum(body), appending: CRC32C.zerosOperator(bytes: body.count))
        XCTAssertEqual(fedChecksum.value, fedBytes.value)
    }

    /// The file checksum at start is joined from the block checksums: it must equal one pass over the data,
    /// for whole blocks and a short last one, and differ when one byte of the data does.
    func testBlockChecksumsFeedTheSameChecksumAsThePassOverTheData() {
        var random = SplitMix64(seed: 31)
        let metadata = SnapshotMetadata(index: 9, term: 2, configuration: testConfiguration)
        for count in [0, 1, SnapshotBlockChecksums.blockBytes, 2 * SnapshotBlockChecksums.blockBytes + 17] {
            var data = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var fed = CRC32C()
            fed.update(Array("head".utf8))
            _ = SnapshotBlockChecksums(
                of: StoredSnapshot(metadata: metadata, sizeBytes: count), data: data, feeding: &fed)
            var pass = CRC32C()
            pass.update(Array("head".utf8))
            pass.update(data)
            XCTAssertEqual(fed.value, pass.value, "\(count) bytes")
            guard count > 0 else { continue }
            data[count / 2] ^= 0x10
            var flipped = CRC32C()
            flipped.update(Array("head".utf8))
            _ = SnapshotBlockChecksums(
                of: StoredSnapshot(metadata: metadata, sizeBytes: count), data: data, feeding: &flipped)
            XCTAssertNotEqual(flipped.value, pass.value, "\(count) bytes, one flipped")
        }
    }
}

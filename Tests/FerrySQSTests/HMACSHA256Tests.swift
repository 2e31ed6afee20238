import XCTest

@testable import FerrySQS

/// HMACSHA256 is RFC 2104 HMAC with SHA-256: it must give RFC 4231's codes for keys shorter than, equal to and
/// longer than the 64-byte block, however the message is split across updates, and a keyed copy must never
/// disturb the keyed original (SigV4 and receipt-handle seals copy a cached one per request).
final class HMACSHA256Tests: XCTestCase {
    private func hex(_ digest: SHA256DigestBytes) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    private func code(key: [UInt8], _ parts: [[UInt8]]) -> String {
        var hmac = HMACSHA256(key: key)
        for part in parts { hmac.update(part) }
        return hex(hmac.finalize().withUnsafeBytes { Array($0) })
    }

    func testRFC4231Case1ShortKey() {
        XCTAssertEqual(
            code(key: [UInt8](repeating: 0x0b, count: 20), [Array("Hi There".utf8)]),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    func testRFC4231Case2KeyShorterThanTheCode() {
        XCTAssertEqual(
            code(key: Array("Jefe".utf8), [Array("what do ya want ".utf8), Array("for nothing?".utf8)]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testRFC4231Case6KeyLongerThanABlockIsHashedFirst() {
        XCTAssertEqual(
            code(
                key: [UInt8](repeating: 0xaa, count: 131),
                [Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)]),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testAKeyOfExactlyOneBlockIsUsedAsIs() {
        // 64 bytes: neither hashed nor padded. Same code as the key hashed-then-padded would give only by accident.
        let key = [UInt8](0..<64)
        let direct = code(key: key, [Array("block".utf8)])
        XCTAssertEqual(direct, code(key: key, [Array("bl".utf8), [], Array("ock".utf8)]), "updates concatenate")
        XCTAssertNotEqual(direct, code(key: key + [0], [Array("block".utf8)]))
    }

    func testAKeyedCopyLeavesTheOriginalKeyed() {
        let keyed = HMACSHA256(key: Array("Jefe".utf8))
        var first = keyed
        first.update(Array("what do ya want for nothing?".utf8))
        var second = keyed
        second.update(Array("what do ya want for nothing?".utf8))
        XCTAssertEqual(
            hex(first.finalize().withUnsafeBytes { Array($0) }),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(
            hex(second.finalize().withUnsafeBytes { Array($0) }),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(hex(keyed.finalize().withUnsafeBytes { Array($0) }), code(key: Array("Jefe".utf8), []))
    }
}

private typealias SHA256DigestBytes = [UInt8]

import XCTest

@testable import FerryQueue

/// State-independent checks (docs/sqs-wire.md, "Operations", "Message limits", "Message checksums") and the
/// standard-library-only primitives.
final class ValidationTests: XCTestCase {
    func testSha256StandardVectors() {
        XCTAssertEqual(
            SHA256.hexDigest(Array("hello".utf8)), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(SHA256.hexDigest([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256.hexDigest(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var incremental = SHA256()
        for chunk in ["hel", "", "lo"] { incremental.update(Array(chunk.utf8)) }
        XCTAssertEqual(Hex.encode(incremental.finalize()), SHA256.hexDigest(Array("hello".utf8)))
    }

    func testBodyCharacters() {
        XCTAssertTrue(QueueValidation.isValidMessageText(Array("tab\there\nok\r 短发 😀".utf8)))
        XCTAssertFalse(QueueValidation.isValidMessageText([0x00]))
        XCTAssertFalse(QueueValidation.isValidMessageText([0x08]))
        XCTAssertFalse(QueueValidation.isValidMessageText(Array("\u{FFFE}".utf8)))
        XCTAssertFalse(QueueValidation.isValidMessageText([0xff, 0xfe]), "not UTF-8")
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        XCTAssertTrue(QueueValidation.isValidMessageText(long))
        for bad: UInt8 in [0x00, 0x01, 0x1f, 0x7f] {
            var body = long
            body[517] = bad
            XCTAssertEqual(QueueValidation.isValidMessageText(body), bad == 0x7f, "byte \(bad) in a long body")
        }
        var tabbed = long
        tabbed[3] = 0x09
        XCTAssertTrue(QueueValidation.isValidMessageText(tabbed))
        // Every control character at the edges of a 32-byte block, of a word after the blocks and of the bytes
        // after the words (1,003 bytes: 31 blocks, a word, 3 bytes): only tab, LF and CR pass, and a later
        // non-ASCII byte does not save an earlier control character.
        let odd = [UInt8](repeating: UInt8(ascii: "a"), count: 1003)
        for position in [0, 7, 8, 15, 31, 32, 63, 991, 992, 995, 999, 1000, 1002] {
            for byte: UInt8 in 0..<0x20 {
                var body = odd
                body[position] = byte
                XCTAssertEqual(
                    QueueValidation.isValidMessageText(body), [0x9, 0xA, 0xD].contains(byte),
                    "byte \(byte) at \(position)")
                guard position < 1001 else { continue }
                body[1001] = 0xC3
                body[1002] = 0xA9
                XCTAssertEqual(QueueValidation.isValidMessageText(body), [0x9, 0xA, 0xD].contains(byte), "then é")
            }
        }
        for position in [0, 31, 32, 991, 992, 1000, 1002] {
            var body = odd
            body[position] = 0xC3  // a lead byte without its continuation: not UTF-8 wherever it is
            XCTAssertFalse(QueueValidation.isValidMessageText(body), "a broken sequence at \(position)")
        }
        XCTAssertTrue(QueueValidation.isValidMessageText(Array("{\n  \"Type\" : \"Notification\"\n}\u{7f}".utf8)))
    }

    /// The edge skips only the body (FerrySQS checked it); the machine's `validateSendEntry` is both, body first.
    func testSendEntryChecksAreTheBodyThenTheRest() {
        func code(_ check: () throws -> Void) -> QueueErrorCode? {
            do {
                try check()
                return nil
            } catch { return (error as! QueueError).code }
        }
        let badBody = SendEntry(body: [0x08], delaySeconds: 901)
        XCTAssertEqual(code { try QueueValidation.validateSendEntry(badBody) }, .invalidMessageContents)
        XCTAssertEqual(code { try QueueValidation.validateMessageBody(badBody.body) }, .invalidMessageContents)
        XCTAssertEqual(code { try QueueValidation.validateSendEntryExceptBody(badBody) }, .invalidParameterValue)
        XCTAssertEqual(code { try QueueValidation.validateSendEntry(SendEntry(body: [])) }, .missingParameter)
        XCTAssertNil(code { try QueueValidation.validateSendEntryExceptBody(SendEntry(body: [])) })
        let tooLong = SendEntry(body: [UInt8](repeating: 0x61, count: QueueLimits.messageBytesMax + 1))
        XCTAssertEqual(code { try QueueValidation.validateSendEntry(tooLong) }, .invalidParameterValue)
        XCTAssertEqual(code { try QueueValidation.validateSendEntryExceptBody(tooLong) }, .invalidParameterValue)
        let longest = SendEntry(body: [UInt8](repeating: 0x61, count: QueueLimits.messageBytesMax))
        XCTAssertNil(code { try QueueValidation.validateSendEntry(longest) })
        XCTAssertNil(code { try QueueValidation.validateSendEntryExceptBody(longest) })
    }

    func testMessageAttributeRules() {
        func check(_ attributes: [MessageAttribute]) -> QueueErrorCode? {
            do {
                try QueueValidation.validateMessageAttributes(attributes)
                return nil
            } catch { return (error as! QueueError).code }
        }
        let ok = MessageAttribute(name: "a.b-c_1", dataType: "String.label", value: .string("v"))
        XCTAssertNil(check([ok]))
        XCTAssertNil(check([MessageAttribute(name: "n", dataType: "Number", value: .string("-3.14e5"))]))
        XCTAssertEqual(
            check([MessageAttribute(name: "n", dataType: "Number", value: .string("abc"))]), .invalidParameterValue)
        XCTAssertEqual(
            check((0..<11).map { MessageAttribute(name: "a\($0)", dataType: "String", value: .string("v")) }),
            .invalidParameterValue, "at most 10")
        for bad in ["AWS.x", "amazon.y", ".a", "a.", "a..b", "a b", ""] {
            XCTAssertEqual(
                check([MessageAttribute(name: bad, dataType: "String", value: .string("v"))]), .invalidParameterValue,
                bad)
        }
        XCTAssertEqual(
            check([MessageAttribute(name: "a", dataType: "Blob", value: .string("v"))]), .invalidParameterValue)
        XCTAssertEqual(
            check([MessageAttribute(name: "a", dataType: "Binary", value: .string("v"))]), .invalidParameterValue)
    }

    func testAttributeNamesAreCheckedByteByByteWithoutRegardToCase() {
        func isValid(_ name: String) -> Bool { QueueValidation.isValidAttributeName(name.utf8) }
        for good in ["a", "aws", "awsx.y", "amazon", "x.aws.y", "A-b_c.9", String(repeating: "n", count: 256)] {
            XCTAssertTrue(isValid(good), good)
        }
        let bad = [
            "Aws.x", "AMAZON.y", "aWs.", ".", "..", ".a", "a.", "a..b", "a b", "é", "",
            String(repeating: "n", count: 257),
        ]
        for name in bad { XCTAssertFalse(isValid(name), name) }
        let twice = [
            MessageAttribute(name: "a", dataType: "String", value: .string("v")),
            MessageAttribute(name: "a", dataType: "Number", value: .string("1")),
        ]
        XCTAssertThrowsError(try QueueValidation.validateMessageAttributes(twice), "names must be unique")
    }

    func testAttributeDataTypeBaseIsTheFirstRunBetweenDots() {
        for type in ["String", "Number.int", "Binary.a.b", ".String", "..Number.x", "String.", "", ".", "...", "é.x"] {
            let split = type.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            XCTAssertEqual(String(AttributeDataType.base(type)), split, type)
        }
    }

    func testFifoIdsArePrintableAsciiUpTo128() {
        XCTAssertNoThrow(try QueueValidation.validateFifoId("MessageGroupId", "a!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))
        XCTAssertThrowsError(try QueueValidation.validateFifoId("MessageGroupId", "has space"))
        XCTAssertThrowsError(try QueueValidation.validateFifoId("MessageGroupId", String(repeating: "a", count: 129)))
    }

    func testReceiptHandlesDecodeOnAnyNode() {
        let handle = ReceiptHandle(queue: 7, seq: 123_456_789, epoch: 3)
        XCTAssertEqual(ReceiptHandle(text: handle.text), handle)
        XCTAssertNil(ReceiptHandle(text: handle.text + "0"))
        XCTAssertNil(ReceiptHandle(text: "FR1zz"))
    }

    func testMessageIdsLookLikeUuidV4() {
        let id = MessageIdentity.messageId(queue: 1, seq: 1)
        let parts = id.split(separator: "-").map(\.count)
        XCTAssertEqual(parts, [8, 4, 4, 4, 12])
        XCTAssertEqual(Array(id)[14], "4")
        XCTAssertTrue("89ab".contains(Array(id)[19]))
    }

    func testMiniJsonParsesPolicies() {
        XCTAssertEqual(MiniJSON.parseObject("{ \"a\" : \"x\\\"y\", \"n\": 5, \"l\": [\"p\", \"q\"] }")?.count, 3)
        XCTAssertNil(MiniJSON.parseObject("{\"a\": }"))
        XCTAssertNil(MiniJSON.parseObject("{\"a\": 1} trailing"))
    }
}

import FerryRaft
import XCTest

@testable import FerryQueue

/// Message ids and receipt handles are written straight into strings (every replica mints them on every
/// send and receive). These pin them to the plain array-and-hex definitions they replaced, so handles minted
/// before the change still decode and ids stay the same across versions.
final class IdentifierTests: XCTestCase {
    func testMessageIdsMatchTheByteLayoutDefinition() {
        var random = SplitMix64(seed: 3)
        let samples =
            [(QueueID(0), UInt64(0)), (QueueID.max, UInt64.max), (1, 1)]
            + (0..<2_000).map { _ in (QueueID(truncatingIfNeeded: random.next()), random.next()) }
        for (queue, seq) in samples {
            XCTAssertEqual(
                MessageIdentity.messageId(queue: queue, seq: seq), referenceMessageId(queue: queue, seq: seq))
        }
        XCTAssertEqual(MessageIdentity.messageId(queue: 7, seq: 42).count, 36)
    }

    func testReceiptHandlesRoundTripAndMatchTheByteLayoutDefinition() {
        var random = SplitMix64(seed: 4)
        for _ in 0..<2_000 {
            let handle = ReceiptHandle(
                queue: QueueID(truncatingIfNeeded: random.next()), seq: random.next(),
                epoch: UInt32(truncatingIfNeeded: random.next()))
            XCTAssertEqual(handle.text, referenceHandleText(handle))
            XCTAssertEqual(ReceiptHandle(text: handle.text), handle)
            XCTAssertEqual(
                ReceiptHandle(text: "FR1" + handle.text.dropFirst(3).uppercased()), handle,
                "hex digits are accepted in either case")
        }
    }

    func testMalformedReceiptHandlesAreRefused() {
        let good = ReceiptHandle(queue: 9, seq: 123_456, epoch: 2).text
        var flipped = Array(good.utf8)
        flipped[20] = flipped[20] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        for text in [
            "", "FR1", String(good.dropLast()), good + "0", "XR1" + good.dropFirst(3),
            String(decoding: flipped, as: UTF8.self), good.replacingOccurrences(of: "FR1", with: "FR2"),
            "FR1" + String(repeating: "g", count: 40), "FR1" + String(repeating: "é", count: 20),
        ] {
            XCTAssertNil(ReceiptHandle(text: text), "\(text) must not decode")
        }
    }

    func testSequenceNumbersMatchThePaddedDecimalDefinition() {
        var random = SplitMix64(seed: 6)
        let samples: [UInt64] =
            [0, 1, 9, 10, 99, 100, 12_345, 9_999_999_999_999_999_999, UInt64.max]
            + (0..<2_000).map { _ in random.next() >> (random.next() % 64) }
        for seq in samples {
            XCTAssertEqual(MessageIdentity.sequenceNumber(seq), referenceSequenceNumber(seq))
        }
        XCTAssertEqual(MessageIdentity.sequenceNumber(42), "00000000000000000042")
    }

    /// The machine resolves a redrive target's ARN on every receive; ASCII ARNs are parsed byte by byte,
    /// and must be parsed exactly as the Character split does (non-ASCII text still takes that split).
    func testQueueARNsParseAsTheCharacterSplitDefinition() {
        let fixed = [
            "arn:aws:sqs:us-east-1:000000000000:q", "arn:aws-cn:sqs:cn-north-1:123:q.fifo",
            "arn:aws:sqs:us-east-1:000000000000:", "arn:aws:sqs:us-east-1:000000000000:q:extra",
            "arn:aws:sqs:us-east-1:q", "arn:aws:sns:us-east-1:000000000000:q", "arn:awz:sqs:r:a:q",
            "ARN:aws:sqs:r:a:q", ":::::", "arn:aws:sqs:::q", "", "arn", "arn:aws:sqs:r:a:\r\nq",
            "arn:aws:sqs:us-east-1:000000000000:qé", "arn:aws:sqs:us-east-1:000000000000:\u{301}q",
            "arn:aws:sqs:us-\u{212A}:000000000000:q", "arn:aws:sqs:r:a:q\u{0}",
        ]
        var random = SplitMix64(seed: 5)
        let alphabet = Array("arnwsq:-0aé\u{301}:")
        let drawn = (0..<3_000).map { _ in
            String((0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        for text in fixed + drawn.map({ "arn:aws:sqs:" + $0 }) + drawn {
            XCTAssertEqual(QueueARN(text), referenceQueueARN(text), "\(text.unicodeScalars.map(\.value))")
        }
        XCTAssertEqual(
            QueueARN("arn:aws:sqs:us-east-1:000000000000:q"),
            QueueARN(region: "us-east-1", accountId: "000000000000", queueName: "q"))
    }

    // MARK: - The definitions, as first written

    private func referenceSequenceNumber(_ seq: UInt64) -> String {
        let digits = String(seq)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }

    private func referenceQueueARN(_ text: String) -> QueueARN? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sqs",
            !parts[5].isEmpty
        else { return nil }
        return QueueARN(region: String(parts[3]), accountId: String(parts[4]), queueName: String(parts[5]))
    }

    private func referenceMessageId(queue: QueueID, seq: UInt64) -> String {
        let q = MessageIdentity.mix32(queue)
        let s = MessageIdentity.mix64(seq)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: q >> UInt32(24 - 8 * i)) }
        bytes[4] = UInt8(truncatingIfNeeded: s >> 56)
        bytes[5] = UInt8(truncatingIfNeeded: s >> 48)
        bytes[6] = 0x40 | UInt8(truncatingIfNeeded: (s >> 44) & 0x0f)
        bytes[7] = UInt8(truncatingIfNeeded: s >> 36)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (s >> 30) & 0x3f)
        let low = (s & 0x3fff_ffff) << 2 | UInt64(q & 0x3)
        for i in 0..<4 { bytes[9 + i] = UInt8(truncatingIfNeeded: low >> UInt64(24 - 8 * i)) }
        let filler = MessageIdentity.mix32(q ^ 0x9e37_79b9)
        for i in 0..<3 { bytes[13 + i] = UInt8(truncatingIfNeeded: filler >> UInt32(16 - 8 * i)) }
        let hex = Array(Hex.encode(bytes).utf8)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(decoding: hex[$0], as: UTF8.self) }
            .joined(separator: "-")
    }

    private func referenceHandleText(_ handle: ReceiptHandle) -> String {
        var payload: [UInt8] = []
        appendBigEndian(&payload, UInt64(handle.queue), bytes: 4)
        appendBigEndian(&payload, handle.seq, bytes: 8)
        appendBigEndian(&payload, UInt64(handle.epoch), bytes: 4)
        appendBigEndian(&payload, UInt64(fnv1a32(payload)), bytes: 4)
        return "FR1" + Hex.encode(payload)
    }
}

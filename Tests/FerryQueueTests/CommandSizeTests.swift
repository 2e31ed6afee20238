import XCTest

@testable import FerryQueue

/// The largest commands the SQS limits allow must encode within `QueueLimits.encodedCommandBytesMax`, the
/// bound the Raft log is sized from: a gap here let one maximum-size SendMessage crash a leader.
final class CommandSizeTests: XCTestCase {
    private let fifoQueue = String(repeating: "q", count: QueueLimits.queueNameCharactersMax - 5) + ".fifo"

    /// Ten attributes of the longest name and type; the value of the last one takes whatever of
    /// `totalBytes` the body does not.
    private func entry(id: String, totalBytes: Int, bodyBytes: Int) -> SendEntry {
        let name = { (i: Int) in
            String(repeating: "n", count: QueueLimits.messageAttributeNameCharactersMax - 2)
                + (i < 10 ? "0\(i)" : "\(i)")
        }
        let type = "String." + String(repeating: "t", count: QueueLimits.messageAttributeTypeCharactersMax - 7)
        var attributes = (0..<QueueLimits.messageAttributesMax).map {
            MessageAttribute(name: name($0), dataType: type, value: .string("v"))
        }
        let fixed = attributes.reduce(0) { $0 + $1.sizeBytes } - 1
        attributes[attributes.count - 1].value = .string(String(repeating: "v", count: totalBytes - bodyBytes - fixed))
        return SendEntry(
            id: id, body: [UInt8](repeating: UInt8(ascii: "b"), count: bodyBytes), delaySeconds: 0,
            attributes: attributes, awsTraceHeader: String(repeating: "h", count: QueueLimits.traceHeaderBytesMax),
            messageGroupId: String(repeating: "g", count: QueueLimits.fifoIdCharactersMax),
            messageDeduplicationId: String(repeating: "d", count: QueueLimits.fifoIdCharactersMax),
            bodyMD5: BodyMD5(high: .max, low: .max))
    }

    func testTheLargestSendMessageFitsTheCommandBound() throws {
        let message = entry(
            id: "", totalBytes: QueueLimits.messageBytesMax, bodyBytes: QueueLimits.messageBytesMax - 20_000)
        XCTAssertEqual(message.sizeBytes, QueueLimits.messageBytesMax)
        XCTAssertNoThrow(try QueueValidation.validateSendEntry(message))
        let encoded = QueueCommand.sendMessages(queueName: fifoQueue, entries: [message], isBatch: false).encode()
        XCTAssertLessThanOrEqual(encoded.count, QueueLimits.encodedCommandBytesMax)

        var bodyOnly = message
        bodyOnly.attributes = []
        bodyOnly.body = [UInt8](repeating: UInt8(ascii: "b"), count: QueueLimits.messageBytesMax)
        XCTAssertNoThrow(try QueueValidation.validateSendEntry(bodyOnly))
        bodyOnly.body.append(UInt8(ascii: "b"))
        XCTAssertThrowsError(try QueueValidation.validateSendEntry(bodyOnly), "one byte over the message limit")
    }

    func testTheLargestBatchFitsTheCommandBound() throws {
        let perEntry = QueueLimits.batchBytesMax / QueueLimits.batchEntriesMax
        let remainder = QueueLimits.batchBytesMax - perEntry * QueueLimits.batchEntriesMax
        let entries = (0..<QueueLimits.batchEntriesMax).map { i in
            let id = String(repeating: "e", count: QueueLimits.batchEntryIdCharactersMax - 1) + "\(i)"
            let total = perEntry + (i == 0 ? remainder : 0)
            return entry(id: id, totalBytes: total, bodyBytes: total - 10_000)
        }
        XCTAssertEqual(entries.reduce(0) { $0 + $1.sizeBytes }, QueueLimits.batchBytesMax)
        XCTAssertNoThrow(try QueueValidation.validateSendBatch(entries))
        for entry in entries { XCTAssertNoThrow(try QueueValidation.validateSendEntry(entry)) }
        let encoded = QueueCommand.sendMessages(queueName: fifoQueue, entries: entries, isBatch: true).encode()
        XCTAssertLessThanOrEqual(encoded.count, QueueLimits.encodedCommandBytesMax)
        // The bound has room, but not so much that it hides a change in the encoding.
        XCTAssertGreaterThan(encoded.count, QueueLimits.batchBytesMax + 10_000)
        // An entry without an explicit id carries its content id (64 hex digits, shorter than the longest
        // explicit one) and makes the command version 3, where every entry ends with a presence byte.
        var carrying = entries
        carrying[0].messageDeduplicationId = nil
        carrying[0].contentDeduplicationId = String(repeating: "c", count: 64)
        let version3 = QueueCommand.sendMessages(queueName: fifoQueue, entries: carrying, isBatch: true).encode()
        XCTAssertEqual(version3.first, QueueCommand.wireVersion)
        XCTAssertLessThanOrEqual(version3.count, QueueLimits.encodedCommandBytesMax)

        var over = entries
        over[0].body.append(UInt8(ascii: "b"))
        XCTAssertThrowsError(try QueueValidation.validateSendBatch(over), "one byte over the batch limit") { error in
            XCTAssertEqual((error as? QueueError)?.code, .batchRequestTooLong)
        }
    }
}

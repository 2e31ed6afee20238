import XCTest

@testable import FerryQueue

/// A content-based deduplication id is the SHA-256 of the body (of the message, on a topic) in lowercase hex,
/// hashed once where the message arrived and carried in the command (version 3). Commands written before it
/// was carried, and what the machine builds itself, have none: the machine hashes the body when it applies
/// them, and gets the same id.
final class ContentDeduplicationIdTests: XCTestCase {
    /// SHA-256("hello"), as AWS's content-based deduplication id (FifoQueueTests checks the machine's own hash).
    static let helloId = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

    private func fifo() -> Harness {
        var h = Harness()
        XCTAssertEqual(
            h.create("q.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"]),
            .queueCreated(name: "q.fifo"))
        return h
    }

    private func send(_ h: inout Harness, _ body: String, contentId: String?) -> SentMessage? {
        let entry = SendEntry(body: Array(body.utf8), messageGroupId: "g", contentDeduplicationId: contentId)
        guard case .sent(let entries) = h.run(.sendMessages(queueName: "q.fifo", entries: [entry], isBatch: false)),
            case .success(let sent) = entries[0].result
        else {
            XCTFail("send failed")
            return nil
        }
        return sent
    }

    func testTheMachineHashesTheBodyAsTheEdgeDoes() {
        XCTAssertEqual(SHA256.hexDigest(Array("hello".utf8)), Self.helloId)
    }

    func testACarriedIdIsTheDeduplicationIdAndMatchesAnUncarriedSendOfTheSameBody() {
        var h = fifo()
        h.fork()
        let carried = send(&h, "hello", contentId: Self.helloId)
        let uncarried = send(&h, "hello", contentId: nil)
        XCTAssertEqual(uncarried?.messageId, carried?.messageId)
        XCTAssertEqual(uncarried?.wasDuplicate, true, "the machine's hash of the body is the id the edge carried")
        XCTAssertEqual(h.receive("q.fifo").map(\.messageDeduplicationId), [Self.helloId])
    }

    func testAnExplicitIdWinsOverACarriedOne() {
        var h = fifo()
        let entry = SendEntry(
            body: Array("hello".utf8), messageGroupId: "g", messageDeduplicationId: "explicit",
            contentDeduplicationId: Self.helloId)
        _ = h.run(.sendMessages(queueName: "q.fifo", entries: [entry], isBatch: false))
        XCTAssertEqual(h.receive("q.fifo").map(\.messageDeduplicationId), ["explicit"])
    }

    func testACarriedIdIsNoDeduplicationIdWithoutContentBasedDeduplication() {
        var h = Harness()
        h.create("q.fifo", ["FifoQueue": "true"])
        let entry = SendEntry(body: Array("hello".utf8), messageGroupId: "g", contentDeduplicationId: Self.helloId)
        XCTAssertEqual(
            h.run(.sendMessages(queueName: "q.fifo", entries: [entry], isBatch: false)).error,
            .noDeduplicationId)
    }

    func testACommandWithoutCarriedIdsIsWrittenAsVersion2AndOneWithThemAsVersion3() throws {
        let plain = QueueCommand.sendMessages(
            queueName: "q.fifo",
            entries: [
                SendEntry(body: Array("hello".utf8), messageGroupId: "g", bodyMD5: BodyMD5Tests.helloMD5)
            ], isBatch: false)
        let encoded = plain.encode()
        XCTAssertEqual(encoded.first, 2, "what a node one version older decodes, byte for byte")
        XCTAssertEqual(try QueueCommand.decode(encoded), plain)

        var carried = plain
        if case .sendMessages(let name, var entries, let isBatch) = plain {
            entries[0].contentDeduplicationId = Self.helloId
            carried = .sendMessages(queueName: name, entries: entries, isBatch: isBatch)
        }
        let version3 = carried.encode()
        XCTAssertEqual(version3.first, 3)
        XCTAssertEqual(version3.count, encoded.count + 1 + 1 + Self.helloId.utf8.count, "presence, length, id")
        XCTAssertEqual(try QueueCommand.decode(version3), carried)
        XCTAssertThrowsError(try QueueCommand.decode([3] + encoded.dropFirst()), "a version 3 entry ends with the id")
    }

    func testAVersion2LogEntryAppliesAsTheSameSendCarryingItsIdWould() throws {
        let entry = SendEntry(body: Array("hello".utf8), messageGroupId: "g")
        let version2 = QueueCommand.sendMessages(queueName: "q.fifo", entries: [entry], isBatch: false).encode()
        var withId = entry
        withId.contentDeduplicationId = Self.helloId
        let version3 = QueueCommand.sendMessages(queueName: "q.fifo", entries: [withId], isBatch: false).encode()
        XCTAssertEqual(version2.first, 2)

        var old = fifo()
        var new = fifo()
        let oldResult = old.machine.apply(
            try QueueCommand.decode(version2), at: CommandStamp(logIndex: 9, timeMs: old.nowMs))
        let newResult = new.machine.apply(
            try QueueCommand.decode(version3), at: CommandStamp(logIndex: 9, timeMs: new.nowMs))
        XCTAssertEqual(oldResult, newResult)
        XCTAssertEqual(old.machine.snapshot(), new.machine.snapshot(), "the same state, to the byte")
    }

    func testAFifoTopicUsesTheCarriedIdAndAnOldPublishHashesTheMessage() throws {
        var h = Harness()
        _ = h.run(
            .topic(
                .createTopic(
                    name: "t.fifo",
                    attributes: [
                        KeyValue("FifoTopic", "true"),
                        KeyValue("ContentBasedDeduplication", "true"),
                    ], tags: [])))
        h.create("q.fifo", ["FifoQueue": "true"])
        _ = h.run(
            .topic(
                .subscribe(
                    topicName: "t.fifo", endpoint: "arn:aws:sqs:us-east-1:000000000000:q.fifo",
                    attributes: [KeyValue("RawMessageDelivery", "true")])))
        h.fork()
        func publish(_ contentId: String?) -> QueueResult {
            h.run(
                .topic(
                    .publish(
                        topicName: "t.fifo",
                        entries: [
                            PublishEntry(message: "hello", messageGroupId: "g", contentDeduplicationId: contentId)
                        ],
                        isBatch: false, endpointBase: "http://ferry:9324")))
        }
        guard case .published(let first) = publish(Self.helloId), case .published(let again) = publish(nil),
            case .success(let firstMessage) = first[0].result, case .success(let againMessage) = again[0].result
        else { return XCTFail("publish failed") }
        XCTAssertEqual(againMessage, firstMessage, "the second publish is the first one's duplicate")
        XCTAssertEqual(h.receive("q.fifo").map(\.messageDeduplicationId), [Self.helloId])

        let carried = QueueCommand.topic(
            .publish(
                topicName: "t.fifo",
                entries: [
                    PublishEntry(message: "m", messageGroupId: "g", contentDeduplicationId: Self.helloId)
                ],
                isBatch: false, endpointBase: "http://ferry:9324"))
        let uncarried = QueueCommand.topic(
            .publish(
                topicName: "t.fifo",
                entries: [
                    PublishEntry(message: "m", messageGroupId: "g")
                ], isBatch: false, endpointBase: "http://ferry:9324"))
        XCTAssertEqual(carried.encode().first, 3)
        XCTAssertEqual(uncarried.encode().first, 2)
        XCTAssertEqual(try QueueCommand.decode(carried.encode()), carried)
    }
}

import XCTest

@testable import FerryQueue

/// A body's MD5 is computed once, where the message arrives, and travels with the message: through the
/// command in the log, the queue state, snapshots, dead-letter moves and receive results. Commands, results
/// and snapshots written before it was carried still decode, with no digest.
final class BodyMD5Tests: XCTestCase {
    /// MD5("hello") = 5d41402abc4b2a76b9719d911017c592 (docs/sqs-wire.md, "Message checksums").
    static let helloMD5 = BodyMD5(bytes: [
        0x5d, 0x41, 0x40, 0x2a, 0xbc, 0x4b, 0x2a, 0x76,
        0xb9, 0x71, 0x9d, 0x91, 0x10, 0x17, 0xc5, 0x92,
    ])

    private func send(_ h: inout Harness, _ queue: String, body: String, md5: BodyMD5?) {
        let result = h.run(
            .sendMessages(
                queueName: queue, entries: [SendEntry(body: Array(body.utf8), bodyMD5: md5)],
                isBatch: false))
        guard case .sent(let entries) = result, case .success = entries[0].result else {
            return XCTFail("send failed: \(result)")
        }
    }

    func testTheDigestKeepsItsBytes() {
        XCTAssertEqual(Self.helloMD5.high, 0x5d41_402a_bc4b_2a76)
        XCTAssertEqual(Self.helloMD5.low, 0xb971_9d91_1017_c592)
        XCTAssertEqual(BodyMD5(bytes: Self.helloMD5.bytes), Self.helloMD5)
    }

    func testAReceiveReturnsTheDigestTheSendCarried() {
        var h = Harness()
        h.create("q")
        send(&h, "q", body: "hello", md5: Self.helloMD5)
        h.fork()  // the twin holds the message only through a snapshot; the harness checks it answers alike
        send(&h, "q", body: "world", md5: nil)
        let received = h.receive("q")
        XCTAssertEqual(received.map(\.bodyText), ["hello", "world"])
        XCTAssertEqual(received.map(\.bodyMD5), [Self.helloMD5, nil], "a send without a digest receives without one")
    }

    func testADeadLetteredMessageKeepsItsDigest() {
        var h = Harness()
        h.create("dlq")
        h.create(
            "src",
            [
                "VisibilityTimeout": "1",
                "RedrivePolicy": "{\"deadLetterTargetArn\":\"\(h.arn("dlq"))\",\"maxReceiveCount\":1}",
            ])
        send(&h, "src", body: "hello", md5: Self.helloMD5)
        XCTAssertEqual(h.receive("src").count, 1)
        h.advance(seconds: 1)
        XCTAssertEqual(h.receive("src"), [], "the second receive moves it")
        XCTAssertEqual(h.receive("dlq").map(\.bodyMD5), [Self.helloMD5])
    }

    func testAVersion1SendCommandDecodesWithoutADigest() throws {
        let command = QueueCommand.sendMessages(
            queueName: "q", entries: [SendEntry(body: Array("hello".utf8))],
            isBatch: false)
        let current = command.encode()
        XCTAssertEqual(current.first, 2)
        XCTAssertEqual(current.last, 0, "the entry's last field: no digest")
        let version1 = [1] + current.dropFirst().dropLast()
        XCTAssertEqual(try QueueCommand.decode(Array(version1)), command)
        XCTAssertThrowsError(try QueueCommand.decode([4] + current.dropFirst()), "an unknown version is refused")
    }

    func testAVersion1ReceiveResultDecodesWithoutADigest() throws {
        var h = Harness()
        h.create("q")
        send(&h, "q", body: "hello", md5: nil)
        let result = QueueResult.received(h.receive("q"))
        let current = result.encode()
        XCTAssertEqual(current.first, 2)
        XCTAssertEqual(current.last, 0, "the message's last field: no digest")
        XCTAssertEqual(try QueueResult.decode([1] + current.dropFirst().dropLast()), result)
    }

    func testAnFQS1SnapshotRestoresItsMessagesWithoutDigests() throws {
        var h = Harness()
        h.create("q")
        send(&h, "q", body: "hello-from-fqs1", md5: nil)
        let current = h.machine.snapshot()
        XCTAssertEqual(Array(current.prefix(4)), Array("FQS3".utf8))
        // FQS3 ends with the topics section; with no topics it is four bytes (two counters at 1, two empty lists).
        XCTAssertEqual(Array(current.suffix(4)), [1, 1, 0, 0])
        // FQS1 had no presence byte after a live message's body: take it out.
        let body = Array("hello-from-fqs1".utf8)
        let bodyStart = try XCTUnwrap(
            (0...(current.count - body.count)).first { Array(current[$0..<$0 + body.count]) == body })
        let presence = bodyStart + body.count
        XCTAssertEqual(current[presence], 0)
        var fqs1 = Array(current.dropLast(4))
        fqs1.remove(at: presence)
        fqs1.replaceSubrange(0..<4, with: Array("FQS1".utf8))

        var restored = QueueMachine(config: .init(region: "x", accountId: "y"))
        try restored.restore(from: fqs1)
        XCTAssertEqual(restored.snapshot(), current, "restored from FQS1, it snapshots as FQS3")
        h.machine = restored
        XCTAssertEqual(h.receive("q").map(\.bodyMD5), [nil])
    }
}

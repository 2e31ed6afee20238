import XCTest

@testable import FerryQueue

/// Drives a QueueMachine the way the node will: every command goes through its wire encoding, gets the next
/// log index and the harness clock as its stamp. With `fork()`, a twin restored from a snapshot applies the
/// same commands and must give the same results and the same snapshot bytes.
struct Harness {
    var machine = QueueMachine(config: .init(region: "us-east-1", accountId: "000000000000"))
    var twin: QueueMachine?
    var logIndex: UInt64 = 0
    var nowMs: Int64 = 1_700_000_000_000

    mutating func run(_ command: QueueCommand, file: StaticString = #filePath, line: UInt = #line) -> QueueResult {
        let decoded = try! QueueCommand.decode(command.encode())
        XCTAssertEqual(decoded, command, "wire round trip", file: file, line: line)
        logIndex += 1
        let stamp = CommandStamp(logIndex: logIndex, timeMs: nowMs)
        let result = machine.apply(decoded, at: stamp)
        XCTAssertEqual(
            try! QueueResult.decode(result.encode()), result, "result wire round trip", file: file, line: line)
        if var twin {
            XCTAssertEqual(twin.apply(decoded, at: stamp), result, "the restored twin diverged", file: file, line: line)
            XCTAssertEqual(twin.snapshot(), machine.snapshot(), "twin snapshot differs", file: file, line: line)
            self.twin = twin
        }
        return result
    }

    /// Starts a twin from a snapshot of the current state (checking the restore is byte-identical).
    mutating func fork(file: StaticString = #filePath, line: UInt = #line) {
        let bytes = machine.snapshot()
        var copy = QueueMachine(config: .init(region: "x", accountId: "y"))
        try! copy.restore(from: bytes)
        XCTAssertEqual(copy.snapshot(), bytes, "restore then snapshot must give the same bytes", file: file, line: line)
        twin = copy
    }

    mutating func advance(seconds: Double) { nowMs += Int64(seconds * 1000) }

    @discardableResult
    mutating func create(
        _ name: String, _ attributes: [String: String] = [:], file: StaticString = #filePath,
        line: UInt = #line
    ) -> QueueResult {
        let pairs = attributes.keys.sorted().map { KeyValue($0, attributes[$0]!) }
        let result = run(.createQueue(name: name, attributes: pairs, tags: []), file: file, line: line)
        return result
    }

    mutating func sendResult(
        _ queue: String, _ body: String, group: String? = nil, dedup: String? = nil,
        delay: Int? = nil, attributes: [MessageAttribute] = []
    ) -> QueueResult {
        run(
            .sendMessages(
                queueName: queue,
                entries: [
                    SendEntry(
                        body: Array(body.utf8), delaySeconds: delay, attributes: attributes, messageGroupId: group,
                        messageDeduplicationId: dedup)
                ], isBatch: false))
    }

    @discardableResult
    mutating func send(
        _ queue: String, _ body: String, group: String? = nil, dedup: String? = nil, delay: Int? = nil,
        attributes: [MessageAttribute] = [], file: StaticString = #filePath, line: UInt = #line
    ) -> SentMessage {
        let result = sendResult(queue, body, group: group, dedup: dedup, delay: delay, attributes: attributes)
        guard case .sent(let entries) = result, case .success(let sent) = entries[0].result else {
            XCTFail("send failed: \(result)", file: file, line: line)
            return SentMessage(messageId: "", sequenceNumber: nil, wasDuplicate: false)
        }
        return sent
    }

    mutating func receive(
        _ queue: String, max: Int = 10, visibility: Int? = nil, attemptId: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> [ReceivedMessage] {
        let result = run(
            .receiveMessages(
                ReceiveRequest(
                    queueName: queue, maxMessages: max,
                    visibilityTimeoutSeconds: visibility, receiveRequestAttemptId: attemptId)), file: file, line: line)
        guard case .received(let messages) = result else {
            XCTFail("receive failed: \(result)", file: file, line: line)
            return []
        }
        return messages
    }

    mutating func bodies(_ queue: String, max: Int = 10, visibility: Int? = nil) -> [String] {
        receive(queue, max: max, visibility: visibility).map(\.bodyText)
    }

    mutating func delete(_ queue: String, _ handle: String) -> QueueResult {
        run(.deleteMessages(queueName: queue, entries: [HandleEntry(receiptHandle: handle)], isBatch: false))
    }

    mutating func changeVisibility(_ queue: String, _ handle: String, _ seconds: Int) -> QueueResult {
        run(
            .changeVisibility(
                queueName: queue,
                entries: [HandleEntry(receiptHandle: handle, visibilityTimeoutSeconds: seconds)], isBatch: false))
    }

    mutating func tick() { XCTAssertEqual(run(.tick), .done) }

    func attribute(_ queue: String, _ name: String) -> String? {
        guard case .success(let pairs) = machine.getQueueAttributes(queue, names: [name]) else { return nil }
        return pairs.first?.value
    }

    /// (visible, in flight, delayed), as GetQueueAttributes reports them.
    func counts(_ queue: String) -> [Int] {
        ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
            .map { Int(attribute(queue, $0) ?? "-1")! }
    }

    func arn(_ queue: String) -> String { "arn:aws:sqs:us-east-1:000000000000:\(queue)" }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension QueueResult {
    var sentEntries: [EntryResult<SentMessage>] {
        if case .sent(let entries) = self { return entries }
        return []
    }
}

import XCTest

@testable import FerryQueue

/// docs/sqs-wire.md, "Operations": SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch.
final class BatchTests: XCTestCase {
    func testBatchLevelErrors() {
        var h = Harness()
        h.create("q")
        let body = Array("x".utf8)
        XCTAssertEqual(h.run(.sendMessages(queueName: "q", entries: [], isBatch: true)).error?.code, .emptyBatchRequest)
        XCTAssertEqual(
            h.run(
                .sendMessages(
                    queueName: "q", entries: (0..<11).map { SendEntry(id: "e\($0)", body: body) },
                    isBatch: true)
            ).error?.code, .tooManyEntriesInBatchRequest)
        XCTAssertEqual(
            h.run(
                .sendMessages(
                    queueName: "q", entries: [SendEntry(id: "a", body: body), SendEntry(id: "a", body: body)],
                    isBatch: true)
            ).error?.code, .batchEntryIdsNotDistinct)
        XCTAssertEqual(
            h.run(
                .sendMessages(
                    queueName: "q", entries: [SendEntry(id: "bad id", body: body)],
                    isBatch: true)
            ).error?.code, .invalidBatchEntryId)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        XCTAssertEqual(
            h.run(
                .sendMessages(
                    queueName: "q", entries: (0..<6).map { SendEntry(id: "e\($0)", body: big) },
                    isBatch: true)
            ).error?.code, .batchRequestTooLong)
        XCTAssertEqual(
            h.run(.deleteMessages(queueName: "q", entries: [], isBatch: true)).error?.code, .emptyBatchRequest)
    }

    func testSendBatchReportsPerEntryResults() {
        var h = Harness()
        h.create("q")
        let result = h.run(
            .sendMessages(
                queueName: "q",
                entries: [
                    SendEntry(id: "ok", body: Array("fine".utf8)),
                    SendEntry(id: "bad", body: [0x01]),
                    SendEntry(id: "late", body: Array("later".utf8), delaySeconds: 901),
                ], isBatch: true))
        let entries = result.sentEntries
        XCTAssertEqual(entries.map(\.id), ["ok", "bad", "late"])
        XCTAssertNotNil(try? entries[0].result.get())
        XCTAssertEqual(entries[1].result.failure?.code, .invalidMessageContents)
        XCTAssertEqual(entries[2].result.failure?.code, .invalidParameterValue)
        XCTAssertEqual(h.counts("q"), [1, 0, 0])
    }

    func testDeleteAndChangeVisibilityBatches() {
        var h = Harness()
        h.create("q")
        for i in 0..<3 { h.send("q", "m\(i)") }
        let got = h.receive("q")
        let deleted = h.run(
            .deleteMessages(
                queueName: "q",
                entries: [
                    HandleEntry(id: "a", receiptHandle: got[0].receiptHandle),
                    HandleEntry(id: "b", receiptHandle: "nonsense"),
                ], isBatch: true))
        guard case .deleted(let results) = deleted else { return XCTFail("\(deleted)") }
        XCTAssertEqual(results.map(\.id), ["a", "b"])
        XCTAssertNil(results[0].result.failure)
        XCTAssertEqual(results[1].result.failure?.code, .receiptHandleIsInvalid)
        let changed = h.run(
            .changeVisibility(
                queueName: "q",
                entries: [
                    HandleEntry(id: "c", receiptHandle: got[1].receiptHandle, visibilityTimeoutSeconds: 0),
                    HandleEntry(id: "d", receiptHandle: got[2].receiptHandle, visibilityTimeoutSeconds: 50_000),
                ], isBatch: true))
        guard case .visibilityChanged(let changes) = changed else { return XCTFail("\(changed)") }
        XCTAssertNil(changes[0].result.failure)
        XCTAssertEqual(changes[1].result.failure?.code, .invalidParameterValue)
        XCTAssertEqual(h.bodies("q"), ["m1"])
    }
}

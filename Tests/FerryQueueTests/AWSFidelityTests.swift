import XCTest

@testable import FerryQueue

/// The queue engine's answers that must read as Amazon SQS's (issue 20; the recorded answers are in
/// Tests/fixtures/aws-sqs and replayed against a cluster by Tests/integration/test_aws_fidelity.py).
final class AWSFidelityTests: XCTestCase {
    func testCreateOnAnExistingQueueComparesOnlyTheNamedAttributesAndNamesTheFirstThatDiffers() {
        var h = Harness()
        h.create("q", ["DelaySeconds": "1"])
        XCTAssertEqual(h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("VisibilityTimeout", "60")])), .done)
        XCTAssertEqual(h.create("q"), .queueCreated(name: "q"), "create-or-get names nothing")
        XCTAssertEqual(h.create("q", ["VisibilityTimeout": "60"]), .queueCreated(name: "q"))
        XCTAssertEqual(
            h.create("q", ["DelaySeconds": "2", "VisibilityTimeout": "61"]).error,
            QueueError(
                .queueNameExists,
                "A queue already exists with the same name and a different value for attribute DelaySeconds"))
    }

    func testAFifoBatchEntryWithoutGroupOrDeduplicationIdFailsTheWholeBatch() {
        var h = Harness()
        h.create("cbd.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true"])
        h.create("plain.fifo", ["FifoQueue": "true"])
        h.fork()
        let noGroup = h.run(
            .sendMessages(
                queueName: "cbd.fifo",
                entries: [
                    SendEntry(id: "1", body: Array("a".utf8), messageGroupId: "g"),
                    SendEntry(id: "2", body: Array("b".utf8)),
                ], isBatch: true))
        XCTAssertEqual(
            noGroup.error, QueueError(.invalidParameterValue, "The request must contain the parameter MessageGroupId."))
        let noDedup = h.run(
            .sendMessages(
                queueName: "plain.fifo",
                entries: [
                    SendEntry(id: "1", body: Array("a".utf8), messageGroupId: "g", messageDeduplicationId: "d"),
                    SendEntry(id: "2", body: Array("b".utf8), messageGroupId: "g"),
                ], isBatch: true))
        XCTAssertEqual(
            noDedup.error,
            QueueError(
                .invalidParameterValue,
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
            ))
        XCTAssertEqual(
            h.receive("cbd.fifo").count + h.receive("plain.fifo").count, 0, "nothing of either batch was enqueued")
    }

    func testSingleFifoSendsKeepTheirOwnCodes() {
        var h = Harness()
        h.create("q.fifo", ["FifoQueue": "true"])
        XCTAssertEqual(
            h.sendResult("q.fifo", "x", dedup: "d").error,
            QueueError(.missingParameter, "The request must contain the parameter MessageGroupId."))
        XCTAssertEqual(
            h.sendResult("q.fifo", "x", group: "g", dedup: "d", delay: 5).error,
            QueueError(
                .invalidParameterValue,
                "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
            ))
    }

    func testMessageOverTheQueueMaximumInAWSWords() {
        var h = Harness()
        h.create("q", ["MaximumMessageSize": "1024"])
        XCTAssertEqual(
            h.sendResult("q", String(repeating: "a", count: 1025)).error,
            QueueError(
                .invalidParameterValue,
                "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."))
        XCTAssertNil(h.sendResult("q", String(repeating: "a", count: 1024)).error, "at the limit")
    }

    func testBothKindsOfServerSideEncryptionAreRefusedAndAKmsKeyTurnsSqsManagedOff() {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(
            h.run(
                .setQueueAttributes(
                    name: "q",
                    attributes: [
                        KeyValue("KmsMasterKeyId", "k"), KeyValue("SqsManagedSseEnabled", "true"),
                    ])
            ).error?.code, .invalidAttributeName)
        XCTAssertEqual(h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("KmsMasterKeyId", "k")])), .done)
        let attributes = try! h.machine.getQueueAttributes("q", names: ["SqsManagedSseEnabled"]).get()
        XCTAssertEqual(attributes, [KeyValue("SqsManagedSseEnabled", "false")])
    }

    func testCountsAreAsOfTheTimeAskedNotOfTheLastCommand() {
        var h = Harness()
        h.create("q")
        h.send("q", "m")
        XCTAssertEqual(h.receive("q", visibility: 1).count, 1)
        let names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        let later = h.nowMs + 1_500
        XCTAssertEqual(
            try! h.machine.getQueueAttributes("q", names: names, nowMs: later).get(),
            [KeyValue("ApproximateNumberOfMessages", "1"), KeyValue("ApproximateNumberOfMessagesNotVisible", "0")])
        XCTAssertEqual(
            try! h.machine.getQueueAttributes("q", names: names).get(),
            [KeyValue("ApproximateNumberOfMessages", "0"), KeyValue("ApproximateNumberOfMessagesNotVisible", "1")],
            "without a time, the counts are as of the last applied command")
    }

    func testRedriveAllowPolicyIsKeptAsSentThroughASnapshot() {
        var h = Harness()
        let sent = "{ \"redrivePermission\" : \"allowAll\" }"
        h.create("q", ["RedriveAllowPolicy": sent])
        h.fork()
        XCTAssertEqual(
            try! h.twin!.getQueueAttributes("q", names: ["RedriveAllowPolicy"]).get(),
            [KeyValue("RedriveAllowPolicy", sent)])
    }

    func testTagLimitInAWSWords() {
        var h = Harness()
        h.create("q")
        let tags = (0...50).map { KeyValue("k\($0)", "v") }.sorted { $0.key < $1.key }
        XCTAssertEqual(
            h.run(.tagQueue(name: "q", tags: tags)).error,
            QueueError(.invalidParameterValue, "Too many tags added for queue q."))
        XCTAssertEqual(h.run(.tagQueue(name: "q", tags: Array(tags.prefix(50)))), .done, "50 is the limit")
    }

    func testUnknownQueueIsNotNamed() {
        var h = Harness()
        XCTAssertEqual(
            h.run(.purgeQueue(name: "nope")).error,
            QueueError(.queueDoesNotExist, "The specified queue does not exist."))
    }
}

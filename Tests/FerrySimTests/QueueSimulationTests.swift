import FerryNode
import XCTest

@testable import FerryQueue
@testable import FerrySim

/// Whole runs of queue mode (the production node, storage and queue machine), and the queue checker's
/// ability to fail.
final class QueueSimulationTests: XCTestCase {
    private func run(seed: UInt64, nodes: Int = 3, campaign: QueueCampaign = .swarm) -> SeedOutcome {
        QueueSimulation(options: QueueSimOptions(seed: seed, nodeCount: nodes, campaign: campaign)).run()
    }

    func testSameSeedReplaysWithTheSameTraceHash() {
        let first = run(seed: 3)
        let second = run(seed: 3)
        XCTAssertEqual(first.traceHash, second.traceHash, "a queue-mode seed must replay exactly")
        XCTAssertEqual(first.eventCount, second.eventCount)
        XCTAssertNotEqual(first.traceHash, run(seed: 4).traceHash)
    }

    func testEveryStorageCampaignPasses() {
        for (offset, campaign) in QueueCampaign.allCases.enumerated() {
            let outcome = run(seed: 20 + UInt64(offset), campaign: campaign)
            XCTAssertNil(outcome.violation, "campaign \(campaign): \(outcome.violation!)")
            XCTAssertGreaterThan(outcome.acknowledgedCount, 0, "campaign \(campaign): the workload made progress")
        }
    }

    func testFiveNodesPass() {
        let outcome = run(seed: 7, nodes: 5)
        XCTAssertNil(outcome.violation, "\(outcome.violation!)")
    }

    func testTheCorruptionCampaignMakesANodeRefuseToStart() {
        var refused = 0
        for seed: UInt64 in 1...6 {
            let simulation = QueueSimulation(options: QueueSimOptions(seed: seed, nodeCount: 3, campaign: .corruption))
            XCTAssertNil(simulation.run().violation)
            refused += simulation.refusedStarts
        }
        XCTAssertGreaterThan(refused, 0, "a bit flip inside the durable prefix must stop a node from starting")
    }

    // MARK: The checkers can fail

    private func sent(_ id: String, duplicate: Bool = false) -> QueueResult {
        .sent([EntryResult(id: "", .success(SentMessage(messageId: id, sequenceNumber: nil, wasDuplicate: duplicate)))])
    }

    private func fifoSend(_ body: String, group: String) -> QueueCommand {
        .sendMessages(
            queueName: QueueSimConstants.fifoQueue,
            entries: [SendEntry(body: Array(body.utf8), messageGroupId: group, messageDeduplicationId: body)],
            isBatch: false)
    }

    private func delivery(_ id: String, group: String) -> ReceivedMessage {
        ReceivedMessage(
            messageId: id, receiptHandle: "h-\(id)", body: [1], attributes: [], sentTimestampMs: 0,
            approximateReceiveCount: 1, approximateFirstReceiveTimestampMs: 0, sequenceNumber: nil,
            messageGroupId: group, messageDeduplicationId: nil, awsTraceHeader: nil,
            deadLetterQueueSourceArn: nil)
    }

    func testTheLogModelFlagsADedupIdEnqueuedTwice() {
        var model = QueueLogModel()
        XCTAssertNil(model.apply(fifoSend("a", group: "g"), sent("m1"), EntryStamp(index: 1, timeMs: 1_000)))
        let problem = model.apply(fifoSend("a", group: "g"), sent("m2"), EntryStamp(index: 2, timeMs: 2_000))
        XCTAssertEqual(problem?.invariant, "Q-dup")
    }

    func testTheLogModelFlagsAGroupMessageOvertakingAnEarlierOne() {
        var model = QueueLogModel()
        _ = model.apply(fifoSend("a", group: "g"), sent("m1"), EntryStamp(index: 1, timeMs: 1_000))
        _ = model.apply(fifoSend("b", group: "g"), sent("m2"), EntryStamp(index: 2, timeMs: 1_000))
        let receive = QueueCommand.receiveMessages(
            ReceiveRequest(queueName: QueueSimConstants.fifoQueue, visibilityTimeoutSeconds: 5))
        let problem = model.apply(receive, .received([delivery("m2", group: "g")]), EntryStamp(index: 3, timeMs: 1_000))
        XCTAssertEqual(problem?.invariant, "Q-fifo")
    }

    func testTheLogModelFlagsARedeliveryInsideTheVisibilityTimeout() {
        var model = QueueLogModel()
        _ = model.apply(fifoSend("a", group: "g"), sent("m1"), EntryStamp(index: 1, timeMs: 1_000))
        let receive = QueueCommand.receiveMessages(
            ReceiveRequest(queueName: QueueSimConstants.fifoQueue, visibilityTimeoutSeconds: 5))
        XCTAssertNil(model.apply(receive, .received([delivery("m1", group: "g")]), EntryStamp(index: 2, timeMs: 1_000)))
        let problem = model.apply(receive, .received([delivery("m1", group: "g")]), EntryStamp(index: 3, timeMs: 3_000))
        XCTAssertEqual(problem?.invariant, "Q-excl")
        XCTAssertNil(QueueLogModelProbe.redeliverAfterTimeout(), "after the timeout, redelivery is allowed")
    }

    /// A receive of a plain message: the body is the key.
    private func plainReceive(_ key: String, messageId: String, bodyMD5: BodyMD5?) -> ReceivedMessage {
        ReceivedMessage(
            messageId: messageId, receiptHandle: "h-\(messageId)", body: Array(key.utf8), attributes: [],
            sentTimestampMs: 0, approximateReceiveCount: 1, approximateFirstReceiveTimestampMs: 0,
            sequenceNumber: nil, messageGroupId: nil, messageDeduplicationId: nil, awsTraceHeader: nil,
            deadLetterQueueSourceArn: nil, bodyMD5: bodyMD5)
    }

    func testTheHistoryFlagsLostAndUnexpectedMessages() {
        var history = QueueHistory()
        history.attempt("a", fifo: false, group: nil, payload: MessagePayload())
        history.acknowledge("a", messageId: "m1")
        history.receive(plainReceive("ghost", messageId: "m9", bodyMD5: nil))
        let verdict = history.verdict()
        XCTAssertEqual(verdict.lost, ["a"])
        XCTAssertEqual(verdict.unexpected, ["ghost"])
    }

    func testTheHistoryFlagsAFifoSendEnqueuedUnderTwoIds() {
        var history = QueueHistory()
        history.attempt("a", fifo: true, group: "g", payload: MessagePayload())
        history.acknowledge("a", messageId: "m1")
        history.receive(plainReceive("a", messageId: "m2", bodyMD5: QueueHistory.carriedMD5("a")))
        XCTAssertEqual(history.problem?.invariant, "Q-dup")
    }

    func testTheHistoryFlagsAReceiveWithoutTheDigestItsSendCarried() {
        var history = QueueHistory()
        let keys = (0..<8).map { "p0-\($0)" }
        for key in keys { history.attempt(key, fifo: false, group: nil, payload: MessagePayload()) }
        let carrying = keys.filter { QueueHistory.carriedMD5($0) != nil }
        let bare = keys.filter { QueueHistory.carriedMD5($0) == nil }
        XCTAssertFalse(carrying.isEmpty || bare.isEmpty, "about half the sends carry a digest")
        history.receive(plainReceive(bare[0], messageId: "m0", bodyMD5: nil))
        history.receive(plainReceive(carrying[0], messageId: "m1", bodyMD5: QueueHistory.carriedMD5(carrying[0])))
        XCTAssertNil(history.problem)
        history.receive(plainReceive(carrying[1 % carrying.count], messageId: "m2", bodyMD5: nil))
        XCTAssertEqual(history.problem?.invariant, "Q-md5")
    }
}

private enum QueueLogModelProbe {
    static func redeliverAfterTimeout() -> QueueProblem? {
        var model = QueueLogModel()
        let send = QueueCommand.sendMessages(
            queueName: QueueSimConstants.standardQueue,
            entries: [SendEntry(body: [1])], isBatch: false)
        let ok = QueueResult.sent([
            EntryResult(id: "", .success(SentMessage(messageId: "m1", sequenceNumber: nil, wasDuplicate: false)))
        ])
        _ = model.apply(send, ok, EntryStamp(index: 1, timeMs: 1_000))
        let receive = QueueCommand.receiveMessages(
            ReceiveRequest(queueName: QueueSimConstants.standardQueue, visibilityTimeoutSeconds: 5))
        let message = ReceivedMessage(
            messageId: "m1", receiptHandle: "h", body: [1], attributes: [], sentTimestampMs: 0,
            approximateReceiveCount: 1, approximateFirstReceiveTimestampMs: 0, sequenceNumber: nil,
            messageGroupId: nil, messageDeduplicationId: nil, awsTraceHeader: nil,
            deadLetterQueueSourceArn: nil)
        _ = model.apply(receive, .received([message]), EntryStamp(index: 2, timeMs: 1_000))
        return model.apply(receive, .received([message]), EntryStamp(index: 3, timeMs: 6_000))
    }
}

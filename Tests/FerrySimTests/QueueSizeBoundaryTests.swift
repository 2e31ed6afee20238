import FerryNode
import XCTest

@testable import FerryQueue
@testable import FerrySim

/// The size-boundary workload (issues 17 and 18): each shape sits exactly at an SQS limit or one byte past
/// it, runs with every shape pass, and the checkers fail on a byte changed in transit, on a refused message
/// that shows up anyway, and on a message over the limit that the log enqueues.
final class QueueSizeBoundaryTests: XCTestCase {
    private func request(_ shape: MessageShape, fifo: Bool = true) -> (QueueCommand, [MessagePayload]) {
        var random = Xoshiro256StarStar(seed: 7)
        var history = QueueHistory()
        let payloads = shape.payloads(random: &random)
        let entries = payloads.enumerated().map { position, payload in
            payload.entry(
                key: "p0-\(position)", id: shape.isBatch ? "e\(position)" : "", group: fifo ? "g0-0" : nil,
                attributes: history.attributes(payload.attributes))
        }
        return (
            .sendMessages(
                queueName: fifo ? QueueSimConstants.fifoQueue : QueueSimConstants.standardQueue,
                entries: entries, isBatch: shape.isBatch), payloads
        )
    }

    private func entries(_ command: QueueCommand) -> [SendEntry] {
        guard case .sendMessages(_, let entries, _) = command else { preconditionFailure("a send") }
        return entries
    }

    func testTheLargeValidShapesSitExactlyAtSQSLimits() {
        let maxBody = entries(request(.maxBody).0)
        XCTAssertEqual(maxBody.map(\.sizeBytes), [QueueLimits.messageBytesMax])
        XCTAssertEqual(maxBody[0].body.count, QueueLimits.messageBytesMax)
        XCTAssertTrue(maxBody[0].attributes.isEmpty)

        let maxAttributes = entries(request(.maxAttributes).0)[0]
        XCTAssertEqual(maxAttributes.sizeBytes, QueueLimits.messageBytesMax)
        XCTAssertEqual(maxAttributes.attributes.count, QueueLimits.messageAttributesMax)
        for attribute in maxAttributes.attributes {
            XCTAssertEqual(attribute.name.utf8.count, QueueLimits.messageAttributeNameCharactersMax)
            XCTAssertEqual(attribute.dataType.utf8.count, QueueLimits.messageAttributeTypeCharactersMax)
        }

        let fullBatch = entries(request(.fullBatch).0)
        XCTAssertEqual(fullBatch.count, QueueLimits.batchEntriesMax)
        XCTAssertEqual(fullBatch.reduce(0) { $0 + $1.sizeBytes }, QueueLimits.batchBytesMax)

        let longIds = entries(request(.longIds).0)[0]
        XCTAssertEqual(longIds.messageGroupId?.utf8.count, QueueLimits.fifoIdCharactersMax)
        XCTAssertEqual(longIds.messageDeduplicationId?.utf8.count, QueueLimits.fifoIdCharactersMax)
        XCTAssertEqual(longIds.awsTraceHeader?.utf8.count, QueueLimits.traceHeaderBytesMax)

        XCTAssertEqual(entries(request(.oneByte).0)[0].body.count, 1)
    }

    func testTheEdgeAcceptsEveryValidShapeAndRefusesEveryShapeOnePastALimit() {
        for shape in MessageShape.allCases where shape != .overCommand {
            for fifo in shape.isFifoOnly ? [true] : [true, false] {
                let refusal = QueueSimulation.edgeRefusal(request(shape, fifo: fifo).0)
                if shape.isOverLimit {
                    XCTAssertNotNil(refusal, "\(shape) (fifo \(fifo)) is one byte past a limit")
                } else {
                    XCTAssertNil(refusal, "\(shape) (fifo \(fifo)) is within every limit")
                }
            }
        }
    }

    func testAReceiveMustBeByteExact() {
        var history = QueueHistory()
        let (command, payloads) = request(.maxAttributes)
        let entry = entries(command)[0]
        history.attempt("p0-0", fifo: true, group: "g0-0", payload: payloads[0])
        var message = ReceivedMessage(
            messageId: "m1", receiptHandle: "h", body: entry.body, attributes: entry.attributes,
            sentTimestampMs: 0, approximateReceiveCount: 1,
            approximateFirstReceiveTimestampMs: 0, sequenceNumber: nil,
            messageGroupId: entry.messageGroupId,
            messageDeduplicationId: entry.messageDeduplicationId,
            awsTraceHeader: entry.awsTraceHeader, deadLetterQueueSourceArn: nil,
            bodyMD5: entry.bodyMD5)
        history.receive(message)
        XCTAssertNil(history.problem, "what was sent comes back")

        var flipped = history
        message.body[message.body.count / 2] ^= 1
        flipped.receive(message)
        XCTAssertEqual(flipped.problem?.invariant, "Q-bytes", "one byte changed in the middle of a 1 MiB body")

        var truncated = history
        message.body = entry.body
        message.attributes[9] = MessageAttribute(
            name: entry.attributes[9].name, dataType: entry.attributes[9].dataType,
            value: .binary([1]))
        truncated.receive(message)
        XCTAssertEqual(truncated.problem?.invariant, "Q-bytes", "an attribute value that is not the one sent")
    }

    func testARefusedSendThatIsReceivedAnywayFails() {
        var history = QueueHistory()
        history.refuse("p0-0")
        let entry = entries(request(.overTraceHeader).0)[0]
        history.receive(
            ReceivedMessage(
                messageId: "m1", receiptHandle: "h", body: entry.body, attributes: [],
                sentTimestampMs: 0, approximateReceiveCount: 1,
                approximateFirstReceiveTimestampMs: 0, sequenceNumber: nil, messageGroupId: nil,
                messageDeduplicationId: nil, awsTraceHeader: entry.awsTraceHeader,
                deadLetterQueueSourceArn: nil))
        XCTAssertEqual(history.problem?.invariant, "Q-limit")
    }

    func testTheLogModelFlagsAMessageOverTheLimitThatWasEnqueued() {
        var model = QueueLogModel()
        let ok = QueueResult.sent([
            EntryResult(id: "", .success(SentMessage(messageId: "m1", sequenceNumber: nil, wasDuplicate: false)))
        ])
        let problem = model.apply(request(.overBody, fifo: false).0, ok, EntryStamp(index: 1, timeMs: 1_000))
        XCTAssertEqual(problem?.invariant, "Q-limit")
    }

    /// Every shape in a short seed: maximum-size messages and batches go through leader changes,
    /// snapshots and restarts and come back byte-exact; every request one byte past a limit is refused.
    func testASeedWithEveryShapePasses() {
        // Each shape once at the start, then small and over-limit ones drawn often, large ones rarely.
        let everyShapeOnce = QueueSizeBoundaries(
            small: MessageShape.small, smallChance: 0.3,
            large: MessageShape.large, largeChance: 0.01,
            over: MessageShape.over, overChance: 0.05, tour: MessageShape.allCases)
        var sent: [MessageShape: Int] = [:]
        for seed: UInt64 in [5] {
            var options = QueueSimOptions(seed: seed, nodeCount: 3)
            options.sizes = everyShapeOnce
            options.base.safetyPhaseSeconds = 3
            let simulation = QueueSimulation(options: options)
            let outcome = simulation.run()
            XCTAssertNil(outcome.violation, "seed \(seed): \(outcome.violation!)")
            for (shape, count) in simulation.shapesSent { sent[shape, default: 0] += count }
        }
        for shape in MessageShape.allCases {
            XCTAssertGreaterThan(sent[shape, default: 0], 0, "\(shape) was never sent")
        }
    }
}

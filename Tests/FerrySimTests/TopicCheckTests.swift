import XCTest

@testable import FerryQueue
@testable import FerrySim

/// The pub/sub checks of queue mode: the model's own filter matcher, and Q-topic's ability to fail.
final class TopicCheckTests: XCTestCase {
    private func attributes(color: String?, size: Int?) -> [MessageAttribute] {
        (color.map { [MessageAttribute(name: "color", dataType: "String", value: .string($0))] } ?? [])
            + (size.map { [MessageAttribute(name: "size", dataType: "Number", value: .string(String($0)))] } ?? [])
    }

    func testEveryWorkloadFilterReadsBackFromItsText() {
        for filter in TopicWorkload.filters.compactMap({ $0 }) {
            XCTAssertEqual(TopicFilterModel.parse(filter.text), filter, filter.text)
        }
        XCTAssertNil(TopicFilterModel.parse("{\"color\":[{\"suffix\":\"d\"}]}"), "a shape the model does not know")
    }

    func testTheFilterMatchesBySNSRules() {
        let anythingButRed = TopicFilterModel.parse("{\"color\":[{\"anything-but\":[\"red\"]}]}")!
        XCTAssertTrue(anythingButRed.matches(attributes: attributes(color: "blue", size: nil)))
        XCTAssertFalse(anythingButRed.matches(attributes: attributes(color: "red", size: nil)))
        XCTAssertFalse(
            anythingButRed.matches(attributes: attributes(color: nil, size: 1)), "anything-but needs the key")
        let blueAndSmall = TopicFilterModel.parse("{\"color\":[\"blue\"],\"size\":[{\"numeric\":[\"<\",3]}]}")!
        XCTAssertTrue(blueAndSmall.matches(attributes: attributes(color: "blue", size: 2)))
        XCTAssertFalse(blueAndSmall.matches(attributes: attributes(color: "blue", size: 3)), "keys AND")
        XCTAssertTrue(blueAndSmall.matches(body: "{\"key\":\"pub0-1\",\"color\":\"blue\",\"size\":0}"))
        XCTAssertFalse(blueAndSmall.matches(body: "not json"))
        let threeOrSeven = TopicFilterModel.parse("{\"size\":[3,7]}")!
        XCTAssertTrue(threeOrSeven.matches(attributes: attributes(color: nil, size: 7)), "values OR")
        XCTAssertFalse(
            threeOrSeven.matches(attributes: [MessageAttribute(name: "size", dataType: "String", value: .string("7"))]),
            "a numeric condition meets Number attributes only")
    }

    private func workload(fifo: Bool, filter: TopicFilterModel?) -> TopicWorkload {
        let topic = fifo ? TopicWorkload.fifoTopic : TopicWorkload.standardTopic
        return TopicWorkload(
            publisherCount: 1, contentBasedDeduplication: false,
            subscriptions: [
                .init(
                    topic: topic, queue: fifo ? "t-f0.fifo" : "t-s0", queueExists: true, raw: true,
                    bodyScope: false, filter: filter, deadLetterQueue: nil)
            ],
            batchChance: 0, omitChance: 0)
    }

    private func publish(_ history: inout TopicHistory, _ key: String, number: Int, fifo: Bool, color: String) {
        let message = "{\"key\":\"\(key)\",\"color\":\"\(color)\"}"
        history.attempt(
            key,
            .init(
                topic: fifo ? TopicWorkload.fifoTopic : TopicWorkload.standardTopic, group: fifo ? "pg0-0" : nil,
                entry: PublishEntry(
                    message: message, attributes: attributes(color: color, size: nil),
                    messageGroupId: fifo ? "pg0-0" : nil),
                number: number))
        history.acknowledge(key)
    }

    private func deliver(_ history: inout TopicHistory, _ key: String, to queue: String, as id: String, fifo: Bool) {
        history.receive(
            queue: queue,
            ReceivedMessage(
                messageId: id, receiptHandle: "h-\(id)", body: Array("{\"key\":\"\(key)\"}".utf8), attributes: [],
                sentTimestampMs: 0,
                approximateReceiveCount: 1, approximateFirstReceiveTimestampMs: 0, sequenceNumber: nil,
                messageGroupId: fifo ? "pg0-0" : nil, messageDeduplicationId: nil, awsTraceHeader: nil,
                deadLetterQueueSourceArn: nil))
    }

    func testQTopicFlagsAMatchingPublishThatNeverArrived() {
        var history = TopicHistory()
        publish(&history, "pub0-0", number: 0, fifo: false, color: "red")
        publish(&history, "pub0-1", number: 1, fifo: false, color: "red")
        deliver(&history, "pub0-0", to: "t-s0", as: "m0", fifo: false)
        XCTAssertEqual(history.verdict(workload(fifo: false, filter: nil))?.detail.contains("pub0-1"), true)
        deliver(&history, "pub0-1", to: "t-s0", as: "m1", fifo: false)
        deliver(&history, "pub0-1", to: "t-s0", as: "m2", fifo: false)
        XCTAssertNil(history.verdict(workload(fifo: false, filter: nil)), "a standard topic delivers at least once")
    }

    func testQTopicFlagsAPublishTheFilterRefuses() {
        var history = TopicHistory()
        publish(&history, "pub0-0", number: 0, fifo: false, color: "green")
        deliver(&history, "pub0-0", to: "t-s0", as: "m0", fifo: false)
        let onlyRed = TopicFilterModel(keys: [.init(name: "color", conditions: [.exact("red")])])
        XCTAssertEqual(history.verdict(workload(fifo: false, filter: onlyRed))?.invariant, "Q-topic")
    }

    func testQTopicFlagsAFifoPublishEnqueuedTwice() {
        var history = TopicHistory()
        publish(&history, "pub0-0", number: 0, fifo: true, color: "red")
        deliver(&history, "pub0-0", to: "t-f0.fifo", as: "m0", fifo: true)
        deliver(&history, "pub0-0", to: "t-f0.fifo", as: "m0", fifo: true)  // a redelivery: the same copy
        XCTAssertNil(history.verdict(workload(fifo: true, filter: nil)))
        deliver(&history, "pub0-0", to: "t-f0.fifo", as: "m9", fifo: true)
        XCTAssertEqual(history.verdict(workload(fifo: true, filter: nil))?.detail.contains("2 times"), true)
    }

    func testQTopicFlagsAFifoGroupOutOfPublishOrder() {
        var history = TopicHistory()
        publish(&history, "pub0-0", number: 0, fifo: true, color: "red")
        publish(&history, "pub0-1", number: 1, fifo: true, color: "red")
        deliver(&history, "pub0-1", to: "t-f0.fifo", as: "m1", fifo: true)
        deliver(&history, "pub0-0", to: "t-f0.fifo", as: "m0", fifo: true)
        XCTAssertEqual(history.problem?.invariant, "Q-topic")
    }

    func testTheModelsEnvelopeIsTheMachinesByteForByteForEverySubscription() {
        let entry = PublishEntry(
            id: "e", message: "say \"hi\"\n\tto \\ 短发 \u{1}", subject: "plain subject",
            attributes: attributes(color: "red", size: 4) + [
                MessageAttribute(name: "b\"q", dataType: "String.x", value: .string("line\nbreak"))
            ])
        for sequenceNumber in [nil, "10000000000000000001"] {
            let arguments = (
                messageId: "m-1", topicArn: "arn:aws:sns:us-east-1:000000000000:t",
                timestampMs: Int64(1_700_000_000_123),
                endpointBase: TopicWorkload.endpointBase
            )
            let model = TopicEnvelopeModel(
                messageId: arguments.messageId, sequenceNumber: sequenceNumber, topicArn: arguments.topicArn,
                entry: entry, timestampMs: arguments.timestampMs, endpointBase: arguments.endpointBase)
            let machine = Notification(
                messageId: arguments.messageId, sequenceNumber: sequenceNumber, topicArn: arguments.topicArn,
                entry: entry, timestampMs: arguments.timestampMs, endpointBase: arguments.endpointBase
            ).envelope()
            // One rendering serves every subscription: only UnsubscribeURL's ARN differs.
            for subscriptionArn in [
                "arn:aws:sns:us-east-1:000000000000:t:sub-1", "arn:aws:sns:us-east-1:000000000000:t:2",
            ] {
                XCTAssertEqual(
                    model.text(subscriptionArn: subscriptionArn),
                    String(decoding: machine.body(subscriptionArn: subscriptionArn), as: UTF8.self))
            }
        }
    }

    func testASeedPublishesAndDrainsTheSubscribedQueues() {
        let simulation = QueueSimulation(options: QueueSimOptions(seed: 3, nodeCount: 3))
        XCTAssertNil(simulation.run().violation)
        XCTAssertGreaterThan(simulation.topicHistory.acknowledged.count, 0)
        XCTAssertGreaterThan(simulation.topicHistory.received, 0)
    }
}

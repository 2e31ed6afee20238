import XCTest
@testable import FerryQueue

/// Topics, subscriptions and Publish in the machine: one publish is one command that reaches every matching
/// subscription's queue, or none (docs/design.md, "Topics and fan-out").
final class TopicTests: XCTestCase {
    let account = "000000000000"
    func queueArn(_ name: String) -> String { "arn:aws:sqs:us-east-1:\(account):\(name)" }

    @discardableResult
    func createTopic(_ h: inout Harness, _ name: String, _ attributes: [KeyValue] = []) -> String {
        guard case .topicCreated(let arn) = h.run(.topic(.createTopic(name: name, attributes: attributes, tags: []))) else {
            XCTFail("create topic \(name)")
            return ""
        }
        return arn
    }

    func subscribe(_ h: inout Harness, _ topic: String, _ queue: String, _ attributes: [KeyValue] = [],
                   file: StaticString = #filePath, line: UInt = #line) -> String {
        let result = h.run(.topic(.subscribe(topicName: topic, endpoint: queueArn(queue), attributes: attributes)))
        guard case .subscribed(let arn) = result else {
            XCTFail("subscribe failed: \(result)", file: file, line: line)
            return ""
        }
        return arn
    }

    func publish(_ h: inout Harness, _ topic: String, _ entries: [PublishEntry], isBatch: Bool = false) -> QueueResult {
        h.run(.topic(.publish(topicName: topic, entries: entries, isBatch: isBatch, endpointBase: "http://ferry:9324")))
    }

    func publishedId(_ result: QueueResult, file: StaticString = #filePath, line: UInt = #line) -> PublishedMessage? {
        guard case .published(let entries) = result, case .success(let m) = entries[0].result else {
            XCTFail("publish failed: \(result)", file: file, line: line)
            return nil
        }
        return m
    }

    func testOnePublishEnqueuesIntoEverySubscribedQueue() {
        var h = Harness()
        let arn = createTopic(&h, "orders")
        XCTAssertEqual(arn, "arn:aws:sns:us-east-1:000000000000:orders")
        for i in 1...5 {
            h.create("q\(i)")
            _ = subscribe(&h, "orders", "q\(i)")
        }
        h.fork()
        let logBefore = h.logIndex
        let published = publishedId(publish(&h, "orders", [PublishEntry(message: "hello", subject: "s")]))
        XCTAssertEqual(h.logIndex, logBefore + 1, "one command for the whole fan-out")
        for i in 1...5 {
            let got = h.receive("q\(i)")
            XCTAssertEqual(got.count, 1)
            let body = got[0].bodyText
            XCTAssertTrue(body.hasPrefix("{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"\(published!.messageId)\""), body)
            XCTAssertTrue(body.contains("\"TopicArn\" : \"\(arn)\""))
            XCTAssertTrue(body.contains("\"Subject\" : \"s\""))
            XCTAssertTrue(body.contains("\"Message\" : \"hello\""))
            XCTAssertTrue(body.contains("\"Timestamp\" : \"2023-11-14T22:13:20.000Z\""), body)
            XCTAssertTrue(body.contains("\"UnsubscribeURL\" : \"http://ferry:9324/?Action=Unsubscribe&SubscriptionArn=\(arn):"))
        }
    }

    func testAPublishThatAQueueRefusesStillReachesTheOthersAndIsCounted() {
        var h = Harness()
        createTopic(&h, "t")
        h.create("small", ["MaximumMessageSize": "1024"])
        h.create("big")
        let small = subscribe(&h, "t", "small", [KeyValue("RawMessageDelivery", "true")])
        _ = subscribe(&h, "t", "big", [KeyValue("RawMessageDelivery", "true")])
        _ = subscribe(&h, "t", "missing")
        let body = String(repeating: "x", count: 2000)
        XCTAssertNotNil(publishedId(publish(&h, "t", [PublishEntry(message: body)])))
        XCTAssertEqual(h.bodies("big"), [body])
        XCTAssertEqual(h.bodies("small"), [])
        XCTAssertEqual(h.machine.subscriptionDeliveriesFailed(small), 1)
    }

    func testRedrivePolicyTakesWhatTheQueueCannot() {
        var h = Harness()
        createTopic(&h, "t")
        h.create("dlq")
        _ = subscribe(&h, "t", "gone", [KeyValue("RawMessageDelivery", "true"),
                                         KeyValue("RedrivePolicy", "{\"deadLetterTargetArn\":\"\(queueArn("dlq"))\"}")])
        _ = publishedId(publish(&h, "t", [PublishEntry(message: "m")]))
        XCTAssertEqual(h.bodies("dlq"), ["m"])
    }

    func testRawDeliveryCarriesAttributesAsSQSAttributes() {
        var h = Harness()
        createTopic(&h, "t")
        h.create("q")
        _ = subscribe(&h, "t", "q", [KeyValue("RawMessageDelivery", "true")])
        let attribute = MessageAttribute(name: "color", dataType: "String", value: .string("red"))
        _ = publishedId(publish(&h, "t", [PublishEntry(message: "raw body", attributes: [attribute])]))
        let got = h.receive("q")
        XCTAssertEqual(got.map(\.bodyText), ["raw body"])
        XCTAssertEqual(got[0].attributes, [attribute])
    }

    func testFifoTopicDeduplicatesAndCarriesGroupAndDedupIds() {
        var h = Harness()
        createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true")])
        h.create("q.fifo", ["FifoQueue": "true"])
        _ = subscribe(&h, "t.fifo", "q.fifo", [KeyValue("RawMessageDelivery", "true")])
        h.fork()
        let first = publishedId(publish(&h, "t.fifo", [PublishEntry(message: "a", messageGroupId: "g", messageDeduplicationId: "d1")]))
        let again = publishedId(publish(&h, "t.fifo", [PublishEntry(message: "a2", messageGroupId: "g", messageDeduplicationId: "d1")]))
        let second = publishedId(publish(&h, "t.fifo", [PublishEntry(message: "b", messageGroupId: "g", messageDeduplicationId: "d2")]))
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first?.messageId, second?.messageId)
        XCTAssertEqual(first?.sequenceNumber, "00000000000000000001")
        let got = h.receive("q.fifo", max: 1)
        XCTAssertEqual(got.map(\.bodyText), ["a"])
        XCTAssertEqual(got[0].messageGroupId, "g")
        XCTAssertEqual(got[0].messageDeduplicationId, "d1")
        // Five minutes later the id is new again.
        h.advance(seconds: 301)
        _ = h.run(.tick)
        let later = publishedId(publish(&h, "t.fifo", [PublishEntry(message: "a3", messageGroupId: "g", messageDeduplicationId: "d1")]))
        XCTAssertNotEqual(later?.messageId, first?.messageId)
    }

    func testFifoTopicRules() {
        var h = Harness()
        createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true")])
        createTopic(&h, "std")
        XCTAssertEqual(publish(&h, "t.fifo", [PublishEntry(message: "m", messageDeduplicationId: "d")]).error?.message,
                       "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        XCTAssertEqual(publish(&h, "t.fifo", [PublishEntry(message: "m", messageGroupId: "g")]).error?.code, .invalidParameter)
        XCTAssertEqual(publish(&h, "std", [PublishEntry(message: "m", messageDeduplicationId: "d")]).error?.code, .invalidParameter)
        XCTAssertEqual(h.run(.topic(.subscribe(topicName: "std", endpoint: queueArn("q.fifo"), attributes: []))).error?.message,
                       "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
        XCTAssertEqual(h.run(.topic(.subscribe(topicName: "t.fifo", endpoint: queueArn("q"), attributes: []))).error?.code,
                       .invalidParameter)
        XCTAssertEqual(h.run(.topic(.createTopic(name: "nofifo", attributes: [KeyValue("FifoTopic", "true")], tags: []))).error?.code,
                       .invalidParameter)
    }

    func testFilterPolicyDecidesWhichQueuesGetAPublishInTheSameCommand() {
        var h = Harness()
        createTopic(&h, "t")
        for q in ["all", "red", "cheap", "body"] { h.create(q) }
        _ = subscribe(&h, "t", "all", [KeyValue("RawMessageDelivery", "true")])
        _ = subscribe(&h, "t", "red", [KeyValue("RawMessageDelivery", "true"), KeyValue("FilterPolicy", #"{"color":["red"]}"#)])
        _ = subscribe(&h, "t", "cheap", [KeyValue("RawMessageDelivery", "true"),
                                         KeyValue("FilterPolicy", #"{"price":[{"numeric":["<",10]}]}"#)])
        _ = subscribe(&h, "t", "body", [KeyValue("RawMessageDelivery", "true"), KeyValue("FilterPolicyScope", "MessageBody"),
                                        KeyValue("FilterPolicy", #"{"order":{"kind":[{"prefix":"ex"}]}}"#)])
        func attr(_ n: String, _ t: String, _ v: String) -> MessageAttribute { MessageAttribute(name: n, dataType: t, value: .string(v)) }
        _ = publishedId(publish(&h, "t", [PublishEntry(message: "1", attributes: [attr("color", "String", "red"), attr("price", "Number", "5")])]))
        _ = publishedId(publish(&h, "t", [PublishEntry(message: "2", attributes: [attr("color", "String", "blue"), attr("price", "Number", "50")])]))
        _ = publishedId(publish(&h, "t", [PublishEntry(message: #"{"order":{"kind":"express"}}"#)]))
        XCTAssertEqual(h.bodies("all"), ["1", "2", #"{"order":{"kind":"express"}}"#])
        XCTAssertEqual(h.bodies("red"), ["1"])
        XCTAssertEqual(h.bodies("cheap"), ["1"])
        XCTAssertEqual(h.bodies("body"), [#"{"order":{"kind":"express"}}"#])
    }

    func testSubscriptionLifecycleAndSnapshot() {
        var h = Harness()
        createTopic(&h, "t")
        h.create("q")
        let arn = subscribe(&h, "t", "q")
        XCTAssertEqual(subscribe(&h, "t", "q"), arn, "subscribing again answers the same subscription")
        XCTAssertEqual(h.run(.topic(.setSubscriptionAttribute(subscriptionArn: arn, attribute: "FilterPolicy",
                                                               value: #"{"a":[{"exists":true}]}"#))), .done)
        h.fork()
        let attributes = try! h.machine.getSubscriptionAttributes(arn).get()
        XCTAssertTrue(attributes.contains(KeyValue("FilterPolicy", #"{"a":[{"exists":true}]}"#)))
        XCTAssertTrue(attributes.contains(KeyValue("FilterPolicyScope", "MessageAttributes")))
        XCTAssertEqual(h.run(.topic(.unsubscribe(subscriptionArn: arn))), .done)
        XCTAssertEqual(h.run(.topic(.unsubscribe(subscriptionArn: arn))).error?.code, .notFound)
        XCTAssertEqual(h.run(.topic(.deleteTopic(name: "t"))), .done)
        XCTAssertEqual(h.run(.topic(.deleteTopic(name: "t"))), .done, "DeleteTopic is idempotent")
        XCTAssertEqual(publish(&h, "t", [PublishEntry(message: "m")]).error, .topicNotFound)
    }

    func testSubscriptionsPerTopicStopAtTheLimit() {
        var h = Harness()
        createTopic(&h, "t")
        for i in 0..<TopicLimits.subscriptionsPerTopicMax { _ = subscribe(&h, "t", "q\(i)") }
        let over = h.run(.topic(.subscribe(topicName: "t", endpoint: queueArn("one-more"), attributes: [])))
        XCTAssertEqual(over.error?.code, .invalidParameter)
    }

    func testPublishBatchReportsPerEntry() {
        var h = Harness()
        createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true"), KeyValue("ContentBasedDeduplication", "true")])
        let result = publish(&h, "t.fifo", [PublishEntry(id: "a", message: "x", messageGroupId: "g"),
                                            PublishEntry(id: "b", message: "y")], isBatch: true)
        guard case .published(let entries) = result else { return XCTFail("\(result)") }
        XCTAssertEqual(entries.map(\.id), ["a", "b"])
        XCTAssertNotNil(try? entries[0].result.get())
        XCTAssertNil(try? entries[1].result.get())
    }

    func testOldCommandTagsAndSnapshotsStillDecode() throws {
        // A version-2 tick written before topics existed.
        XCTAssertEqual(try QueueCommand.decode([2, 13]), .tick)
        var h = Harness()
        h.create("q")
        let fqs3 = h.machine.snapshot()
        var fqs2 = Array(fqs3.dropLast(4))
        fqs2.replaceSubrange(0..<4, with: Array("FQS2".utf8))
        var restored = QueueMachine(config: .init(region: "x", accountId: "y"))
        try restored.restore(from: fqs2)
        XCTAssertEqual(restored.snapshot(), fqs3)
    }

    func testTimestampsFormatLikeAWS() {
        XCTAssertEqual(ISOTimestamp.format(ms: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(ISOTimestamp.format(ms: 951_782_400_123), "2000-02-29T00:00:00.123Z")
        XCTAssertEqual(Base64.encode(Array("any carnal pleas".utf8)), "YW55IGNhcm5hbCBwbGVhcw==")
    }
}

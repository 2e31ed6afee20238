import XCTest

@testable import FerryQueue

/// Topics, subscriptions and Publish in the machine: one publish is one command that reaches every matching
/// subscription's queue, or none (docs/design.md, "Topics and fan-out").
final class TopicTests: XCTestCase {
    let account = "000000000000"
    func queueArn(_ name: String) -> String { "arn:aws:sqs:us-east-1:\(account):\(name)" }

    @discardableResult
    func createTopic(_ h: inout Harness, _ name: String, _ attributes: [KeyValue] = []) -> String {
        guard case .topicCreated(let arn) = h.run(.topic(.createTopic(name: name, attributes: attributes, tags: [])))
        else {
            XCTFail("create topic \(name)")
            return ""
        }
        return arn
    }

    func subscribe(
        _ h: inout Harness, _ topic: String, _ queue: String, _ attributes: [KeyValue] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) -> String {
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
            XCTAssertTrue(
                body.hasPrefix("{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"\(published!.messageId)\""), body
            )
            XCTAssertTrue(body.contains("\"TopicArn\" : \"\(arn)\""))
            XCTAssertTrue(body.contains("\"Subject\" : \"s\""))
            XCTAssertTrue(body.contains("\"Message\" : \"hello\""))
            XCTAssertTrue(body.contains("\"Timestamp\" : \"2023-11-14T22:13:20.000Z\""), body)
            XCTAssertTrue(
                body.contains("\"UnsubscribeURL\" : \"http://ferry:9324/?Action=Unsubscribe&SubscriptionArn=\(arn):"))
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
        _ = subscribe(
            &h, "t", "gone",
            [
                KeyValue("RawMessageDelivery", "true"),
                KeyValue("RedrivePolicy", "{\"deadLetterTargetArn\":\"\(queueArn("dlq"))\"}"),
            ])
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
        let first = publishedId(
            publish(&h, "t.fifo", [PublishEntry(message: "a", messageGroupId: "g", messageDeduplicationId: "d1")]))
        let again = publishedId(
            publish(&h, "t.fifo", [PublishEntry(message: "a2", messageGroupId: "g", messageDeduplicationId: "d1")]))
        let second = publishedId(
            publish(&h, "t.fifo", [PublishEntry(message: "b", messageGroupId: "g", messageDeduplicationId: "d2")]))
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
        let later = publishedId(
            publish(&h, "t.fifo", [PublishEntry(message: "a3", messageGroupId: "g", messageDeduplicationId: "d1")]))
        XCTAssertNotEqual(later?.messageId, first?.messageId)
    }

    func testFifoTopicRules() {
        var h = Harness()
        createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true")])
        createTopic(&h, "std")
        XCTAssertEqual(
            publish(&h, "t.fifo", [PublishEntry(message: "m", messageDeduplicationId: "d")]).error?.message,
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        XCTAssertEqual(
            publish(&h, "t.fifo", [PublishEntry(message: "m", messageGroupId: "g")]).error?.code, .invalidParameter)
        XCTAssertEqual(
            publish(&h, "std", [PublishEntry(message: "m", messageDeduplicationId: "d")]).error?.code, .invalidParameter
        )
        XCTAssertEqual(
            h.run(.topic(.subscribe(topicName: "std", endpoint: queueArn("q.fifo"), attributes: []))).error?.message,
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
        )
        XCTAssertEqual(
            h.run(.topic(.createTopic(name: "nofifo", attributes: [KeyValue("FifoTopic", "true")], tags: []))).error?
                .code,
            .invalidParameter)
    }

    func testFilterPolicyDecidesWhichQueuesGetAPublishInTheSameCommand() {
        var h = Harness()
        createTopic(&h, "t")
        for q in ["all", "red", "cheap", "body"] { h.create(q) }
        _ = subscribe(&h, "t", "all", [KeyValue("RawMessageDelivery", "true")])
        _ = subscribe(
            &h, "t", "red", [KeyValue("RawMessageDelivery", "true"), KeyValue("FilterPolicy", #"{"color":["red"]}"#)])
        _ = subscribe(
            &h, "t", "cheap",
            [
                KeyValue("RawMessageDelivery", "true"),
                KeyValue("FilterPolicy", #"{"price":[{"numeric":["<",10]}]}"#),
            ])
        _ = subscribe(
            &h, "t", "body",
            [
                KeyValue("RawMessageDelivery", "true"), KeyValue("FilterPolicyScope", "MessageBody"),
                KeyValue("FilterPolicy", #"{"order":{"kind":[{"prefix":"ex"}]}}"#),
            ])
        func attr(_ n: String, _ t: String, _ v: String) -> MessageAttribute {
            MessageAttribute(name: n, dataType: t, value: .string(v))
        }
        _ = publishedId(
            publish(
                &h, "t",
                [
                    PublishEntry(
                        message: "1", attributes: [attr("color", "String", "red"), attr("price", "Number", "5")])
                ]))
        _ = publishedId(
            publish(
                &h, "t",
                [
                    PublishEntry(
                        message: "2", attributes: [attr("color", "String", "blue"), attr("price", "Number", "50")])
                ]))
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
        XCTAssertEqual(
            h.run(
                .topic(
                    .setSubscriptionAttribute(
                        subscriptionArn: arn, attribute: "FilterPolicy",
                        value: #"{"a":[{"exists":true}]}"#))), .done)
        h.fork()
        let attributes = try! h.machine.getSubscriptionAttributes(arn).get()
        XCTAssertTrue(attributes.contains(KeyValue("FilterPolicy", #"{"a":[{"exists":true}]}"#)))
        XCTAssertTrue(attributes.contains(KeyValue("FilterPolicyScope", "MessageAttributes")))
        XCTAssertEqual(h.run(.topic(.unsubscribe(subscriptionArn: arn))), .done)
        XCTAssertEqual(h.run(.topic(.unsubscribe(subscriptionArn: arn))), .done, "AWS: unsubscribing again succeeds")
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

    func testAPublishBatchWithAnEntryTheTopicRefusesFailsWhole() {
        // AWS answers the whole PublishBatch with the entry's error (recorded: test_publish_batch_exceptions).
        var h = Harness()
        createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true"), KeyValue("ContentBasedDeduplication", "true")])
        h.create("q.fifo", ["FifoQueue": "true"])
        _ = subscribe(&h, "t.fifo", "q.fifo")
        let result = publish(
            &h, "t.fifo",
            [
                PublishEntry(id: "a", message: "x", messageGroupId: "g"),
                PublishEntry(id: "b", message: "y"),
            ], isBatch: true)
        XCTAssertEqual(
            result.error?.message, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        XCTAssertEqual(h.bodies("q.fifo"), [], "nothing of the batch is published")
        let ok = publish(
            &h, "t.fifo",
            [
                PublishEntry(id: "a", message: "x", messageGroupId: "g"),
                PublishEntry(id: "b", message: "y", messageGroupId: "g"),
            ], isBatch: true)
        guard case .published(let entries) = ok else { return XCTFail("\(ok)") }
        XCTAssertEqual(entries.map(\.id), ["a", "b"])
    }

    /// The envelope byte for byte in AWS's layout (recorded by LocalStack against AWS: test_publish_sqs_from_sns,
    /// test_message_to_fifo_sqs): a FIFO topic's has SequenceNumber after MessageId and no signature fields.
    func testEnvelopesMatchAWSsKeyOrderByteForByte() {
        var h = Harness()
        let std = createTopic(&h, "std")
        let fifo = createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true")])
        h.create("q")
        h.create("f.fifo", ["FifoQueue": "true"])
        let stdSub = subscribe(&h, "std", "q")
        let fifoSub = subscribe(&h, "t.fifo", "f.fifo")
        let attribute = MessageAttribute(name: "attr1", dataType: "Number", value: .string("99.12"))
        let blob = MessageAttribute(name: "b", dataType: "Binary", value: .binary([2, 3, 4]))
        let one = publishedId(publish(&h, "std", [PublishEntry(message: "Test msg", attributes: [attribute, blob])]))!
        let body = h.receive("q")[0].bodyText
        let signature =
            body.split(separator: "\n").first { $0.hasPrefix("  \"Signature\" : ") }.map(String.init) ?? "missing"
        XCTAssertEqual(
            body,
            """
            {
              "Type" : "Notification",
              "MessageId" : "\(one.messageId)",
              "TopicArn" : "\(std)",
              "Message" : "Test msg",
              "Timestamp" : "2023-11-14T22:13:20.000Z",
              "SignatureVersion" : "1",
            \(signature)
              "SigningCertURL" : "http://ferry:9324/SimpleNotificationService-ferry.pem",
              "UnsubscribeURL" : "http://ferry:9324/?Action=Unsubscribe&SubscriptionArn=\(stdSub)",
              "MessageAttributes" : {
                "attr1" : {"Type":"Number","Value":"99.12"},
                "b" : {"Type":"Binary","Value":"AgME"}
              }
            }
            """)
        XCTAssertNotNil(Base64.decode(String(signature.dropFirst(17).dropLast(2))), signature)
        // A topic set to SignatureVersion 2 says so in its envelope (recorded: test_publish_sqs_verify_signature[2]).
        XCTAssertEqual(h.run(.topic(.setTopicAttribute(name: "std", attribute: "SignatureVersion", value: "2"))), .done)
        _ = publishedId(publish(&h, "std", [PublishEntry(message: "v2")]))
        XCTAssertTrue(h.receive("q")[0].bodyText.contains("\n  \"SignatureVersion\" : \"2\",\n"))
        let two = publishedId(
            publish(
                &h, "t.fifo",
                [
                    PublishEntry(
                        message: "Test", subject: "Subject", messageGroupId: "g",
                        messageDeduplicationId: "d")
                ]))!
        XCTAssertEqual(
            h.receive("f.fifo")[0].bodyText,
            """
            {
              "Type" : "Notification",
              "MessageId" : "\(two.messageId)",
              "SequenceNumber" : "\(two.sequenceNumber!)",
              "TopicArn" : "\(fifo)",
              "Subject" : "Subject",
              "Message" : "Test",
              "Timestamp" : "2023-11-14T22:13:20.000Z",
              "UnsubscribeURL" : "http://ferry:9324/?Action=Unsubscribe&SubscriptionArn=\(fifoSub)"
            }
            """)
    }

    /// One publish to several subscriptions: the enveloped copies are the same bytes but for each one's own
    /// UnsubscribeURL, a raw subscription gets the message itself, and each body-scoped filter policy decides
    /// for its own subscription. The message carries characters the envelope must escape.
    func testEachSubscriptionsEnvelopeDiffersOnlyInItsOwnUnsubscribeURL() {
        var h = Harness()
        createTopic(&h, "t")
        for queue in ["a", "b", "raw", "orders", "refunds"] { h.create(queue) }
        let bodyScope = KeyValue("FilterPolicyScope", "MessageBody")
        let subscriptionArns = [
            subscribe(&h, "t", "a"), subscribe(&h, "t", "b"),
            subscribe(&h, "t", "orders", [bodyScope, KeyValue("FilterPolicy", #"{"kind":["order"]}"#)]),
        ]
        subscribe(&h, "t", "raw", [KeyValue("RawMessageDelivery", "true")])
        subscribe(&h, "t", "refunds", [bodyScope, KeyValue("FilterPolicy", #"{"kind":["refund"]}"#)])
        let message = "{\"kind\":\"order\",\"note\":\"say \\\"hi\\\" \\\\ \u{e9}\"}\n\t"
        _ = publishedId(publish(&h, "t", [PublishEntry(message: message)]))
        let bodies = ["a", "b", "orders"].map { h.receive($0).first?.bodyText ?? "missing" }
        for (body, arn) in zip(bodies, subscriptionArns) {
            XCTAssertTrue(
                body.contains("\"UnsubscribeURL\" : \"http://ferry:9324/?Action=Unsubscribe&SubscriptionArn=\(arn)\""),
                body)
            XCTAssertEqual(
                body.replacingOccurrences(of: arn, with: "{arn}"),
                bodies[0].replacingOccurrences(of: subscriptionArns[0], with: "{arn}"))
        }
        XCTAssertTrue(
            bodies[0].contains(
                #"  "Message" : "{\"kind\":\"order\",\"note\":\"say \\\"hi\\\" \\\\ \#u{e9}\"}\n\t",\#n"#),
            bodies[0])
        guard case .object(let members)? = MiniJSON.parse(bodies[0]) else { return XCTFail("not JSON: \(bodies[0])") }
        XCTAssertEqual(members.first { $0.0 == "Message" }?.1, .string(message))
        XCTAssertEqual(h.receive("raw").map(\.bodyText), [message])
        XCTAssertEqual(h.receive("refunds").count, 0)
    }

    /// AWS lets a FIFO topic fan out to standard queues too (since 2023): they get the FIFO envelope, no group
    /// or deduplication id, and the topic's own deduplication still delivers a publish once (recorded:
    /// test_fifo_topic_to_regular_sqs, test_validations_for_fifo).
    func testFifoTopicDeliversToStandardQueuesWithoutFifoSemantics() {
        var h = Harness()
        createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true")])
        h.create("std")
        h.create("raw")
        h.create("f.fifo", ["FifoQueue": "true"])
        _ = subscribe(&h, "t.fifo", "std")
        _ = subscribe(&h, "t.fifo", "raw", [KeyValue("RawMessageDelivery", "true")])
        _ = subscribe(&h, "t.fifo", "f.fifo", [KeyValue("RawMessageDelivery", "true")])
        let first = publishedId(
            publish(&h, "t.fifo", [PublishEntry(message: "a", messageGroupId: "g", messageDeduplicationId: "d")]))
        let again = publishedId(
            publish(&h, "t.fifo", [PublishEntry(message: "a", messageGroupId: "g", messageDeduplicationId: "d")]))
        XCTAssertEqual(first, again, "the topic deduplicates")
        let enveloped = h.receive("std")
        XCTAssertEqual(enveloped.count, 1)
        XCTAssertTrue(enveloped[0].bodyText.contains("\"SequenceNumber\" : \"\(first!.sequenceNumber!)\""))
        XCTAssertNil(enveloped[0].messageGroupId)
        XCTAssertNil(enveloped[0].messageDeduplicationId)
        let raw = h.receive("raw")
        XCTAssertEqual(raw.map(\.bodyText), ["a"])
        XCTAssertNil(raw[0].messageGroupId)
        let fifo = h.receive("f.fifo")
        XCTAssertEqual(fifo.map(\.bodyText), ["a"])
        XCTAssertEqual(fifo[0].messageGroupId, "g")
        XCTAssertEqual(fifo[0].messageDeduplicationId, "d")
        // A standard topic's MessageGroupId does reach a standard queue (recorded: test_publish_message_group_id).
        createTopic(&h, "plain")
        _ = subscribe(&h, "plain", "std")
        _ = publishedId(publish(&h, "plain", [PublishEntry(message: "b", messageGroupId: "my-group-id-1")]))
        XCTAssertEqual(h.receive("std").map(\.messageGroupId), ["my-group-id-1"])
    }

    /// AWS's words for refused subscription and topic settings (recorded: test_validate_set_sub_attributes,
    /// test_validations_for_fifo, test_create_duplicate_topic_with_more_tags), and its default topic Policy.
    func testRecordedRefusalsAndDefaults() {
        var h = Harness()
        let topic = createTopic(&h, "t.fifo", [KeyValue("FifoTopic", "true")])
        createTopic(&h, "plain")
        let sub = subscribe(&h, "t.fifo", "f.fifo")
        func set(_ value: String) -> String? {
            h.run(.topic(.setSubscriptionAttribute(subscriptionArn: sub, attribute: "RedrivePolicy", value: value)))
                .error?.message
        }
        XCTAssertEqual(
            set(#"{"deadLetterTargetArn": "not-an-arn"}"#),
            "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn")
        XCTAssertEqual(
            set("{invalid}"),
            "Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character or end of input")
        XCTAssertEqual(
            set(#"{"deadLetterTargetArn": "\#(queueArn("dlq"))"}"#),
            "Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
        XCTAssertNil(set(#"{"deadLetterTargetArn": "\#(queueArn("dlq.fifo"))"}"#))
        let stdSub = subscribe(
            &h, "t.fifo", "std", [KeyValue("RedrivePolicy", #"{"deadLetterTargetArn": "\#(queueArn("dlq"))"}"#)])
        XCTAssertFalse(stdSub.isEmpty, "a standard subscription of a FIFO topic may use a standard DLQ")
        XCTAssertEqual(
            h.run(.topic(.createTopic(name: "plain", attributes: [], tags: [KeyValue("k", "v")]))).error?.message,
            "Invalid parameter: Tags Reason: Topic already exists with different tags")
        let attributes = try! h.machine.getTopicAttributes("t.fifo").get()
        let policy = attributes.first { $0.key == "Policy" }?.value
        XCTAssertEqual(
            policy,
            #"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":""#
                + topic + #"","Condition":{"StringEquals":{"AWS:SourceOwner":"000000000000"}}}]}"#)
        XCTAssertEqual(
            attributes.map(\.key),
            [
                "ContentBasedDeduplication", "DisplayName", "EffectiveDeliveryPolicy", "FifoTopic",
                "Owner", "Policy", "SubscriptionsConfirmed", "SubscriptionsDeleted",
                "SubscriptionsPending", "TopicArn",
            ], "the attribute set AWS answers")
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
        XCTAssertEqual(ISOTimestamp.format(ms: 253_402_300_799_999), "9999-12-31T23:59:59.999Z")
        XCTAssertEqual(ISOTimestamp.format(ms: 253_402_300_800_000), "10000-01-01T00:00:00.000Z")
        XCTAssertEqual(ISOTimestamp.format(ms: -1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(Base64.encode(Array("any carnal pleas".utf8)), "YW55IGNhcm5hbCBwbGVhcw==")
    }
}

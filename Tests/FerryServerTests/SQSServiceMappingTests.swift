import FerrySQS
import XCTest

@testable import FerryQueue
@testable import FerryServer

/// The pieces of SQSService that need no cluster: error mapping, queue URLs and accounts, message
/// conversion and the receive view (the integration tests in Tests/integration cover the rest).
final class SQSServiceMappingTests: XCTestCase {
    func testEveryQueueErrorMapsToTheSameWireShape() {
        for code in QueueErrorCode.allCases {
            XCTAssertEqual(SQSErrorMapping.code(code).rawValue, code.rawValue, "\(code)")
        }
    }

    func testMappedErrorsKeepLegacyCodesAndStatuses() {
        let cases: [(QueueErrorCode, String, Int)] = [
            (.queueDoesNotExist, "AWS.SimpleQueueService.NonExistentQueue", 400),
            (.queueNameExists, "QueueAlreadyExists", 400),
            (.purgeQueueInProgress, "AWS.SimpleQueueService.PurgeQueueInProgress", 403),
            (.batchEntryIdsNotDistinct, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
            (.receiptHandleIsInvalid, "ReceiptHandleIsInvalid", 404),
            (.resourceNotFoundException, "ResourceNotFoundException", 404),
            (.invalidParameterValue, "InvalidParameterValue", 400),
            (.overLimit, "OverLimit", 403),
        ]
        for (code, legacy, status) in cases {
            let error = SQSErrorMapping.map(QueueError(code, "m"))
            XCTAssertEqual(error.code.legacyCode, legacy)
            XCTAssertEqual(error.code.status, status)
            XCTAssertEqual(error.message, "m")
        }
    }

    func testBatchEntryFailureIsASenderFault() {
        let entry = SQSErrorMapping.entry(id: "e1", QueueError(.receiptHandleIsInvalid, "bad"))
        XCTAssertEqual(
            entry, BatchResultErrorEntry(id: "e1", senderFault: true, code: "ReceiptHandleIsInvalid", message: "bad"))
    }

    func testQueueUrlMustNameTheClusterAccount() {
        let ok = SQSService.queueName(
            fromUrl: "http://lb.example:9324/000000000000/orders.fifo", account: "000000000000")
        XCTAssertEqual(try ok.get(), "orders.fifo")
        // Any host and prefix: clients keep URLs from other nodes or a load balancer.
        XCTAssertEqual(
            try SQSService.queueName(
                fromUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/q",
                account: "000000000000"
            ).get(), "q")
        for url in ["http://h/123456789012/q", "not a url", "http://h/q", "http://h/000000000000/bad name"] {
            guard case .failure(let error) = SQSService.queueName(fromUrl: url, account: "000000000000") else {
                return XCTFail("\(url) accepted")
            }
            XCTAssertEqual(error.code, .queueDoesNotExist, url)
        }
    }

    func testSendEntryKeepsBytesAndSortsAttributes() {
        let message = OutgoingMessage(
            body: "héllo\r\n ", delaySeconds: 3,
            messageAttributes: ["b": .binary([0, 1]), "a": .string("x", dataType: "String.label")],
            messageSystemAttributes: ["AWSTraceHeader": .string("Root=1")],
            messageDeduplicationId: "d", messageGroupId: "g")
        let entry = SQSService.sendEntry(id: "e", message)
        XCTAssertEqual(entry.body, Array("héllo\r\n ".utf8))
        XCTAssertEqual(entry.attributes.map(\.name), ["a", "b"])
        XCTAssertEqual(entry.attributes[0], MessageAttribute(name: "a", dataType: "String.label", value: .string("x")))
        XCTAssertEqual(entry.attributes[1].value, .binary([0, 1]))
        XCTAssertEqual(entry.awsTraceHeader, "Root=1")
        XCTAssertEqual(entry.delaySeconds, 3)
        XCTAssertEqual(entry.messageGroupId, "g")
        XCTAssertEqual(entry.messageDeduplicationId, "d")
    }

    /// SHA-256("hello"): AWS's content-based deduplication id for the body "hello".
    static let helloSHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

    func testASendToAFifoQueueWithoutADeduplicationIdCarriesTheBodysSHA256() {
        let entry = SQSService.sendEntry(id: "", OutgoingMessage(body: "hello", messageGroupId: "g"))
        XCTAssertNil(entry.contentDeduplicationId, "hashed once the queue is known")
        XCTAssertEqual(
            SQSService.withContentDeduplicationId(entry, queueName: "q.fifo").contentDeduplicationId,
            Self.helloSHA256)
        XCTAssertEqual(SQSService.withContentDeduplicationId(entry, queueName: "q"), entry, "a standard queue: no hash")
        var explicit = entry
        explicit.messageDeduplicationId = "d"
        XCTAssertEqual(
            SQSService.withContentDeduplicationId(explicit, queueName: "q.fifo"), explicit,
            "an explicit id: no hash")
    }

    func testAPublishToAFifoTopicWithoutADeduplicationIdCarriesTheMessagesSHA256() {
        let entry = PublishEntry(message: "hello", messageGroupId: "g")
        XCTAssertEqual(
            SNSService.withContentDeduplicationId(entry, topicName: "t.fifo").contentDeduplicationId,
            Self.helloSHA256)
        XCTAssertEqual(SNSService.withContentDeduplicationId(entry, topicName: "t"), entry)
        var explicit = entry
        explicit.messageDeduplicationId = "d"
        XCTAssertEqual(SNSService.withContentDeduplicationId(explicit, topicName: "t.fifo"), explicit)
    }

    func testReceiveViewFiltersAndChecksumsWhatItReturns() {
        let stored = FerryQueue.ReceivedMessage(
            messageId: "m", receiptHandle: "h", body: Array("body".utf8),
            attributes: [
                MessageAttribute(name: "bar.one", dataType: "String", value: .string("1")),
                MessageAttribute(name: "baz", dataType: "Number", value: .string("2")),
                MessageAttribute(name: "qux", dataType: "Binary", value: .binary([7])),
            ],
            sentTimestampMs: 1_700_000_000_000, approximateReceiveCount: 1,
            approximateFirstReceiveTimestampMs: 1_700_000_000_001,
            sequenceNumber: nil, messageGroupId: nil, messageDeduplicationId: nil, awsTraceHeader: nil,
            deadLetterQueueSourceArn: nil)
        let request = ReceiveMessageRequest(
            queueUrl: "u", messageSystemAttributeNames: ["SentTimestamp"],
            messageAttributeNames: ["bar.*", "qux"])
        let shown = view(request, senderId: "000000000000").render(stored)
        XCTAssertEqual(Set(shown.messageAttributes.keys), ["bar.one", "qux"])
        XCTAssertEqual(shown.attributes, ["SentTimestamp": "1700000000000"])
        XCTAssertEqual(shown.md5OfMessageAttributes, MessageChecksums.md5OfAttributes(shown.messageAttributes))
        XCTAssertEqual(shown.md5OfBody, MessageChecksums.md5OfBody("body"))
        XCTAssertEqual(
            seal.open(shown.receiptHandle, account: "000000000000", queueName: "q"), "h",
            "the client gets the machine's handle sealed for the queue")

        let none = view(ReceiveMessageRequest(queueUrl: "u"), senderId: "0").render(stored)
        XCTAssertTrue(none.messageAttributes.isEmpty)
        XCTAssertNil(none.md5OfMessageAttributes, "no MD5 when no attributes are returned (docs/sqs-wire.md)")
        XCTAssertTrue(none.attributes.isEmpty)

        let all = view(
            ReceiveMessageRequest(
                queueUrl: "u", messageSystemAttributeNames: ["All"],
                messageAttributeNames: [".*"]), senderId: "0"
        ).render(stored)
        XCTAssertEqual(all.messageAttributes.count, 3)
        XCTAssertEqual(
            Set(all.attributes.keys),
            ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"])
    }

    private let seal = ReceiptHandleSeal(clusterSecret: "a-long-enough-cluster-secret")

    private func view(_ request: ReceiveMessageRequest, senderId: String) -> ReceivedMessageView {
        ReceivedMessageView(request, senderId: senderId, queueName: "q", receiptHandles: seal)
    }
}

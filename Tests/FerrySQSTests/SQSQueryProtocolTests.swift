import XCTest

@testable import FerrySQS

/// The legacy query protocol for pre-2024 SDKs: form or URL parameters in, XML out (docs/sqs-wire.md, "Query
/// protocol").
final class SQSQueryProtocolTests: XCTestCase {
    func parse(_ text: String) -> HTTPRequest {
        var parser = HTTPRequestParser()
        guard case .request(let request)? = parser.feed(Array(text.utf8)).first else {
            XCTFail("did not parse")
            return HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders())
        }
        return request
    }

    static func form(_ body: String, path: String = "/") -> HTTPRequest {
        HTTPRequest(
            method: "POST", target: path,
            headers: HTTPHeaders([
                ("Host", "localhost:9324"), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ]), body: Array(body.utf8))
    }

    func decode(_ body: String, path: String = "/") throws -> SQSRequest {
        try SQSProtocol.decode(Self.form(body, path: path)).get()
    }

    func decodeError(_ body: String) -> SQSError? {
        if case .failure(let error) = SQSProtocol.decode(Self.form(body)) { return error }
        return nil
    }

    func xml(_ response: SQSResponse) -> String {
        String(decoding: SQSProtocol.encode(response, as: .query, requestId: "req-1").body, as: UTF8.self)
    }

    // MARK: - decoding

    func testProtocolIsChosenByContentType() {
        XCTAssertEqual(SQSProtocol.wireProtocol(of: Self.form("")), .query)
        XCTAssertEqual(
            SQSProtocol.wireProtocol(of: parse(BotocoreFixtures.queryGetReceiveMessage)), .query,
            "GET without Content-Type")
        XCTAssertEqual(SQSProtocol.wireProtocol(of: parse(BotocoreFixtures.sendMessage)), .json)
    }

    func testGETWithParametersInTheQueryStringAndTheQueueInThePath() throws {
        // Legacy .NET / Java v1 address the queue URL itself and drop QueueUrl (docs/sqs-wire.md, "Query protocol").
        guard
            case .receiveMessage(let request) = try SQSProtocol.decode(parse(BotocoreFixtures.queryGetReceiveMessage))
                .get()
        else {
            return XCTFail()
        }
        XCTAssertEqual(request.queueUrl, "http://localhost:9324/000000000000/q1")
        XCTAssertEqual(request.maxNumberOfMessages, 2)
        XCTAssertEqual(request.messageSystemAttributeNames, ["All"])
        XCTAssertEqual(request.messageAttributeNames, ["a b~c"])
    }

    func testFormPOSTSendMessageWithFlattenedAttributes() throws {
        guard
            case .sendMessage(let request) = try SQSProtocol.decode(parse(BotocoreFixtures.queryPostSendMessage)).get()
        else {
            return XCTFail()
        }
        XCTAssertEqual(request.queueUrl, "http://localhost:9324/000000000000/q1")
        XCTAssertEqual(request.message.body, "a b&c", "+ is a space, %26 an ampersand")
        XCTAssertEqual(request.message.messageAttributes, ["a": .string("x"), "b": .binary([0, 1])])
    }

    func testEveryBotocoreQueryFixtureVerifiesAndDecodes() throws {
        for (name, text) in BotocoreQueryFixtures.all {
            let request = parse(text)
            XCTAssertEqual(SQSProtocol.wireProtocol(of: request), .query, name)
            var verifier = SigV4Verifier(SigV4VerifierTests.configuration)
            XCTAssertNoThrow(
                try verifier.verify(request, now: AmzDate.parseBasic(request.headers["X-Amz-Date"]!)!), name)
            XCTAssertNoThrow(try SQSProtocol.decode(request).get(), name)
        }
    }

    func testBotocoreQuerySendMessageKeepsBodyAndAttributes() throws {
        guard
            case .sendMessage(let request) = try SQSProtocol.decode(parse(BotocoreQueryFixtures.querySendMessage)).get()
        else {
            return XCTFail()
        }
        XCTAssertEqual(request.message.body, "héllo & <wörld> 🚀\r\n")
        XCTAssertEqual(
            request.message.messageAttributes, ["b": .binary([0, 1]), "n": .string("42", dataType: "Number.int")])
        XCTAssertEqual(request.message.messageSystemAttributes.keys.sorted(), ["AWSTraceHeader"])
    }

    func testBotocoreQueryCreateQueueAndBatches() throws {
        guard
            case .createQueue(let create) = try SQSProtocol.decode(parse(BotocoreQueryFixtures.queryCreateQueue)).get(),
            case .sendMessageBatch(let batch) = try SQSProtocol.decode(
                parse(BotocoreQueryFixtures.querySendMessageBatch)
            ).get(),
            case .deleteMessageBatch(let delete) = try SQSProtocol.decode(
                parse(BotocoreQueryFixtures.queryDeleteMessageBatch)
            ).get()
        else { return XCTFail() }
        XCTAssertEqual(create.tags, ["team": "ferry", "env": "a b"])
        XCTAssertEqual(
            create.attributes["RedrivePolicy"],
            #"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}"#)
        XCTAssertEqual(batch.entries.map(\.id), ["a", "b"])
        XCTAssertEqual(batch.entries[0].message.messageAttributes, ["k": .string("v")])
        XCTAssertEqual(batch.entries[1].message.delaySeconds, 3)
        XCTAssertEqual(delete.entries.first?.receiptHandle, "rh+/=")
    }

    func testCreateQueueAttributesAndTagsAndTagQueue() throws {
        let create = try decode(
            "Action=CreateQueue&QueueName=q1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=40&Tag.1.Key=team&Tag.1.Value=ferry"
        )
        XCTAssertEqual(
            create,
            .createQueue(
                CreateQueueRequest(
                    queueName: "q1", attributes: ["DelaySeconds": "5", "VisibilityTimeout": "40"],
                    tags: ["team": "ferry"])))
        let tag = try decode("Action=TagQueue&QueueUrl=u&Tag.1.Key=a&Tag.1.Value=1&Tag.2.Key=b&Tag.2.Value=")
        XCTAssertEqual(tag, .tagQueue(TagQueueRequest(queueUrl: "u", tags: ["a": "1", "b": ""])))
        let untag = try decode("Action=UntagQueue&QueueUrl=u&TagKey.2=b&TagKey.1=a")
        XCTAssertEqual(
            untag, .untagQueue(UntagQueueRequest(queueUrl: "u", tagKeys: ["a", "b"])), "ordered by index, not arrival")
    }

    func testBatchEntriesWithNestedAttributes() throws {
        let body =
            "Action=SendMessageBatch&QueueUrl=u"
            + "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
            + "&SendMessageBatchRequestEntry.1.DelaySeconds=3"
            + "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k"
            + "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number"
            + "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=7"
            + "&SendMessageBatchRequestEntry.10.Id=b&SendMessageBatchRequestEntry.10.MessageBody=two"
        guard case .sendMessageBatch(let batch) = try decode(body) else { return XCTFail() }
        XCTAssertEqual(batch.entries.map(\.id), ["a", "b"], "entry 10 sorts after entry 1 numerically")
        XCTAssertEqual(batch.entries[0].message.delaySeconds, 3)
        XCTAssertEqual(batch.entries[0].message.messageAttributes, ["k": .string("7", dataType: "Number")])
        let delete = try decode(
            "Action=DeleteMessageBatch&QueueUrl=u&DeleteMessageBatchRequestEntry.1.Id=x&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r%2Bh"
        )
        XCTAssertEqual(
            delete,
            .deleteMessageBatch(
                DeleteMessageBatchRequest(queueUrl: "u", entries: [.init(id: "x", receiptHandle: "r+h")])))
        let change = try decode(
            "Action=ChangeMessageVisibilityBatch&QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.Id=x&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=30"
        )
        XCTAssertEqual(
            change,
            .changeMessageVisibilityBatch(
                ChangeMessageVisibilityBatchRequest(
                    queueUrl: "u", entries: [.init(id: "x", receiptHandle: "r", visibilityTimeout: 30)])))
    }

    func testPermissionsAndAttributeNames() throws {
        let add = try decode(
            "Action=AddPermission&QueueUrl=u&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage&ActionName.2=ReceiveMessage"
        )
        XCTAssertEqual(
            add,
            .addPermission(
                AddPermissionRequest(
                    queueUrl: "u", label: "l", awsAccountIds: ["111122223333"],
                    actions: ["SendMessage", "ReceiveMessage"])))
        let get = try decode("Action=GetQueueAttributes&QueueUrl=u&AttributeName.1=All")
        XCTAssertEqual(get, .getQueueAttributes(GetQueueAttributesRequest(queueUrl: "u", attributeNames: ["All"])))
        let receive = try decode(
            "Action=ReceiveMessage&QueueUrl=u&MessageSystemAttributeName.1=SentTimestamp&MessageAttributeName.1=All&WaitTimeSeconds=20"
        )
        guard case .receiveMessage(let r) = receive else { return XCTFail() }
        XCTAssertEqual(r.messageSystemAttributeNames, ["SentTimestamp"])
        XCTAssertEqual(r.waitTimeSeconds, 20)
    }

    func testQueryErrors() {
        XCTAssertEqual(decodeError("QueueUrl=u")?.code, .missingAction)
        XCTAssertEqual(decodeError("Action=FlyAway")?.code, .invalidAction)
        XCTAssertEqual(
            decodeError("Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=ten")?.code, .invalidParameterValue)
        XCTAssertEqual(
            decodeError("Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=0")?.code, .invalidParameterValue)
        XCTAssertEqual(decodeError("Action=DeleteQueue&QueueUrl=%zz")?.code, .invalidParameterValue)
        XCTAssertEqual(decodeError("Action=SendMessage&QueueUrl=u")?.code, .missingParameter)
    }

    // MARK: - XML responses

    func testSendMessageResponseDocument() {
        let result = SendMessageResult(messageId: "m-1", message: OutgoingMessage(body: "hello"))
        XCTAssertEqual(
            xml(.sendMessage(result)),
            #"<?xml version="1.0"?><SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">"#
                + "<SendMessageResult><MessageId>m-1</MessageId><MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody></SendMessageResult>"
                + "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></SendMessageResponse>")
    }

    func testEmptyOutputHasOnlyResponseMetadata() {
        XCTAssertEqual(
            xml(.deleteQueue),
            #"<?xml version="1.0"?><DeleteQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">"#
                + "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteQueueResponse>")
    }

    func testReceiveMessageEscapesTextAndKeepsCarriageReturns() {
        let message = ReceivedMessage(
            messageId: "m", receiptHandle: "r&h", body: "<a href=\"x\">Tom & 'Jerry'</a>\r\n",
            attributes: ["SentTimestamp": "1"], messageAttributes: ["b": .binary([0, 1]), "a": .string("x")])
        let text = xml(.receiveMessage([message]))
        XCTAssertTrue(
            text.contains("<Body>&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;&#xD;\n</Body>"), text
        )
        XCTAssertTrue(text.contains("<ReceiptHandle>r&amp;h</ReceiptHandle>"))
        XCTAssertTrue(text.contains("<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>"))
        XCTAssertTrue(
            text.contains(
                "<MessageAttribute><Name>a</Name><Value><StringValue>x</StringValue><DataType>String</DataType></Value></MessageAttribute>"
                    + "<MessageAttribute><Name>b</Name><Value><BinaryValue>AAE=</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>"
            ))
        XCTAssertTrue(
            text.contains("<MD5OfMessageAttributes>fa20e2def088daf7b14bc51e836c5547</MD5OfMessageAttributes>"))
        XCTAssertTrue(
            text.hasPrefix(
                #"<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult><Message>"#
            ))
    }

    func testListsAreFlattenedAndMapsArePairs() {
        XCTAssertTrue(
            xml(.listQueues(queueUrls: ["u1", "u2"], nextToken: nil))
                .contains("<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>"))
        XCTAssertTrue(
            xml(.listDeadLetterSourceQueues(queueUrls: ["u1"], nextToken: "t"))
                .contains(
                    "<ListDeadLetterSourceQueuesResult><QueueUrl>u1</QueueUrl><NextToken>t</NextToken></ListDeadLetterSourceQueuesResult>"
                ))
        XCTAssertTrue(
            xml(.getQueueAttributes(attributes: ["B": "2", "A": "1"]))
                .contains(
                    "<GetQueueAttributesResult><Attribute><Name>A</Name><Value>1</Value></Attribute><Attribute><Name>B</Name><Value>2</Value></Attribute></GetQueueAttributesResult>"
                ))
        XCTAssertTrue(
            xml(.listQueueTags(tags: ["k": "v"])).contains(
                "<ListQueueTagsResult><Tag><Key>k</Key><Value>v</Value></Tag></ListQueueTagsResult>"))
        XCTAssertTrue(
            xml(
                .deleteMessageBatch(
                    BatchResult(
                        successful: ["a"],
                        failed: [BatchResultErrorEntry(id: "b", code: "ReceiptHandleIsInvalid", message: "bad")]))
            )
            .contains(
                "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry><BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code><Message>bad</Message></BatchResultErrorEntry>"
            ))
    }

    func testErrorDocumentUsesTheLegacyCode() {
        let response = SQSProtocol.encode(
            SQSError(.queueDoesNotExist, "The specified queue does not exist for this wsdl version."),
            as: .query, requestId: "req-1")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.headers["Content-Type"], "text/xml")
        XCTAssertNil(response.headers["x-amzn-query-error"], "the XML already carries the legacy code")
        XCTAssertEqual(
            String(decoding: response.body, as: UTF8.self),
            #"<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">"#
                + "<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                + "<Message>The specified queue does not exist for this wsdl version.</Message><Detail/></Error>"
                + "<RequestId>req-1</RequestId></ErrorResponse>")
    }
}

import XCTest

@testable import FerrySQS

/// The AWS JSON 1.0 protocol as botocore 1.43.11 speaks it (docs/sqs-wire.md, "JSON protocol", "Operations").
final class SQSJSONProtocolTests: XCTestCase {
    func parse(_ text: String) -> HTTPRequest {
        var parser = HTTPRequestParser()
        guard case .request(let request)? = parser.feed(Array(text.utf8)).first else {
            XCTFail("did not parse")
            return HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders())
        }
        return request
    }

    func decode(_ text: String) -> Result<SQSRequest, SQSError> { SQSProtocol.decode(parse(text)) }

    static func jsonRequest(_ operation: String, _ body: String, path: String = "/") -> HTTPRequest {
        HTTPRequest(
            method: "POST", target: path,
            headers: HTTPHeaders([
                ("Host", "localhost:9324"), ("X-Amz-Target", "AmazonSQS.\(operation)"),
                ("Content-Type", "application/x-amz-json-1.0"),
            ]), body: Array(body.utf8))
    }

    func decodeError(_ operation: String, _ body: String) -> SQSError? {
        if case .failure(let error) = SQSProtocol.decode(Self.jsonRequest(operation, body)) { return error }
        return nil
    }

    func json(_ response: HTTPResponse) -> JSONValue? { try? JSONParser.parse(response.body) }

    // MARK: - decoding botocore's requests

    func testCreateQueueTakesLowercaseTags() throws {
        XCTAssertEqual(SQSProtocol.wireProtocol(of: parse(BotocoreFixtures.createQueue)), .json)
        guard case .createQueue(let request) = try decode(BotocoreFixtures.createQueue).get() else { return XCTFail() }
        XCTAssertEqual(request.queueName, "q1.fifo")
        XCTAssertEqual(request.attributes, ["FifoQueue": "true", "VisibilityTimeout": "40"])
        XCTAssertEqual(request.tags, ["team": "ferry"])
    }

    func testSendMessageKeepsTheBodyByteExactAndDecodesBlobs() throws {
        guard case .sendMessage(let request) = try decode(BotocoreFixtures.sendMessage).get() else { return XCTFail() }
        XCTAssertEqual(request.queueUrl, "http://localhost:9324/000000000000/q1")
        // botocore escaped é, ö and the rocket (a surrogate pair) as \u; CR LF TAB and backslash too.
        XCTAssertEqual(request.message.body, "héllo \"wörld\" 🚀\r\n\t\\")
        XCTAssertEqual(request.message.delaySeconds, 5)
        XCTAssertEqual(request.message.messageAttributes["b"], .binary([0x00, 0x01]))
        XCTAssertEqual(
            request.message.messageAttributes["n"], .string("12345678901234567890", dataType: "Number"),
            "a Number attribute is text: no rounding")
        XCTAssertEqual(request.message.messageSystemAttributes["AWSTraceHeader"]?.dataType, "String")
        // And the checksums a Java client would compute agree with what Ferry returns.
        let result = SendMessageResult(messageId: "id", message: request.message)
        XCTAssertEqual(result.md5OfMessageSystemAttributes, "5ae4d5d7636402d80f4eb6d213245a88")
    }

    func testSendMessageBatch() throws {
        guard case .sendMessageBatch(let request) = try decode(BotocoreFixtures.sendMessageBatch).get() else {
            return XCTFail()
        }
        XCTAssertEqual(request.entries.map(\.id), ["a", "b"])
        XCTAssertEqual(request.entries[1].message.messageGroupId, "g")
        XCTAssertEqual(request.entries[1].message.messageDeduplicationId, "d")
    }

    func testReceiveMessageUnitesSystemAttributeNamesWithTheDeprecatedAttributeNames() throws {
        guard case .receiveMessage(let request) = try decode(BotocoreFixtures.receiveMessage).get() else {
            return XCTFail()
        }
        XCTAssertEqual(Set(request.messageSystemAttributeNames), ["SentTimestamp", "All"])
        XCTAssertEqual(request.messageAttributeNames, ["All"])
        XCTAssertEqual(request.maxNumberOfMessages, 10)
        XCTAssertEqual(request.waitTimeSeconds, 20)
        XCTAssertEqual(request.visibilityTimeout, 0)
    }

    func testOtherFixturesDecode() throws {
        guard
            case .changeMessageVisibilityBatch(let cmv) = try decode(BotocoreFixtures.changeMessageVisibilityBatch)
                .get(),
            case .listQueues(let list) = try decode(BotocoreFixtures.listQueues).get(),
            case .getQueueUrl(let url) = try decode(BotocoreFixtures.getQueueUrlWithSessionToken).get()
        else { return XCTFail() }
        XCTAssertEqual(cmv.entries.first?.visibilityTimeout, 60)
        XCTAssertEqual(list.queueNamePrefix, "q")
        XCTAssertEqual(list.maxResults, 5)
        XCTAssertEqual(url.queueName, "q1")
    }

    func testEveryOperationDispatchesOnXAmzTarget() {
        let minimal: [SQSOperation: String] = [
            .addPermission: #"{"QueueUrl":"u","Label":"l","AWSAccountIds":["1"],"Actions":["SendMessage"]}"#,
            .cancelMessageMoveTask: #"{"TaskHandle":"t"}"#,
            .changeMessageVisibility: #"{"QueueUrl":"u","ReceiptHandle":"r","VisibilityTimeout":1}"#,
            .changeMessageVisibilityBatch: #"{"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"r"}]}"#,
            .createQueue: #"{"QueueName":"q"}"#,
            .deleteMessage: #"{"QueueUrl":"u","ReceiptHandle":"r"}"#,
            .deleteMessageBatch: #"{"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"r"}]}"#,
            .deleteQueue: #"{"QueueUrl":"u"}"#,
            .getQueueAttributes: #"{"QueueUrl":"u","AttributeNames":["All"]}"#,
            .getQueueUrl: #"{"QueueName":"q"}"#,
            .listDeadLetterSourceQueues: #"{"QueueUrl":"u"}"#,
            .listMessageMoveTasks: #"{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:q"}"#,
            .listQueueTags: #"{"QueueUrl":"u"}"#,
            .listQueues: "{}",
            .purgeQueue: #"{"QueueUrl":"u"}"#,
            .receiveMessage: #"{"QueueUrl":"u"}"#,
            .removePermission: #"{"QueueUrl":"u","Label":"l"}"#,
            .sendMessage: #"{"QueueUrl":"u","MessageBody":"b"}"#,
            .sendMessageBatch: #"{"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"b"}]}"#,
            .setQueueAttributes: #"{"QueueUrl":"u","Attributes":{"DelaySeconds":"1"}}"#,
            .startMessageMoveTask: #"{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:q"}"#,
            .tagQueue: #"{"QueueUrl":"u","Tags":{"k":"v"}}"#,
            .untagQueue: #"{"QueueUrl":"u","TagKeys":["k"]}"#,
        ]
        XCTAssertEqual(minimal.count, SQSOperation.allCases.count)
        for operation in SQSOperation.allCases {
            let result = SQSProtocol.decode(Self.jsonRequest(operation.rawValue, minimal[operation]!))
            XCTAssertEqual(try? result.get().operation, operation, "\(operation): \(result)")
        }
    }

    func testQueueUrlComesFromThePathWhenAbsent() throws {
        // JS v3 and legacy SDKs address the queue URL itself (docs/sqs-wire.md, "Query protocol", "Queue URLs").
        let request = Self.jsonRequest("PurgeQueue", "{}", path: "/000000000000/q1")
        XCTAssertEqual(
            try SQSProtocol.decode(request).get(),
            .purgeQueue(QueueRequest(queueUrl: "http://localhost:9324/000000000000/q1")))
    }

    // MARK: - request errors

    func testMissingOrUnknownTarget() {
        var request = Self.jsonRequest("SendMessage", "{}")
        request.headers = HTTPHeaders(request.headers.fields.filter { $0.name != "X-Amz-Target" })
        if case .failure(let e) = SQSProtocol.decode(request) {
            XCTAssertEqual(e.code, .missingAction)
        } else {
            XCTFail()
        }
        XCTAssertEqual(decodeError("Launch", "{}")?.code, .invalidAction)
        let wrongPrefix = HTTPRequest(
            method: "POST", target: "/",
            headers: HTTPHeaders([
                ("Host", "h"), ("X-Amz-Target", "AmazonSNS.Publish"), ("Content-Type", "application/x-amz-json-1.0"),
            ]))
        if case .failure(let e) = SQSProtocol.decode(wrongPrefix) {
            XCTAssertEqual(e.code, .invalidAction)
        } else {
            XCTFail()
        }
    }

    func testTargetsNameAnOperationOnlyWhenExact() {
        XCTAssertEqual(SQSProtocol.operation(named: "AmazonSQS.SendMessage"), .sendMessage)
        for target in [
            "AmazonSQS.", "AmazonSQS", "", "amazonsqs.SendMessage", "AmazonSQS.sendMessage", "AmazonSQS.SendMessage ",
            " AmazonSQS.SendMessage", "AmazonSQS.\u{301}SendMessage", "AmazonSQS.SendMessage\u{301}",
            "AmazonSQS..SendMessage", "AmazonSNS.Publish",
        ] {
            XCTAssertNil(SQSProtocol.operation(named: target), target)
            var request = Self.jsonRequest("SendMessage", "{}")
            request.headers = HTTPHeaders(
                request.headers.fields.map { $0.name == "X-Amz-Target" ? ($0.name, target) : $0 })
            guard case .failure(let error) = SQSProtocol.decode(request) else { return XCTFail(target) }
            XCTAssertEqual(error.code, .invalidAction, target)
            XCTAssertEqual(error.message, "The action \(target) is not valid for this endpoint.")
        }
    }

    func testMalformedJSONIsASerializationError() {
        for body in ["{", "[]", "\"x\"", "{\"QueueUrl\": \"u\",}", "{\"a\":\"\\ud800\"}", "{\"a\": 01}"] {
            XCTAssertEqual(decodeError("DeleteQueue", body)?.code, .serializationException, body)
        }
    }

    func testMissingAndMistypedMembers() {
        let missing = decodeError("DeleteQueue", "{}")
        XCTAssertEqual(missing?.code, .missingParameter)
        XCTAssertEqual(missing?.message, "The request must contain the parameter QueueUrl.")
        XCTAssertEqual(decodeError("DeleteQueue", #"{"QueueUrl": 5}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(
            decodeError("ReceiveMessage", #"{"QueueUrl":"u","MaxNumberOfMessages":"3"}"#)?.code,
            .invalidParameterValue, "JSON integers are numbers, not strings")
        XCTAssertEqual(
            decodeError("ReceiveMessage", #"{"QueueUrl":"u","MaxNumberOfMessages":1.5}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(decodeError("SendMessage", #"{"QueueUrl":"u"}"#)?.code, .missingParameter)
        XCTAssertEqual(
            decodeError("SetQueueAttributes", #"{"QueueUrl":"u","Attributes":{"A":1}}"#)?.code, .invalidParameterValue)
    }

    func testRangesOfB1() {
        let over = decodeError("ReceiveMessage", #"{"QueueUrl":"u","MaxNumberOfMessages":11}"#)
        XCTAssertEqual(
            over?.message,
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
        XCTAssertEqual(
            decodeError("ReceiveMessage", #"{"QueueUrl":"u","WaitTimeSeconds":21}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(
            decodeError("ReceiveMessage", #"{"QueueUrl":"u","VisibilityTimeout":43201}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(
            decodeError("SendMessage", #"{"QueueUrl":"u","MessageBody":"b","DelaySeconds":901}"#)?.code,
            .invalidParameterValue)
        XCTAssertEqual(decodeError("ListQueues", #"{"MaxResults":0}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(decodeError("CreateQueue", #"{"QueueName":"bad name"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(
            decodeError("CreateQueue", "{\"QueueName\":\"\(String(repeating: "q", count: 81))\"}")?.code,
            .invalidParameterValue)
        XCTAssertNil(decodeError("CreateQueue", "{\"QueueName\":\"\(String(repeating: "q", count: 75)).fifo\"}"))
    }

    func testBatchShapeErrors() {
        XCTAssertEqual(decodeError("DeleteMessageBatch", #"{"QueueUrl":"u","Entries":[]}"#)?.code, .emptyBatchRequest)
        let eleven = (0..<11).map { #"{"Id":"e\#($0)","ReceiptHandle":"r"}"# }.joined(separator: ",")
        XCTAssertEqual(
            decodeError("DeleteMessageBatch", #"{"QueueUrl":"u","Entries":[\#(eleven)]}"#)?.code,
            .tooManyEntriesInBatchRequest)
        XCTAssertEqual(
            decodeError(
                "DeleteMessageBatch",
                #"{"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"r"},{"Id":"a","ReceiptHandle":"r"}]}"#)?.code,
            .batchEntryIdsNotDistinct)
        XCTAssertEqual(
            decodeError("DeleteMessageBatch", #"{"QueueUrl":"u","Entries":[{"Id":"a.b","ReceiptHandle":"r"}]}"#)?.code,
            .invalidBatchEntryId)
        let big = String(repeating: "x", count: 600_000)
        XCTAssertEqual(
            decodeError(
                "SendMessageBatch",
                #"{"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"\#(big)"},{"Id":"b","MessageBody":"\#(big)"}]}"#)?
                .code,
            .batchRequestTooLong)
        // One entry over the message limit takes the total past 1 MiB: the whole request fails, as on AWS.
        let huge = String(repeating: "x", count: 1_048_576)
        XCTAssertEqual(
            decodeError(
                "SendMessageBatch",
                #"{"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x"},{"Id":"b","MessageBody":"\#(huge)"}]}"#)?
                .code,
            .batchRequestTooLong)
    }

    func testOneBadEntryFailsAloneAndTheOthersProceed() throws {
        let send = SQSProtocol.decode(
            Self.jsonRequest(
                "SendMessageBatch",
                #"{"QueueUrl":"u","Entries":[{"Id":"ok","MessageBody":"fine"},{"Id":"bad","MessageBody":"a\u0001"},{"Id":"nobody"}]}"#
            ))
        guard case .sendMessageBatch(let batch) = try send.get() else { return XCTFail() }
        XCTAssertEqual(batch.entries.map(\.id), ["ok"])
        XCTAssertEqual(batch.failed.map(\.id), ["bad", "nobody"])
        XCTAssertEqual(batch.failed.map(\.code), ["InvalidMessageContents", "MissingParameter"])
        XCTAssertTrue(batch.failed.allSatisfy(\.senderFault))
        let change = SQSProtocol.decode(
            Self.jsonRequest(
                "ChangeMessageVisibilityBatch",
                #"{"QueueUrl":"u","Entries":[{"Id":"a","ReceiptHandle":"r","VisibilityTimeout":43201},{"Id":"b","ReceiptHandle":"r"}]}"#
            ))
        guard case .changeMessageVisibilityBatch(let cmv) = try change.get() else { return XCTFail() }
        XCTAssertEqual(cmv.entries.map(\.id), ["b"])
        XCTAssertEqual(cmv.failed.first?.code, "InvalidParameterValue")
        let delete = SQSProtocol.decode(
            Self.jsonRequest("DeleteMessageBatch", #"{"QueueUrl":"u","Entries":[{"Id":"a"}]}"#))
        guard case .deleteMessageBatch(let del) = try delete.get() else { return XCTFail() }
        XCTAssertEqual(
            del.failed,
            [
                BatchResultErrorEntry(
                    id: "a", code: "MissingParameter",
                    message: "The request must contain the parameter ReceiptHandle.")
            ])
    }

    func testMessageContentRules() {
        XCTAssertEqual(
            decodeError("SendMessage", #"{"QueueUrl":"u","MessageBody":"a\u0001b"}"#)?.code, .invalidMessageContents)
        XCTAssertEqual(decodeError("SendMessage", #"{"QueueUrl":"u","MessageBody":""}"#)?.code, .missingParameter)
        XCTAssertEqual(
            decodeError("SendMessage", #"{"QueueUrl":"u","MessageBody":"\uffff"}"#)?.code, .invalidMessageContents)
        XCTAssertNil(decodeError("SendMessage", #"{"QueueUrl":"u","MessageBody":"\ud83d\ude80 \t\r\n"}"#))
        func attribute(_ name: String, _ value: String) -> SQSError? {
            decodeError(
                "SendMessage", #"{"QueueUrl":"u","MessageBody":"b","MessageAttributes":{"\#(name)":\#(value)}}"#)
        }
        XCTAssertNil(attribute("ok.name-1_", #"{"DataType":"String.label","StringValue":"v"}"#))
        XCTAssertNil(attribute("n", #"{"DataType":"Number","StringValue":"-3.14e5"}"#))
        XCTAssertEqual(attribute("AWS.x", #"{"DataType":"String","StringValue":"v"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(attribute("amazon.x", #"{"DataType":"String","StringValue":"v"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(attribute("a..b", #"{"DataType":"String","StringValue":"v"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(attribute("a", #"{"DataType":"Text","StringValue":"v"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(attribute("a", #"{"DataType":"Number","StringValue":"ten"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(
            attribute("a", #"{"DataType":"Binary","BinaryValue":"not base64!"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(attribute("a", #"{"DataType":"String"}"#)?.code, .invalidParameterValue)
        XCTAssertEqual(attribute("a", #"{"DataType":"String","StringListValues":["x"]}"#)?.code, .invalidParameterValue)
        let eleven = (0..<11).map { #""a\#($0)":{"DataType":"String","StringValue":"v"}"# }.joined(separator: ",")
        XCTAssertEqual(
            decodeError("SendMessage", #"{"QueueUrl":"u","MessageBody":"b","MessageAttributes":{\#(eleven)}}"#)?.code,
            .invalidParameterValue)
        XCTAssertEqual(
            decodeError(
                "SendMessage",
                #"{"QueueUrl":"u","MessageBody":"b","MessageSystemAttributes":{"Other":{"DataType":"String","StringValue":"v"}}}"#
            )?.code,
            .invalidParameterValue)
    }

    // MARK: - encoding responses

    func testErrorsCarryTypeMessageQueryErrorHeaderStatusAndRequestId() {
        let response = SQSProtocol.encode(
            SQSError(.queueDoesNotExist, "The specified queue does not exist."),
            as: .json, requestId: "req-1")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.headers["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender")
        XCTAssertEqual(response.headers["x-amzn-RequestId"], "req-1")
        XCTAssertEqual(response.headers["Content-Type"], "application/x-amz-json-1.0")
        XCTAssertEqual(
            json(response),
            .object([
                "__type": .string("com.amazonaws.sqs#QueueDoesNotExist"),
                "message": .string("The specified queue does not exist."),
            ]))
    }

    func testLegacyCodesAndStatusesOfTableA1() {
        let expected: [(SQSErrorCode, String, Int)] = [
            (.queueNameExists, "QueueAlreadyExists", 400),
            (.queueDeletedRecently, "AWS.SimpleQueueService.QueueDeletedRecently", 400),
            (.purgeQueueInProgress, "AWS.SimpleQueueService.PurgeQueueInProgress", 403),
            (.overLimit, "OverLimit", 403),
            (.emptyBatchRequest, "AWS.SimpleQueueService.EmptyBatchRequest", 400),
            (.batchRequestTooLong, "AWS.SimpleQueueService.BatchRequestTooLong", 400),
            (.messageNotInflight, "AWS.SimpleQueueService.MessageNotInflight", 400),
            (.unsupportedOperation, "AWS.SimpleQueueService.UnsupportedOperation", 400),
            (.resourceNotFoundException, "ResourceNotFoundException", 404),
            (.receiptHandleIsInvalid, "ReceiptHandleIsInvalid", 404),
            (.requestThrottled, "RequestThrottled", 403),
            (.invalidClientTokenId, "InvalidClientTokenId", 403),
            (.incompleteSignature, "IncompleteSignature", 400),
            (.serviceUnavailable, "ServiceUnavailable", 503),
        ]
        for (code, legacy, status) in expected {
            XCTAssertEqual(code.legacyCode, legacy)
            XCTAssertEqual(code.status, status, "\(code)")
        }
        XCTAssertEqual(SQSErrorCode.serviceUnavailable.fault, .receiver)
    }

    func testListDeadLetterSourceQueuesAnswersLowercaseQueueUrls() {
        let response = SQSProtocol.encode(
            .listDeadLetterSourceQueues(queueUrls: ["u1"], nextToken: nil), as: .json, requestId: "r")
        XCTAssertEqual(json(response), .object(["queueUrls": .array([.string("u1")])]))
        let list = SQSProtocol.encode(.listQueues(queueUrls: ["u1"], nextToken: "t"), as: .json, requestId: "r")
        XCTAssertEqual(json(list), .object(["QueueUrls": .array([.string("u1")]), "NextToken": .string("t")]))
    }

    func testEmptyOutputsAreEmptyObjects() {
        for response: SQSResponse in [.deleteMessage, .deleteQueue, .purgeQueue, .tagQueue, .receiveMessage([])] {
            let http = SQSProtocol.encode(response, as: .json, requestId: "r")
            XCTAssertEqual(http.status, 200)
            XCTAssertEqual(http.body, Array("{}".utf8))
        }
    }

    func testReceivedMessagesRoundTripByteExactWithStringAttributesAndBase64Blobs() {
        let body = "héllo \"wörld\" 🚀\r\n\t\\ </Body> \u{7F}"
        let message = ReceivedMessage(
            messageId: "m1", receiptHandle: "rh", body: body,
            attributes: ["SentTimestamp": "1700000000000", "ApproximateReceiveCount": "1"],
            messageAttributes: ["b": .binary([0, 1]), "a": .string("x")])
        let response = SQSProtocol.encode(.receiveMessage([message]), as: .json, requestId: "r")
        guard case .object(let root)? = json(response), case .array(let messages)? = root["Messages"],
            case .object(let m)? = messages.first
        else { return XCTFail() }
        XCTAssertEqual(m["Body"], .string(body))
        XCTAssertEqual(m["MD5OfBody"], .string(MessageChecksums.md5OfBody(body)))
        XCTAssertEqual(
            m["Attributes"],
            .object(["SentTimestamp": .string("1700000000000"), "ApproximateReceiveCount": .string("1")]))
        XCTAssertEqual(
            m["MessageAttributes"],
            .object([
                "b": .object(["DataType": .string("Binary"), "BinaryValue": .string("AAE=")]),
                "a": .object(["DataType": .string("String"), "StringValue": .string("x")]),
            ]))
        XCTAssertEqual(
            m["MD5OfMessageAttributes"], .string("fa20e2def088daf7b14bc51e836c5547"),
            "checksum vector 3 of docs/sqs-wire.md")
    }

    func testMessageWithoutAttributesHasNoAttributeMD5() {
        let response = SQSProtocol.encode(
            .receiveMessage([ReceivedMessage(messageId: "m", receiptHandle: "r", body: "b")]),
            as: .json, requestId: "r")
        XCTAssertFalse(
            String(decoding: response.body, as: UTF8.self).contains("MD5OfMessageAttributes"),
            "localstack #136 / elasticmq #114")
    }

    func testBatchResponsesCarryBothArrays() {
        let response = SQSProtocol.encode(
            .sendMessageBatch(
                SendMessageBatchResult(
                    successful: [
                        .init(
                            id: "a",
                            result: SendMessageResult(
                                messageId: "m", message: OutgoingMessage(body: "hello"), sequenceNumber: "1"))
                    ],
                    failed: [BatchResultErrorEntry(id: "b", error: SQSError(.invalidParameterValue, "bad"))])),
            as: .json, requestId: "r")
        XCTAssertEqual(
            json(response),
            .object([
                "Successful": .array([
                    .object([
                        "Id": .string("a"), "MessageId": .string("m"),
                        "MD5OfMessageBody": .string("5d41402abc4b2a76b9719d911017c592"),
                        "SequenceNumber": .string("1"),
                    ])
                ]),
                "Failed": .array([
                    .object([
                        "Id": .string("b"), "SenderFault": .bool(true),
                        "Code": .string("InvalidParameterValue"), "Message": .string("bad"),
                    ])
                ]),
            ]))
        let empty = SQSProtocol.encode(.deleteMessageBatch(BatchResult(successful: ["x"])), as: .json, requestId: "r")
        XCTAssertEqual(
            json(empty), .object(["Successful": .array([.object(["Id": .string("x")])]), "Failed": .array([])]))
    }

    func testMoveTaskNumbersStayIntegers() {
        let response = SQSProtocol.encode(
            .listMessageMoveTasks([
                MessageMoveTask(
                    status: "RUNNING", approximateNumberOfMessagesMoved: 9_007_199_254_740_993,
                    startedTimestamp: 1_700_000_000_000)
            ]),
            as: .json, requestId: "r")
        XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("9007199254740993"), "no Double rounding")
    }
}

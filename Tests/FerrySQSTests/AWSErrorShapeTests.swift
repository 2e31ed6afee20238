import XCTest

@testable import FerrySQS

/// Where AWS's JSON `__type` and query-protocol text differ from the plain code (recorded answers in
/// Tests/fixtures/aws-sqs).
final class AWSErrorShapeTests: XCTestCase {
    func testTwoUnmodeledCodesCarryTheirExceptionShapeNameInJSON() {
        XCTAssertEqual(SQSErrorCode.invalidParameterValue.jsonType, "com.amazonaws.sqs#InvalidParameterValueException")
        XCTAssertEqual(SQSErrorCode.invalidParameterValue.legacyCode, "InvalidParameterValue")
        XCTAssertEqual(SQSErrorCode.missingParameter.jsonType, "com.amazonaws.sqs#MissingRequiredParameterException")
        XCTAssertEqual(SQSErrorCode.missingParameter.legacyCode, "MissingParameter")
        XCTAssertEqual(SQSErrorCode.queueDoesNotExist.jsonType, "com.amazonaws.sqs#QueueDoesNotExist")
    }

    func testTheQueryProtocolWordsAnUnknownQueueForTheWsdlVersion() {
        XCTAssertTrue(
            SQSXMLEncoder.document(.noSuchQueue, requestId: "r")
                .contains("<Message>The specified queue does not exist for this wsdl version.</Message>"))
        let other = SQSError(.queueDoesNotExist, "something else")
        XCTAssertTrue(SQSXMLEncoder.document(other, requestId: "r").contains("<Message>something else</Message>"))
    }
}

import XCTest

@testable import FerrySQS

/// Queue URLs and ARNs (docs/sqs-wire.md, "Queue URLs").
final class QueueAddressTests: XCTestCase {
    let addressing = QueueAddressing(advertisedBase: "http://ferry.example:9324/", region: "eu-west-1")

    func testURLAndARNFromTheAdvertisedBase() {
        XCTAssertEqual(
            addressing.url(account: "000000000000", queueName: "q1"), "http://ferry.example:9324/000000000000/q1")
        XCTAssertEqual(
            addressing.arn(account: "000000000000", queueName: "q1.fifo"), "arn:aws:sqs:eu-west-1:000000000000:q1.fifo")
        let prefixed = QueueAddressing(advertisedBase: "https://lb.example/sqs")
        XCTAssertEqual(prefixed.url(account: "1", queueName: "q"), "https://lb.example/sqs/1/q")
    }

    func testParsingURLsFromAnyHostAndPrefix() {
        let expected = QueueAddress(account: "000000000000", queueName: "q1")
        XCTAssertEqual(QueueAddress.parse(url: "http://ferry.example:9324/000000000000/q1"), expected)
        XCTAssertEqual(QueueAddress.parse(url: "https://sqs.us-east-1.amazonaws.com/000000000000/q1"), expected)
        XCTAssertEqual(QueueAddress.parse(url: "https://lb.example/sqs/000000000000/q1/"), expected)
        XCTAssertEqual(QueueAddress.parse(url: "/000000000000/q1"), expected, "legacy path form (a2)")
        XCTAssertEqual(QueueAddress.parse(url: "http://h/000000000000/q1?Action=x"), expected)
        XCTAssertEqual(QueueAddress.parse(url: "http://h/000000000000/Q1.fifo")?.queueName, "Q1.fifo", "case-sensitive")
        XCTAssertEqual(
            QueueAddress.parse(url: "http://localhost:9324/queue/q1")?.account, "queue", "ElasticMQ's legacy form")
    }

    func testParsingRejectsWhatIsNotAQueueURL() {
        XCTAssertNil(QueueAddress.parse(url: "http://h/q1"))
        XCTAssertNil(QueueAddress.parse(url: "http://h"))
        XCTAssertNil(QueueAddress.parse(url: "http://h/000000000000/bad%20name"))
        XCTAssertNil(QueueAddress.parse(url: ""))
    }

    func testParsingARNs() {
        let parsed = QueueAddress.parse(arn: "arn:aws:sqs:eu-west-1:000000000000:dlq")
        XCTAssertEqual(parsed?.region, "eu-west-1")
        XCTAssertEqual(parsed?.address, QueueAddress(account: "000000000000", queueName: "dlq"))
        XCTAssertNil(QueueAddress.parse(arn: "arn:aws:sns:eu-west-1:000000000000:topic"))
        XCTAssertNil(QueueAddress.parse(arn: "arn:aws:sqs:eu-west-1:000000000000"))
    }
}

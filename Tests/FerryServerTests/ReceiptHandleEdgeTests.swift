import XCTest

@testable import FerrySQS
@testable import FerryServer

/// Receipt handles are opened at the edge: a forged one is answered ReceiptHandleIsInvalid without a log
/// entry, on all four operations that take one; the real one still works.
final class ReceiptHandleEdgeTests: XCTestCase {
    func testAForgedHandleIsRefusedBeforeAnythingIsProposed() throws {
        let node = try InProcessNode()
        let created = try node.json("CreateQueue", ["QueueName": .string("orders")])
        guard case .string(let url)? = created.body["QueueUrl"] else { return XCTFail("CreateQueue: \(created)") }
        XCTAssertEqual(
            try node.json("SendMessage", ["QueueUrl": .string(url), "MessageBody": .string("m")]).status, 200)
        let received = try node.json("ReceiveMessage", ["QueueUrl": .string(url), "VisibilityTimeout": .int(60)])
        guard case .array(let messages)? = received.body["Messages"], case .object(let message)? = messages.first,
            case .string(let handle)? = message["ReceiptHandle"]
        else { return XCTFail("ReceiveMessage: \(received)") }

        // The slot's last hex digit changed; the rest, the machine's check and the MAC included, left as they were.
        var bytes = Array(handle.utf8)
        bytes[26] = bytes[26] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let forged = String(decoding: bytes, as: UTF8.self)
        let lastIndex = node.server.node.raft.lastIndex
        for (action, members) in [
            ("DeleteMessage", ["ReceiptHandle": JSONValue.string(forged)]),
            ("ChangeMessageVisibility", ["ReceiptHandle": .string(forged), "VisibilityTimeout": .int(0)]),
        ] {
            let answer = try node.json(action, members.merging(["QueueUrl": .string(url)]) { a, _ in a })
            XCTAssertEqual(answer.status, 404, action)
            XCTAssertEqual(answer.body["__type"], .string("com.amazonaws.sqs#ReceiptHandleIsInvalid"), action)
            XCTAssertEqual(
                answer.body["message"], .string("The input receipt handle \"\(forged)\" is not a valid receipt handle.")
            )
        }
        for (action, entry) in [
            ("DeleteMessageBatch", ["Id": JSONValue.string("a"), "ReceiptHandle": .string(forged)]),
            (
                "ChangeMessageVisibilityBatch",
                ["Id": .string("a"), "ReceiptHandle": .string(forged), "VisibilityTimeout": .int(0)]
            ),
        ] {
            let answer = try node.json(action, ["QueueUrl": .string(url), "Entries": .array([.object(entry)])])
            XCTAssertEqual(answer.status, 200, action)
            XCTAssertEqual(answer.body["Successful"], .array([]), action)
            guard case .array(let failed)? = answer.body["Failed"], case .object(let entry)? = failed.first else {
                return XCTFail("\(action): \(answer)")
            }
            XCTAssertEqual(entry["Code"], .string("ReceiptHandleIsInvalid"), action)
            XCTAssertEqual(entry["SenderFault"], .bool(true), action)
        }
        XCTAssertEqual(node.server.node.raft.lastIndex, lastIndex, "no forged handle reached the log")

        XCTAssertEqual(
            try node.json("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": .string(handle)]).status, 200)
        XCTAssertGreaterThan(node.server.node.raft.lastIndex, lastIndex)
    }
}

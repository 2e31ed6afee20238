import FerryRuntime
import FerrySQS
import XCTest

@testable import FerryServer

/// When the parked long polls of a queue are checked: once per loop turn for each queue that changed, at
/// the end of the turn, however many applied commands changed it. A check reads every parked poll of its
/// queue, so checking after each command made every send cost as much as the polls parked.
final class LongPollCheckTests: XCTestCase {
    private let queueUrl = "http://127.0.0.1:9324/000000000000/parked"

    private func request(_ action: String, _ members: [String: JSONValue]) throws -> HTTPRequest {
        guard case .request(let request) = InProcessNode.parse(InProcessNode.jsonRequestBytes(action, members)) else {
            struct Unparsable: Error {}
            throw Unparsable()
        }
        return request
    }

    func testSendsAppliedInOneTurnCheckTheParkedQueueOncePerTurn() throws {
        let node = try InProcessNode()
        XCTAssertEqual(try node.json("CreateQueue", ["QueueName": .string("parked")]).status, 200)
        let pollCount = 4
        let sendCount = 40
        let receive = try request(
            "ReceiveMessage", ["QueueUrl": .string(queueUrl), "WaitTimeSeconds": .number("10")])
        let send = try request("SendMessage", ["QueueUrl": .string(queueUrl), "MessageBody": .string("m")])
        let registry = try XCTUnwrap(node.server.service?.longPolls)

        var received: [HTTPResponse] = []
        var sent: [HTTPResponse] = []
        var checksBeforeSends = 0
        var checksUntilAnswered = 0
        var sendTimer: LoopTimer?
        try node.runUntil(timeoutMs: InProcessNode.answerTimeoutMs) { done in
            for _ in 0..<pollCount {
                node.server.http.respond(to: receive, clientGone: { false }) { response in
                    received.append(response)
                    if received.count == pollCount && sent.count == sendCount {
                        checksUntilAnswered = registry.checkCount - checksBeforeSends
                        done()
                    }
                }
            }
            // Once the polls have parked (their receives came back empty), every send in one turn.
            sendTimer = try? node.loop.scheduleOnce(afterMs: 200) {
                XCTAssertEqual(registry.count, pollCount, "every poll is parked before the sends")
                checksBeforeSends = registry.checkCount
                for _ in 0..<sendCount {
                    node.server.http.respond(to: send, clientGone: { false }) { response in
                        sent.append(response)
                        XCTAssertLessThan(received.count, pollCount, "the polls are answered after the sends apply")
                    }
                }
            }
            return { sendTimer?.close() }
        }

        XCTAssertEqual(sent.map(\.status), Array(repeating: 200, count: sendCount))
        XCTAssertEqual(received.map(\.status), Array(repeating: 200, count: pollCount))
        for response in received {
            guard case .object(let body) = try JSONParser.parse(response.body),
                case .array(let messages)? = body["Messages"]
            else { return XCTFail("a woken poll answers with its message: \(response)") }
            XCTAssertEqual(messages.count, 1)
        }
        // The sends were proposed in one turn, so they were written and applied together: one check for
        // all of them wakes the polls, whose receives (applied in a turn or two) check again. A check per
        // applied command made it `sendCount` and more.
        XCTAssertGreaterThanOrEqual(checksUntilAnswered, 1)
        XCTAssertLessThanOrEqual(
            checksUntilAnswered, pollCount, "the parked queue was checked per command, not per turn")
    }
}

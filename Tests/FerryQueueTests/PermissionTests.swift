import XCTest

@testable import FerryQueue

/// AddPermission / RemovePermission as replicated edits of the queue's Policy attribute
/// (docs/sqs-compatibility.md, "AddPermission and RemovePermission").
final class PermissionTests: XCTestCase {
    static let arn = "arn:aws:sqs:us-east-1:000000000000:q"

    func grant(
        _ label: String, _ accounts: [String] = ["111122223333"], _ actions: [String] = ["SendMessage"]
    ) -> PermissionGrant {
        PermissionGrant(label: label, accountIds: accounts, actions: actions)
    }

    func add(_ h: inout Harness, _ grant: PermissionGrant, queue: String = "q") -> QueueResult {
        h.run(.addPermission(queueName: queue, grant: grant))
    }

    func remove(_ h: inout Harness, _ label: String, queue: String = "q") -> QueueResult {
        h.run(.removePermission(queueName: queue, label: label))
    }

    // MARK: The document

    func testAGrantBecomesAStatementOfTheDocumentAWSBuilds() {
        var h = Harness()
        h.create("q")
        XCTAssertNil(h.attribute("q", "Policy"), "a new queue has no Policy")
        h.advance(seconds: 3)
        XCTAssertEqual(add(&h, grant("send")), .done)
        XCTAssertEqual(
            h.attribute("q", "Policy"),
            """
            {"Version":"2012-10-17","Id":"\(Self.arn)/SQSDefaultPolicy","Statement":[{"Sid":"send","Effect":"Allow",\
            "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:SendMessage","Resource":"\(Self.arn)"}]}
            """)
        XCTAssertEqual(h.attribute("q", "LastModifiedTimestamp"), String(h.nowMs / 1000), "the Policy changed")
    }

    func testSeveralAccountsAndActionsAreListsInTheOrderSent() {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(add(&h, grant("both", ["222222222222", "111111111111"], ["ReceiveMessage", "*"])), .done)
        XCTAssertEqual(
            statement(h, 0),
            """
            {"Sid":"both","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root",\
            "arn:aws:iam::111111111111:root"]},"Action":["SQS:ReceiveMessage","SQS:*"],"Resource":"\(Self.arn)"}
            """)
    }

    func testGrantsAccumulateAndRemovalTakesOnlyTheirLabel() {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(add(&h, grant("a")), .done)
        XCTAssertEqual(add(&h, grant("b", ["999999999999"], ["DeleteMessage"])), .done)
        XCTAssertEqual(sids(h), ["a", "b"])
        XCTAssertEqual(remove(&h, "a"), .done)
        XCTAssertEqual(sids(h), ["b"])
        XCTAssertEqual(remove(&h, "b"), .done)
        XCTAssertNil(h.attribute("q", "Policy"), "removing the last statement removes the Policy attribute")
        XCTAssertEqual(add(&h, grant("a")), .done, "a removed label can be granted again")
    }

    func testConcurrentGrantsFromDifferentNodesBothLand() {
        // Two nodes propose at once; the log orders them and each is applied to the state the other left.
        var h = Harness()
        h.create("q")
        let first = QueueCommand.addPermission(queueName: "q", grant: grant("from-node-1"))
        let second = QueueCommand.addPermission(queueName: "q", grant: grant("from-node-2", ["444455556666"]))
        XCTAssertEqual(h.run(first), .done)
        XCTAssertEqual(h.run(second), .done)
        XCTAssertEqual(sids(h), ["from-node-1", "from-node-2"])
    }

    func testAGrantIsAddedToAPolicySetWithSetQueueAttributes() {
        var h = Harness()
        let own =
            #"{ "Version": "2012-10-17", "Statement": { "Sid": "mine", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": false}} }, "Extra": [1, 2.5e3, null, true] }"#
        h.create("q", ["Policy": own])
        XCTAssertEqual(
            add(&h, grant("mine")).error,
            QueueError(.invalidParameterValue, "Value mine for parameter Label is invalid. Reason: Already exists."))
        XCTAssertEqual(h.attribute("q", "Policy"), own, "a refused grant leaves the Policy as it was")
        XCTAssertEqual(add(&h, grant("theirs")), .done)
        XCTAssertEqual(
            h.attribute("q", "Policy"),
            """
            {"Version":"2012-10-17","Statement":[{"Sid":"mine","Effect":"Deny","Principal":"*","Action":"sqs:*",\
            "Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}},{"Sid":"theirs","Effect":"Allow",\
            "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:SendMessage","Resource":"\(Self.arn)"}],\
            "Extra":[1,2.5e3,null,true]}
            """, "the document's own members stay, in order, rendered compactly")
        XCTAssertEqual(remove(&h, "theirs"), .done)
        XCTAssertEqual(remove(&h, "mine"), .done)
        XCTAssertEqual(h.attribute("q", "Policy"), nil)
    }

    func testAPolicyThatIsNotAJSONObjectCannotBeEdited() {
        var h = Harness()
        h.create("q", ["Policy": "not json"])
        XCTAssertEqual(add(&h, grant("a")).error?.code, .invalidAttributeValue)
        XCTAssertEqual(remove(&h, "a").error?.code, .invalidAttributeValue)
        XCTAssertEqual(h.attribute("q", "Policy"), "not json")
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertEqual(
            h.run(.setQueueAttributes(name: "q", attributes: [KeyValue("Policy", "{\"a\":\(deep)}")])), .done)
        XCTAssertEqual(
            add(&h, grant("a")).error?.code, .invalidAttributeValue, "nesting past the parser's depth is refused")
    }

    // MARK: Errors

    func testDuplicateAndUnknownLabelsAndUnknownQueues() {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(add(&h, grant("test")), .done)
        XCTAssertEqual(
            add(&h, grant("test", ["111111111111"], ["ReceiveMessage"])).error,
            QueueError(.invalidParameterValue, "Value test for parameter Label is invalid. Reason: Already exists."))
        XCTAssertEqual(
            remove(&h, "other").error,
            QueueError(
                .invalidParameterValue,
                "Value other for parameter Label is invalid. Reason: can't find label on existing policy."))
        XCTAssertEqual(remove(&h, "test"), .done)
        XCTAssertEqual(
            remove(&h, "test").error?.message,
            "Value test for parameter Label is invalid. Reason: can't find label on existing policy.",
            "a queue without Policy has no label")
        XCTAssertEqual(add(&h, grant("a"), queue: "missing").error?.code, .queueDoesNotExist)
        XCTAssertEqual(remove(&h, "a", queue: "missing").error?.code, .queueDoesNotExist)
    }

    func testLabelSyntaxAtTheLimitAndOnePast() {
        XCTAssertNoThrow(try PermissionPolicy.validate(grant(String(repeating: "a", count: 80))))
        XCTAssertNoThrow(try PermissionPolicy.validate(grant("Az09_-")))
        for bad in [String(repeating: "a", count: 81), "", "has space", "dot.ted", "é"] {
            XCTAssertThrowsError(try PermissionPolicy.validate(grant(bad)), bad) { error in
                XCTAssertEqual((error as? QueueError)?.code, .invalidParameterValue)
                XCTAssertTrue(
                    (error as? QueueError)?.message.hasPrefix("Value \(bad) for parameter Label is invalid.") ?? false)
            }
        }
    }

    func testAccountIdsAreTwelveDigits() {
        XCTAssertNoThrow(try PermissionPolicy.validate(grant("l", ["000000000000"])))
        XCTAssertEqual(
            error(grant("l", [])),
            QueueError(
                .invalidParameterValue, "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify."))
        for bad in ["11112222333", "1111222233334", "11112222333x", "*", "arn:aws:iam::111122223333:root"] {
            XCTAssertEqual(
                error(grant("l", ["111122223333", bad])),
                QueueError(
                    .invalidParameterValue,
                    "Value \(bad) for parameter PrincipalId is invalid. Reason: Unable to verify."))
        }
    }

    func testSevenActionsAtMostAndOnlyGrantableOnes() {
        let seven = [
            "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
            "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage",
        ]
        XCTAssertNoThrow(try PermissionPolicy.validate(grant("l", ["111122223333"], seven)))
        XCTAssertEqual(
            error(grant("l", ["111122223333"], seven + ["SendMessage"])),
            QueueError(.overLimit, "8 Actions were found, maximum allowed is 7."))
        XCTAssertEqual(
            error(grant("l", ["111122223333", "222233334444"], ["SendMessage", "*"])), nil,
            "the limit counts actions, not accounts times actions")
        XCTAssertEqual(
            error(grant("l", ["111122223333"], [])),
            QueueError(.missingParameter, "The request must contain the parameter Actions."))
        for owner in [
            "RemovePermission", "AddPermission", "SetQueueAttributes", "DeleteQueue", "SendMessageBatch", "sendmessage",
        ] {
            XCTAssertEqual(
                error(grant("l", ["111122223333"], [owner])),
                QueueError(
                    .invalidParameterValue,
                    "Value SQS:\(owner) for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action."
                ))
        }
    }

    func testTheMachineRefusesWhatTheEdgeWouldHave() {
        // A command in the log is checked again while applying: the edge is not the only guard.
        var h = Harness()
        h.create("q")
        XCTAssertEqual(add(&h, grant("bad label")).error?.code, .invalidParameterValue)
        XCTAssertEqual(add(&h, grant("l", ["1"])).error?.code, .invalidParameterValue)
        XCTAssertEqual(
            add(&h, grant("l", ["111122223333"], Array(repeating: "SendMessage", count: 8))).error?.code, .overLimit)
        XCTAssertNil(h.attribute("q", "Policy"))
    }

    func testThePolicyStaysWithinTheAttributeBound() {
        var h = Harness()
        h.create("q")
        let accounts = (0..<150).map { String(format: "%012d", $0) }
        var added = 0
        while case .done = add(&h, grant("g\(added)", accounts, ["SendMessage"])) { added += 1 }
        XCTAssertGreaterThan(added, 0)
        XCTAssertEqual(add(&h, grant("g\(added)", accounts, ["SendMessage"])).error?.code, .invalidAttributeValue)
        XCTAssertLessThanOrEqual(h.attribute("q", "Policy")!.utf8.count, QueueLimits.freeformAttributeBytesMax)
        let tooMany = (0..<700).map { String(format: "%012d", $0) }
        XCTAssertEqual(error(grant("big", tooMany))?.code, .invalidAttributeValue, "one grant alone over the bound")
    }

    // MARK: Replication

    func testThePolicySurvivesASnapshotAndTheRestoredMachineEditsItAlike() throws {
        var h = Harness()
        h.create("q")
        XCTAssertEqual(add(&h, grant("a")), .done)
        XCTAssertEqual(add(&h, grant("b", ["222233334444"], ["*"])), .done)
        let bytes = h.machine.snapshot()
        var restored = QueueMachine(config: h.machine.config)
        try restored.restore(from: bytes)
        XCTAssertEqual(restored.snapshot(), bytes)
        XCTAssertEqual(
            restored.getQueueAttributes("q", names: ["Policy"]), h.machine.getQueueAttributes("q", names: ["Policy"]))
        let stamp = CommandStamp(logIndex: h.logIndex + 1, timeMs: h.nowMs)
        let command = QueueCommand.removePermission(queueName: "q", label: "a")
        XCTAssertEqual(restored.apply(command, at: stamp), .done)
        XCTAssertEqual(h.run(command), .done)
        XCTAssertEqual(restored.snapshot(), h.machine.snapshot())
    }

    func testPermissionCommandsRoundTripAndOlderCommandsStillDecode() throws {
        let commands: [QueueCommand] = [
            .addPermission(queueName: "q", grant: grant("l", ["111122223333", "444455556666"], ["SendMessage", "*"])),
            .addPermission(queueName: "q", grant: PermissionGrant(label: "", accountIds: [], actions: [])),
            .removePermission(queueName: "q", label: "l"),
        ]
        for command in commands {
            XCTAssertEqual(try QueueCommand.decode(command.encode()), command)
            XCTAssertEqual(command.encode().first, 2, "no version change: older readers of other tags are unaffected")
        }
        XCTAssertEqual(Array(QueueCommand.removePermission(queueName: "q", label: "l").encode().prefix(2)), [2, 15])
        // Written by a node from before permissions existed: version 1 and version 2 commands decode as before.
        let untagV1: [UInt8] = [1, 5, 1, UInt8(ascii: "q"), 2, 1, UInt8(ascii: "a"), 1, UInt8(ascii: "b")]
        XCTAssertEqual(try QueueCommand.decode(untagV1), .untagQueue(name: "q", keys: ["a", "b"]))
        XCTAssertEqual(try QueueCommand.decode([2] + untagV1.dropFirst()), .untagQueue(name: "q", keys: ["a", "b"]))
        XCTAssertThrowsError(try QueueCommand.decode([2, 16]), "tags past the last are refused")
        XCTAssertThrowsError(
            try QueueCommand.decode(Array(commands[0].encode().dropLast())), "a truncated grant is refused")
    }

    // MARK: Helpers

    func error(_ grant: PermissionGrant) -> QueueError? {
        do {
            try PermissionPolicy.validate(grant)
            return nil
        } catch {
            return error as? QueueError
        }
    }

    func document(_ h: Harness) -> MiniJSON.Node? {
        h.attribute("q", "Policy").flatMap(MiniJSON.parse)
    }

    func statements(_ h: Harness) -> [MiniJSON.Node] {
        guard case .object(let members)? = document(h),
            case .array(let list)? = members.first(where: { $0.0 == "Statement" })?.1
        else { return [] }
        return list
    }

    func statement(_ h: Harness, _ index: Int) -> String? {
        let list = statements(h)
        return index < list.count ? list[index].rendered : nil
    }

    func sids(_ h: Harness) -> [String] {
        statements(h).compactMap { node in
            guard case .object(let members) = node, case .string(let sid)? = members.first(where: { $0.0 == "Sid" })?.1
            else {
                return nil
            }
            return sid
        }
    }
}

import FerryQueue
import XCTest

@testable import FerrySQS

/// docs/sqs-wire.md, "Message checksums": the checksums Java, .NET, Ruby, PHP, Go and JS verify.
final class MessageChecksumsTests: XCTestCase {
    func testBodyMD5() {
        XCTAssertEqual(MessageChecksums.md5OfBody("hello"), "5d41402abc4b2a76b9719d911017c592")
    }

    func testTheCarriedBodyMD5PrintsAsTheBodyMD5() {
        for body in ["hello", "短发", String(repeating: "x", count: 1024), "a\r\nb"] {
            XCTAssertEqual(MessageChecksums.hex(MessageChecksums.bodyMD5(body)), MessageChecksums.md5OfBody(body))
        }
    }

    func testAReceivedMessageAnswersWithTheCarriedDigest() {
        let carried = MessageChecksums.bodyMD5("hello")
        let message = ReceivedMessage(messageId: "m", receiptHandle: "r", body: "hello", bodyMD5: carried)
        XCTAssertEqual(message.md5OfBody, "5d41402abc4b2a76b9719d911017c592")
        XCTAssertEqual(
            ReceivedMessage(messageId: "m", receiptHandle: "r", body: "hello").md5OfBody,
            "5d41402abc4b2a76b9719d911017c592", "without one, the body is hashed")
    }

    func testAttributesVectorOneStringAttribute() {
        XCTAssertEqual(MessageChecksums.md5OfAttributes(["Name": .string("Bob")]), "0408bb33aa149494a6a4683d58a7133f")
    }

    func testAttributesVectorFromThePHPSDKWithLabelsUnicodeAndByteOrderSort() {
        let attributes: [String: MessageAttributeValue] = [
            "Reference": .binary(Array("ID-1234".utf8)),
            "Name": .string("Bob"),
            "LastName": .string("Smith", dataType: "String.LN"),
            "Id": .string("3.14", dataType: "Number"),
            "Test": .string("短发"),
            "Test2": .string("true", dataType: "String.短发"),
            "name": .string("bob"),
            "Named": .string("true"),
        ]
        XCTAssertEqual(MessageChecksums.md5OfAttributes(attributes), "ee5a4b60facbcc4723c1b5b8baca2593")
    }

    func testAttributesVectorStringAndBinary() {
        let attributes: [String: MessageAttributeValue] = ["a": .string("x"), "b": .binary([0x00, 0x01])]
        XCTAssertEqual(MessageChecksums.md5OfAttributes(attributes), "fa20e2def088daf7b14bc51e836c5547")
    }

    func testSystemAttributesVector() {
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        XCTAssertEqual(
            MessageChecksums.md5OfAttributes(["AWSTraceHeader": .string(trace)]),
            "5ae4d5d7636402d80f4eb6d213245a88")
    }

    func testNoAttributesMeansNoMD5() {
        // localstack #136, aws-sdk-php #1315, elasticmq #114: an MD5 of nothing breaks PHP.
        XCTAssertNil(MessageChecksums.md5OfAttributesIfAny([:]))
    }

    func testSendResultCarriesOnlyTheChecksumsOfWhatWasSent() {
        let plain = SendMessageResult(messageId: "m", message: OutgoingMessage(body: "hello"))
        XCTAssertEqual(plain.md5OfMessageBody, "5d41402abc4b2a76b9719d911017c592")
        XCTAssertNil(plain.md5OfMessageAttributes)
        XCTAssertNil(plain.md5OfMessageSystemAttributes)
        // smoothmq #35, moto #918, fake_sqs #40: attributes sent but no MD5 returned breaks Java and Ruby.
        let withAttributes = SendMessageResult(
            messageId: "m",
            message: OutgoingMessage(
                body: "hello", messageAttributes: ["Name": .string("Bob")]))
        XCTAssertEqual(withAttributes.md5OfMessageAttributes, "0408bb33aa149494a6a4683d58a7133f")
    }

    func testReceivedMessageChecksumsFollowTheReturnedAttributes() {
        let message = ReceivedMessage(
            messageId: "m", receiptHandle: "r", body: "hello",
            messageAttributes: ["Name": .string("Bob")])
        XCTAssertEqual(message.md5OfBody, "5d41402abc4b2a76b9719d911017c592")
        XCTAssertEqual(message.md5OfMessageAttributes, "0408bb33aa149494a6a4683d58a7133f")
        XCTAssertNil(ReceivedMessage(messageId: "m", receiptHandle: "r", body: "x").md5OfMessageAttributes)
    }

    func testContentBasedDeduplicationId() {
        XCTAssertEqual(
            MessageChecksums.sha256OfBody("hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(
            MessageChecksums.sha256OfBody(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// The edge's hash (swift-crypto) and the machine's (FerryQueue's own, for commands logged before the edge
    /// carried it) must give the same id for every body, or a replayed log would deduplicate differently.
    func testTheEdgeAndTheMachineHashContentAlike() {
        // Lengths around SHA-256's 64-byte blocks and its 56-byte padding boundary, and a maximum-size body.
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 262_144] {
            let body = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 8) }
            XCTAssertEqual(
                body.withUnsafeBytes { MessageChecksums.sha256Hex(of: $0) }, FerryQueue.SHA256.hexDigest(body),
                "length \(length)")
        }
    }
}

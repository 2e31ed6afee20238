import Foundation
import XCTest

@testable import FerryQueue

/// Filter policies: validation as AWS words it, and matching (docs/sns-wire.md, "Filter policies"). The
/// recorded facts live in Tests/fixtures/sns/filter-policy-cases.json.
final class FilterPolicyTests: XCTestCase {
    struct Cases: Decodable {
        struct Invalid: Decodable {
            var policy: String
            var subscribe: String?
            var set: String?
        }
        struct Match: Decodable {
            var policy: String
            var attributes: [String: [String]]
            var delivered: Bool
        }
        var invalid: [Invalid]
        var matches: [Match]
    }

    static let cases: Cases = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../fixtures/sns/filter-policy-cases.json")
        return try! JSONDecoder().decode(Cases.self, from: Data(contentsOf: url))
    }()

    func testInvalidPoliciesGetAWSsRecordedErrors() {
        for c in Self.cases.invalid {
            var subscription = Subscription(number: 1, topicName: "t", endpoint: "arn:aws:sqs:r:a:q")
            if let expected = c.subscribe {
                XCTAssertEqual(
                    subscription.set("FilterPolicy", c.policy, subscribing: true)?.message, expected, c.policy)
            }
            if let expected = c.set {
                XCTAssertEqual(
                    subscription.set("FilterPolicy", c.policy, subscribing: false)?.message, expected, c.policy)
            }
            XCTAssertNil(subscription.filterPolicy)
        }
    }

    func testRecordedMatches() throws {
        for c in Self.cases.matches {
            let policy = try FilterPolicy.parse(c.policy, scope: .messageAttributes)
            let attributes = c.attributes.keys.sorted().map {
                MessageAttribute(name: $0, dataType: c.attributes[$0]![0], value: .string(c.attributes[$0]![1]))
            }
            XCTAssertEqual(policy.matches(AttributeFilterSubject(attributes: attributes)), c.delivered, c.policy)
        }
    }

    func attrs(_ pairs: [(String, String, String)]) -> AttributeFilterSubject {
        AttributeFilterSubject(
            attributes: pairs.map { MessageAttribute(name: $0.0, dataType: $0.1, value: .string($0.2)) })
    }

    func matches(
        _ policy: String, _ subject: FilterSubject, scope: FilterPolicy.Scope = .messageAttributes,
        file: StaticString = #filePath, line: UInt = #line
    ) -> Bool {
        do {
            return try FilterPolicy.parse(policy, scope: scope).matches(subject)
        } catch {
            XCTFail("\(policy): \(error)", file: file, line: line)
            return false
        }
    }

    func testEveryOperator() {
        let s = attrs([
            ("name", "String", "Example-Corp"), ("price", "Number", "12.5"), ("ip", "String", "10.0.3.7"),
            ("tags", "String.Array", #"["a","b",3]"#),
        ])
        XCTAssertTrue(matches(#"{"name":["Example-Corp"]}"#, s))
        XCTAssertFalse(matches(#"{"name":["example-corp"]}"#, s))
        XCTAssertTrue(matches(#"{"name":[{"equals-ignore-case":"example-CORP"}]}"#, s))
        XCTAssertTrue(matches(#"{"name":[{"prefix":"Exa"}]}"#, s))
        XCTAssertTrue(matches(#"{"name":[{"suffix":"Corp"}]}"#, s))
        XCTAssertTrue(matches(#"{"name":[{"anything-but":["Other","Else"]}]}"#, s))
        XCTAssertFalse(matches(#"{"name":[{"anything-but":"Example-Corp"}]}"#, s))
        XCTAssertFalse(matches(#"{"name":[{"anything-but":{"prefix":"Ex"}}]}"#, s))
        XCTAssertTrue(matches(#"{"name":[{"anything-but":{"suffix":"Inc"}}]}"#, s))
        XCTAssertFalse(matches(#"{"missing":[{"anything-but":"x"}]}"#, s), "anything-but needs the key present")
        XCTAssertTrue(matches(#"{"price":[12.5]}"#, s))
        XCTAssertFalse(matches(#"{"price":["12.5"]}"#, s), "a string condition does not match a Number attribute")
        XCTAssertTrue(matches(#"{"price":[{"numeric":[">=",10,"<",13]}]}"#, s))
        XCTAssertFalse(matches(#"{"price":[{"numeric":["<",12.5]}]}"#, s))
        XCTAssertTrue(matches(#"{"price":[{"numeric":["=",12.5]}]}"#, s))
        XCTAssertTrue(matches(#"{"ip":[{"cidr":"10.0.0.0/16"}]}"#, s))
        XCTAssertFalse(matches(#"{"ip":[{"cidr":"10.1.0.0/16"}]}"#, s))
        XCTAssertTrue(matches(#"{"tags":["b"]}"#, s), "String.Array matches any element")
        XCTAssertTrue(matches(#"{"tags":[3]}"#, s))
        XCTAssertFalse(matches(#"{"name":["x"],"$or":[{"price":[1]},{"ip":["10.0.3.7"]}]}"#, s), "keys AND with $or")
        XCTAssertThrowsError(
            try FilterPolicy.parse(#"{"$or":[{"price":[1]}]}"#, scope: .messageAttributes), "$or needs two branches")
        XCTAssertTrue(matches(#"{"$or":[{"name":["x"]},{"price":[{"numeric":[">",1]}]}]}"#, s))
        XCTAssertTrue(matches(#"{"missing":[{"exists":false}],"name":[{"exists":true}]}"#, s))
    }

    func testBodyScopeWalksNestedKeysAndArrays() {
        let body = BodyFilterSubject(
            document: PolicyJSON.parse(#"{"order":{"items":[{"sku":"A1"},{"sku":"B2"}],"total":40,"gift":true}}"#))
        XCTAssertTrue(matches(#"{"order":{"items":{"sku":["B2"]}}}"#, body, scope: .messageBody))
        XCTAssertTrue(matches(#"{"order":{"total":[{"numeric":[">",10]}],"gift":[true]}}"#, body, scope: .messageBody))
        XCTAssertFalse(matches(#"{"order":{"items":{"sku":["C3"]}}}"#, body, scope: .messageBody))
        XCTAssertFalse(matches(#"{"order":[{"exists":false}]}"#, body, scope: .messageBody))
        let notJSON = BodyFilterSubject(document: PolicyJSON.parse("plain text"))
        XCTAssertFalse(matches(#"{"a":["b"]}"#, notJSON, scope: .messageBody))
    }

    func testLimitsAtTheEdgeAndOnePast() throws {
        let five = #"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}"#
        XCTAssertNoThrow(try FilterPolicy.parse(five, scope: .messageAttributes))
        // 150 combinations: 5 x 5 x 6; 151 is refused as too complex.
        func values(_ n: Int) -> String { "[" + (0..<n).map { "\"v\($0)\"" }.joined(separator: ",") + "]" }
        XCTAssertNoThrow(
            try FilterPolicy.parse(
                "{\"a\":\(values(5)),\"b\":\(values(5)),\"c\":\(values(6))}", scope: .messageAttributes))
        XCTAssertThrowsError(try FilterPolicy.parse("{\"a\":\(values(151))}", scope: .messageAttributes)) { error in
            XCTAssertEqual((error as? FilterPolicy.Invalid)?.reason, "Filter policy is too complex")
        }
        let big = "{\"a\":[\"" + String(repeating: "x", count: FilterPolicy.policyBytesMax) + "\"]}"
        XCTAssertThrowsError(try FilterPolicy.parse(big, scope: .messageAttributes))
        let deep = String(repeating: "{\"a\":", count: 100) + "[1]" + String(repeating: "}", count: 100)
        XCTAssertThrowsError(
            try FilterPolicy.parse(deep, scope: .messageBody), "nesting past the parser's depth is refused")
    }

    func ip(_ value: String) -> AttributeFilterSubject { attrs([("ip", "String", value)]) }

    func cidr(_ range: String) -> String { #"{"ip":[{"cidr":""# + range + #""}]}"# }

    func testCidrIPv4AtThePrefixLimits() {
        XCTAssertTrue(matches(cidr("0.0.0.0/0"), ip("203.0.113.9")))
        XCTAssertTrue(matches(cidr("203.0.113.9/32"), ip("203.0.113.9")))
        XCTAssertFalse(matches(cidr("203.0.113.9/32"), ip("203.0.113.8")))
        XCTAssertTrue(matches(cidr("203.0.113.8/31"), ip("203.0.113.9")))
        XCTAssertFalse(matches(cidr("0.0.0.0/0"), ip("2001:db8::1")), "an IPv4 range holds no IPv6 address")
        for bad in ["203.0.113.9/33", "203.0.113.9/-1", "203.0.113.9", "203.0.113/24", "256.0.0.0/8", "1.2.3.4/8/8"] {
            XCTAssertThrowsError(try FilterPolicy.parse(cidr(bad), scope: .messageAttributes), bad)
        }
    }

    func testCidrIPv6AtThePrefixLimits() {
        XCTAssertTrue(matches(cidr("::/0"), ip("2001:db8::1")))
        XCTAssertTrue(matches(cidr("2001:db8::1/128"), ip("2001:0db8:0000:0000:0000:0000:0000:0001")))
        XCTAssertFalse(matches(cidr("2001:db8::1/128"), ip("2001:db8::2")))
        XCTAssertTrue(matches(cidr("2001:db8::/32"), ip("2001:db8:ffff:1::9")))
        XCTAssertFalse(matches(cidr("2001:db8::/32"), ip("2001:db9::1")))
        XCTAssertTrue(matches(cidr("2001:db8::/127"), ip("2001:db8::1")))
        XCTAssertTrue(matches(cidr("::ffff:0:0/96"), ip("::ffff:192.0.2.1")), "an IPv4 tail is the last 32 bits")
        XCTAssertFalse(matches(cidr("::/0"), ip("192.0.2.1")), "an IPv6 range holds no IPv4 address")
        XCTAssertFalse(matches(cidr("::/0"), ip("2001:db8::1::2")), "a malformed address matches nothing")
        for bad in [
            "2001:db8::/129", "2001:db8::/1000", "2001:db8::1::/64", "2001:db8:::/64", "12345::/16", "g::/16",
            "1:2:3:4:5:6:7:8:9/64", "1:2:3:4:5:6:7/64", "fe80::1%eth0/64", "::ffff:192.0.2.256/96",
        ] {
            XCTAssertThrowsError(try FilterPolicy.parse(cidr(bad), scope: .messageAttributes), bad)
        }
    }
}

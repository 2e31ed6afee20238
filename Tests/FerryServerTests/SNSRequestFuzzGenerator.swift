import FerryRaft
import Foundation

/// Random SNS requests for `RequestFuzzTests` (query form, as boto3 sends them; docs/sns-wire.md): Publish
/// and PublishBatch at and past their limits, Subscribe with hostile filter policies (deep nesting, huge arrays,
/// 256 KB and one byte past), CreateTopic with bad names, and ARNs of every malformed shape; then sometimes
/// broken (a parameter dropped, bytes flipped). One SplitMix64, so a seed names a request sequence exactly.
struct SNSRequestFuzzGenerator {
    var rng: SplitMix64
    let region: String
    let account: String
    /// Topic ARNs created at the start of a run, and subscription ARNs the node gave out.
    var topicArns: [String]
    var subscriptionArns: [String] = []

    struct Request {
        var action: String
        var pairs: [(String, String)]
        var bytes: [UInt8] = []
        var label: String { "SNS \(action) (\(bytes.count) bytes)" }
    }

    static let actions = [
        "CreateTopic", "DeleteTopic", "ListTopics", "GetTopicAttributes", "SetTopicAttributes", "Subscribe",
        "Unsubscribe", "ConfirmSubscription", "ListSubscriptions", "ListSubscriptionsByTopic",
        "GetSubscriptionAttributes", "SetSubscriptionAttributes", "Publish", "PublishBatch", "TagResource",
        "UntagResource", "ListTagsForResource",
    ]

    init(seed: UInt64, region: String, account: String, topicArns: [String]) {
        rng = SplitMix64(seed: seed)
        self.region = region
        self.account = account
        self.topicArns = topicArns
    }

    mutating func int(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    mutating func pick<T>(_ options: [T]) -> T { options[int(options.count)] }
    mutating func text(_ count: Int, alphabet: String = "abcXYZ019_-") -> String {
        let letters = Array(alphabet)
        return String((0..<count).map { _ in letters[int(letters.count)] })
    }

    /// A topic ARN: mostly a real one, else one of AWS's malformed shapes.
    mutating func topicArn() -> String {
        if !topicArns.isEmpty && chance(75) { return pick(topicArns) }
        return pick([
            "", "randomstring", "arn:aws:sns:\(region):random", "arn:aws:sns:eu-west-9:\(account):t",
            "arn:aws:sns:\(region):999999999999:t", "arn:aws:sns:\(region):\(account):missing-\(text(4))",
            "arn:aws:sns:\(region):\(account):endpoint/APNS/app/\(text(8))", "arn:aws:sqs:\(region):\(account):q",
            "arn:aws:sns:\(region):\(account):" + String(repeating: "t", count: 300), "arn:aws:sns:::::::::",
        ])
    }

    mutating func subscriptionArn() -> String {
        if !subscriptionArns.isEmpty && chance(60) { return pick(subscriptionArns) }
        let topic = topicArns.first ?? "arn:aws:sns:\(region):\(account):t"
        return pick([
            "", "x", "arn:aws:sns:us-east-1:random", topic, topic + ":" + text(36), topic + ":", topic + "::x",
        ])
    }

    mutating func queueArn() -> String {
        pick([
            "arn:aws:sqs:\(region):\(account):fuzz", "arn:aws:sqs:\(region):\(account):fuzz.fifo",
            "arn:aws:sqs:\(region):\(account):nope-\(text(3))", "http://localhost/\(account)/fuzz",
            "arn:aws:sqs:\(region):999999999999:fuzz", "arn:aws:sqs:\(region)", "",
        ])
    }

    /// A filter policy: a valid one, or deep, wide, oversized or malformed.
    mutating func filterPolicy() -> String {
        switch int(9) {
        case 0: return #"{"color":["red",{"prefix":"bl"}],"size":[{"numeric":[">=",1,"<",10]}]}"#
        case 1:
            return #"{"ip":[{"cidr":""# + pick(["10.0.0.0/8", "::/0", "2001:db8::/129", "1.2.3.4/33", "x/1"]) + #""}]}"#
        case 2:
            let depth = pick([31, 32, 33, 200, 10_000])
            return String(repeating: #"{"a":"#, count: depth) + #"["x"]"# + String(repeating: "}", count: depth)
        case 3: return #"{"a":["# + String(repeating: #""v","#, count: pick([150, 151, 100_000])) + #""v"]}"#
        case 4:
            let size = pick([262_143, 262_144, 262_145, 300_000])
            let filler = String(repeating: "x", count: max(0, size - 10))
            return #"{"a":[""# + filler + #""]}"#
        case 5: return #"{"$or":["# + String(repeating: #"{"a":["1"]},"#, count: pick([2, 200])) + #"{"b":["2"]}]}"#
        case 6:
            return pick([
                "", "{", "[]", "null", #"{"a":[]}"#, #"{"a":[{"numeric":["<"]}]}"#, #"{"a":[{"anything-but":{}}]}"#,
            ])
        case 7: return String(repeating: "[", count: 20_000)
        default: return #"{"a":"# + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}"
        }
    }

    mutating func message() -> String {
        let size = chance(50) ? pick([1, 100]) : pick([0, 262_143, 262_144, 262_145])
        return chance(10) ? String(repeating: "é", count: size / 2) : String(repeating: "m", count: size)
    }

    /// `MessageAttributes.entry.N...` for Publish, or under a batch entry's prefix.
    mutating func messageAttributes(prefix: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for i in 1...pick([1, 2, 10, 11]) {
            let p = "\(prefix)MessageAttributes.entry.\(i)"
            pairs.append(
                (
                    "\(p).Name",
                    pick(["a\(i)", "", ".x", "x.", "a..b", "^", String(repeating: "n", count: pick([255, 256]))])
                ))
            if chance(90) {
                pairs.append(
                    ("\(p).Value.DataType", pick(["String", "Number", "Binary", "String.Array", "Bogus", ""])))
            }
            if chance(80) {
                pairs.append(
                    (
                        "\(p).Value.StringValue",
                        pick(["v", "", "12.5", "abc", #"["a","b"]"#, "[", String(repeating: "v", count: 262_145)])
                    ))
            }
            if chance(20) { pairs.append(("\(p).Value.BinaryValue", pick(["AgME", "", "!!", "AAAA"]))) }
        }
        return pairs
    }

    /// A request that should succeed, so the run reaches the fan-out behind the edge too.
    mutating func wellFormed() -> Request? {
        guard !topicArns.isEmpty else { return nil }
        let topic = pick(topicArns)
        let fifo = topic.hasSuffix(".fifo")
        if chance(40) {
            var pairs = [
                ("TopicArn", topic), ("Protocol", "sqs"),
                ("Endpoint", "arn:aws:sqs:\(region):\(account):fuzz\(fifo && chance(50) ? ".fifo" : "")"),
            ]
            if chance(50) {
                pairs += [
                    ("Attributes.entry.1.key", "FilterPolicy"), ("Attributes.entry.1.value", #"{"color":["red"]}"#),
                ]
            }
            return Request(action: "Subscribe", pairs: pairs)
        }
        var pairs = [("TopicArn", topic), ("Message", text(1 + int(200)))]
        if fifo { pairs += [("MessageGroupId", "g\(int(3))"), ("MessageDeduplicationId", text(8))] }
        if chance(50) {
            pairs += [
                ("MessageAttributes.entry.1.Name", "color"), ("MessageAttributes.entry.1.Value.DataType", "String"),
                ("MessageAttributes.entry.1.Value.StringValue", pick(["red", "blue"])),
            ]
        }
        return Request(action: "Publish", pairs: pairs)
    }

    mutating func next() -> Request {
        if chance(25), var request = wellFormed() {
            request.bytes = encode(request)
            return request
        }
        let action = pick(Self.actions)
        let pairs = Self.deliveryActions.contains(action) ? deliveryPairs(action) : topicPairs(action)
        var request = Request(action: action, pairs: pairs)
        if chance(10), !request.pairs.isEmpty { request.pairs.remove(at: int(request.pairs.count)) }
        if chance(5) {
            request.pairs.append((pick(["Bogus", "TopicArn", "Attributes.entry.999999999999999999999.key"]), "x"))
        }
        request.bytes = encode(request)
        // Flipped body bytes (the HTTP head's own refusals are HTTPRequestParserTests' business).
        let bodyStart = request.bytes.count - encodedBodyBytes(request)
        if chance(5), request.bytes.count > bodyStart {
            for _ in 0..<(1 + int(4)) {
                request.bytes[bodyStart + int(request.bytes.count - bodyStart)] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        return request
    }

    static let deliveryActions: Set<String> = [
        "Subscribe", "Unsubscribe", "GetSubscriptionAttributes", "SetSubscriptionAttributes", "ConfirmSubscription",
        "Publish", "PublishBatch",
    ]

    /// Hostile parameters of the topic actions (create, delete, list, attributes, tags).
    private mutating func topicPairs(_ action: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        switch action {
        case "CreateTopic":
            let fifo = chance(30)
            let stem = pick([text(pick([1, 250, 256, 257])), "bad name!", "a:b", "", "t.fifo", "é"])
            pairs.append(("Name", fifo ? stem + ".fifo" : stem))
            if fifo && chance(80) {
                pairs.append(("Attributes.entry.1.key", "FifoTopic"))
                pairs.append(("Attributes.entry.1.value", "true"))
            }
            if chance(30) {
                pairs.append(
                    (
                        "Attributes.entry.2.key",
                        pick(["DisplayName", "ArchivePolicy", "ContentBasedDeduplication", "Bogus", ""])
                    ))
                pairs.append(
                    ("Attributes.entry.2.value", pick(["x", String(repeating: "d", count: 101), "true", "{}"])))
            }
            if chance(20) {
                for i in 1...pick([1, 2, 50, 51]) {
                    pairs.append(
                        ("Tags.member.\(i).Key", pick(["k\(i)", "k1", "", String(repeating: "k", count: 129)])))
                    pairs.append(("Tags.member.\(i).Value", "v"))
                }
            }
        case "DeleteTopic", "GetTopicAttributes", "ListSubscriptionsByTopic", "ListTagsForResource":
            // The run's two topics rarely go: what follows them is what the run is about.
            let arn =
                action == "DeleteTopic" && chance(90) ? "arn:aws:sns:\(region):\(account):gone-\(text(3))" : topicArn()
            pairs.append((action == "ListTagsForResource" ? "ResourceArn" : "TopicArn", arn))
            if chance(20) { pairs.append(("NextToken", pick(["", "x", "99999999999999999999999", "-1"]))) }
        case "ListTopics", "ListSubscriptions":
            if chance(50) { pairs.append(("NextToken", pick(["", "zzz", "18446744073709551616", "0"]))) }
        case "SetTopicAttributes":
            pairs += [
                ("TopicArn", topicArn()),
                ("AttributeName", pick(["DisplayName", "FifoTopic", "ContentBasedDeduplication", "Policy", "Bogus"])),
                ("AttributeValue", pick(["x", "true", "maybe", String(repeating: "p", count: 40_000)])),
            ]
        case "TagResource":
            pairs.append(("ResourceArn", topicArn()))
            for i in 0..<pick([0, 1, 2, 51]) {
                pairs += [
                    ("Tags.member.\(i + 1).Key", pick(["k\(i)", "k1", ""])), ("Tags.member.\(i + 1).Value", "v"),
                ]
            }
        default:  // UntagResource
            pairs.append(("ResourceArn", topicArn()))
            for i in 1...pick([1, 2, 60]) { pairs.append(("TagKeys.member.\(i)", "k\(i)")) }
        }
        return pairs
    }

    /// Hostile parameters of the subscription and delivery actions (`deliveryActions`).
    private mutating func deliveryPairs(_ action: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        switch action {
        case "Subscribe":
            pairs += [
                ("TopicArn", topicArn()), ("Protocol", pick(["sqs", "sqs", "http", "SQS", ""])),
                ("Endpoint", queueArn()),
            ]
            var n = 0
            for (key, value) in [
                ("FilterPolicy", filterPolicy()),
                ("FilterPolicyScope", pick(["MessageBody", "MessageAttributes", "x"])),
                ("RawMessageDelivery", pick(["true", "false", "wrongvalue"])),
                (
                    "RedrivePolicy",
                    pick([#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:fuzz"}"#, "{i", "[]"])
                ),
            ]
            where chance(35) {
                n += 1
                pairs += [("Attributes.entry.\(n).key", key), ("Attributes.entry.\(n).value", value)]
            }
        case "Unsubscribe", "GetSubscriptionAttributes":
            pairs.append(("SubscriptionArn", subscriptionArn()))
        case "SetSubscriptionAttributes":
            let name = pick([
                "FilterPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
                "DeliveryPolicy", "Bogus",
            ])
            pairs += [
                ("SubscriptionArn", subscriptionArn()), ("AttributeName", name),
                (
                    "AttributeValue",
                    name == "FilterPolicy" ? filterPolicy() : pick(["true", "MessageBody", "{}", "", "{i"])
                ),
            ]
        case "ConfirmSubscription":
            pairs += [("TopicArn", topicArn()), ("Token", pick(["", "abc", String(repeating: "t", count: 5000)]))]
        case "Publish":
            pairs.append((chance(85) ? "TopicArn" : pick(["TargetArn", "PhoneNumber"]), topicArn()))
            pairs.append(("Message", message()))
            if chance(30) {
                pairs.append(("Subject", pick(["s", "", String(repeating: "s", count: 101), "line\nbreak"])))
            }
            if chance(20) { pairs.append(("MessageStructure", pick(["json", "xml"]))) }
            if chance(30) { pairs.append(("MessageGroupId", pick(["g", "", String(repeating: "g", count: 129)]))) }
            if chance(20) { pairs.append(("MessageDeduplicationId", pick(["d", "", "\u{7f}"]))) }
            if chance(40) { pairs += messageAttributes(prefix: "") }
        default:  // PublishBatch
            pairs.append(("TopicArn", topicArn()))
            for i in 1...pick([1, 2, 10, 11]) {
                let p = "PublishBatchRequestEntries.member.\(i)."
                pairs.append((p + "Id", pick(["e\(i)", "e1", "", "bad id", String(repeating: "i", count: 81)])))
                pairs.append((p + "Message", chance(80) ? pick(["m\(i)", ""]) : message()))
                if chance(30) { pairs.append((p + "MessageGroupId", "g")) }
                if chance(20) { pairs += messageAttributes(prefix: p) }
            }
        }
        return pairs
    }

    func encodedBodyBytes(_ request: Request) -> Int { body(request).count }

    func body(_ request: Request) -> [UInt8] {
        let pairs = [("Action", request.action), ("Version", "2010-03-31")] + request.pairs
        return Array(
            pairs.map { RequestFuzzGenerator.formEscape($0.0) + "=" + RequestFuzzGenerator.formEscape($0.1) }
                .joined(separator: "&").utf8)
    }

    func encode(_ request: Request) -> [UInt8] {
        let body = body(request)
        let head = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        return RequestFuzzGenerator.http(head: Array(head.utf8), body: body)
    }
}

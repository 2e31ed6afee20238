import FerryQueue
import FerryRaft
import Foundation

@testable import FerrySQS

/// Random SQS requests for `RequestFuzzTests`: every operation, in JSON or query form, with members drawn at
/// and around every limit (docs/sqs-wire.md, "Operations", "Queue attributes", "Message limits"), then sometimes broken
/// (a member dropped, a wrong type, an unknown member or action, malformed JSON or form text). Everything comes from
/// one SplitMix64, so a seed names a request sequence exactly.
struct RequestFuzzGenerator {
    var rng: SplitMix64
    /// Queue URLs the node knows (created at the start of a run), and the handles it gave out per URL.
    var queueUrls: [String]
    var handles: [String: [String]] = [:]
    let accountBase: String

    /// One generated request and what it must get.
    struct Request {
        var action: String
        var members: [String: JSONValue]
        var wire: SQSWireProtocol
        var bytes: [UInt8] = []
        /// Set when the request is well formed except for a receipt handle altered from a real one: the
        /// answer must be ReceiptHandleIsInvalid.
        var expectsInvalidHandle = false
        var label: String { "\(wire == .json ? "JSON" : "query") \(action) (\(bytes.count) bytes)" }
    }

    init(seed: UInt64, queueUrls: [String], accountBase: String) {
        rng = SplitMix64(seed: seed)
        self.queueUrls = queueUrls
        self.accountBase = accountBase
    }

    // MARK: Drawing

    mutating func int(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    mutating func pick<T>(_ options: [T]) -> T { options[int(options.count)] }

    /// A length at or next to one of `limits` (or a small one).
    mutating func length(around limits: [Int]) -> Int {
        if chance(40) { return int(8) }
        return max(0, pick(limits) + pick([-1, 0, 0, 1]))
    }

    mutating func text(_ count: Int, alphabet: String = "abcXYZ019_-") -> String {
        let characters = Array(alphabet)
        if chance(80) { return String(repeating: pick(characters), count: count) }  // cheap at 1 MiB
        return String((0..<count).map { _ in pick(characters) })
    }

    /// A message body: valid characters mostly; sometimes one SQS refuses (#x0-#x8, #xFFFE) or non-ASCII.
    mutating func body() -> String {
        let count = length(around: [1, 262_144, 1_048_576])
        switch int(10) {
        case 0: return text(max(count, 1), alphabet: "a\u{1}") + "\u{0}"
        case 1: return text(count / 4, alphabet: "é🚀ü\n\t")
        default: return text(count, alphabet: "ab {}\"<&>")
        }
    }

    mutating func queueUrl() -> String {
        switch int(12) {
        case 0: return accountBase + "/" + text(length(around: [80]))
        case 1: return pick(["", "not a url", "http://localhost/111111111111/q", accountBase + "/"])
        default: return pick(queueUrls)
        }
    }

    mutating func batchId() -> String {
        chance(90) ? text(length(around: [1, 80])) : pick(["", "a.b", "a b", "é"])
    }

    mutating func seconds(limit: Int) -> JSONValue {
        .int(pick([-1, 0, 1, limit, limit + 1]))
    }

    // MARK: Message parts

    mutating func messageAttributes(budgetBytes: Int) -> JSONValue {
        let count = pick([0, 1, 10, 10, 11])
        var attributes: [String: JSONValue] = [:]
        let fillsBudget = chance(50)
        for i in 0..<count {
            let nameLength = chance(50) ? pick([256, 257]) : 1 + int(8)
            var name = String(i) + text(max(0, nameLength - String(i).count))
            if chance(5) { name = pick(["AWS.x", ".x", "a..b", "x."]) }
            let dataType =
                chance(90) ? pick(["String", "Number", "Binary", "String.custom"]) : pick(["", "Bogus", text(257)])
            let valueBytes =
                fillsBudget ? max(0, budgetBytes / max(count, 1) - name.utf8.count - dataType.utf8.count) : int(16)
            var value: [String: JSONValue] = ["DataType": .string(dataType)]
            if dataType == "Binary" {
                value["BinaryValue"] = .string(
                    chance(90) ? Base64.encode(Array(repeating: 0x5a, count: valueBytes * 3 / 4)) : "%%%")
            } else if dataType == "Number" {
                value["StringValue"] = .string(pick(["1", "-1.5e3", "x", String(repeating: "9", count: 39)]))
            } else {
                value["StringValue"] = .string(text(valueBytes))
            }
            attributes[name] = .object(value)
        }
        return .object(attributes)
    }

    /// A message's members, sized at and around the 256 KiB and 1 MiB limits (body plus attributes).
    mutating func message(into members: inout [String: JSONValue], budgetBytes: Int? = nil) {
        let body = budgetBytes.map { text(chance(50) ? $0 : $0 / 2) } ?? body()
        members["MessageBody"] = .string(body)
        if chance(40) {
            let left = (budgetBytes ?? pick([262_144, 1_048_576, 1_048_577])) - body.utf8.count
            members["MessageAttributes"] = messageAttributes(budgetBytes: max(0, left))
        }
        if chance(20) { members["DelaySeconds"] = seconds(limit: 900) }
        if chance(30) { members["MessageGroupId"] = .string(text(length(around: [128]))) }
        if chance(20) { members["MessageDeduplicationId"] = .string(text(length(around: [128]))) }
        if chance(5) {
            members["MessageSystemAttributes"] = .object([
                "AWSTraceHeader": .object([
                    "DataType": .string("String"), "StringValue": .string("Root=1-" + text(int(40))),
                ])
            ])
        }
    }

    mutating func receiptHandle(for url: String) -> (handle: String, altered: Bool) {
        if let known = handles[url], !known.isEmpty, chance(80) {
            let handle = pick(known)
            guard chance(40) else { return (handle, false) }
            var bytes = Array(handle.utf8)
            let position = int(bytes.count)
            let replacement = pick(Array("0123456789abcdefZ".utf8).filter { $0 != bytes[position] })
            bytes[position] = replacement
            return (String(decoding: bytes, as: UTF8.self), true)
        }
        return (text(pick([0, 1, 43, 75, 1_024, 1_025])), false)
    }

    // MARK: Requests

    mutating func next() -> Request {
        let operation = pick(SQSOperation.allCases)
        var members: [String: JSONValue] = [:]
        var expectsInvalidHandle = false
        let url = queueUrl()
        switch operation {
        case .createQueue:
            let fifo = chance(30)
            let stem = text(length(around: [1, 75, 80]), alphabet: chance(90) ? "abc-_9" : "ab.c/é")
            members["QueueName"] = .string(fifo ? stem + ".fifo" : stem)
            var attributes: [String: JSONValue] = [:]
            if fifo && chance(80) { attributes["FifoQueue"] = .string("true") }
            for _ in 0..<int(4) {
                let (name, values) = pick([
                    ("MaximumMessageSize", ["1023", "1024", "262144", "1048576", "1048577"]),
                    ("DelaySeconds", ["0", "900", "901", "-1"]), ("VisibilityTimeout", ["0", "43200", "43201"]),
                    ("MessageRetentionPeriod", ["59", "60", "1209600", "1209601"]),
                    ("ReceiveMessageWaitTimeSeconds", ["0", "20", "21"]), ("ContentBasedDeduplication", ["true", "x"]),
                    (
                        "RedrivePolicy",
                        [
                            "{}",
                            "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"maxReceiveCount\":1}",
                            "[", "",
                        ]
                    ),
                    ("Bogus", ["1"]),
                ])
                attributes[name] = .string(pick(values))
            }
            members["Attributes"] = .object(attributes)
            if chance(20) {
                members["tags"] = .object(
                    Dictionary(
                        uniqueKeysWithValues: (0..<pick([1, 50, 51])).map {
                            ("k\($0)", JSONValue.string(text(pick([0, 256, 257]))))
                        }))
            }
        case .getQueueUrl:
            members["QueueName"] = .string(text(length(around: [80])))
        case .listQueues:
            if chance(50) { members["QueueNamePrefix"] = .string(text(length(around: [80]))) }
            if chance(50) { members["MaxResults"] = .int(pick([0, 1, 1000, 1001])) }
            if chance(20) { members["NextToken"] = .string(text(int(60))) }
        case .deleteQueue, .purgeQueue, .listQueueTags, .listDeadLetterSourceQueues:
            members["QueueUrl"] = .string(
                operation == .deleteQueue && chance(70) ? accountBase + "/gone" + text(3) : url)
        case .getQueueAttributes:
            members["QueueUrl"] = .string(url)
            members["AttributeNames"] = .array([
                .string(pick(["All", "ApproximateNumberOfMessages", "Bogus", "QueueArn"]))
            ])
        case .setQueueAttributes:
            members["QueueUrl"] = .string(url)
            members["Attributes"] = .object([
                pick(["MaximumMessageSize", "VisibilityTimeout", "Policy", "FifoQueue"]):
                    .string(pick(["0", "1024", "1048576", "1048577", "43201", "true", ""]))
            ])
        case .tagQueue:
            members["QueueUrl"] = .string(url)
            members["Tags"] = .object([text(length(around: [128])): .string(text(length(around: [256])))])
        case .untagQueue:
            members["QueueUrl"] = .string(url)
            members["TagKeys"] = .array((0..<int(3)).map { _ in .string(text(length(around: [128]))) })
        case .addPermission:
            members["QueueUrl"] = .string(url)
            members["Label"] = .string(text(length(around: [80])))
            // Ids of 11-13 digits or none; 0-8 actions, some owner-only: both sides of every limit.
            members["AWSAccountIds"] = .array(
                (0..<int(3)).map { _ in
                    .string(String(repeating: "1", count: pick([11, 12, 12, 13])))
                })
            members["Actions"] = .array(
                (0..<int(9)).map { _ in
                    .string(
                        pick([
                            "SendMessage", "*", "ReceiveMessage", "RemovePermission", "SendMessageBatch", text(int(20)),
                        ]))
                })
        case .removePermission:
            members["QueueUrl"] = .string(url)
            members["Label"] = .string(text(length(around: [80])))
        case .startMessageMoveTask, .listMessageMoveTasks:
            members["SourceArn"] = .string(pick(["arn:aws:sqs:us-east-1:000000000000:" + text(int(10)), "arn:x", ""]))
            if operation == .startMessageMoveTask, chance(50) {
                members["MaxNumberOfMessagesPerSecond"] = .int(pick([0, 1, 500, 501]))
            }
            if operation == .listMessageMoveTasks, chance(50) { members["MaxResults"] = .int(pick([0, 1, 10, 11])) }
        case .cancelMessageMoveTask:
            members["TaskHandle"] = .string(text(pick([0, 36, 200])))
        case .sendMessage:
            members["QueueUrl"] = .string(url)
            message(into: &members)
        case .sendMessageBatch:
            members["QueueUrl"] = .string(url)
            let count = pick([0, 1, 2, 10, 10, 11])
            // 10 x 104,857 bytes fits the 1 MiB batch limit; 10 x 104,858 is just past it.
            let perEntry: Int? = chance(50) ? pick([104_857, 104_858, 26_214]) : nil
            members["Entries"] = .array(
                (0..<count).map { i in
                    var entry: [String: JSONValue] = ["Id": .string(chance(95) ? "e\(i)" : batchId())]
                    message(into: &entry, budgetBytes: perEntry)
                    return .object(entry)
                })
        case .receiveMessage:
            members["QueueUrl"] = .string(url)
            if chance(70) { members["MaxNumberOfMessages"] = .int(pick([0, 1, 10, 10, 11])) }
            if chance(50) { members["VisibilityTimeout"] = seconds(limit: 43_200) }
            // 1 s of long poll at most: a full 20 s wait would stall the run (the decoder's range is covered
            // by the protocol tests); 21 is past the limit.
            if chance(30) { members["WaitTimeSeconds"] = .int(pick([-1, 0, 1, 21])) }
            if chance(50) {
                members["MessageSystemAttributeNames"] = .array([.string(pick(["All", "SentTimestamp", "Bogus"]))])
            }
            if chance(50) {
                members["MessageAttributeNames"] = .array([.string(pick(["All", ".*", "1.*", text(257)]))])
            }
            if chance(20) { members["ReceiveRequestAttemptId"] = .string(text(length(around: [128]))) }
        case .deleteMessage, .changeMessageVisibility:
            members["QueueUrl"] = .string(url)
            let (handle, altered) = receiptHandle(for: url)
            members["ReceiptHandle"] = .string(handle)
            expectsInvalidHandle = altered
            if operation == .changeMessageVisibility {
                members["VisibilityTimeout"] = expectsInvalidHandle ? .int(0) : seconds(limit: 43_200)
            }
        case .deleteMessageBatch, .changeMessageVisibilityBatch:
            members["QueueUrl"] = .string(url)
            members["Entries"] = .array(
                (0..<pick([0, 1, 10, 11])).map { i in
                    var entry: [String: JSONValue] = [
                        "Id": .string(chance(95) ? "e\(i)" : batchId()),
                        "ReceiptHandle": .string(receiptHandle(for: url).handle),
                    ]
                    if operation == .changeMessageVisibilityBatch, chance(90) {
                        entry["VisibilityTimeout"] = seconds(limit: 43_200)
                    }
                    return .object(entry)
                })
        }
        var request = Request(
            action: operation.rawValue, members: members, wire: chance(70) ? .json : .query,
            expectsInvalidHandle: expectsInvalidHandle)
        if chance(25) {
            request.expectsInvalidHandle = false
            breakMembers(&request)
        }
        request.bytes = encode(request)
        if chance(4) {
            request.expectsInvalidHandle = false
            breakBytes(&request.bytes)
        }
        return request
    }

    /// A client's mistake in the request's content.
    mutating func breakMembers(_ request: inout Request) {
        let wrongTypes: [JSONValue] = [
            .int(7), .string("7"), .bool(true), .null, .array([.string("x")]), .object(["a": .int(1)]),
            .number("1e400"), .number("-0"),
        ]
        switch int(5) {
        case 0 where !request.members.isEmpty:
            request.members[pick(Array(request.members.keys.sorted()))] = nil
        case 1 where !request.members.isEmpty:
            request.members[pick(Array(request.members.keys.sorted()))] = pick(wrongTypes)
        case 2:
            request.members[pick(["Bogus", "queueurl", "Entries"])] = pick(wrongTypes)
        case 3:
            request.action = pick(["", "Bogus", "sendMessage", "SendMessage ", "AmazonSQS.SendMessage"])
        default:
            if case .array(var entries)? = request.members["Entries"], !entries.isEmpty {
                entries[int(entries.count)] = pick(wrongTypes)
                request.members["Entries"] = .array(entries)
            }
        }
    }

    /// Bytes no correct client sends: the body cut short or with garbage in it (Content-Length still matches).
    mutating func breakBytes(_ bytes: inout [UInt8]) {
        guard let headEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else { return }
        var body = Array(bytes[headEnd...])
        switch int(3) {
        case 0: body = Array(body.prefix(int(body.count + 1)))
        case 1 where !body.isEmpty: body[int(body.count)] = pick(Array("{}[]\",:%&=\u{0}".utf8))
        default: body = pick(["[]", "null", "\"x\"", "{\"a\":", "%zz", "\u{FF}"]).utf8.map { $0 }
        }
        bytes = Self.http(head: Array(bytes[..<headEnd]), body: body)
    }

    // MARK: Encoding

    func encode(_ request: Request) -> [UInt8] {
        var headers = "POST / HTTP/1.1\r\nHost: localhost\r\n"
        let body: [UInt8]
        switch request.wire {
        case .json:
            headers += "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.\(request.action)\r\n"
            body = JSONWriter.serialize(.object(request.members))
        case .query:
            headers += "Content-Type: application/x-www-form-urlencoded\r\n"
            var pairs = [("Action", request.action), ("Version", "2012-11-05")]
            let entryName = request.action + "RequestEntry"
            for (name, value) in request.members.sorted(by: { $0.key < $1.key }) {
                pairs += Self.queryPairs(name, value, entryName: entryName)
            }
            body = Array(pairs.map { Self.formEscape($0.0) + "=" + Self.formEscape($0.1) }.joined(separator: "&").utf8)
        }
        return Self.http(head: Array(headers.utf8), body: body)
    }

    /// `head` is the request line and headers, without Content-Length and the blank line, or with both (a
    /// request being re-bodied).
    static func http(head: [UInt8], body: [UInt8]) -> [UInt8] {
        var text = String(decoding: head, as: UTF8.self)
        if let length = text.range(of: "Content-Length:") { text = String(text[..<length.lowerBound]) }
        return Array((text + "Content-Length: \(body.count)\r\n\r\n").utf8) + body
    }

    /// The query protocol's flattened names for one JSON member (the inverse of `QueryParameters.fold`).
    static func queryPairs(_ name: String, _ value: JSONValue, entryName: String) -> [(String, String)] {
        let lists = [
            "AttributeNames": "AttributeName", "MessageAttributeNames": "MessageAttributeName",
            "MessageSystemAttributeNames": "MessageSystemAttributeName", "TagKeys": "TagKey",
            "AWSAccountIds": "AWSAccountId", "Actions": "ActionName",
        ]
        switch (name, value) {
        case ("Attributes", .object(let map)), ("tags", .object(let map)), ("Tags", .object(let map)):
            let (prefix, key) = name == "Attributes" ? ("Attribute", "Name") : ("Tag", "Key")
            return map.sorted { $0.key < $1.key }.enumerated().flatMap { i, pair in
                [("\(prefix).\(i + 1).\(key)", pair.key), ("\(prefix).\(i + 1).Value", scalar(pair.value))]
            }
        case ("MessageAttributes", .object(let map)), ("MessageSystemAttributes", .object(let map)):
            let prefix = String(name.dropLast())
            return map.sorted { $0.key < $1.key }.enumerated().flatMap { i, pair -> [(String, String)] in
                var pairs = [("\(prefix).\(i + 1).Name", pair.key)]
                if case .object(let fields) = pair.value {
                    pairs += fields.sorted { $0.key < $1.key }.map {
                        ("\(prefix).\(i + 1).Value.\($0.key)", scalar($0.value))
                    }
                }
                return pairs
            }
        case ("Entries", .array(let entries)):
            return entries.enumerated().flatMap { i, entry -> [(String, String)] in
                guard case .object(let fields) = entry else { return [("\(entryName).\(i + 1)", scalar(entry))] }
                return fields.sorted { $0.key < $1.key }.flatMap { field in
                    queryPairs(field.key, field.value, entryName: entryName).map {
                        ("\(entryName).\(i + 1).\($0.0)", $0.1)
                    }
                }
            }
        case (_, .array(let items)) where lists[name] != nil:
            return items.enumerated().map { ("\(lists[name]!).\($0.offset + 1)", scalar($0.element)) }
        default:
            return [(name, scalar(value))]
        }
    }

    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return String(decoding: JSONWriter.serialize(value), as: UTF8.self)
        }
    }

    static func formEscape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xf, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// A publish as its subscribers receive it: the JSON envelope AWS delivers to SQS when RawMessageDelivery is
/// off (docs/sns-wire.md, "Delivery"), written byte-for-byte in AWS's layout. A FIFO topic's envelope has
/// SequenceNumber and no signature fields at all (recorded by LocalStack against AWS: test_message_to_fifo_sqs,
/// test_fifo_topic_to_regular_sqs).
///
/// Signature: the machine holds no key and must stay deterministic, so `Signature` is a documented placeholder,
/// the base64 of the SHA-256 of AWS's SignatureVersion 1 string-to-sign. It is well-formed but verifies against
/// no certificate; `SigningCertURL` names a certificate Ferry does not serve (README, "SNS").
struct Notification {
    var messageId: String
    var sequenceNumber: String?
    var topicArn: String
    var entry: PublishEntry
    var timestampMs: Int64
    var endpointBase: String
    /// The topic's SignatureVersion attribute, "1" unless set to "2" (recorded: test_publish_sqs_verify_signature).
    var signatureVersion = "1"

    /// The envelope rendered once for all of the publish's subscriptions. Only the subscription's ARN inside
    /// UnsubscribeURL differs between them; the signature covers no subscription field.
    func envelope() -> NotificationEnvelope {
        let timestamp = ISOTimestamp.format(ms: timestampMs)
        var head: [UInt8] = []
        head.reserveCapacity(entry.message.utf8.count + 1024)
        head.append(contentsOf: "{\n".utf8)
        func field(_ name: StaticString, _ value: String) {
            head.append(contentsOf: "  \"".utf8)
            name.withUTF8Buffer { head.append(contentsOf: $0) }
            head.append(contentsOf: "\" : ".utf8)
            MiniJSON.appendQuoted(value, to: &head)
            head.append(contentsOf: ",\n".utf8)
        }
        field("Type", "Notification")
        field("MessageId", messageId)
        if let sequenceNumber { field("SequenceNumber", sequenceNumber) }
        field("TopicArn", topicArn)
        if let subject = entry.subject { field("Subject", subject) }
        field("Message", entry.message)
        field("Timestamp", timestamp)
        if sequenceNumber == nil {
            field("SignatureVersion", signatureVersion)
            field("Signature", signature(timestamp: timestamp))
            field("SigningCertURL", "\(endpointBase)/SimpleNotificationService-ferry.pem")
        }
        // UnsubscribeURL comes last; its value is left open for the subscription's ARN.
        head.append(contentsOf: "  \"UnsubscribeURL\" : \"".utf8)
        MiniJSON.appendEscaped("\(endpointBase)/?Action=Unsubscribe&SubscriptionArn=", to: &head)
        var tail: [UInt8] = [UInt8(ascii: "\"")]
        if !entry.attributes.isEmpty {
            tail.append(contentsOf: ",\n  \"MessageAttributes\" : {\n".utf8)
            for (n, attribute) in entry.attributes.sorted(by: { $0.name < $1.name }).enumerated() {
                if n > 0 { tail.append(contentsOf: ",\n".utf8) }
                let value: String
                switch attribute.value {
                case .string(let s): value = s
                case .binary(let b): value = Base64.encode(b)
                }
                tail.append(contentsOf: "    ".utf8)
                MiniJSON.appendQuoted(attribute.name, to: &tail)
                tail.append(contentsOf: " : {\"Type\":".utf8)
                MiniJSON.appendQuoted(attribute.dataType, to: &tail)
                tail.append(contentsOf: ",\"Value\":".utf8)
                MiniJSON.appendQuoted(value, to: &tail)
                tail.append(contentsOf: "}".utf8)
            }
            tail.append(contentsOf: "\n  }".utf8)
        }
        tail.append(contentsOf: "\n}".utf8)
        return NotificationEnvelope(head: head, tail: tail)
    }

    /// AWS's string-to-sign for a Notification: each present field's name and value on lines of their own.
    private func signature(timestamp: String) -> String {
        var text = "Message\n\(entry.message)\nMessageId\n\(messageId)\n"
        if let subject = entry.subject { text += "Subject\n\(subject)\n" }
        text += "Timestamp\n\(timestamp)\nTopicArn\n\(topicArn)\nType\nNotification\n"
        return Base64.encode(SHA256.hash(Array(text.utf8)))
    }
}

/// One publish's envelope in two pieces around the one value that differs by subscription: the escaped
/// subscription ARN at the end of UnsubscribeURL.
struct NotificationEnvelope {
    /// From `{` through `...&SubscriptionArn=`, escaped as in a JSON string.
    let head: [UInt8]
    /// From the URL's closing quote through the final `}`: MessageAttributes, when there are any.
    let tail: [UInt8]

    func body(subscriptionArn: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(head.count + subscriptionArn.utf8.count + tail.count)
        out.append(contentsOf: head)
        MiniJSON.appendEscaped(subscriptionArn, to: &out)
        out.append(contentsOf: tail)
        return out
    }
}

/// `2024-05-14T16:49:29.123Z` from milliseconds since the epoch (proleptic Gregorian, UTC).
enum ISOTimestamp {
    static func format(ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (year, month, day) = CivilDate.fromDays(days)
        // Digits written into 24 bytes in place: every publish's envelope carries one of these.
        var text = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int64, at offset: Int, width: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                text[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        guard (0...9999).contains(year) else { return paddedFormat(year, month, day, msOfDay) }
        put(year, at: 0, width: 4)
        put(month, at: 5, width: 2)
        put(day, at: 8, width: 2)
        put(msOfDay / 3_600_000, at: 11, width: 2)
        put(msOfDay / 60_000 % 60, at: 14, width: 2)
        put(msOfDay / 1000 % 60, at: 17, width: 2)
        put(msOfDay % 1000, at: 20, width: 3)
        text[4] = UInt8(ascii: "-")
        text[7] = UInt8(ascii: "-")
        text[10] = UInt8(ascii: "T")
        text[13] = UInt8(ascii: ":")
        text[16] = UInt8(ascii: ":")
        text[19] = UInt8(ascii: ".")
        text[23] = UInt8(ascii: "Z")
        return String(decoding: text, as: UTF8.self)
    }

    /// Years outside 0-9999 (never from a real clock): padded to at least four digits, as they always were.
    private static func paddedFormat(_ year: Int64, _ month: Int64, _ day: Int64, _ msOfDay: Int64) -> String {
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(msOfDay / 3_600_000, 2)):"
            + "\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

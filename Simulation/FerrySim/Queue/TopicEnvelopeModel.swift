import FerryQueue

/// The body SNS delivers to an SQS subscription without RawMessageDelivery, written from AWS's layout (a
/// JSON object, two-space indent, `"Name" : "value"` lines; docs/sns-wire.md, "Delivery"), for the model
/// to compare byte for byte; a FIFO topic's has no signature fields. The signature is Ferry's documented placeholder: the base64 of the SHA-256 of
/// AWS's SignatureVersion 1 string-to-sign.
struct TopicEnvelopeModel {
    /// Every line before UnsubscribeURL, quoted and joined: all that one publish's subscriptions share.
    private let leadingLines: String
    /// `,\n  "MessageAttributes" : {...}` or "".
    private let attributesMember: String
    private let endpointBase: String

    init(
        messageId: String, sequenceNumber: String?, topicArn: String, entry: PublishEntry, timestampMs: Int64,
        endpointBase: String
    ) {
        let timestamp = Self.iso8601(ms: timestampMs)
        var toSign = "Message\n\(entry.message)\nMessageId\n\(messageId)\n"
        if let subject = entry.subject { toSign += "Subject\n\(subject)\n" }
        toSign += "Timestamp\n\(timestamp)\nTopicArn\n\(topicArn)\nType\nNotification\n"
        var lines = [("Type", "Notification"), ("MessageId", messageId)]
        if let sequenceNumber { lines.append(("SequenceNumber", sequenceNumber)) }
        lines.append(("TopicArn", topicArn))
        if let subject = entry.subject { lines.append(("Subject", subject)) }
        lines += [("Message", entry.message), ("Timestamp", timestamp)]
        if sequenceNumber == nil {  // AWS signs no FIFO topic's notification
            lines += [
                ("SignatureVersion", "1"), ("Signature", Base64.encode(SHA256.hash(Array(toSign.utf8)))),
                ("SigningCertURL", endpointBase + "/SimpleNotificationService-ferry.pem"),
            ]
        }
        leadingLines = lines.map(Self.line).joined(separator: ",\n")
        var attributesMember = ""
        if !entry.attributes.isEmpty {
            // The workload's attributes are String and Number: their values are text.
            let members = entry.attributes.sorted { $0.name < $1.name }.map { attribute -> String in
                guard case .string(let value) = attribute.value else { return "" }
                return
                    "    \(Self.quote(attribute.name)) : {\"Type\":\(Self.quote(attribute.dataType)),\"Value\":\(Self.quote(value))}"
            }
            attributesMember = ",\n  \"MessageAttributes\" : {\n" + members.joined(separator: ",\n") + "\n  }"
        }
        self.attributesMember = attributesMember
        self.endpointBase = endpointBase
    }

    func text(subscriptionArn: String) -> String {
        let url = endpointBase + "/?Action=Unsubscribe&SubscriptionArn=" + subscriptionArn
        return "{\n" + leadingLines + ",\n" + Self.line(("UnsubscribeURL", url)) + attributesMember + "\n}"
    }

    private static func line(_ field: (name: String, value: String)) -> String {
        "  \(quote(field.name)) : \(quote(field.value))"
    }

    /// JSON string literal: quote, backslash and control characters escaped.
    static func quote(_ s: String) -> String {
        let needsNoEscape = s.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if needsNoEscape { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `2023-11-14T22:13:20.000Z` (UTC; the simulator's clocks start after 1970).
    static func iso8601(ms: Int64) -> String {
        let days = ms / 86_400_000
        let msOfDay = ms % 86_400_000
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(msOfDay / 3_600_000, 2)):\(pad(msOfDay / 60_000 % 60, 2)):"
            + "\(pad(msOfDay / 1000 % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }
}

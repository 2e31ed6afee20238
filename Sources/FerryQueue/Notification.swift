/// A publish as one subscriber receives it: the JSON envelope AWS delivers to SQS when RawMessageDelivery is
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

    func envelope(subscriptionArn: String) -> String {
        let timestamp = ISOTimestamp.format(ms: timestampMs)
        var fields: [(String, String)] = [("Type", "Notification"), ("MessageId", messageId)]
        if let sequenceNumber { fields.append(("SequenceNumber", sequenceNumber)) }
        fields.append(("TopicArn", topicArn))
        if let subject = entry.subject { fields.append(("Subject", subject)) }
        fields += [("Message", entry.message), ("Timestamp", timestamp)]
        if sequenceNumber == nil {
            fields += [("SignatureVersion", signatureVersion), ("Signature", signature(timestamp: timestamp)),
                       ("SigningCertURL", "\(endpointBase)/SimpleNotificationService-ferry.pem")]
        }
        fields.append(("UnsubscribeURL", "\(endpointBase)/?Action=Unsubscribe&SubscriptionArn=\(subscriptionArn)"))
        var out = "{\n"
        out += fields.map { "  \(MiniJSON.quote($0.0)) : \(MiniJSON.quote($0.1))" }.joined(separator: ",\n")
        if !entry.attributes.isEmpty {
            out += ",\n  \"MessageAttributes\" : {\n"
            out += entry.attributes.sorted { $0.name < $1.name }.map { attribute in
                let value: String
                switch attribute.value {
                case .string(let s): value = s
                case .binary(let b): value = Base64.encode(b)
                }
                return "    \(MiniJSON.quote(attribute.name)) : {\"Type\":\(MiniJSON.quote(attribute.dataType)),\"Value\":\(MiniJSON.quote(value))}"
            }.joined(separator: ",\n")
            out += "\n  }"
        }
        return out + "\n}"
    }

    /// AWS's string-to-sign for a Notification: each present field's name and value on lines of their own.
    private func signature(timestamp: String) -> String {
        var text = "Message\n\(entry.message)\nMessageId\n\(messageId)\n"
        if let subject = entry.subject { text += "Subject\n\(subject)\n" }
        text += "Timestamp\n\(timestamp)\nTopicArn\n\(topicArn)\nType\nNotification\n"
        return Base64.encode(SHA256.hash(Array(text.utf8)))
    }
}

/// `2024-05-14T16:49:29.123Z` from milliseconds since the epoch (proleptic Gregorian, UTC).
enum ISOTimestamp {
    static func format(ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (year, month, day) = CivilDate.fromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(msOfDay / 3_600_000, 2)):"
            + "\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

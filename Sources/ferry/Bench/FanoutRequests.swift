/// Serialized SNS query-protocol Publish / PublishBatch requests for `ferry bench fanout`, built straight into
/// bytes. Message bodies are `BenchRequests`' ("fb <run> <seq> <sent ns> xxx…"), so with RawMessageDelivery
/// each subscribed queue's consumer reads them back with `BenchRequests.parseMessageBody`.
struct FanoutRequests {
    let host: String
    let topicArn: String
    /// Writes the message bodies (and, per subscribed queue, receive and delete requests).
    let bodies: BenchRequests

    /// Publish (`count` 1) or PublishBatch of messages numbered from `firstSeq`, stamped with `sentNs`.
    func publish(firstSeq: Int, count: Int, sentNs: UInt64, batch: Bool) -> [UInt8] {
        var form =
            Array("Action=\(batch ? "PublishBatch" : "Publish")&TopicArn=".utf8)
            + Self.formEncoded(Array(topicArn.utf8))
        for index in 0..<count {
            var body: [UInt8] = []
            bodies.appendMessageBody(seq: firstSeq + index, sentNs: sentNs, to: &body)
            if batch {
                let prefix = "&PublishBatchRequestEntries.member.\(index + 1)."
                form += Array("\(prefix)Id=\(index)\(prefix)Message=".utf8)
            } else {
                form += Array("&Message=".utf8)
            }
            form += Self.formEncoded(body)
        }
        var request = Array(
            """
            POST / HTTP/1.1\r
            Host: \(host)\r
            Content-Type: application/x-www-form-urlencoded; charset=utf-8\r
            Content-Length: \(form.count)\r
            \r

            """.utf8)
        request += form
        return request
    }

    /// Which entries of a 200 answer were published: all of a Publish, the `<Successful>` ids of a batch.
    static func acknowledged(in body: [UInt8], count: Int, batch: Bool) -> Set<Int> {
        let xml = String(decoding: body, as: UTF8.self)
        guard batch else { return xml.contains("<MessageId>") ? [0] : [] }
        guard let start = xml.firstRange(of: "<Successful>"), let end = xml.firstRange(of: "</Successful>") else {
            return []
        }
        var ids = Set<Int>()
        var rest = xml[start.upperBound..<end.lowerBound]
        while let open = rest.firstRange(of: "<Id>"), let close = rest[open.upperBound...].firstRange(of: "</Id>") {
            if let id = Int(rest[open.upperBound..<close.lowerBound]), (0..<count).contains(id) { ids.insert(id) }
            rest = rest[close.upperBound...]
        }
        return ids
    }

    /// application/x-www-form-urlencoded: unreserved bytes as they are, the rest as %XX.
    static func formEncoded(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return out
    }
}

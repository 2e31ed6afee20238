/// Serialized SQS JSON requests for the benchmark, built straight into bytes: the client must cost
/// far less CPU than the cluster it measures, on the same cores.
struct BenchRequests {
    /// Bytes of the body's header: "fb <run 8> <seq 10> <sent ns 20> " (see `messageBody`).
    static let bodyHeaderBytes = 44
    /// Smallest body that holds the header and a little padding.
    static let bodyBytesMin = 48

    let host: String
    let queueURL: String
    /// 8 characters that tag this run's messages, so a leftover from another run is told apart.
    let runTag: [UInt8]
    let bodyBytes: Int
    let receiveRequest: [UInt8]
    private let padding: [UInt8]

    init(host: String, queueURL: String, runTag: String, bodyBytes: Int, receiveWaitSeconds: Int,
         receiveVisibilitySeconds: Int) {
        precondition(runTag.utf8.count == 8 && bodyBytes >= Self.bodyBytesMin)
        self.host = host
        self.queueURL = queueURL
        self.runTag = Array(runTag.utf8)
        self.bodyBytes = bodyBytes
        padding = [UInt8](repeating: UInt8(ascii: "x"), count: bodyBytes - Self.bodyHeaderBytes)
        var body: [UInt8] = Array("{\"MaxNumberOfMessages\":10,\"QueueUrl\":".utf8)
        Self.appendJSONString(queueURL, to: &body)
        body += Array(",\"VisibilityTimeout\":\(receiveVisibilitySeconds),\"WaitTimeSeconds\":\(receiveWaitSeconds)}".utf8)
        receiveRequest = Self.frame(operation: "ReceiveMessage", host: host, body: body)
    }

    /// A SendMessageBatch of `count` messages numbered from `firstSeq`, stamped with `sentNs`.
    func sendBatch(firstSeq: Int, count: Int, sentNs: UInt64) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(count * (bodyBytes + 40) + queueURL.utf8.count + 40)
        body += Array("{\"QueueUrl\":".utf8)
        Self.appendJSONString(queueURL, to: &body)
        body += Array(",\"Entries\":[".utf8)
        for index in 0..<count {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array("{\"Id\":\"\(index)\",\"MessageBody\":\"".utf8)
            appendMessageBody(seq: firstSeq + index, sentNs: sentNs, to: &body)
            body += Array("\"}".utf8)
        }
        body += Array("]}".utf8)
        return Self.frame(operation: "SendMessageBatch", host: host, body: body)
    }

    /// A DeleteMessageBatch of receipt handles (each still JSON-escaped, as received).
    func deleteBatch(_ receiptHandles: [ArraySlice<UInt8>]) -> [UInt8] {
        var body: [UInt8] = Array("{\"QueueUrl\":".utf8)
        Self.appendJSONString(queueURL, to: &body)
        body += Array(",\"Entries\":[".utf8)
        for (index, handle) in receiptHandles.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array("{\"Id\":\"\(index)\",\"ReceiptHandle\":\"".utf8)
            body += handle
            body += Array("\"}".utf8)
        }
        body += Array("]}".utf8)
        return Self.frame(operation: "DeleteMessageBatch", host: host, body: body)
    }

    /// "fb <run> <seq, 10 digits> <sent ns, 20 digits> xxx…", `bodyBytes` long, plain ASCII (no JSON escapes).
    func appendMessageBody(seq: Int, sentNs: UInt64, to out: inout [UInt8]) {
        out += [UInt8(ascii: "f"), UInt8(ascii: "b"), UInt8(ascii: " ")]
        out += runTag
        out.append(UInt8(ascii: " "))
        Self.appendDigits(UInt64(seq), width: 10, to: &out)
        out.append(UInt8(ascii: " "))
        Self.appendDigits(sentNs, width: 20, to: &out)
        out.append(UInt8(ascii: " "))
        out += padding
    }

    /// The sequence number and send time in a body this run wrote; nil for anything else.
    func parseMessageBody(_ body: ArraySlice<UInt8>) -> (seq: Int, sentNs: UInt64)? {
        guard body.count >= Self.bodyHeaderBytes else { return nil }
        let base = body.startIndex
        guard body[base] == UInt8(ascii: "f"), body[base + 1] == UInt8(ascii: "b"),
              body[(base + 3)..<(base + 11)].elementsEqual(runTag),
              let seq = Self.parseDigits(body[(base + 12)..<(base + 22)]),
              let sentNs = Self.parseDigits(body[(base + 23)..<(base + 43)]) else { return nil }
        return (Int(seq), sentNs)
    }

    /// `text` as a JSON string; queue URLs are ASCII, so only quotes, backslashes and controls are escaped.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20: out += Array("\\u00".utf8) + [hexDigit(byte >> 4), hexDigit(byte & 0xF)]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    static func appendDigits(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var rest = value
        var index = width - 1
        while rest > 0 && index >= 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        out += digits
    }

    static func parseDigits(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value &* 10 &+ UInt64(byte - 0x30)
        }
        return value
    }

    /// `POST /` with the JSON 1.0 headers (docs/sqs-wire.md, "JSON protocol") around `body`.
    static func frame(operation: String, host: String, body: [UInt8]) -> [UInt8] {
        var request = Array("""
            POST / HTTP/1.1\r
            Host: \(host)\r
            X-Amz-Target: AmazonSQS.\(operation)\r
            Content-Type: application/x-amz-json-1.0\r
            Content-Length: \(body.count)\r
            \r

            """.utf8)
        request += body
        return request
    }
}

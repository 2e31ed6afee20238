import FerryClient
import FerryQueue
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// Serialized SQS JSON requests for the benchmark, built straight into bytes: the client must cost
/// far less CPU than the cluster it measures, on the same cores. With a signer, every request is signed
/// as the SDKs sign it (SigV4 over Host, Content-Type, X-Amz-Target and X-Amz-Date, at the time it is built).
/// Loop thread only (it keeps the day's signing key).
final class BenchRequests {
    /// Bytes of the body's header: "fb <run 8> <seq 10> <sent ns 20> " (see `messageBody`).
    static let bodyHeaderBytes = 44
    /// Smallest body that holds the header and a little padding.
    static let bodyBytesMin = 48

    let host: String
    /// The queues the run spreads over; requests name one by its index here.
    let queueURLs: [String]
    /// 8 characters that tag this run's messages, so a leftover from another run is told apart.
    let runTag: [UInt8]
    let bodyBytes: Int
    /// MaxNumberOfMessages of each ReceiveMessage.
    let receiveMessagesMax: Int
    let receiveVisibilitySeconds: Int
    /// FIFO queues: message `seq` goes to group `seq % fifoGroups` (its dedup id is the body's SHA-256,
    /// content-based deduplication). 0: standard queues, no group ids.
    let fifoGroups: Int
    var signer: SigV4Signer? { framing.signer }
    private let framing: SQSRequestFraming
    private let padding: [UInt8]
    /// `{"QueueUrl":"…"` per queue: every request starts with it.
    private let queuePrefixes: [[UInt8]]

    init(
        host: String, queueURLs: [String], runTag: String, bodyBytes: Int, receiveMessagesMax: Int,
        receiveVisibilitySeconds: Int, fifoGroups: Int = 0, signer: SigV4Signer?
    ) {
        precondition(runTag.utf8.count == 8 && bodyBytes >= Self.bodyBytesMin && !queueURLs.isEmpty)
        self.host = host
        self.queueURLs = queueURLs
        self.runTag = Array(runTag.utf8)
        self.bodyBytes = bodyBytes
        self.receiveMessagesMax = receiveMessagesMax
        self.receiveVisibilitySeconds = receiveVisibilitySeconds
        self.fifoGroups = fifoGroups
        framing = SQSRequestFraming(host: host, signer: signer)
        padding = [UInt8](repeating: UInt8(ascii: "x"), count: bodyBytes - Self.bodyHeaderBytes)
        queuePrefixes = queueURLs.map { url in
            var prefix = Array("{\"QueueUrl\":".utf8)
            Self.appendJSONString(url, to: &prefix)
            return prefix
        }
    }

    /// A ReceiveMessage on queue `queue` that waits up to `waitSeconds`.
    func receive(queue: Int, waitSeconds: Int) -> [UInt8] {
        var body = queuePrefixes[queue]
        body += Array(
            ",\"MaxNumberOfMessages\":\(receiveMessagesMax),\"VisibilityTimeout\":\(receiveVisibilitySeconds),\"WaitTimeSeconds\":\(waitSeconds)}"
                .utf8)
        return frame(operation: "ReceiveMessage", body: body)
    }

    /// `count` messages numbered from `firstSeq`, stamped with `sentNs`: one SendMessage when `count` is 1
    /// (what most applications send), a SendMessageBatch otherwise.
    func send(queue: Int, firstSeq: Int, count: Int, sentNs: UInt64) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(count * (bodyBytes + 40) + queuePrefixes[queue].count + 40)
        body += queuePrefixes[queue]
        if count == 1 {
            body += Array(",\"MessageBody\":\"".utf8)
            appendMessageBody(seq: firstSeq, sentNs: sentNs, to: &body)
            body.append(UInt8(ascii: "\""))
            appendGroupId(seq: firstSeq, to: &body)
            body.append(UInt8(ascii: "}"))
            return frame(operation: "SendMessage", body: body)
        }
        body += Array(",\"Entries\":[".utf8)
        for index in 0..<count {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array("{\"Id\":\"\(index)\",\"MessageBody\":\"".utf8)
            appendMessageBody(seq: firstSeq + index, sentNs: sentNs, to: &body)
            body.append(UInt8(ascii: "\""))
            appendGroupId(seq: firstSeq + index, to: &body)
            body.append(UInt8(ascii: "}"))
        }
        body += Array("]}".utf8)
        return frame(operation: "SendMessageBatch", body: body)
    }

    /// A DeleteMessage of one receipt handle, a DeleteMessageBatch of several (each still JSON-escaped, as received).
    func delete(queue: Int, _ receiptHandles: [ArraySlice<UInt8>]) -> [UInt8] {
        var body = queuePrefixes[queue]
        if receiptHandles.count == 1 {
            body += Array(",\"ReceiptHandle\":\"".utf8)
            body += receiptHandles[0]
            body += Array("\"}".utf8)
            return frame(operation: "DeleteMessage", body: body)
        }
        body += Array(",\"Entries\":[".utf8)
        for (index, handle) in receiptHandles.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array("{\"Id\":\"\(index)\",\"ReceiptHandle\":\"".utf8)
            body += handle
            body += Array("\"}".utf8)
        }
        body += Array("]}".utf8)
        return frame(operation: "DeleteMessageBatch", body: body)
    }

    /// "fb <run> <seq, 10 digits> <sent ns, 20 digits> xxx…", `bodyBytes` long, plain ASCII (no JSON escapes).
    /// `,"MessageGroupId":"g<n>"` on FIFO queues; nothing on standard ones.
    private func appendGroupId(seq: Int, to out: inout [UInt8]) {
        guard fifoGroups > 0 else { return }
        out += Array(",\"MessageGroupId\":\"g".utf8)
        out += Array(String(seq % fifoGroups).utf8)
        out.append(UInt8(ascii: "\""))
    }

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
        guard let parsed = Self.parseAnyRunBody(body), parsed.runTag.elementsEqual(runTag) else { return nil }
        return (parsed.seq, parsed.sentNs)
    }

    /// The run tag, sequence number and send time of a body any `ferry bench` run wrote (a drain of a backlog
    /// another run filled reads these); nil for anything else.
    static func parseAnyRunBody(_ body: ArraySlice<UInt8>) -> (runTag: ArraySlice<UInt8>, seq: Int, sentNs: UInt64)? {
        guard body.count >= Self.bodyHeaderBytes else { return nil }
        let base = body.startIndex
        guard body[base] == UInt8(ascii: "f"), body[base + 1] == UInt8(ascii: "b"),
            let seq = Self.parseDigits(body[(base + 12)..<(base + 22)]),
            let sentNs = Self.parseDigits(body[(base + 23)..<(base + 43)])
        else { return nil }
        return (body[(base + 3)..<(base + 11)], Int(seq), sentNs)
    }

    /// `text` as a JSON string; queue URLs are ASCII, so only quotes, backslashes and controls are escaped.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20: out += Array("\\u00".utf8) + [Hex.digit(byte >> 4), Hex.digit(byte & 0xF)]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
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

    func frame(operation: String, body: [UInt8]) -> [UInt8] {
        framing.frame(operation: operation, body: body, now: Int64(time(nil)))
    }
}

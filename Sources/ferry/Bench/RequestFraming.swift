import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// Frames SQS JSON 1.0 request bodies as HTTP requests for the pipelined benchmark connections, signed as the
/// SDKs sign them when there is a signer. Loop thread only (it keeps the day's signing key).
final class RequestFraming {
    let host: String
    let signer: SigV4Signer?
    private var dayKey: SigV4Signer.DayKey?

    init(host: String, signer: SigV4Signer?) {
        self.host = host
        self.signer = signer
    }

    /// `POST /` with the JSON 1.0 headers (docs/sqs-wire.md, "JSON protocol") around `body`, signed when
    /// there is a signer. Content-Length is not signed (botocore adds it after signing too).
    func frame(operation: String, body: [UInt8]) -> [UInt8] {
        var fields: [(name: String, value: String)] = [
            ("Host", host), ("X-Amz-Target", "AmazonSQS.\(operation)"), ("Content-Type", "application/x-amz-json-1.0"),
        ]
        if let signer {
            let request = HTTPRequest(method: "POST", target: "/", headers: HTTPHeaders(fields), body: body)
            fields = signer.sign(request, now: Int64(time(nil)), dayKey: &dayKey).headers.fields
        }
        var request = Array("POST / HTTP/1.1\r\n".utf8)
        request.reserveCapacity(body.count + 400)
        for field in fields { request += Array("\(field.name): \(field.value)\r\n".utf8) }
        request += Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        return request
    }
}

import FerrySQS

/// Frames SQS JSON 1.0 request bodies as HTTP/1.1 requests (`POST /` with Host, X-Amz-Target and
/// Content-Type; docs/sqs-wire.md, "JSON protocol"), signed as the SDKs sign them when there is a signer: for
/// `ferry bench`, whose client shares the cores with the cluster it measures.
///
/// Every request has the same four signed headers, so the canonical request is written straight into bytes
/// from a prefix built once, and the date is formatted once a second. `SigV4Signer.sign` builds the same
/// bytes from a general `HTTPRequest` at ~3x the cost (header strings, lowercasing, sorting, lookups); the
/// tests check that both give the same request and that the verifier accepts it. Content-Length is not
/// signed (botocore adds it after signing too). With a session token this falls back to `SigV4Signer.sign`.
///
/// Not thread-safe: it keeps the day's signing key and the last date it formatted.
public final class SQSRequestFraming {
    public let host: String
    public let signer: SigV4Signer?
    private var dayKey: SigV4Signer.DayKey?
    /// `POST / HTTP/1.1\r\nHost: <host>\r\nX-Amz-Target: AmazonSQS.`: every request starts with it.
    private let headPrefix: [UInt8]
    /// The canonical request up to the date: `POST\n/\n\ncontent-type:…\nhost:<host>\nx-amz-date:`.
    private let canonicalPrefix: [UInt8]
    private var lastEpochSeconds: Int64 = .min
    private var lastAmzDate = ""
    /// A session token, or blanks in the host (which canonicalization would collapse): the general signer.
    private let signsGenerally: Bool

    static let contentType = "application/x-amz-json-1.0"
    static let signedHeaders = "content-type;host;x-amz-date;x-amz-target"

    public init(host: String, signer: SigV4Signer?) {
        self.host = host
        self.signer = signer
        headPrefix = Array("POST / HTTP/1.1\r\nHost: \(host)\r\nX-Amz-Target: AmazonSQS.".utf8)
        canonicalPrefix = Array("POST\n/\n\ncontent-type:\(Self.contentType)\nhost:\(host)\nx-amz-date:".utf8)
        signsGenerally =
            signer != nil && (signer?.sessionToken != nil || host.utf8.contains { $0 == 0x20 || $0 == 0x09 })
    }

    /// The request for `operation` (`SendMessage`, …) with `body`, signed at `epochSeconds` when there is a signer.
    public func frame(operation: String, body: [UInt8], now epochSeconds: Int64) -> [UInt8] {
        if signsGenerally {
            return Self.frameGenerally(operation: operation, body: body, host: host, signer: signer, now: epochSeconds)
        }
        var out = headPrefix
        out.reserveCapacity(headPrefix.count + body.count + 400)
        out += operation.utf8
        out += "\r\nContent-Type: \(Self.contentType)\r\n".utf8
        if let signer {
            let amzDate = amzDate(epochSeconds)
            out += "X-Amz-Date: ".utf8
            out += amzDate.utf8
            out += "\r\nAuthorization: ".utf8
            out +=
                signer.authorization(
                    canonicalRequest: canonicalRequest(operation: operation, body: body, amzDate: amzDate),
                    amzDate: amzDate, signedHeaders: Self.signedHeaders, dayKey: &dayKey
                ).utf8
            out += "\r\n".utf8
        }
        out += "Content-Length: \(body.count)\r\n\r\n".utf8
        out += body
        return out
    }

    /// SigV4 step 3 for this request shape: the four headers in byte order, then the signed list and payload hash.
    private func canonicalRequest(operation: String, body: [UInt8], amzDate: String) -> [UInt8] {
        var canonical = canonicalPrefix
        canonical.reserveCapacity(canonicalPrefix.count + 200)
        canonical += amzDate.utf8
        canonical += "\nx-amz-target:AmazonSQS.".utf8
        canonical += operation.utf8
        canonical += "\n\n\(Self.signedHeaders)\n".utf8
        SigV4Signer.appendPayloadHash(of: body, to: &canonical)
        return canonical
    }

    /// `AmzDate.formatBasic`, once per second.
    private func amzDate(_ epochSeconds: Int64) -> String {
        if epochSeconds != lastEpochSeconds {
            lastEpochSeconds = epochSeconds
            lastAmzDate = AmzDate.formatBasic(epochSeconds)
        }
        return lastAmzDate
    }

    /// The same request built the general way: an `HTTPRequest` signed by `SigV4Signer.sign`, then serialized.
    public static func frameGenerally(
        operation: String, body: [UInt8], host: String, signer: SigV4Signer?, now epochSeconds: Int64
    ) -> [UInt8] {
        var fields: [(name: String, value: String)] = [
            ("Host", host), ("X-Amz-Target", "AmazonSQS.\(operation)"), ("Content-Type", contentType),
        ]
        if let signer {
            let request = HTTPRequest(method: "POST", target: "/", headers: HTTPHeaders(fields), body: body)
            fields = signer.sign(request, now: epochSeconds).headers.fields
        }
        var request = Array("POST / HTTP/1.1\r\n".utf8)
        for field in fields { request += "\(field.name): \(field.value)\r\n".utf8 }
        request += "Content-Length: \(body.count)\r\n\r\n".utf8
        request += body
        return request
    }
}

import FerrySQS

/// The SNS query protocol (docs/sns-wire.md, "Dispatch") over a blocking connection: `POST /` with a
/// form-encoded `Action=...` body, XML back. Unsigned, so the node routes it by its Action.
final class SNSClient {
    let http: BlockingHTTPClient

    init(endpoint: Endpoint) {
        http = BlockingHTTPClient(endpoint: endpoint)
    }

    /// Calls `action` with `parameters` (flattened names, in order); returns the response XML or throws the
    /// SNS error the node answered with.
    func call(_ action: String, _ parameters: [(String, String)]) throws(CLIError) -> String {
        let form = ([("Action", action)] + parameters)
            .map { "\(FormDecoding.uriEncode($0.0))=\(FormDecoding.uriEncode($0.1))" }.joined(separator: "&")
        let response = try http.send(
            method: "POST", path: "/",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            ], body: Array(form.utf8), waitSeconds: 0)
        let xml = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let code = Self.values("Code", in: xml).first ?? "HTTP \(response.status)"
            let message = Self.values("Message", in: xml).first ?? String(xml.prefix(300))
            throw .sqs(status: response.status, code: code, message: message)
        }
        return xml
    }

    /// The text of every `<name>` element, unescaped (Ferry's answers have no attributes or CDATA).
    static func values(_ name: String, in xml: String) -> [String] {
        let open = "<\(name)>"
        let close = "</\(name)>"
        var out: [String] = []
        var rest = Substring(xml)
        while let start = rest.range(of: open), let end = rest.range(of: close, range: start.upperBound..<rest.endIndex)
        {
            out.append(unescape(String(rest[start.upperBound..<end.lowerBound])))
            rest = rest[end.upperBound...]
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#xD;", with: "\r").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// A topic ARN from an ARN (kept as is) or a name (CreateTopic is create-or-get, so it finds the ARN).
    func topicArn(_ nameOrArn: String) throws(CLIError) -> String {
        if nameOrArn.hasPrefix("arn:") { return nameOrArn }
        let xml = try call(
            "CreateTopic",
            [("Name", nameOrArn)]
                + (nameOrArn.hasSuffix(".fifo")
                    ? [
                        ("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "true"),
                    ] : []))
        guard let arn = Self.values("TopicArn", in: xml).first else {
            throw .badResponse("CreateTopic without TopicArn")
        }
        return arn
    }
}

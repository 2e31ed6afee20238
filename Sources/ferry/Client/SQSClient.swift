import FerrySQS

/// The SQS JSON 1.0 protocol (docs/sqs-wire.md, "JSON protocol") over a blocking connection: `POST /` with
/// `X-Amz-Target: AmazonSQS.<Operation>`. Unsigned (the local cluster runs with auth off) unless given a signer.
final class SQSClient {
    static let contentType = "application/x-amz-json-1.0"

    let http: BlockingHTTPClient
    var endpoint: Endpoint { http.endpoint }

    init(endpoint: Endpoint, signer: SigV4Signer? = nil) {
        http = BlockingHTTPClient(endpoint: endpoint, signer: signer)
    }

    /// Calls `operation` with `members` as the request body; returns the response body (`{}` when
    /// empty) or throws the SQS error the node answered with.
    func call(_ operation: String, _ members: [String: JSONValue], waitSeconds: Int = 0) throws(CLIError) -> JSONValue {
        let body = JSONWriter.serialize(.object(members))
        let response = try http.send(
            method: "POST", path: "/",
            headers: [
                ("X-Amz-Target", "AmazonSQS.\(operation)"), ("Content-Type", Self.contentType),
            ], body: body, waitSeconds: waitSeconds)
        guard response.status == 200 else { throw Self.error(from: response) }
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw .badResponse("\(operation): \(error.message) at byte \(error.offset)")
        }
    }

    /// The SQS error in a non-200 response: code from `__type` (after `#`, before `:`), the legacy
    /// code from `x-amzn-query-error` when it differs, and the message. A body that is not SQS JSON
    /// (a node not serving SQS yet, a proxy) is shown as text.
    static func error(from response: HTTPResponse) -> CLIError {
        let parsed = try? JSONParser.parse(response.body)
        guard let type = parsed?["__type"]?.string else {
            let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: " \r\n")
            return .sqs(status: response.status, code: "HTTP \(response.status)", message: text)
        }
        var code = Substring(type)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        var shown = String(code)
        if let legacy = response.headers["x-amzn-query-error"]?.split(separator: ";").first, legacy != code {
            shown += " (\(legacy))"
        }
        let message = parsed?["message"]?.string ?? parsed?["Message"]?.string ?? ""
        return .sqs(status: response.status, code: shown, message: message)
    }

    /// A queue URL from a URL (kept as is) or a name (GetQueueUrl).
    func queueURL(_ nameOrURL: String) throws(CLIError) -> String {
        if nameOrURL.hasPrefix("http://") || nameOrURL.hasPrefix("https://") { return nameOrURL }
        let result = try call("GetQueueUrl", ["QueueName": .string(nameOrURL)])
        guard let url = result["QueueUrl"]?.string else { throw .badResponse("GetQueueUrl without QueueUrl") }
        return url
    }
}

extension JSONValue {
    /// The member `key` of an object; nil for a missing key or a non-object.
    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// A number as an Int (numbers keep their text), or a string holding one (SQS attribute values).
    var int: Int? {
        switch self {
        case .number(let text), .string(let text): return Int(text)
        default: return nil
        }
    }
}

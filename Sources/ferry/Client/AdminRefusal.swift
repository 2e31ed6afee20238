import FerrySQS

/// A node's 403 on an admin endpoint, told to the user with what to do about it. The node answers
/// `{"ok": false, "error": "<SQS code>", "detail": "..."}`.
enum AdminRefusal {
    static func describe(status: Int, body: [UInt8]) -> String {
        guard status == 403 else { return "HTTP \(status)" }
        let json = try? JSONParser.parse(body)
        let code = json?["error"]?.string ?? "Forbidden"
        let detail = json?["detail"]?.string ?? String(decoding: body.prefix(300), as: UTF8.self)
        return "refused (403 \(code)): \(detail)" + hint(code)
    }

    static func hint(_ code: String) -> String {
        switch code {
        case "MissingAuthenticationToken":
            return
                " (the cluster runs with auth = \"sigv4\": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --access-key and --secret-key)"
        case "AccessDenied":
            return " (sign with a key whose [[credentials]] entry has admin = true)"
        case "SignatureDoesNotMatch":
            return " (check the secret key, and that --region or AWS_REGION names the nodes' region)"
        default:
            return ""
        }
    }
}

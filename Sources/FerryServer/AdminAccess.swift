import FerrySQS

/// Who may call the node's own `/_ferry/` endpoints. With auth = sigv4:
/// - `GET /_ferry/health` is open: load balancers and readiness probes do not sign.
/// - `GET /_ferry/status` needs a valid signature by any configured credential.
/// - Everything else under `/_ferry/` (membership changes, leadership transfer, and any path or method this
///   node does not serve, so a probe learns nothing) needs a valid signature by a credential with
///   `admin = true`: anyone who reaches the SQS port could otherwise shrink the cluster to one voter.
/// - `GET /metrics` is for Prometheus, which cannot sign: it needs `Authorization: Bearer <token>` with the
///   token from `metrics_bearer_token_file`, or `metrics_public = true`; with neither it is refused, so it is
///   never open by accident (`metrics_listen` serves it apart, on an internal interface).
/// Every refusal is 403, whatever the signature problem, with the SQS-style reason in a JSON body, except a
/// scrape without the right bearer token: 401 with `WWW-Authenticate: Bearer`.
/// With auth = off every request is let through, admin ones included.
struct AdminAccess {
    enum Requirement: Equatable {
        case open
        case scraper
        case anyCredential
        case administrator
    }

    struct Refusal: Equatable, Error {
        /// An SQS error code: the verifier's (MissingAuthenticationToken, SignatureDoesNotMatch, ...) or
        /// AccessDenied for a valid credential that is not an administrator.
        var code: String
        var message: String
        var status = 403

        var response: HTTPResponse {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            if status == 401 { headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"ferry metrics\"") }
            let body = "{\"ok\": false, \"error\": \"\(code)\", \"detail\": \"\(Server.jsonEscaped(message))\"}\n"
            return HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
        }
    }

    /// Access key ids of the `[[credentials]]` entries with `admin = true`.
    var administratorKeys: Set<String> = []
    /// `metrics_bearer_token_file`'s token, if set.
    var metricsBearerToken: String?
    var metricsPublic = false

    static let metricsPath = "/metrics"

    static func requirement(method: String, path: String) -> Requirement {
        switch (method, path) {
        case ("GET", "/_ferry/health"): return .open
        case ("GET", metricsPath): return .scraper
        case ("GET", "/_ferry/status"): return .anyCredential
        default: return .administrator
        }
    }

    /// Checks `request` against its path's requirement; throws the refusal to answer with.
    func check(_ request: HTTPRequest, verifier: inout SigV4Verifier, now: Int64) throws(Refusal) {
        let requirement = Self.requirement(method: request.method, path: request.path)
        guard requirement != .open, verifier.configuration.mode == .sigv4 else { return }
        if requirement == .scraper { return try checkScraper(request) }
        let caller: AuthenticatedCaller
        do {
            caller = try verifier.verify(request, now: now)
        } catch {
            throw Refusal(code: error.code.rawValue, message: error.message)
        }
        if requirement == .administrator, !administratorKeys.contains(caller.accessKeyId ?? "") {
            throw Refusal(
                code: SQSErrorCode.accessDenied.rawValue,
                message:
                    "\(caller.accessKeyId ?? "this caller") is not an administrator: only [[credentials]] entries with admin = true may call \(request.method) \(request.path)"
            )
        }
    }

    private func checkScraper(_ request: HTTPRequest) throws(Refusal) {
        if metricsPublic { return }
        guard let token = metricsBearerToken else {
            throw Refusal(
                code: SQSErrorCode.accessDenied.rawValue,
                message:
                    "metrics on the SQS port need metrics_bearer_token_file or metrics_public = true (or use metrics_listen)"
            )
        }
        let presented = request.headers["Authorization"] ?? ""
        guard SigV4Verifier.constantTimeEquals("Bearer " + token, presented) else {
            throw Refusal(
                code: presented.isEmpty
                    ? SQSErrorCode.missingAuthenticationToken.rawValue : SQSErrorCode.accessDenied.rawValue,
                message: "GET /metrics needs Authorization: Bearer with the token of metrics_bearer_token_file",
                status: 401)
        }
    }
}

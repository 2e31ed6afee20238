import FerryRaft
import FerrySQS
import Logging

/// The membership admin endpoints: `POST /_ferry/members/{add-learner,promote,remove}?id=N`.
///
/// Each proposes one single-server change (thesis §4.1) on the leader and answers at once with the
/// position the change will commit at; callers (`ferry members`) poll `/_ferry/status` until the leader's
/// commit index reaches it. Answers, all JSON with `"ok"`:
/// - 200: proposed; `"index"`, `"term"`.
/// - 503 `not_leader` (with `"leader"`, 0 when unknown), `transfer_in_progress`, `overloaded`: retry, at the
///   leader if one is named (this node does not forward admin requests).
/// - 409 `change_pending`: another change is not committed yet (or this leader has not committed an entry of
///   its term); retry shortly. 409 `invalid`: the change makes no sense now (already a member, not a learner,
///   a learner still behind the leader's log, the last voter); `"detail"` says which.
extension Server {
    func membershipChange(_ request: HTTPRequest) -> HTTPResponse {
        let action = String(request.path.dropFirst("/_ferry/members/".count))
        guard let target = Self.queryValue(request.query, "id").flatMap(NodeID.init), target != 0 else {
            return membershipAnswer(400, error: "usage", detail: "POST /_ferry/members/\(action)?id=N (N > 0)")
        }
        let change: ConfigurationChange
        switch action {
        case "add-learner": change = .addLearner(target)
        case "promote": change = .promote(target)
        default: change = .remove(target)
        }
        do {
            let position = try node.proposeConfigurationChange(change)
            logger.notice("membership change proposed", metadata: [
                "change": "\(action)", "id": "\(target)", "index": "\(position.index)", "term": "\(position.term)",
            ])
            return membershipAnswer(200, fields: "\"index\": \(position.index), \"term\": \(position.term)")
        } catch {
            switch error {
            case .notLeader(let hint):
                return membershipAnswer(503, error: "not_leader", detail: "this node is not the leader",
                                        fields: "\"leader\": \(hint ?? 0)")
            case .transferInProgress:
                return membershipAnswer(503, error: "transfer_in_progress", detail: "a leadership transfer is under way")
            case .overloaded:
                return membershipAnswer(503, error: "overloaded", detail: "too many uncommitted entries")
            case .configurationChangePending:
                return membershipAnswer(409, error: "change_pending",
                                        detail: "another membership change (or the new leader's first entry) is not committed yet")
            case .invalidConfigurationChange(let why):
                return membershipAnswer(409, error: "invalid", detail: why)
            case .commandTooLarge(let bytes):  // a configuration change is a few dozen bytes
                return membershipAnswer(500, error: "internal", detail: "configuration change of \(bytes) bytes")
            }
        }
    }

    private func membershipAnswer(_ status: Int, error: String? = nil, detail: String? = nil, fields: String? = nil) -> HTTPResponse {
        var parts = ["\"ok\": \(error == nil)", "\"node\": \(config.nodeID)"]
        if let error { parts.append("\"error\": \"\(error)\"") }
        if let detail { parts.append("\"detail\": \"\(Self.jsonEscaped(detail))\"") }
        if let fields { parts.append(fields) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: Array(("{" + parts.joined(separator: ", ") + "}\n").utf8))
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

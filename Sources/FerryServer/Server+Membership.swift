import FerryRaft
import FerrySQS
import Logging

/// The membership admin endpoints: `POST /_ferry/members/{add-learner,promote,remove}?id=N` and
/// `POST /_ferry/members/update?id=N&peer_address=HOST:PORT&client_url=URL`. `add-learner` takes the same
/// two optional parameters: the addresses enter the replicated configuration, and every node dials the
/// member there (no node's `[peers]` needs to list it). `update` needs at least one; the other is kept.
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
        let usage =
            "POST /_ferry/members/\(action)?id=N (N > 0)"
            + (action == "add-learner" || action == "update" ? "[&peer_address=HOST:PORT][&client_url=URL]" : "")
        guard let query = FormDecoding.pairs(request.query), query.count <= 3,
            let target = query.first(where: { $0.0 == "id" }).flatMap({ NodeID($0.1) }), target != 0
        else {
            return membershipAnswer(400, error: "usage", detail: usage)
        }
        let peer = query.first(where: { $0.0 == "peer_address" })?.1
        let clientURL = query.first(where: { $0.0 == "client_url" })?.1
        // promote and remove take no address; update needs at least one field; add-learner may have none.
        let addressGiven = peer != nil || clientURL != nil
        if (action == "update" && !addressGiven) || (action != "update" && action != "add-learner" && addressGiven) {
            return membershipAnswer(400, error: "usage", detail: usage)
        }
        let change: ConfigurationChange
        switch action {
        case "add-learner", "update":
            let current = node.raft.configuration.address(of: target)
            guard
                let address = peer ?? current?.peer ?? (action == "update" ? config.peers[target].map { "\($0)" } : nil)
            else {
                if action == "update" || clientURL != nil {
                    return membershipAnswer(400, error: "usage", detail: usage)
                }
                change = .addLearner(target)
                break
            }
            let member = MemberAddress(peer: address, clientURL: clientURL ?? current?.clientURL ?? "")
            if let problem = Self.addressProblem(member) {
                return membershipAnswer(400, error: "bad_address", detail: problem)
            }
            change = action == "update" ? .updateAddress(target, member) : .addLearner(target, address: member)
        case "promote": change = .promote(target)
        default: change = .remove(target)
        }
        do {
            let position = try node.proposeConfigurationChange(change)
            logger.notice(
                "membership change proposed",
                metadata: [
                    "change": "\(action)", "id": "\(target)", "index": "\(position.index)", "term": "\(position.term)",
                    "peer_address": "\(peer ?? "-")", "client_url": "\(clientURL ?? "-")",
                ])
            return membershipAnswer(200, fields: "\"index\": \(position.index), \"term\": \(position.term)")
        } catch {
            switch error {
            case .notLeader(let hint):
                return membershipAnswer(
                    503, error: "not_leader", detail: "this node is not the leader",
                    fields: "\"leader\": \(hint ?? 0)")
            case .transferInProgress:
                return membershipAnswer(
                    503, error: "transfer_in_progress", detail: "a leadership transfer is under way")
            case .overloaded:
                return membershipAnswer(503, error: "overloaded", detail: "too many uncommitted entries")
            case .configurationChangePending:
                return membershipAnswer(
                    409, error: "change_pending",
                    detail: "another membership change (or the new leader's first entry) is not committed yet")
            case .invalidConfigurationChange(let why):
                return membershipAnswer(409, error: "invalid", detail: why)
            case .commandTooLarge(let bytes):  // a configuration change is a few dozen bytes
                return membershipAnswer(500, error: "internal", detail: "configuration change of \(bytes) bytes")
            }
        }
    }

    /// Why `address` cannot be a member's address: the peer address must be HOST:PORT, the client URL empty or
    /// http(s), both within `MemberAddress`'s bounds.
    static func addressProblem(_ address: MemberAddress) -> String? {
        if let problem = address.problem { return problem }
        if (try? ServerConfig.Address(parsing: address.peer)) == nil {
            return "peer_address '\(address.peer)' is not HOST:PORT"
        }
        if !address.clientURL.isEmpty && !address.clientURL.hasPrefix("http://")
            && !address.clientURL.hasPrefix("https://")
        {
            return "client_url must start with http:// or https://"
        }
        return nil
    }

    /// Points the mesh at the members of the configuration in force, whenever that configuration changes
    /// (appended by this leader, received from one, rolled back by a truncation, or installed by a snapshot).
    func followConfiguration() {
        let configuration = node.configuration
        guard configuration != followedConfiguration else { return }
        followedConfiguration = configuration
        mesh.follow(PeerAddressBook(configuration: configuration, localID: config.nodeID, peersFile: config.peers))
    }

    /// Every member with where it is reached: its replicated address, else (`address_source`) this node's
    /// `[peers]`, else none.
    func membersJSON(_ configuration: Configuration) -> String {
        configuration.members.map { id in
            let replicated = configuration.address(of: id)
            let peer = replicated?.peer ?? config.peers[id].map { "\($0)" } ?? ""
            let source = replicated != nil ? "replicated" : config.peers[id] != nil ? "peers_file" : "none"
            return "{\"id\": \(id), \"membership\": \"\(configuration.isVoter(id) ? "voter" : "learner")\", "
                + "\"peer_address\": \"\(Self.jsonEscaped(peer))\", \"client_url\": \"\(Self.jsonEscaped(replicated?.clientURL ?? ""))\", "
                + "\"address_source\": \"\(source)\"}"
        }.joined(separator: ", ")
    }

    private func membershipAnswer(
        _ status: Int, error: String? = nil, detail: String? = nil, fields: String? = nil
    ) -> HTTPResponse {
        var parts = ["\"ok\": \(error == nil)", "\"node\": \(config.nodeID)"]
        if let error { parts.append("\"error\": \"\(error)\"") }
        if let detail { parts.append("\"detail\": \"\(Self.jsonEscaped(detail))\"") }
        if let fields { parts.append(fields) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(
            status: status, headers: headers, body: Array(("{" + parts.joined(separator: ", ") + "}\n").utf8))
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

import ArgumentParser
import FerrySQS
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// `ferry members add|remove|list` and `ferry transfer-leadership`: cluster administration over the admin
// endpoints every ferryd serves on its SQS port (/_ferry/status, /_ferry/members/..., /_ferry/transfer-leadership).
// Changes must be proposed on the leader; these commands find it from the nodes' status and retry there.

/// The admin endpoints of the cluster's nodes, shared by every command here.
struct ClusterEndpointOptions: ParsableArguments {
    @Option(
        name: .customLong("endpoints"),
        help:
            "Comma-separated admin (SQS) base URLs of the cluster's nodes, e.g. http://10.0.0.1:9324,http://10.0.0.2:9324. Default: $FERRY_ENDPOINTS or the local cluster (127.0.0.1:9324-9326)."
    )
    var endpointList: String?

    @Option(help: "Give up after this many seconds.")
    var timeoutSeconds: Double = 60

    @OptionGroup var signing: SigningOptions

    /// The nodes to talk to, signing as the options say, until the timeout from now.
    func admin() throws -> ClusterAdmin {
        ClusterAdmin(
            endpoints: endpoints, deadline: Date().addingTimeInterval(timeoutSeconds), signer: try signing.signer())
    }

    var endpoints: [String] {
        let text =
            endpointList ?? ProcessInfo.processInfo.environment["FERRY_ENDPOINTS"]
            ?? "http://127.0.0.1:9324,http://127.0.0.1:9325,http://127.0.0.1:9326"
        return text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

struct MembersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Add, remove or list the cluster's members (one change at a time, through Raft).",
        subcommands: [MembersAdd.self, MembersRemove.self, MembersUpdate.self, MembersList.self])
}

struct MembersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract:
            "Add node ID: as a learner, wait until it has caught up with the leader's log, then promote it to voter.",
        discussion: """
            The node must be running with `join = true` (or `ferryd --join`) and an empty data_dir. With \
            --peer-address its address enters the replicated configuration and every node dials it there: no \
            other node's config file needs to list it. Without, every node's [peers] table must list it.
            """)

    @Argument(help: "The node id to add.") var id: UInt64
    @OptionGroup var address: MemberAddressOptions
    @OptionGroup var cluster: ClusterEndpointOptions

    func run() throws {
        let admin = try cluster.admin()
        var leader = try admin.waitForLeader()
        if leader.status.voters.contains(id) {
            print("node \(id) is already a voter \(leader.status.voters)")
            return
        }
        if !leader.status.learners.contains(id) {
            let index = try admin.propose("add-learner", id: id, parameters: try address.parameters(required: false))
            print("node \(id) added as a learner (entry \(index))" + (address.peerAddress.map { " at \($0)" } ?? ""))
        }
        // Catch-up: the Raft core promotes a learner only once it has acknowledged an append of the leader
        // (match > 0) and is at most a few entries behind; wait for both (a snapshot install may come first).
        // A node that never answers is never promoted: this waits until the timeout and says so.
        while true {
            leader = try admin.waitForLeader()
            let match = leader.status.replication[id] ?? 0
            if match > 0 && match + 64 >= leader.status.lastIndex { break }
            try admin.checkDeadline(
                match == 0
                    ? "node \(id) has not answered the leader (is it running with join = true, and reachable at its peer address?)"
                    : "node \(id) still catching up: match \(match) of \(leader.status.lastIndex)")
            Thread.sleep(forTimeInterval: 0.1)
        }
        print("node \(id) caught up")
        let index = try admin.propose("promote", id: id)
        leader = try admin.waitForLeader()
        print("node \(id) promoted to voter (entry \(index)); voters now \(leader.status.voters)")
    }
}

struct MembersRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract:
            "Remove node ID (voter or learner) from the cluster. Removing the leader makes it step down once the change commits."
    )

    @Argument(help: "The node id to remove.") var id: UInt64
    @OptionGroup var cluster: ClusterEndpointOptions

    func run() throws {
        let admin = try cluster.admin()
        let leader = try admin.waitForLeader()
        guard leader.status.voters.contains(id) || leader.status.learners.contains(id) else {
            print("node \(id) is not a member (voters \(leader.status.voters), learners \(leader.status.learners))")
            return
        }
        let index = try admin.propose("remove", id: id)
        print("node \(id) removed (entry \(index)); it can be stopped now")
    }
}

struct MembersUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Record a member's new peer address or client URL in the replicated configuration.",
        discussion: """
            Every node dials the member at the new peer address from the moment the change reaches its log. \
            Start the member on its new address before or right after this; an omitted option keeps its value.
            """)

    @Argument(help: "The member's node id.") var id: UInt64
    @OptionGroup var address: MemberAddressOptions
    @OptionGroup var cluster: ClusterEndpointOptions

    func run() throws {
        let parameters = try address.parameters(required: true)
        let admin = try cluster.admin()
        let index = try admin.propose("update", id: id, parameters: parameters)
        print("node \(id) now at " + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + " (entry \(index))")
    }
}

/// Where a member is reached, for `members add` and `members update`.
struct MemberAddressOptions: ParsableArguments {
    @Option(help: "The member's peer address, HOST:PORT, as other nodes dial it.")
    var peerAddress: String?

    @Option(help: "The member's own SQS/admin base URL (http://HOST:PORT), for `ferry status`.")
    var clientURL: String?

    /// The query parameters for the admin endpoint; the node checks the values.
    func parameters(required: Bool) throws -> [(String, String)] {
        if clientURL != nil && peerAddress == nil && !required {
            throw ValidationError("--client-url needs --peer-address when adding a node")
        }
        if required && peerAddress == nil && clientURL == nil {
            throw ValidationError("give --peer-address, --client-url or both")
        }
        return [("peer_address", peerAddress), ("client_url", clientURL)].compactMap { name, value in
            value.map { (name, $0) }
        }
    }
}

struct MembersList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Print the leader's view: voters, learners and how far each has replicated.")

    @OptionGroup var cluster: ClusterEndpointOptions

    func run() throws {
        let admin = try cluster.admin()
        let leader = try admin.waitForLeader()
        let s = leader.status
        print("leader \(s.node) term \(s.term) commit \(s.commit) last \(s.lastIndex)")
        for member in (s.voters + s.learners).sorted() {
            let kind = s.voters.contains(member) ? "voter" : "learner"
            let match = member == s.node ? s.lastIndex : (s.replication[member] ?? 0)
            let address =
                s.addresses[member].map {
                    "  peer \($0.peer) (\($0.source))" + ($0.client.isEmpty ? "" : "  client \($0.client)")
                } ?? ""
            print("  \(member)  \(kind)  match \(match)\(address)")
        }
    }
}

struct TransferLeadershipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-leadership",
        abstract: "Hand leadership to voter ID (thesis §3.10) and wait until it leads.")

    @Argument(help: "The voter that should lead.") var id: UInt64
    @OptionGroup var cluster: ClusterEndpointOptions

    func run() throws {
        let admin = try cluster.admin()
        var attemptAt = Date.distantPast
        while true {
            let leader = try admin.waitForLeader()
            if leader.status.node == id {
                print("node \(id) leads (term \(leader.status.term))")
                return
            }
            guard leader.status.voters.contains(id) else {
                throw ValidationError("node \(id) is not a voter (voters \(leader.status.voters))")
            }
            // A transfer that did not finish within an election timeout is abandoned by the leader: ask again.
            if Date().timeIntervalSince(attemptAt) > 1 {
                let (code, body) = try admin.request("POST", leader.endpoint, "/_ferry/transfer-leadership?to=\(id)")
                try ClusterAdmin.checkNotRefused(code, body, from: leader.endpoint)
                attemptAt = Date()
            }
            try admin.checkDeadline("node \(id) did not take over leadership")
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

// MARK: - Talking to the nodes

/// One node's `/_ferry/status`.
struct NodeStatus {
    var node: UInt64
    var role: String
    var term: UInt64
    var leader: UInt64
    var commit: UInt64
    var lastIndex: UInt64
    var voters: [UInt64]
    var learners: [UInt64]
    /// Leader only: each other member's match index.
    var replication: [UInt64: UInt64]
    /// Each member's peer address and client URL as the node knows them, and where from.
    var addresses: [UInt64: (peer: String, client: String, source: String)]

    init?(json: [String: Any]) {
        func number(_ key: String) -> UInt64? { (json[key] as? NSNumber)?.uint64Value }
        func numbers(_ key: String) -> [UInt64] {
            ((json[key] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.uint64Value }
        }
        guard let node = number("node"), let term = number("term"), let leader = number("leader"),
            let commit = number("commit"), let lastIndex = number("last_index"), let role = json["role"] as? String
        else { return nil }
        self.node = node
        self.role = role
        self.term = term
        self.leader = leader
        self.commit = commit
        self.lastIndex = lastIndex
        voters = numbers("voters")
        learners = numbers("learners")
        var replication: [UInt64: UInt64] = [:]
        for item in (json["replication"] as? [[String: Any]]) ?? [] {
            if let peer = (item["id"] as? NSNumber)?.uint64Value, let match = (item["match"] as? NSNumber)?.uint64Value
            {
                replication[peer] = match
            }
        }
        self.replication = replication
        var addresses: [UInt64: (peer: String, client: String, source: String)] = [:]
        for item in (json["members"] as? [[String: Any]]) ?? [] {
            if let id = (item["id"] as? NSNumber)?.uint64Value {
                addresses[id] = (
                    item["peer_address"] as? String ?? "", item["client_url"] as? String ?? "",
                    item["address_source"] as? String ?? "?"
                )
            }
        }
        self.addresses = addresses
    }
}

struct ClusterAdminError: Error, CustomStringConvertible {
    var description: String
}

/// Finds the leader among `endpoints` and proposes changes there, retrying (bounded by `deadline`) while
/// there is no leader, the leader moves, or another change is still uncommitted.
struct ClusterAdmin {
    var endpoints: [String]
    var deadline: Date
    /// Signs every request when set (a cluster with auth = "sigv4").
    var signer: SigV4Signer?
    /// Pause between retries: about two heartbeats, short next to an election.
    static let retryPauseSeconds = 0.1

    func checkDeadline(_ what: @autoclosure () -> String) throws {
        if Date() > deadline { throw ClusterAdminError(description: "timed out: \(what())") }
    }

    /// The node's status; nil when it is unreachable or answers something else. A refusal (403) throws at
    /// once: retrying cannot fix missing or wrong credentials.
    func status(_ endpoint: String) throws -> NodeStatus? {
        guard let (code, body) = try? request("GET", endpoint, "/_ferry/status") else { return nil }
        try Self.checkNotRefused(code, body, from: endpoint)
        guard code == 200, let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return nil
        }
        return NodeStatus(json: object)
    }

    static func checkNotRefused(_ code: Int, _ body: [UInt8], from endpoint: String) throws {
        if code == 403 {
            throw ClusterAdminError(description: "\(endpoint): \(AdminRefusal.describe(status: code, body: body))")
        }
    }

    /// The endpoint whose node says it is the leader, with its status.
    func waitForLeader() throws -> (endpoint: String, status: NodeStatus) {
        while true {
            for endpoint in endpoints {
                if let s = try status(endpoint), s.role == "leader" { return (endpoint, s) }
            }
            try checkDeadline("no leader among \(endpoints.joined(separator: ", "))")
            Thread.sleep(forTimeInterval: Self.retryPauseSeconds)
        }
    }

    /// Proposes a change on the leader and waits until the leader has committed it; returns its index.
    func propose(_ action: String, id: UInt64, parameters: [(String, String)] = []) throws -> UInt64 {
        let query = ([("id", "\(id)")] + parameters).map { "\($0.0)=\(FormDecoding.uriEncode($0.1))" }.joined(
            separator: "&")
        // A 503 may come after the leader logged the change (it lost leadership before answering): a retry of an
        // `update` then finds the address already set, which is the outcome asked for.
        var answeredUnavailable = false
        while true {
            let leader = try waitForLeader()
            let (code, body) = try request("POST", leader.endpoint, "/_ferry/members/\(action)?\(query)")
            try Self.checkNotRefused(code, body, from: leader.endpoint)
            let answer = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
            let error = answer["error"] as? String ?? ""
            let detail = answer["detail"] as? String ?? String(decoding: body, as: UTF8.self)
            switch (code, error) {
            case (200, _):
                let index = (answer["index"] as? NSNumber)?.uint64Value ?? 0
                try waitForCommit(index, endpoint: leader.endpoint)
                return index
            case (503, _):
                answeredUnavailable = true  // the leader moved: retry
            case (409, "change_pending"):
                break  // the leader is busy: retry
            case (409, "invalid") where answeredUnavailable && detail.hasSuffix("already has that address"):
                return leader.status.commit
            case (409, "invalid") where detail.contains("behind") || detail.contains("has not answered"):
                break  // the learner slipped behind again under load, or a new leader has not heard it yet: retry
            default:
                throw ClusterAdminError(description: "\(action) \(id) refused (\(code) \(error)): \(detail)")
            }
            try checkDeadline("\(action) \(id): last answer \(code) \(error) \(detail)")
            Thread.sleep(forTimeInterval: Self.retryPauseSeconds)
        }
    }

    private func waitForCommit(_ index: UInt64, endpoint: String) throws {
        while true {
            if let s = try status(endpoint), s.commit >= index { return }
            try checkDeadline("entry \(index) not committed at \(endpoint)")
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// One HTTP/1.1 request with `Connection: close`; returns the status code and body.
    func request(_ method: String, _ endpoint: String, _ path: String) throws -> (Int, [UInt8]) {
        guard let url = URL(string: endpoint), let host = url.host else {
            throw ClusterAdminError(description: "bad endpoint \(endpoint)")
        }
        return try BlockingHTTP.exchange(
            host: host, port: url.port ?? 80, method: method, path: path, timeoutSeconds: 2,
            signer: signer)
    }
}

/// A minimal blocking HTTP/1.1 client over a POSIX socket: enough for the admin endpoints, and no
/// dependency on libcurl.
enum BlockingHTTP {
    /// Bytes of a response we read at most: admin answers are small.
    static let responseBytesMax = 1 << 20

    static func exchange(
        host: String, port: Int, method: String, path: String, timeoutSeconds: Int,
        signer: SigV4Signer? = nil
    ) throws -> (Int, [UInt8]) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else {
            throw ClusterAdminError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw ClusterAdminError(description: "socket() failed") }
        defer { close(fd) }
        // On Linux SO_SNDTIMEO bounds connect() too.
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw ClusterAdminError(description: "cannot connect to \(host):\(port)")
        }
        let hostHeader = "\(host):\(port)"
        let signature =
            signer?.headers(method: method, target: path, host: hostHeader, headers: [], body: [])
            .map { "\($0.0): \($0.1)\r\n" }.joined() ?? ""
        let head =
            "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n\(signature)Content-Length: 0\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClusterAdminError(description: "write to \(host):\(port) failed") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while response.count < responseBytesMax {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw ClusterAdminError(description: "read from \(host):\(port) failed or timed out") }
            if n == 0 { break }
            response += buffer[0..<n]
        }
        return try parse(response, from: "\(host):\(port)")
    }

    static func parse(_ response: [UInt8], from peer: String) throws -> (Int, [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard
            let split = (0...(max(0, response.count - 4))).first(where: {
                Array(response[$0..<min($0 + 4, response.count)]) == separator
            }),
            response.count >= 12
        else { throw ClusterAdminError(description: "malformed HTTP response from \(peer)") }
        let head = String(decoding: response[..<split], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else {
            throw ClusterAdminError(description: "malformed status line from \(peer)")
        }
        return (code, Array(response[(split + 4)...]))
    }
}

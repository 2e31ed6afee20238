import ArgumentParser
import FerrySQS

/// `ferry status`: the whole cluster from one address. Asks the given node for its `/_ferry/status`, which
/// lists every member with its client URL, then asks each member itself (signing when `--access-key` or
/// the environment gives credentials, as a cluster with auth = "sigv4" needs).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Show every member's role, term, commit and applied index and lag behind the leader, from one endpoint.",
        discussion: """
            The first node that answers names the members and their client URLs (the replicated member list);             each is then asked in turn. A member whose client URL is not known (a cluster seeded without a             [clients] table) shows as unreachable until `ferry members update ID --client-url URL` records one.             Exits with status 1 when no reachable node knows a leader.
            """)

    @Option(help: "The node to ask first, when --endpoints is not given.")
    var endpoint: Endpoint = .localDefault

    @Option(help: "Comma-separated nodes to ask as well, e.g. http://127.0.0.1:9324,http://127.0.0.1:9325.")
    var endpoints: String?

    @OptionGroup var signing: SigningOptions

    func run() throws {
        try reportingErrors {
            let given = try endpoints.map { raw throws(CLIError) in try Endpoint.list(raw) } ?? [endpoint]
            let signer = try signing.signer()
            let rows = StatusRow.survey(given, signer: signer)
            print(StatusRow.table(rows))
            let leaders = Set(rows.compactMap { $0.status?.leader }.filter { $0 != 0 })
            if let leaderRow = rows.first(where: { $0.status?.role == "leader" })
                ?? rows.first(where: { $0.status != nil }),
                let status = leaderRow.status, !status.replication.isEmpty
            {
                print("")
                print("Replication, as node \(status.node) (\(status.role)) sees it:")
                print(StatusRow.replicationTable(status))
            }
            print("")
            switch leaders.count {
            case 0:
                print("No leader.")
                throw ExitCode(1)
            case 1:
                let term = rows.compactMap { $0.status }.map(\.term).max() ?? 0
                print("Leader: node \(leaders.first!) (term \(term)).")
            default:
                print("Nodes disagree on the leader: \(leaders.sorted()) (an election is settling).")
            }
        }
    }
}

/// One node's answer to `/_ferry/status`, or why there is none.
struct StatusRow {
    /// A member as a node's status lists it.
    struct Member {
        var id: Int
        var role: String
        var peerAddress: String
        var clientURL: String
    }

    struct Fields {
        var node: Int
        var role: String
        var term: Int
        var leader: Int
        var commit: Int
        var applied: Int
        var lastIndex: Int
        var replication: [(peer: Int, match: Int)]
        var connectedPeers: [Int]
        var members: [Member]
    }

    /// The member this row is about, when known from a member list.
    var memberID: Int?
    let endpoint: String
    let status: Fields?
    let failure: String?

    /// Every node among `given`, then every member any answer lists (by its client URL), each asked once.
    static func survey(_ given: [Endpoint], signer: SigV4Signer?) -> [StatusRow] {
        var rows: [StatusRow] = []
        var asked = Set<String>()
        var pending = given.map { (url: $0.text, member: Int?.none) }
        var members: [Int: Member] = [:]
        while !pending.isEmpty {
            let (url, member) = pending.removeFirst()
            guard asked.insert(url).inserted else { continue }
            let row: StatusRow
            do {
                row = fetch(try Endpoint(parsing: url), signer: signer)
            } catch {
                row = StatusRow(
                    endpoint: url, status: nil, failure: "\(error)".replacingPrefix("error: ", with: "bad client URL: ")
                )
            }
            rows.append(
                StatusRow(
                    memberID: row.status?.node ?? member, endpoint: row.endpoint, status: row.status,
                    failure: row.failure))
            for listed in row.status?.members ?? []
            where members[listed.id] == nil || members[listed.id]!.clientURL.isEmpty {
                members[listed.id] = listed
                if !listed.clientURL.isEmpty { pending.append((listed.clientURL, listed.id)) }
            }
        }
        // One row per member: a node that answered at two URLs shows once, a member no URL reached shows why.
        let answered = Set(rows.compactMap { $0.status?.node })
        var shown = Set<Int>()
        var result: [StatusRow] = []
        for row in rows {
            if let id = row.status?.node ?? row.memberID {
                guard row.status != nil || !answered.contains(id), shown.insert(id).inserted else { continue }
            }
            result.append(row)
        }
        for (id, member) in members.sorted(by: { $0.key < $1.key })
        where !shown.contains(id) && member.clientURL.isEmpty {
            result.append(
                StatusRow(
                    memberID: id, endpoint: "-", status: nil,
                    failure: "unreachable: no client URL known (ferry members update \(id) --client-url URL)"))
        }
        return result.sorted { ($0.memberID ?? Int.max) < ($1.memberID ?? Int.max) }
    }

    static func fetch(_ endpoint: Endpoint, signer: SigV4Signer?) -> StatusRow {
        let client = BlockingHTTPClient(endpoint: endpoint, signer: signer)
        do {
            let response = try client.send(method: "GET", path: "/_ferry/status")
            guard response.status == 200 else {
                return StatusRow(
                    endpoint: endpoint.text, status: nil,
                    failure: AdminRefusal.describe(status: response.status, body: response.body))
            }
            let json = try JSONParser.parse(response.body)
            guard let fields = parse(json) else {
                return StatusRow(endpoint: endpoint.text, status: nil, failure: "unexpected status JSON")
            }
            return StatusRow(endpoint: endpoint.text, status: fields, failure: nil)
        } catch let error as CLIError {
            return StatusRow(
                endpoint: endpoint.text, status: nil,
                failure: "\(error)".replacingPrefix("error: ", with: "unreachable: "))
        } catch {
            return StatusRow(endpoint: endpoint.text, status: nil, failure: "unreachable: \(error)")
        }
    }

    static func parse(_ json: JSONValue) -> Fields? {
        guard let node = json["node"]?.int, let role = json["role"]?.string, let term = json["term"]?.int,
            let commit = json["commit"]?.int, let applied = json["applied"]?.int
        else { return nil }
        let replication = (json["replication"]?.array ?? []).compactMap { entry -> (Int, Int)? in
            guard let id = entry["id"]?.int, let match = entry["match"]?.int else { return nil }
            return (id, match)
        }
        let members = (json["members"]?.array ?? []).compactMap { entry -> Member? in
            guard let id = entry["id"]?.int else { return nil }
            return Member(
                id: id, role: entry["membership"]?.string ?? "?", peerAddress: entry["peer_address"]?.string ?? "",
                clientURL: entry["client_url"]?.string ?? "")
        }
        return Fields(
            node: node, role: role, term: term, leader: json["leader"]?.int ?? 0, commit: commit,
            applied: applied, lastIndex: json["last_index"]?.int ?? commit, replication: replication,
            connectedPeers: (json["connected_peers"]?.array ?? []).compactMap(\.int), members: members)
    }

    static func table(_ rows: [StatusRow]) -> String {
        // Lag is counted on the leader's log: its last index less each member's match (its own is 0).
        let leader = rows.compactMap(\.status).first { $0.role == "leader" }
        let memberships = Dictionary(
            (leader?.members ?? rows.compactMap(\.status).first?.members ?? []).map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        var lines = [
            [
                "NODE", "MEMBER", "ENDPOINT", "PEER ADDRESS", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED", "LAG",
                "PEERS UP",
            ]
        ]
        for row in rows {
            let id = row.status?.node ?? row.memberID
            let member = id.flatMap { memberships[$0] }
            let prefix = [id.map(String.init) ?? "?", member?.role ?? "-", row.endpoint, member?.peerAddress ?? "-"]
            guard let s = row.status else {
                lines.append(prefix + [row.failure ?? "?"])
                continue
            }
            let lag: String
            if let leader {
                let match =
                    s.node == leader.node ? leader.lastIndex : leader.replication.first { $0.peer == s.node }?.match
                lag = match.map { "\(max(0, leader.lastIndex - $0))" } ?? "-"
            } else {
                lag = "-"
            }
            lines.append(
                prefix + [
                    s.role, "\(s.term)", s.leader == 0 ? "-" : "\(s.leader)", "\(s.commit)", "\(s.applied)", lag,
                    s.connectedPeers.map(String.init).joined(separator: ","),
                ])
        }
        return TextTable.render(lines)
    }

    static func replicationTable(_ status: Fields) -> String {
        var lines = [["PEER", "MATCH", "BEHIND"]]
        for (peer, match) in status.replication {
            lines.append(["\(peer)", "\(match)", "\(max(0, status.lastIndex - match))"])
        }
        return TextTable.render(lines)
    }
}

/// Left-aligned columns separated by two spaces; a short row's last cell may overflow.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let columns = rows.filter { $0.count > 1 }.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        // Every cell but a short row's last sets its column's width (a table of unreachable nodes alone has
        // only short rows, whose endpoints are wider than the header's).
        for row in rows where row.count > 1 {
            for (i, cell) in row.enumerated() where row.count == columns || i < row.count - 1 {
                widths[i] = max(widths[i], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 || i >= widths.count
                    ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}

extension Endpoint {
    /// http://127.0.0.1:9324: node 1 of `Scripts/cluster-up`.
    static var localDefault: Endpoint { try! Endpoint(parsing: "http://127.0.0.1:\(sqsPortDefault)") }
}

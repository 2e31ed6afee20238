import ArgumentParser
import FerrySQS

/// `ferry status`: each node's Raft view, from its admin endpoint `GET /_ferry/status`.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each node's role, term, commit and applied index, the leader and per-peer replication.",
        discussion: "Exits with status 1 when no reachable node knows a leader.")

    @Option(help: "The node to ask, when --endpoints is not given.")
    var endpoint: Endpoint = .localDefault

    @Option(help: "Comma-separated nodes to ask, e.g. http://127.0.0.1:9324,http://127.0.0.1:9325,http://127.0.0.1:9326.")
    var endpoints: String?

    @OptionGroup var signing: SigningOptions

    func run() throws {
        try reportingErrors {
            let targets = try endpoints.map { raw throws(CLIError) in try Endpoint.list(raw) } ?? [endpoint]
            let signer = try signing.signer()
            let rows = targets.map { StatusRow.fetch($0, signer: signer) }
            print(StatusRow.table(rows))
            let leaders = Set(rows.compactMap { $0.status?.leader }.filter { $0 != 0 })
            if let leaderRow = rows.first(where: { $0.status?.role == "leader" }) ?? rows.first(where: { $0.status != nil }),
               let status = leaderRow.status, !status.replication.isEmpty {
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
    }

    let endpoint: Endpoint
    let status: Fields?
    let failure: String?

    static func fetch(_ endpoint: Endpoint, signer: SigV4Signer?) -> StatusRow {
        let client = BlockingHTTPClient(endpoint: endpoint, signer: signer)
        do {
            let response = try client.send(method: "GET", path: "/_ferry/status")
            guard response.status == 200 else {
                return StatusRow(endpoint: endpoint, status: nil, failure: AdminRefusal.describe(status: response.status, body: response.body))
            }
            let json = try JSONParser.parse(response.body)
            guard let fields = parse(json) else {
                return StatusRow(endpoint: endpoint, status: nil, failure: "unexpected status JSON")
            }
            return StatusRow(endpoint: endpoint, status: fields, failure: nil)
        } catch let error as CLIError {
            return StatusRow(endpoint: endpoint, status: nil, failure: "\(error)".replacingPrefix("error: ", with: "unreachable: "))
        } catch {
            return StatusRow(endpoint: endpoint, status: nil, failure: "unreachable: \(error)")
        }
    }

    static func parse(_ json: JSONValue) -> Fields? {
        guard let node = json["node"]?.int, let role = json["role"]?.string, let term = json["term"]?.int,
              let commit = json["commit"]?.int, let applied = json["applied"]?.int else { return nil }
        let replication = (json["replication"]?.array ?? []).compactMap { entry -> (Int, Int)? in
            guard let id = entry["id"]?.int, let match = entry["match"]?.int else { return nil }
            return (id, match)
        }
        return Fields(node: node, role: role, term: term, leader: json["leader"]?.int ?? 0, commit: commit,
                      applied: applied, lastIndex: json["last_index"]?.int ?? commit, replication: replication,
                      connectedPeers: (json["connected_peers"]?.array ?? []).compactMap(\.int))
    }

    static func table(_ rows: [StatusRow]) -> String {
        var lines = [["NODE", "ENDPOINT", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED", "LAST", "PEERS UP"]]
        for row in rows {
            guard let s = row.status else {
                lines.append(["?", row.endpoint.text, row.failure ?? "?"])
                continue
            }
            lines.append(["\(s.node)", row.endpoint.text, s.role, "\(s.term)", s.leader == 0 ? "-" : "\(s.leader)",
                          "\(s.commit)", "\(s.applied)", "\(s.lastIndex)",
                          s.connectedPeers.map(String.init).joined(separator: ",")])
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
                i == row.count - 1 || i >= widths.count ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
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

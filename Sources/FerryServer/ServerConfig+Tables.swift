import FerryRaft

/// The parts of the config file a single `ServerConfigKey` entry cannot describe: the `[peers]`,
/// `[clients]` and `[[credentials]]` tables, and `initial_voters`, which must name nodes in `[peers]`.
extension ServerConfig {
    /// `[peers]`: every id positive, every address host:port, this node's among them.
    static func readPeers(_ table: [String: ConfigFile.Value], nodeID: NodeID) throws(ConfigError) -> [NodeID: Address]
    {
        var peers: [NodeID: Address] = [:]
        for (key, value) in table {
            guard let peerID = UInt64(key), peerID > 0 else {
                throw .invalid("peer id '\(key)' must be a positive integer")
            }
            guard case .string(let text) = value else { throw .invalid("peer \(key) must be \"host:port\"") }
            peers[peerID] = try Address(parsing: text)
        }
        guard peers[nodeID] != nil else {
            throw .invalid("[peers] must list this node (\(nodeID)) with its peer address")
        }
        return peers
    }

    /// `[clients]`: http(s) URLs a member address may carry.
    static func readClientURLs(_ table: [String: ConfigFile.Value]) throws(ConfigError) -> [NodeID: String] {
        var clientURLs: [NodeID: String] = [:]
        for (key, value) in table {
            guard let id = UInt64(key), id > 0 else {
                throw .invalid("[clients] id '\(key)' must be a positive integer")
            }
            guard case .string(let url) = value, url.hasPrefix("http://") || url.hasPrefix("https://"),
                MemberAddress(peer: "-", clientURL: url).problem == nil
            else { throw .invalid("[clients] \(key) must be an http:// or https:// URL") }
            clientURLs[id] = url
        }
        return clientURLs
    }

    /// `initial_voters`: ids listed in `[peers]`, at least one; every peer when absent.
    static func readInitialVoters(_ value: ConfigFile.Value?, peers: [NodeID: Address]) throws(ConfigError) -> [NodeID]
    {
        switch value {
        case nil:
            return peers.keys.sorted()
        case .strings(let items)?:
            var voters: [NodeID] = []
            for item in items {
                guard let voter = UInt64(item), peers[voter] != nil else {
                    throw .invalid("initial_voters: '\(item)' is not a node id listed in [peers]")
                }
                voters.append(voter)
            }
            guard !voters.isEmpty else { throw .invalid("initial_voters must name at least one node") }
            return Array(Set(voters)).sorted()
        default:
            throw .invalid("initial_voters must be an array of node ids, e.g. [1, 2, 3]")
        }
    }

    /// `[[credentials]]`, in file order; an entry's account defaults to the top-level `account_id`.
    static func readCredentials(
        _ entries: [[String: ConfigFile.Value]], defaultAccountID: String
    ) throws(ConfigError) -> [Credential] {
        var credentials: [Credential] = []
        for (n, table) in entries.enumerated() {
            for key in table.keys.sorted() where !ServerConfigKey.credentialKeys.contains(key) {
                throw .unknownKey("credentials[\(n)].\(key)")
            }
            guard case .string(let key)? = table["access_key"], !key.isEmpty else {
                throw .missing("credentials[\(n)].access_key")
            }
            guard case .string(let secretKey)? = table["secret_key"], !secretKey.isEmpty else {
                throw .missing("credentials[\(n)].secret_key")
            }
            var account = defaultAccountID
            if case .string(let a)? = table["account_id"] { account = a }
            guard isAccountID(account) else { throw .invalid("credentials[\(n)].account_id must be 12 digits") }
            var admin = false
            switch table["admin"] {
            case nil: break
            case .bool(let value)?: admin = value
            default: throw .invalid("credentials[\(n)].admin must be true or false")
            }
            credentials.append(Credential(accessKey: key, secretKey: secretKey, accountID: account, admin: admin))
        }
        return credentials
    }
}

import FerryRaft
import FerryStorage

/// ferryd's configuration: one node of a cluster. Read from a config file (every key, with its default and
/// range, is declared in ServerConfigKeys.swift), then overridden by command-line flags.
public struct ServerConfig: Equatable, Sendable {
    public struct Address: Equatable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { "\(host):\(port)" }

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public init(parsing text: String) throws(ConfigError) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (1...65535).contains(port), colon > text.startIndex
            else { throw ConfigError.invalid("'\(text)' is not host:port") }
            host = String(text[..<colon])
            self.port = port
        }
    }

    public struct Credential: Equatable, Sendable {
        public var accessKey: String
        public var secretKey: String
        /// The 12-digit account the key acts as; queues live under an account.
        public var accountID: String
        /// May call the mutating `/_ferry/` admin endpoints (membership, leadership) when auth is sigv4.
        public var admin: Bool = false
    }

    public enum AuthMode: String, Sendable { case sigv4, off }

    public var nodeID: NodeID
    public var dataDirectory: String
    /// The address book: every node this node may talk to (this node included), with its peer address.
    /// The mesh dials all of them, so a node that may join later is listed here before it starts
    /// (an absent one is just redialled with backoff).
    public var peers: [NodeID: Address]
    /// `[clients]`: nodes' SQS/admin base URLs (each node's own, not a load balancer's), for the replicated
    /// member list a brand-new cluster starts with, so `ferry status` can reach every member from one. Optional.
    public var clientURLs: [NodeID: String]
    /// The voters a brand-new cluster bootstraps with (default: every node in `peers`). Only read when
    /// the data directory is empty; afterwards the configuration comes from the replicated log.
    public var initialVoters: [NodeID]
    /// Bootstrap with an empty configuration and wait to be added (`ferry members add ID`), instead of
    /// forming a cluster with `initialVoters`. Only read when the data directory is empty.
    public var join: Bool
    public var clientListen: Address
    /// The base of every queue URL, identical on every node (a load balancer or DNS name in production).
    public var advertisedURL: String
    public var clusterSecret: String
    /// Which of the flag, the environment, the secret file or the config value gave `clusterSecret`.
    public var clusterSecretSource: ClusterSecretSource
    public var region: String
    public var auth: AuthMode
    public var credentials: [Credential]
    /// The account used when auth is off.
    public var defaultAccountID: String
    public var tickMs: Int
    public var heartbeatIntervalTicks: Int
    public var electionTimeoutTicks: Int
    public var snapshotIntervalEntries: Int
    /// Keep the log's next segment zero-filled ahead of need (`StorageOptions.preallocateSegments`); off for
    /// copy-on-write file systems such as ZFS or btrfs, which gain nothing from it.
    public var preallocateSegments: Bool
    /// SigV4 clock skew allowed, in seconds (SQS allows 15 minutes).
    public var signatureSkewSeconds: Int
    /// A request whose head or body is still arriving after this long is answered 408 and its connection
    /// closed (slow clients, slow-loris).
    public var requestTimeoutSeconds: Int
    /// Bytes of requests still arriving, across every client connection: none of them is authenticated
    /// yet (SigV4 covers the whole body). Beyond it, the connection whose bytes would exceed it gets 503 and
    /// is closed, so unauthenticated clients cannot hold more than this much of the node's memory.
    public var unfinishedRequestBytesMax: Int
    /// How long a client's write may wait for a leader this node does not know, before 503 (it was never
    /// proposed, so the retry is safe). A write already sent to a leader that then vanished waits out
    /// `commandTimeoutSeconds` instead, since it may have been applied.
    public var leaderWaitMs: Int
    /// How long a client's write may take in all before 503 (outcome unknown: it may have been applied).
    public var commandTimeoutSeconds: Int

    /// Serve `/metrics` and record metrics at all (off only to measure what they cost).
    public var metricsEnabled: Bool
    /// A second, plain-HTTP listener serving only `GET /metrics`, with no authentication: bind it to an
    /// internal interface. nil (the default): none.
    public var metricsListen: Address?
    /// With auth = sigv4, `GET /metrics` on the client port needs `Authorization: Bearer <this token>`
    /// (read from `metrics_bearer_token_file`, surrounding whitespace dropped), unless `metricsPublic`.
    public var metricsBearerToken: String?
    /// With auth = sigv4, let anyone scrape `/metrics` on the client port.
    public var metricsPublic: Bool
    /// Queues that get a `queue` label of their own; the rest share "other".
    public var metricsQueuesMax: Int

    public var peerListen: Address { peers[nodeID]! }

    /// The configuration a brand-new cluster starts from: `initialVoters`, each with its `[peers]` address and
    /// `[clients]` URL, so they are replicated from the first entry on. Empty for a node that joins.
    public var bootstrapConfiguration: Configuration {
        guard !join else { return .empty }
        var addresses: [NodeID: MemberAddress] = [:]
        for voter in initialVoters {
            let address = MemberAddress(peer: "\(peers[voter]!)", clientURL: clientURLs[voter] ?? "")
            if address.problem == nil { addresses[voter] = address }
        }
        return Configuration(voters: initialVoters, addresses: addresses)
    }

    public enum ConfigError: Error, Equatable, CustomStringConvertible {
        case missing(String)
        case invalid(String)
        case unknownKey(String)
        case syntax(ConfigFile.ParseError)
        public var description: String {
            switch self {
            case .missing(let key): return "missing required setting '\(key)'"
            case .invalid(let why): return "invalid setting: \(why)"
            case .unknownKey(let key): return "unknown setting '\(key)' (a typo?)"
            case .syntax(let error): return "config syntax error at \(error)"
            }
        }
    }

    /// Builds the configuration from a parsed file, with `overrides` (from flags, by the same key names)
    /// taking precedence. `environment` is the process's: only `FERRY_CLUSTER_SECRET` is read from it.
    /// Each key's kind, default and range come from its `ServerConfigKey`; the rules across keys are here.
    public init(
        file: ConfigFile, overrides: [String: String] = [:], environment: [String: String] = [:]
    ) throws(ConfigError) {
        typealias Key = ServerConfigKey
        var root = file.root
        let flagSecret = overrides[Key.clusterSecret.name]
        for (key, value) in overrides {
            if let number = Int64(value) {
                root[key] = .integer(number)
            } else {
                root[key] = .string(value)
            }
        }
        try ServerConfigReader(root: root).checkNoUnknownKeys()
        let tables = Set(Key.all.filter { $0.kind == .table }.map(\.name))
        let arrays = Set(Key.all.filter { $0.kind == .arrayOfTables }.map(\.name))
        for table in file.tables.keys.sorted() where !tables.contains(table) { throw .unknownKey("[\(table)]") }
        for array in file.arrays.keys.sorted() where !arrays.contains(array) { throw .unknownKey("[[\(array)]]") }
        root[Key.clusterSecret.name] = file.root[Key.clusterSecret.name]  // the flag's value is a source of its own
        let settings = ServerConfigReader(root: root)

        nodeID = try settings.nodeID(Key.nodeID)
        dataDirectory = try settings.requiredString(Key.dataDir)

        peers = try Self.readPeers(file.tables[Key.peers.name] ?? [:], nodeID: nodeID)
        clientURLs = try Self.readClientURLs(file.tables[Key.clients.name] ?? [:])
        initialVoters = try Self.readInitialVoters(root[Key.initialVoters.name], peers: peers)
        join = try settings.boolean(Key.join)

        clientListen = try settings.requiredAddress(Key.clientListen)
        advertisedURL = try settings.url(Key.advertisedURL, derived: "http://\(clientListen)")
        let (secret, secretSource) = try ClusterSecretSource.resolve(
            flag: flagSecret, environment: environment[ClusterSecretSource.environmentVariable],
            filePath: try settings.string(Key.clusterSecretFile), configValue: try settings.string(Key.clusterSecret))
        guard !secret.isEmpty else { throw .missing(Key.clusterSecret.name) }
        guard secret.count >= 16 else {
            throw .invalid("the cluster secret (from \(secretSource)) must be at least 16 characters")
        }
        clusterSecret = secret
        clusterSecretSource = secretSource
        region = try settings.requiredString(Key.region)
        auth = try settings.choice(Key.auth)
        defaultAccountID = try settings.accountID(Key.accountID)

        credentials = try Self.readCredentials(
            file.arrays[Key.credentials.name] ?? [], defaultAccountID: defaultAccountID)
        if auth == .sigv4 && credentials.isEmpty {
            throw .invalid(
                "auth = \"sigv4\" needs at least one [[credentials]] entry (or set auth = \"off\" for local development)"
            )
        }

        tickMs = try settings.integer(Key.tickMs)
        heartbeatIntervalTicks = try settings.integer(Key.heartbeatTicks)
        electionTimeoutTicks = try settings.integer(Key.electionTimeoutTicks)
        guard electionTimeoutTicks > heartbeatIntervalTicks else {
            throw .invalid("election_timeout_ticks must exceed heartbeat_ticks")
        }
        snapshotIntervalEntries = try settings.integer(Key.snapshotIntervalEntries)
        preallocateSegments = try settings.boolean(Key.preallocateSegments)
        signatureSkewSeconds = try settings.integer(Key.signatureSkewSeconds)
        requestTimeoutSeconds = try settings.integer(Key.requestTimeoutSeconds)
        unfinishedRequestBytesMax = try settings.integer(Key.unfinishedRequestBytesMax)
        leaderWaitMs = try settings.integer(Key.leaderWaitMs)
        commandTimeoutSeconds = try settings.integer(Key.commandTimeoutSeconds)
        guard leaderWaitMs <= commandTimeoutSeconds * 1000 else {
            throw .invalid("leader_wait_ms must not exceed command_timeout_seconds")
        }
        metricsEnabled = try settings.boolean(Key.metrics)
        metricsListen = try settings.address(Key.metricsListen)
        metricsPublic = try settings.boolean(Key.metricsPublic)
        metricsQueuesMax = try settings.integer(Key.metricsQueuesMax)
        metricsBearerToken = nil
        if let path = try settings.string(Key.metricsBearerTokenFile) {
            metricsBearerToken = try Self.readBearerToken(path: path)
        }
    }

    /// The token a scraper must present, from its file; at least 16 characters, so it is not guessable.
    static func readBearerToken(path: String) throws(ConfigError) -> String {
        var token = Substring(try ClusterSecretSource.readSecretFile(path, setting: "metrics_bearer_token_file"))
        while token.first?.isWhitespace == true { token.removeFirst() }
        while token.last?.isWhitespace == true { token.removeLast() }
        // A bearer token is sent in a header: printable ASCII, no spaces (RFC 6750's b64token is stricter).
        guard token.utf8.count >= 16, token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalid(
                "metrics_bearer_token_file: the token in \(path) must be at least 16 printable ASCII characters with no spaces"
            )
        }
        return String(token)
    }

    static func isAccountID(_ text: String) -> Bool {
        text.count == 12 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

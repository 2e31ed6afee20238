/// Every setting of ferryd's config file, in the order docs/configuration.md lists them.
///
/// The kind, default and range here are the ones `ServerConfig.init` applies. What a single entry cannot say
/// stays explicit code in `ServerConfig.init`, each rule's text in the entry's `rule` for the docs:
/// - `election_timeout_ticks` > `heartbeat_ticks`; `leader_wait_ms` ≤ `command_timeout_seconds` × 1000;
/// - `[peers]` must list `node_id`; `initial_voters` must be ids listed in `[peers]`;
/// - `[clients]` entries are URLs; `[[credentials]]` entries (`credentialKeys`), at least one with sigv4;
/// - the cluster secret's sources and their precedence (ClusterSecretSource.swift), and its length;
/// - `advertised_url`'s default from `client_listen`; the bearer token file's contents.
extension ServerConfigKey {
    public static let all: [ServerConfigKey] = [
        nodeID, dataDir, clientListen, advertisedURL, peers, clients, initialVoters, join,
        clusterSecret, clusterSecretFile, auth, region, accountID, signatureSkewSeconds, credentials,
        tickMs, heartbeatTicks, electionTimeoutTicks, snapshotIntervalEntries, preallocateSegments,
        leaderWaitMs, commandTimeoutSeconds, requestTimeoutSeconds, unfinishedRequestBytesMax,
        metrics, metricsListen, metricsBearerTokenFile, metricsPublic, metricsQueuesMax,
    ]

    /// The keys of one `[[credentials]]` entry (described in `credentials`' help).
    static let credentialKeys: Set<String> = ["access_key", "secret_key", "account_id", "admin"]

    // MARK: Node and cluster

    public static let nodeID = ServerConfigKey(
        "node_id", .node, .nodeID, default: .required, flag: Flag(),
        "This node's id.", details: "Must appear in `[peers]`.")
    public static let dataDir = ServerConfigKey(
        "data_dir", .node, .path, default: .required, flag: Flag(),
        "The node's durable log, hard state and snapshots.",
        details: "One per node; never shared, never copied into another node.")
    public static let clientListen = ServerConfigKey(
        "client_listen", .node, .address, default: .required, flag: Flag(),
        "Where the SQS API (HTTP/1.1) and the `/_ferry/` admin endpoints listen.")
    public static let advertisedURL = ServerConfigKey(
        "advertised_url", .node, .url, default: .derived("`http://<client_listen>`"), flag: Flag(),
        "The base of every queue URL.",
        details:
            "Set it to the same load-balancer or DNS name on every node: queue URLs must be identical whichever node answered."
    )
    static let peers = ServerConfigKey(
        "peers", .node, .table, default: .required,
        rule: "one `id = \"host:port\"` per node, ids positive, this node's among them",
        "Peer (Raft) addresses, this node included.",
        details:
            "A brand-new cluster puts the `initial_voters`' addresses into its replicated configuration; from then on nodes dial every member at the address the replicated configuration records (`ferry members add ID --peer-address`, `ferry members update`), and `[peers]` only fills in a member that has none there (a cluster whose log predates replicated addresses) and gives a node started with `join = true` someone to dial until it is added. A node added with `--peer-address` need not be listed anywhere but in its own file. Hosts may be IP literals or DNS names."
    )
    static let clients = ServerConfigKey(
        "clients", .node, .table, default: .none, rule: "one `id = \"http://host:port\"` per node",
        "Each founding node's own SQS/admin URL (not the load balancer's), so `ferry status` reaches every member from one endpoint.",
        details:
            "Replicated with the node's peer address. Read only when `data_dir` is empty; afterwards `ferry members update ID --client-url URL`."
    )
    static let initialVoters = ServerConfigKey(
        "initial_voters", .node, .nodeIDs, default: .derived("every id in `[peers]`"),
        rule: "each listed in `[peers]`, at least one",
        "The voters a brand-new cluster starts with.",
        details: "Read only when `data_dir` is empty; afterwards the membership comes from the replicated log.")
    public static let join = ServerConfigKey(
        "join", .node, .boolean, default: .boolean(false), flag: Flag(takesValue: false),
        "Start with no members and wait to be added (`ferry members add ID`) instead of bootstrapping with `initial_voters`.",
        details: "Read only when `data_dir` is empty.")

    // MARK: Secrets and authentication

    public static let clusterSecret = ServerConfigKey(
        "cluster_secret", .secrets, .string, default: .derived("required (one of three sources)"),
        rule: "at least 16 characters",
        flag: Flag(
            note:
                "Visible in `ps` to every local user: prefer $\(ClusterSecretSource.environmentVariable) or cluster_secret_file."
        ),
        "Authenticates peers to each other and keys the MAC in every receipt handle; the same on every node.",
        details: "Peers prove they know it by HMAC challenge-response; it is never sent.")
    static let clusterSecretFile = ServerConfigKey(
        "cluster_secret_file", .secrets, .path, default: .none,
        rule: "a readable file of at most \(groupedDigits(ClusterSecretSource.fileBytesMax)) bytes, UTF-8, not empty",
        "A file holding the cluster secret (mode 0400); trailing line breaks are dropped.",
        details: "Give either this or `cluster_secret`, not both.")
    public static let auth = ServerConfigKey(
        "auth", .secrets, .choice(["sigv4", "off"]), default: .string("sigv4"), flag: Flag(),
        "`sigv4`: every SQS request must be signed by a key in `[[credentials]]`; `off`: everything is accepted, admin endpoints included (local development only).",
        details: "With `sigv4` the admin endpoints are restricted (see [operations.md](operations.md#admin-endpoints))."
    )
    static let region = ServerConfigKey(
        "region", .secrets, .string, default: .string("us-east-1"),
        "The region in queue ARNs and SigV4 credential scopes.",
        details:
            "A signature scoped to another region gets 403 `SignatureDoesNotMatch` (\"Credential should be scoped to a valid region\")."
    )
    static let accountID = ServerConfigKey(
        "account_id", .secrets, .accountID, default: .string("000000000000"),
        "The one account this cluster serves: queue URLs and ARNs carry it, and it is the account used when auth is off.",
        details: "A request signed by a key of another account is refused (403 `AccessDenied`).")
    static let signatureSkewSeconds = ServerConfigKey(
        "signature_skew_seconds", .secrets, .integer(1...86_400), default: .integer(900),
        "Clock difference allowed between a signed request and the node (SQS allows 15 minutes).")
    static let credentials = ServerConfigKey(
        "credentials", .secrets, .arrayOfTables, default: .derived("none (at least one with `auth = \"sigv4\"`)"),
        rule:
            "each with `access_key` and `secret_key` (both required), `account_id` (default: the top-level `account_id`; 12 digits), `admin` (default `false`)",
        "One entry per access key.",
        details:
            "`admin = true` lets the key change the membership and move the leader; give operators keys of their own.")

    // MARK: Raft and storage

    public static let tickMs = ServerConfigKey(
        "tick_ms", .raft, .integer(1...1000), default: .integer(10), flag: Flag(),
        "One Raft tick.", details: "Every timeout inside the node is a whole number of ticks.")
    static let heartbeatTicks = ServerConfigKey(
        "heartbeat_ticks", .raft, .integer(1...1000), default: .integer(5),
        "The leader's heartbeat interval (50 ms by default).")
    static let electionTimeoutTicks = ServerConfigKey(
        "election_timeout_ticks", .raft, .integer(2...10_000), default: .integer(15),
        rule: "more than `heartbeat_ticks`",
        "A follower that hears no leader for a random time between this and twice this (150-300 ms by default) campaigns."
    )
    static let snapshotIntervalEntries = ServerConfigKey(
        "snapshot_interval_entries", .raft, .integer(10...100_000_000), default: .integer(10_000),
        "Snapshot the queue state and compact the log after at least this many entries.",
        details:
            "And only once the commands applied since the last snapshot add up to that snapshot's size, so a large backlog is not rewritten every 10,000 entries."
    )
    static let preallocateSegments = ServerConfigKey(
        "preallocate_segments", .raft, .boolean, default: .boolean(true),
        "Keep the log's next 64 MiB segment zero-filled in the background, so appends fsync without growing the file.",
        details: "Costs one segment of disk. Set `false` on copy-on-write file systems (ZFS, btrfs).")

    // MARK: Clients and timeouts

    static let leaderWaitMs = ServerConfigKey(
        "leader_wait_ms", .clients, .integer(0...600_000), default: .integer(2_000),
        rule: "at most `command_timeout_seconds` × 1000",
        "A write that finds no leader (the node is cut off, or an election is running) waits this long, then gets 503.",
        details: "It was never proposed, so the SDK's retry is safe.")
    static let commandTimeoutSeconds = ServerConfigKey(
        "command_timeout_seconds", .clients, .integer(1...3_600), default: .integer(10),
        "A write already sent to a leader that then vanished gets 503 this long after it arrived.",
        details: "It may have been applied (FIFO sends carry dedup ids; standard queues are at-least-once).")
    static let requestTimeoutSeconds = ServerConfigKey(
        "request_timeout_seconds", .clients, .integer(1...3_600), default: .integer(30),
        "A request whose head or body is still arriving after this long gets 408 and its connection is closed.",
        details: "Slow clients and slow-loris hold nothing longer.")
    static let unfinishedRequestBytesMax = ServerConfigKey(
        "unfinished_request_bytes_max", .clients, .integer((16 << 20)...(64 << 30), bytes: true),
        default: .integer(128 << 20),
        "Bytes of requests still arriving, over all client connections; the connection that would exceed it gets 503 and is closed.",
        details: "None of them is authenticated yet: SigV4 covers the whole body.")

    // MARK: Metrics

    public static let metrics = ServerConfigKey(
        "metrics", .metrics, .boolean, default: .boolean(true), flag: Flag(),
        "Collect and serve Prometheus metrics at `GET /metrics`; `false` records nothing.",
        details: "What each metric means: [metrics.md](metrics.md).")
    static let metricsListen = ServerConfigKey(
        "metrics_listen", .metrics, .address, default: .none,
        "A second, plain-HTTP listener that serves only `/metrics`, unauthenticated: bind it to an internal interface.")
    static let metricsBearerTokenFile = ServerConfigKey(
        "metrics_bearer_token_file", .metrics, .path, default: .none,
        rule:
            "a readable file; the token, surrounding whitespace dropped, at least 16 printable ASCII characters with no spaces",
        "With `auth = \"sigv4\"`, `/metrics` on the SQS port needs `Authorization: Bearer <token>`, else 401.")
    static let metricsPublic = ServerConfigKey(
        "metrics_public", .metrics, .boolean, default: .boolean(false),
        "With `auth = \"sigv4\"`, serve `/metrics` on the SQS port to anyone.",
        details: "With neither this nor a token, it answers 403.")
    static let metricsQueuesMax = ServerConfigKey(
        "metrics_queues_max", .metrics, .integer(0...10_000), default: .integer(100),
        "Queues with series of their own; the rest share `queue=\"other\"`.")
}

/// `134,217,728` for 134217728.
func groupedDigits(_ number: Int) -> String {
    var digits = String(number.magnitude)
    var grouped = ""
    while digits.count > 3 {
        grouped = "," + digits.suffix(3) + grouped
        digits.removeLast(3)
    }
    return (number < 0 ? "-" : "") + digits + grouped
}

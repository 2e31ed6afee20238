/// One setting of ferryd's config file: its name, type, default, range, help and flag, declared once in
/// `ServerConfigKey.all` (ServerConfigKeys.swift). `ServerConfig.init` reads each key through
/// `ServerConfigReader`, which takes the default and the range from here; `ferryd --help`, the key tables of
/// docs/configuration.md and the checks on cluster/local/*.toml come from the same entries.
public struct ServerConfigKey: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A whole number in the range; `bytes` renders sizes in MiB/GiB for people.
        case integer(ClosedRange<Int>, bytes: Bool = false)
        case boolean
        case string
        /// A string that must be one of these.
        case choice([String])
        /// `host:port`.
        case address
        /// An `http://` or `https://` URL; trailing `/` dropped.
        case url
        /// Twelve digits.
        case accountID
        /// A positive integer.
        case nodeID
        /// An array of node ids.
        case nodeIDs
        /// A file's path.
        case path
        /// A `[name]` table, read by explicit code in `ServerConfig.init`.
        case table
        /// A `[[name]]` array of tables, read by explicit code in `ServerConfig.init`.
        case arrayOfTables
    }

    /// What an absent key means.
    public enum Default: Sendable, Equatable {
        case required
        /// Absent is a state of its own (no listener, no file).
        case none
        case integer(Int)
        case boolean(Bool)
        case string(String)
        /// Computed from other settings, in `ServerConfig.init`; the text says how.
        case derived(String)
    }

    /// The groups docs/configuration.md lists the keys in.
    public enum Section: String, Sendable, CaseIterable {
        case node = "Node and cluster"
        case secrets = "Secrets and authentication"
        case raft = "Raft and storage"
        case clients = "Clients and timeouts"
        case metrics = "Metrics"
    }

    /// A ferryd flag that overrides the key: `--` and the key's name with `-` for `_`.
    public struct Flag: Sendable, Equatable {
        /// false: a switch that sets the key to true (`--join`), rather than `--name VALUE`.
        public var takesValue = true
        /// Said after the key's help in `ferryd --help` and docs/configuration.md.
        public var note: String?
    }

    public let name: String
    public let section: Section
    public let kind: Kind
    public let defaultValue: Default
    /// One line: what the key is for. The example config's comments and `ferryd --help` say this.
    public let help: String
    /// More for docs/configuration.md, after `help`.
    public let details: String?
    /// A rule beyond the kind (a cross-key rule checked in `ServerConfig.init`, a file's limits), for the docs.
    public let rule: String?
    public let flag: Flag?

    init(
        _ name: String, _ section: Section, _ kind: Kind, default defaultValue: Default, rule: String? = nil,
        flag: Flag? = nil, _ help: String, details: String? = nil
    ) {
        self.name = name
        self.section = section
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.details = details
        self.rule = rule
        self.flag = flag
    }

    /// `--tick-ms` for `tick_ms`.
    public var flagName: String { name.replacingUnderscoresWithDashes() }

    /// What `ferryd --help` says of the key's flag (plain text: no Markdown backticks).
    public var flagHelp: String {
        ["Override \(name): \(help)", flag?.note].compactMap { $0 }.joined(separator: " ").withoutBackticks()
    }

    /// Whether the key is a `[table]` or `[[array]]` rather than a top-level `key = value`.
    public var isTable: Bool { kind == .table || kind == .arrayOfTables }
}

extension String {
    func replacingUnderscoresWithDashes() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }

    /// Markdown's code marks dropped, for a terminal.
    func withoutBackticks() -> String {
        String(filter { $0 != "`" })
    }
}

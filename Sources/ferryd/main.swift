import ArgumentParser
import FerryServer
import Foundation
import Logging

/// ferryd: one node of a Ferry cluster.
struct FerryDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferryd",
        abstract: "Run one node of a Ferry cluster (SQS API, Raft-replicated, fsynced on a majority).",
        discussion: """
            Settings come from --config (cluster/local/node1.toml shows every key; docs/configuration.md explains \
            them); flags override it, and \(ClusterSecretSource.environmentVariable) overrides the file's cluster secret.

            \(Key.helpText())
            """)

    typealias Key = ServerConfigKey

    @Option(help: "Path of the node's config file.")
    var config: String

    // Each flag's name and help come from its key's entry (ServerConfigKeys.swift).
    @Option(name: .customLong(Key.nodeID.flagName), help: .init(Key.nodeID.flagHelp)) var nodeId: Int?
    @Option(name: .customLong(Key.dataDir.flagName), help: .init(Key.dataDir.flagHelp)) var dataDir: String?
    @Option(name: .customLong(Key.clientListen.flagName), help: .init(Key.clientListen.flagHelp)) var clientListen:
        String?
    @Option(name: .customLong(Key.advertisedURL.flagName), help: .init(Key.advertisedURL.flagHelp)) var advertisedUrl:
        String?
    @Option(name: .customLong(Key.clusterSecret.flagName), help: .init(Key.clusterSecret.flagHelp)) var clusterSecret:
        String?
    @Option(name: .customLong(Key.auth.flagName), help: .init(Key.auth.flagHelp)) var auth: String?
    @Option(name: .customLong(Key.tickMs.flagName), help: .init(Key.tickMs.flagHelp)) var tickMs: Int?
    @Option(name: .customLong(Key.metrics.flagName), help: .init(Key.metrics.flagHelp)) var metrics: Bool?
    @Flag(name: .customLong(Key.join.flagName), help: .init(Key.join.flagHelp)) var join = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    /// Every key's flag with its value, nil when not given.
    var flagValues: [(key: ServerConfigKey, value: String?)] {
        [
            (Key.nodeID, nodeId.map(String.init)), (Key.dataDir, dataDir), (Key.clientListen, clientListen),
            (Key.advertisedURL, advertisedUrl), (Key.clusterSecret, clusterSecret), (Key.auth, auth),
            (Key.tickMs, tickMs.map(String.init)), (Key.metrics, metrics.map(String.init)),
            (Key.join, join ? "true" : nil),
        ]
    }

    /// The flags given, by the keys they override.
    var overrides: [String: String] {
        var overrides: [String: String] = [:]
        for case let (key, value?) in flagValues { overrides[key.name] = value }
        return overrides
    }

    func validate() throws {
        // A key the table gives a flag to must have one here, and no other: this fails on every start.
        let declared = ServerConfigKey.all.filter { $0.flag != nil }.map(\.name).sorted()
        let here = flagValues.map(\.key.name).sorted()
        guard here == declared else {
            throw ValidationError("ferryd's flags \(here) differ from the config table's \(declared)")
        }
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: config, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read config file \(config): \(error.localizedDescription)")
        }
        let settings: ServerConfig
        do {
            settings = try ServerConfig(
                file: try ConfigFile(parsing: text), overrides: overrides,
                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(config): \(error)")
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \(logLevel)")
        }
        LoggingSystem.bootstrap { label in
            var handler = LogLineHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ferryd")
        if settings.auth == .off {
            logger.warning(
                "auth = off: requests are not authenticated, admin endpoints included (local development only)")
        } else if !settings.credentials.contains(where: \.admin) {
            logger.notice("no [[credentials]] entry has admin = true: membership and leadership changes are refused")
        }
        logger.info("cluster secret loaded", metadata: ["from": "\(settings.clusterSecretSource)"])
        if settings.clusterSecretSource == .flag {
            logger.notice(
                "the cluster secret came from --cluster-secret, which ps shows to every local user: prefer \(ClusterSecretSource.environmentVariable) or cluster_secret_file"
            )
        }
        do {
            let server = try Server(config: settings, logger: logger)
            try server.run()
        } catch let error as ServerError {
            // Restarting the same binary cannot help until an operator acts, so the exit status tells a
            // supervisor not to (cluster/ferryd.service).
            switch error {
            case .storage:
                logger.critical(
                    "ferryd stopped: the durable log failed; fix the disk, then start the node again",
                    metadata: ["error": "\(error)", "exit_status": "\(Self.storageFailureExitStatus)"])
                throw ExitCode(Self.storageFailureExitStatus)
            case .incompatibleLog:
                logger.critical(
                    "ferryd stopped: the log holds a command this build cannot apply; start a newer ferryd",
                    metadata: ["error": "\(error)", "exit_status": "\(Self.incompatibleLogExitStatus)"])
                throw ExitCode(Self.incompatibleLogExitStatus)
            }
        } catch {
            logger.critical("ferryd stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

extension FerryDaemon {
    /// sysexits.h's EX_IOERR: the node's storage failed. `RestartPreventExitStatus=74` in the systemd unit.
    static let storageFailureExitStatus: Int32 = 74
    /// sysexits.h's EX_PROTOCOL: a committed command written by a newer ferryd. Also in
    /// `RestartPreventExitStatus`: the same binary would stop at the same entry again.
    static let incompatibleLogExitStatus: Int32 = 76
}

FerryDaemon.main()

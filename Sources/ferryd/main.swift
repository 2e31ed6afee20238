import ArgumentParser
import FerryServer
import Foundation
import Logging

/// ferryd: one node of a Ferry cluster.
struct FerryDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferryd",
        abstract: "Run one node of a Ferry cluster (SQS API, Raft-replicated, fsynced on a majority).",
        discussion: "Settings come from --config (see cluster/local/node1.toml for every key); flags override it.")

    @Option(help: "Path of the node's config file.")
    var config: String

    @Option(help: "Override node_id.") var nodeId: Int?
    @Option(help: "Override data_dir.") var dataDir: String?
    @Option(help: "Override client_listen (host:port of the SQS API).") var clientListen: String?
    @Option(help: "Override advertised_url.") var advertisedUrl: String?
    @Option(help: "Override cluster_secret. Visible in `ps` to every local user: prefer $FERRY_CLUSTER_SECRET or cluster_secret_file.")
    var clusterSecret: String?
    @Option(help: "Override auth (sigv4 or off).") var auth: String?
    @Option(help: "Override tick_ms.") var tickMs: Int?
    @Option(help: "Override metrics (true or false): false serves no /metrics and records nothing.") var metrics: Bool?
    @Flag(help: "Join an existing cluster: start with no members and wait to be added (`ferry members add ID`). Only matters for an empty data_dir.")
    var join = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: config, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read config file \(config): \(error.localizedDescription)")
        }
        var overrides: [String: String] = [:]
        if let nodeId { overrides["node_id"] = String(nodeId) }
        if let dataDir { overrides["data_dir"] = dataDir }
        if let clientListen { overrides["client_listen"] = clientListen }
        if let advertisedUrl { overrides["advertised_url"] = advertisedUrl }
        if let clusterSecret { overrides["cluster_secret"] = clusterSecret }
        if let auth { overrides["auth"] = auth }
        if let tickMs { overrides["tick_ms"] = String(tickMs) }
        if let metrics { overrides["metrics"] = String(metrics) }
        if join { overrides["join"] = "true" }
        let settings: ServerConfig
        do {
            settings = try ServerConfig(file: try ConfigFile(parsing: text), overrides: overrides,
                                        environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(config): \(error)")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level \(logLevel)") }
        LoggingSystem.bootstrap { label in
            var handler = LogLineHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ferryd")
        if settings.auth == .off {
            logger.warning("auth = off: requests are not authenticated, admin endpoints included (local development only)")
        } else if !settings.credentials.contains(where: \.admin) {
            logger.notice("no [[credentials]] entry has admin = true: membership and leadership changes are refused")
        }
        logger.info("cluster secret loaded", metadata: ["from": "\(settings.clusterSecretSource)"])
        if settings.clusterSecretSource == .flag {
            logger.notice("the cluster secret came from --cluster-secret, which ps shows to every local user: prefer \(ClusterSecretSource.environmentVariable) or cluster_secret_file")
        }
        do {
            let server = try Server(config: settings, logger: logger)
            try server.run()
        } catch let error as ServerError {
            // Restarting the same binary cannot help until an operator acts, so the exit status tells a
            // supervisor not to (cluster/ferryd.service).
            switch error {
            case .storage:
                logger.critical("ferryd stopped: the durable log failed; fix the disk, then start the node again",
                                metadata: ["error": "\(error)", "exit_status": "\(Self.storageFailureExitStatus)"])
                throw ExitCode(Self.storageFailureExitStatus)
            case .incompatibleLog:
                logger.critical("ferryd stopped: the log holds a command this build cannot apply; start a newer ferryd",
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

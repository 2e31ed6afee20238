#if canImport(Glibc)
import Glibc
#endif

/// Where the cluster secret came from. A flag shows in `ps` to every user of the machine, so
/// docs/configuration.md recommends the environment variable or the file.
///
/// Precedence, highest first, as for every other setting (flags override the environment, which overrides
/// the file): `--cluster-secret`, then `FERRY_CLUSTER_SECRET`, then the config file's `cluster_secret_file`
/// or `cluster_secret`. The config file may name only one of its two keys: a file with both is refused,
/// since which one was meant cannot be known.
public enum ClusterSecretSource: Equatable, Sendable, CustomStringConvertible {
    case flag
    case environment
    case file(path: String)
    case configValue

    public static let environmentVariable = "FERRY_CLUSTER_SECRET"
    /// A secret file larger than this is the wrong file (a key pair, a log), not a secret.
    public static let fileBytesMax = 4096

    public var description: String {
        switch self {
        case .flag: return "--cluster-secret"
        case .environment: return Self.environmentVariable
        case .file(let path): return "cluster_secret_file \(path)"
        case .configValue: return "cluster_secret"
        }
    }

    /// The secret and its source, from the candidates in precedence order. Length rules are the caller's.
    static func resolve(
        flag: String?, environment: String?, filePath: String?,
        configValue: String?
    ) throws(ServerConfig.ConfigError) -> (secret: String, source: ClusterSecretSource) {
        if filePath != nil && configValue != nil {
            throw .invalid("set either cluster_secret or cluster_secret_file, not both")
        }
        if let flag { return (flag, .flag) }
        if let environment {
            guard !environment.isEmpty else { throw .invalid("\(environmentVariable) is set but empty") }
            return (environment, .environment)
        }
        if let filePath { return (try readSecretFile(filePath), .file(path: filePath)) }
        if let configValue { return (configValue, .configValue) }
        throw .missing("cluster_secret (or cluster_secret_file, or \(environmentVariable) in the environment)")
    }

    /// The file's bytes as UTF-8 with trailing line breaks removed (`echo secret > file` adds one).
    /// `setting` names the config key in errors.
    static func readSecretFile(
        _ path: String, setting: String = "cluster_secret_file"
    ) throws(ServerConfig.ConfigError) -> String {
        guard !path.isEmpty else { throw .invalid("\(setting) is empty") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .invalid("\(setting) \(path): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: fileBytesMax + 1)
        while bytes.count <= fileBytesMax {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .invalid("\(setting) \(path): cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        guard bytes.count <= fileBytesMax else {
            throw .invalid("\(setting) \(path) is larger than \(fileBytesMax) bytes: not a secret file")
        }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw .invalid("\(setting) \(path) is empty") }
        guard let secret = String(validating: bytes, as: UTF8.self) else {
            throw .invalid("\(setting) \(path) is not UTF-8 text")
        }
        return secret
    }
}

import XCTest

@testable import FerryServer

#if canImport(Glibc)
import Glibc
#endif

/// `admin = true` on credentials, and where the cluster secret comes from: `--cluster-secret` >
/// FERRY_CLUSTER_SECRET > the config file's `cluster_secret_file` or `cluster_secret` (one of the two).
final class ClusterSecretAndAdminConfigTests: XCTestCase {
    static let sample = ServerConfigTests.sample
    static let fileSecret = "secret-from-the-secret-file"
    static let envSecret = "secret-from-the-environment"
    static let flagSecret = "secret-from-the-command-line"
    static let configSecret = "a-long-enough-cluster-secret"

    var directory = ""
    var written: [String] = []

    override func setUpWithError() throws {
        var template = Array("/tmp/ferry-secret-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw XCTSkip("mkdtemp failed") }
        directory = String(cString: made)
    }

    override func tearDown() {
        for path in written { unlink(path) }
        rmdir(directory)
    }

    func write(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) -> String {
        let path = directory + "/" + name
        written.append(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        XCTAssertGreaterThanOrEqual(fd, 0)
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return path
    }

    /// The sample with its `cluster_secret` line replaced by `line` (empty: no secret in the file).
    func config(
        secretLine line: String, overrides: [String: String] = [:],
        environment: [String: String] = [:]
    ) throws -> ServerConfig {
        let text = Self.sample.replacingOccurrences(of: "cluster_secret = \"\(Self.configSecret)\"", with: line)
        return try ServerConfig(file: try ConfigFile(parsing: text), overrides: overrides, environment: environment)
    }

    func configError(
        secretLine line: String, overrides: [String: String] = [:], environment: [String: String] = [:]
    ) -> String {
        do {
            _ = try config(secretLine: line, overrides: overrides, environment: environment)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    // MARK: - admin credentials

    func testCredentialsAreNotAdministratorsUnlessMarked() throws {
        let text =
            Self.sample + """

                [[credentials]]
                access_key = "AKIDOPS"
                secret_key = "ops-secret"
                admin = true

                [[credentials]]
                access_key = "AKIDAPP"
                secret_key = "app-secret"
                admin = false
                """
        let config = try ServerConfig(file: try ConfigFile(parsing: text))
        XCTAssertEqual(config.credentials.map(\.accessKey), ["AKIDFERRY", "AKIDOPS", "AKIDAPP"])
        XCTAssertEqual(config.credentials.map(\.admin), [false, true, false])
    }

    func testAdminMustBeABooleanAndCredentialKeysAreChecked() {
        func error(_ line: String) -> String {
            do {
                _ = try ServerConfig(file: try ConfigFile(parsing: Self.sample + "\n" + line))
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(error("admin = \"yes\""), "invalid setting: credentials[0].admin must be true or false")
        XCTAssertEqual(error("admin = 1"), "invalid setting: credentials[0].admin must be true or false")
        // A misspelt `admin` must not silently leave an operator without rights, nor grant any.
        XCTAssertEqual(error("admn = true"), "unknown setting 'credentials[0].admn' (a typo?)")
    }

    // MARK: - cluster secret sources

    func testTheConfigValueAloneIsUsed() throws {
        let config = try config(secretLine: "cluster_secret = \"\(Self.configSecret)\"")
        XCTAssertEqual(config.clusterSecret, Self.configSecret)
        XCTAssertEqual(config.clusterSecretSource, .configValue)
    }

    func testTheSecretFileIsReadWithItsTrailingNewlineTrimmed() throws {
        let path = write("secret", Array((Self.fileSecret + "\n").utf8), mode: 0o400)
        let config = try config(secretLine: "cluster_secret_file = \"\(path)\"")
        XCTAssertEqual(config.clusterSecret, Self.fileSecret)
        XCTAssertEqual(config.clusterSecretSource, .file(path: path))
        let crlf = write("secret-crlf", Array((Self.fileSecret + "\r\n").utf8))
        XCTAssertEqual(try self.config(secretLine: "cluster_secret_file = \"\(crlf)\"").clusterSecret, Self.fileSecret)
        let inner = write("secret-inner", Array("  spaces and\ttabs inside are kept  \n".utf8))
        XCTAssertEqual(
            try self.config(secretLine: "cluster_secret_file = \"\(inner)\"").clusterSecret,
            "  spaces and\ttabs inside are kept  ")
    }

    func testPrecedenceIsFlagThenEnvironmentThenFile() throws {
        let path = write("secret", Array(Self.fileSecret.utf8))
        let fileLine = "cluster_secret_file = \"\(path)\""
        let environment = [ClusterSecretSource.environmentVariable: Self.envSecret]
        let flag = ["cluster_secret": Self.flagSecret]

        let all = try config(secretLine: fileLine, overrides: flag, environment: environment)
        XCTAssertEqual(all.clusterSecret, Self.flagSecret)
        XCTAssertEqual(all.clusterSecretSource, .flag)

        let noFlag = try config(secretLine: fileLine, environment: environment)
        XCTAssertEqual(noFlag.clusterSecret, Self.envSecret)
        XCTAssertEqual(noFlag.clusterSecretSource, .environment)

        let overConfigValue = try config(
            secretLine: "cluster_secret = \"\(Self.configSecret)\"", environment: environment)
        XCTAssertEqual(overConfigValue.clusterSecretSource, .environment)

        let flagOverConfigValue = try config(secretLine: "cluster_secret = \"\(Self.configSecret)\"", overrides: flag)
        XCTAssertEqual(flagOverConfigValue.clusterSecret, Self.flagSecret)
        XCTAssertEqual(flagOverConfigValue.clusterSecretSource, .flag)

        let onlyEnvironment = try config(secretLine: "", environment: environment)
        XCTAssertEqual(onlyEnvironment.clusterSecret, Self.envSecret)
    }

    func testAFileNamingBothTheSecretAndASecretFileIsRefused() {
        let path = write("secret", Array(Self.fileSecret.utf8))
        let both = "cluster_secret = \"\(Self.configSecret)\"\ncluster_secret_file = \"\(path)\""
        XCTAssertEqual(
            configError(secretLine: both), "invalid setting: set either cluster_secret or cluster_secret_file, not both"
        )
        // Even when a higher source would win: the file itself is ambiguous.
        XCTAssertEqual(
            configError(secretLine: both, overrides: ["cluster_secret": Self.flagSecret]),
            "invalid setting: set either cluster_secret or cluster_secret_file, not both")
    }

    func testNoSourceAtAllIsNamed() {
        XCTAssertEqual(
            configError(secretLine: ""),
            "missing required setting 'cluster_secret (or cluster_secret_file, or FERRY_CLUSTER_SECRET in the environment)'"
        )
    }

    func testAnEmptyEnvironmentVariableIsRefusedRatherThanSkipped() {
        XCTAssertEqual(
            configError(
                secretLine: "cluster_secret = \"\(Self.configSecret)\"",
                environment: [ClusterSecretSource.environmentVariable: ""]),
            "invalid setting: FERRY_CLUSTER_SECRET is set but empty")
    }

    func testBadSecretFilesAreNamed() {
        let missing = directory + "/no-such-file"
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(missing)\""),
            "invalid setting: cluster_secret_file \(missing): cannot open: No such file or directory")
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(directory)\""),
            "invalid setting: cluster_secret_file \(directory): cannot read: Is a directory")
        let empty = write("empty", [])
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(empty)\""),
            "invalid setting: cluster_secret_file \(empty) is empty")
        let newlineOnly = write("newline", Array("\n".utf8))
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(newlineOnly)\""),
            "invalid setting: cluster_secret_file \(newlineOnly) is empty")
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\""), "invalid setting: cluster_secret_file is empty")
        let short = write("short", Array("too-short\n".utf8))
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(short)\""),
            "invalid setting: the cluster secret (from cluster_secret_file \(short)) must be at least 16 characters")
        let binary = write("binary", [0x66, 0xFF, 0xFE] + Array(repeating: 0x61, count: 20))
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(binary)\""),
            "invalid setting: cluster_secret_file \(binary) is not UTF-8 text")
    }

    func testTheSecretFileSizeLimitHoldsAtTheLimitAndOnePast() throws {
        let max = ClusterSecretSource.fileBytesMax
        let atLimit = write("at-limit", Array(repeating: UInt8(ascii: "s"), count: max))
        XCTAssertEqual(try config(secretLine: "cluster_secret_file = \"\(atLimit)\"").clusterSecret.utf8.count, max)
        let pastLimit = write("past-limit", Array(repeating: UInt8(ascii: "s"), count: max + 1))
        XCTAssertEqual(
            configError(secretLine: "cluster_secret_file = \"\(pastLimit)\""),
            "invalid setting: cluster_secret_file \(pastLimit) is larger than \(max) bytes: not a secret file")
    }

    func testAShortSecretIsRefusedWhateverItsSource() {
        XCTAssertEqual(
            configError(secretLine: "", environment: [ClusterSecretSource.environmentVariable: "short"]),
            "invalid setting: the cluster secret (from FERRY_CLUSTER_SECRET) must be at least 16 characters")
        XCTAssertEqual(
            configError(secretLine: "", overrides: ["cluster_secret": "short"]),
            "invalid setting: the cluster secret (from --cluster-secret) must be at least 16 characters")
    }
}

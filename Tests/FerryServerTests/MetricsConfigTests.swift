import Foundation
import XCTest

@testable import FerryServer

/// The metrics settings: defaults (on, no listener, not public, 100 labelled queues), the token file, limits.
final class MetricsConfigTests: XCTestCase {
    func config(_ extra: String) throws -> ServerConfig {
        try ServerConfig(
            file: try ConfigFile(
                parsing: ServerConfigTests.sample.replacingOccurrences(
                    of: "auth = \"sigv4\"", with: "auth = \"sigv4\"\n" + extra)))
    }

    func error(_ extra: String) -> String {
        do {
            _ = try config(extra)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func tokenFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "ferry-metrics-token-\(UInt64.random(in: 0...UInt64.max))"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testDefaultsAreOnWithNothingOpen() throws {
        let defaults = try config("")
        XCTAssertTrue(defaults.metricsEnabled)
        XCTAssertNil(defaults.metricsListen)
        XCTAssertNil(defaults.metricsBearerToken)
        XCTAssertFalse(defaults.metricsPublic)
        XCTAssertEqual(defaults.metricsQueuesMax, 100)
    }

    func testEverySettingReads() throws {
        let path = try tokenFile("  scrape-token-0123456789\n")
        let all = try config(
            """
            metrics = true
            metrics_listen = "10.0.0.5:9100"
            metrics_bearer_token_file = "\(path)"
            metrics_public = true
            metrics_queues_max = 0
            """)
        XCTAssertEqual(all.metricsListen, ServerConfig.Address(host: "10.0.0.5", port: 9100))
        XCTAssertEqual(all.metricsBearerToken, "scrape-token-0123456789", "surrounding whitespace dropped")
        XCTAssertTrue(all.metricsPublic)
        XCTAssertEqual(all.metricsQueuesMax, 0)
        XCTAssertFalse(try config("metrics = false").metricsEnabled)
    }

    func testMistakesAreNamed() throws {
        XCTAssertTrue(error("metrics_listen = \"9100\"").contains("not host:port"))
        XCTAssertTrue(error("metrics_public = \"yes\"").contains("metrics_public must be true or false"))
        XCTAssertTrue(error("metrics_queues_max = 10001").contains("0...10000"))
        XCTAssertEqual(error("metrics_queues_max = 10000"), "no error")
        XCTAssertTrue(
            error("metrics_bearer_token_file = \"/nonexistent/token\"").contains(
                "metrics_bearer_token_file /nonexistent/token: cannot open"))
        XCTAssertTrue(
            error("metrics_bearer_token_file = \"\(try tokenFile("fifteen-chars!!"))\"").contains("at least 16"))
        XCTAssertEqual(error("metrics_bearer_token_file = \"\(try tokenFile("sixteen-chars!!!"))\""), "no error")
        XCTAssertTrue(
            error("metrics_bearer_token_file = \"\(try tokenFile("has a space in the token"))\"").contains("no spaces"))
        XCTAssertTrue(error("metrics_bearer_token_file = \"\(try tokenFile(""))\"").contains("is empty"))
    }
}

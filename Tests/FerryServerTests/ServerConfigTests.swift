import XCTest

@testable import FerryServer

final class ServerConfigTests: XCTestCase {
    static let sample = """
        # node 1 of a local cluster
        node_id = 1
        data_dir = "/tmp/ferry/node1"
        client_listen = "127.0.0.1:9324"
        cluster_secret = "a-long-enough-cluster-secret"   # shared by all nodes
        auth = "sigv4"

        [peers]
        1 = "127.0.0.1:7101"
        2 = "127.0.0.1:7102"
        3 = "127.0.0.1:7103"

        [[credentials]]
        access_key = "AKIDFERRY"
        secret_key = "secret#with#hashes"
        account_id = "123456789012"
        """

    func testASampleConfigReadsWithDefaults() throws {
        let config = try ServerConfig(file: try ConfigFile(parsing: Self.sample))
        XCTAssertEqual(config.nodeID, 1)
        XCTAssertEqual(config.peers.count, 3)
        XCTAssertEqual(config.peerListen, .init(host: "127.0.0.1", port: 7101))
        XCTAssertEqual(config.advertisedURL, "http://127.0.0.1:9324")
        XCTAssertEqual(
            config.credentials,
            [.init(accessKey: "AKIDFERRY", secretKey: "secret#with#hashes", accountID: "123456789012")])
        XCTAssertEqual(config.tickMs, 10)
        XCTAssertEqual(config.electionTimeoutTicks, 15)
        XCTAssertEqual(config.signatureSkewSeconds, 900)
        XCTAssertTrue(config.preallocateSegments, "spare log segments are on unless turned off")
    }

    func testPreallocateSegmentsIsABoolean() throws {
        let off = try ServerConfig(
            file: try ConfigFile(
                parsing: Self.sample.replacingOccurrences(
                    of: "auth = \"sigv4\"", with: "auth = \"sigv4\"\npreallocate_segments = false")))
        XCTAssertFalse(off.preallocateSegments)
        XCTAssertThrowsError(
            try ServerConfig(
                file: try ConfigFile(
                    parsing: Self.sample.replacingOccurrences(
                        of: "auth = \"sigv4\"", with: "auth = \"sigv4\"\npreallocate_segments = 0")))
        ) { error in
            XCTAssertEqual("\(error)", "invalid setting: preallocate_segments must be true or false")
        }
    }

    func testFlagsOverrideTheFile() throws {
        let config = try ServerConfig(
            file: try ConfigFile(parsing: Self.sample), overrides: ["node_id": "2", "data_dir": "/d2"])
        XCTAssertEqual(config.nodeID, 2)
        XCTAssertEqual(config.dataDirectory, "/d2")
        XCTAssertEqual(config.peerListen.port, 7102)
    }

    func testMistakesAreNamed() {
        func error(_ text: String) -> String {
            do {
                _ = try ServerConfig(file: try ConfigFile(parsing: text))
                return "no error"
            } catch {
                return "\(error)"
            }
        }

        XCTAssertTrue(
            error(Self.sample.replacingOccurrences(of: "node_id = 1", with: "node_id = 1\nnode_idd = 3")).contains(
                "unknown setting 'node_idd'"))
        XCTAssertTrue(
            error(Self.sample.replacingOccurrences(of: "node_id = 1", with: "")).contains(
                "missing required setting 'node_id'"))
        XCTAssertTrue(
            error(Self.sample.replacingOccurrences(of: "\"127.0.0.1:9324\"", with: "\"nowhere\"")).contains(
                "not host:port"))
        XCTAssertTrue(
            error(Self.sample.replacingOccurrences(of: "a-long-enough-cluster-secret", with: "short")).contains(
                "at least 16"))
        XCTAssertTrue(
            error(Self.sample.replacingOccurrences(of: "1 = \"127.0.0.1:7101\"", with: "")).contains(
                "must list this node"))
        XCTAssertTrue(error(Self.sample + "\nbroken line").contains("line"))
        XCTAssertTrue(
            error(Self.sample.replacingOccurrences(of: "[[credentials]]", with: "[[creds]]")).contains(
                "unknown setting '[[creds]]'"))
    }

    func testAuthOffNeedsNoCredentials() throws {
        let text = Self.sample.replacingOccurrences(of: "auth = \"sigv4\"", with: "auth = \"off\"")
            .components(separatedBy: "[[credentials]]")[0]
        XCTAssertEqual(try ServerConfig(file: try ConfigFile(parsing: text)).auth, .off)
        let sigv4 = Self.sample.components(separatedBy: "[[credentials]]")[0]
        XCTAssertThrowsError(try ServerConfig(file: try ConfigFile(parsing: sigv4)))
    }

    func testTheConfigSubsetParsesStringsArraysAndComments() throws {
        let file = try ConfigFile(
            parsing: """
                a = "x # not a comment" # a comment
                b = ["p", "q",]
                c = 1_000
                d = false
                """)
        XCTAssertEqual(file.root["a"], .string("x # not a comment"))
        XCTAssertEqual(file.root["b"], .strings(["p", "q"]))
        XCTAssertEqual(file.root["c"], .integer(1000))
        XCTAssertEqual(file.root["d"], .bool(false))
    }
}

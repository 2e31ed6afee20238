import FerryRaft
import FerrySQS
import Foundation
import XCTest

@testable import FerryServer

/// Where a node dials its peers (the replicated configuration first, the config file's `[peers]` for a member
/// without a replicated address), how a new cluster seeds addresses, and the admin endpoints that change them.
final class MemberAddressingTests: XCTestCase {
    let peersFile: [NodeID: ServerConfig.Address] = [
        1: .init(host: "10.0.0.1", port: 7001), 2: .init(host: "10.0.0.2", port: 7001),
        3: .init(host: "10.0.0.3", port: 7001),
    ]

    // MARK: - The address book

    func testReplicatedAddressesWinAndThePeersFileFillsTheGaps() {
        let configuration = Configuration(
            voters: [1, 2, 3], learners: [4],
            addresses: [
                2: MemberAddress(peer: "10.9.9.2:7002"), 4: MemberAddress(peer: "node4:7001"),
            ])
        let book = PeerAddressBook(configuration: configuration, localID: 1, peersFile: peersFile)
        XCTAssertEqual(
            book.dial,
            [
                2: .init(address: .init(host: "10.9.9.2", port: 7002), source: .replicated),
                3: .init(address: .init(host: "10.0.0.3", port: 7001), source: .peersFile),
                4: .init(address: .init(host: "node4", port: 7001), source: .replicated),
            ], "never this node itself")
        XCTAssertEqual(book.unreachable, [:])
    }

    func testAMemberWithNoAddressAnywhereIsNamedNotDialled() {
        let book = PeerAddressBook(configuration: Configuration(voters: [1, 2, 5]), localID: 1, peersFile: peersFile)
        XCTAssertEqual(book.dial.keys.sorted(), [2])
        XCTAssertEqual(book.unreachable, [5: "no replicated peer address and not in [peers]"])
    }

    func testAnUnusableReplicatedAddressFallsBackToThePeersFile() {
        let configuration = Configuration(voters: [1, 3], addresses: [3: MemberAddress(peer: "no-port")])
        let book = PeerAddressBook(configuration: configuration, localID: 1, peersFile: peersFile)
        XCTAssertEqual(book.dial[3], .init(address: .init(host: "10.0.0.3", port: 7001), source: .peersFile))
    }

    func testARemovedMemberIsNotDialledEvenIfThePeersFileListsIt() {
        let book = PeerAddressBook(configuration: Configuration(voters: [1, 3]), localID: 1, peersFile: peersFile)
        XCTAssertEqual(book.dial.keys.sorted(), [3])
    }

    func testANodeWaitingToJoinDialsItsSeeds() {
        let book = PeerAddressBook(configuration: .empty, localID: 4, peersFile: peersFile)
        XCTAssertEqual(book.dial.keys.sorted(), [1, 2, 3])
    }

    // MARK: - Seeding a new cluster

    static let config = """
        node_id = 1
        data_dir = "/d"
        client_listen = "127.0.0.1:9324"
        cluster_secret = "a-cluster-secret-of-some-length"
        auth = "off"

        [peers]
        1 = "10.0.0.1:7001"
        2 = "10.0.0.2:7001"

        [clients]
        1 = "http://10.0.0.1:9324"
        """

    func testANewClusterReplicatesThePeersAndClientsItWasSeededWith() throws {
        let config = try ServerConfig(file: try ConfigFile(parsing: Self.config))
        XCTAssertEqual(
            config.bootstrapConfiguration,
            Configuration(
                voters: [1, 2],
                addresses: [
                    1: MemberAddress(peer: "10.0.0.1:7001", clientURL: "http://10.0.0.1:9324"),
                    2: MemberAddress(peer: "10.0.0.2:7001"),
                ]))
        let joining = try ServerConfig(file: try ConfigFile(parsing: Self.config + "\n"), overrides: ["join": "true"])
        XCTAssertEqual(joining.bootstrapConfiguration, .empty)
    }

    func testAClientURLMustBeHTTPAndPrintable() {
        for bad in [
            "ftp://x", "10.0.0.1:9324", "http://a b",
            "http://" + String(repeating: "h", count: MemberAddress.fieldBytesMax),
        ] {
            let text = Self.config.replacingOccurrences(of: "1 = \"http://10.0.0.1:9324\"", with: "1 = \"\(bad)\"")
            XCTAssertThrowsError(try ServerConfig(file: try ConfigFile(parsing: text)), bad)
        }
    }

    // MARK: - The admin endpoints, on a live single-node cluster

    func post(_ node: InProcessNode, _ target: String) throws -> (Int, [String: Any]) {
        let response = try node.answer(
            Array("POST \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n".utf8))
        return (
            response.status, (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        )
    }

    /// Posts until the node's previous change (or its first entry as leader) has committed, as callers must.
    func change(_ node: InProcessNode, _ target: String) throws -> (Int, [String: Any]) {
        for _ in 0..<1_000 {
            let answer = try post(node, target)
            if answer.1["error"] as? String != "change_pending" { return answer }
            _ = try member(node, 0)  // lets the loop turn
        }
        return try post(node, target)
    }

    func member(_ node: InProcessNode, _ id: Int) throws -> [String: Any]? {
        let response = try node.answer(Array("GET /_ferry/status HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        let status = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (status?["members"] as? [[String: Any]])?.first { $0["id"] as? Int == id }
    }

    func testAddAndUpdateRecordAddressesAndRefuseBadOnes() throws {
        let node = try InProcessNode()
        let seeded = try XCTUnwrap(try member(node, 1))
        XCTAssertEqual(seeded["peer_address"] as? String, "127.0.0.1:9")
        XCTAssertEqual(seeded["address_source"] as? String, "replicated", "a new cluster replicates its [peers]")

        let refusals = [
            "/_ferry/members/add-learner?id=4&peer_address=no-port",
            "/_ferry/members/add-learner?id=4&peer_address=a%20b%3A1",
            "/_ferry/members/add-learner?id=4&peer_address=a%3A1&client_url=ftp%3A%2F%2Fx",
            "/_ferry/members/add-learner?id=4&peer_address="
                + String(repeating: "h", count: MemberAddress.fieldBytesMax - 1) + "%3A1",
        ]
        for target in refusals {
            let (status, body) = try post(node, target)
            XCTAssertEqual(status, 400, target)
            XCTAssertEqual(body["error"] as? String, "bad_address", target)
        }
        for target in [
            "/_ferry/members/add-learner?id=4&client_url=http%3A%2F%2Fa", "/_ferry/members/update?id=1",
            "/_ferry/members/remove?id=4&peer_address=a%3A1", "/_ferry/members/add-learner?id=4&a=1&b=2&c=3",
            "/_ferry/members/add-learner?id=4&peer_address=%ZZ",
        ] {
            XCTAssertEqual(try post(node, target).0, 400, target)
        }
        XCTAssertNil(try member(node, 4), "nothing was proposed")

        let longest = String(repeating: "h", count: MemberAddress.fieldBytesMax - 2)
        var (status, body) = try change(
            node, "/_ferry/members/add-learner?id=4&peer_address=\(longest)%3A1&client_url=http%3A%2F%2F10.0.0.4%3A9324"
        )
        XCTAssertEqual(status, 200, "\(body)")
        var four = try XCTUnwrap(try member(node, 4))
        XCTAssertEqual(four["peer_address"] as? String, "\(longest):1", "a peer address at the bound")
        XCTAssertEqual(four["client_url"] as? String, "http://10.0.0.4:9324")
        XCTAssertEqual(four["membership"] as? String, "learner")

        (status, body) = try change(node, "/_ferry/members/update?id=4&peer_address=10.0.0.44%3A7001")
        XCTAssertEqual(status, 200, "\(body)")
        four = try XCTUnwrap(try member(node, 4))
        XCTAssertEqual(four["peer_address"] as? String, "10.0.0.44:7001")
        XCTAssertEqual(four["client_url"] as? String, "http://10.0.0.4:9324", "an omitted field is kept")
        (status, body) = try change(node, "/_ferry/members/update?id=9&peer_address=10.0.0.9%3A7001")
        XCTAssertEqual(status, 409)
        XCTAssertEqual(body["detail"] as? String, "9 is not a member")
    }
}

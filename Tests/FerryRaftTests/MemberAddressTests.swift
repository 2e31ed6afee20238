import XCTest

@testable import FerryRaft

/// The replicated configuration carries each member's address (as etcd's member list does): it travels in
/// configuration entries and snapshots, follows the latest configuration entry, and leaves with the member.
/// Configurations without addresses keep the encoding older nodes wrote, so old logs and snapshots decode.
final class MemberAddressTests: XCTestCase {
    let node4 = MemberAddress(peer: "10.0.0.4:7001", clientURL: "http://10.0.0.4:9324")

    func roundTrip(_ configuration: Configuration) throws -> Configuration {
        var writer = LittleEndianWriter()
        configuration.encode(into: &writer)
        var reader = LittleEndianReader(writer.bytes)
        let decoded = try Configuration.decode(from: &reader)
        XCTAssertEqual(reader.remaining, 0)
        return decoded
    }

    func decode(_ bytes: [UInt8]) throws -> Configuration {
        var reader = LittleEndianReader(bytes)
        return try Configuration.decode(from: &reader)
    }

    /// The bytes a node without addresses wrote for voters [1, 2], learners [3].
    static let versionOneBytes: [UInt8] = [
        2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
    ]

    // MARK: - Wire

    func testAConfigurationWithoutAddressesKeepsTheOldEncoding() throws {
        var writer = LittleEndianWriter()
        Configuration(voters: [1, 2], learners: [3]).encode(into: &writer)
        XCTAssertEqual(writer.bytes, Self.versionOneBytes)
        XCTAssertEqual(try decode(Self.versionOneBytes), Configuration(voters: [1, 2], learners: [3]))
    }

    func testAnOldLogEntryAndSnapshotStillDecode() throws {
        // Entry 7@2 with payload tag 2 (configuration) as an older node wrote it.
        var entryBytes: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2]
        entryBytes += Self.versionOneBytes
        var reader = LittleEndianReader(entryBytes)
        XCTAssertEqual(
            try Entry.decode(from: &reader),
            Entry(index: 7, term: 2, payload: .configuration(Configuration(voters: [1, 2], learners: [3]))))
        var metadataBytes: [UInt8] = [9, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        metadataBytes += Self.versionOneBytes
        reader = LittleEndianReader(metadataBytes)
        let metadata = try SnapshotMetadata.decode(from: &reader)
        XCTAssertEqual(metadata.configuration.addresses, [:])
        XCTAssertEqual(metadata.configuration.members, [1, 2, 3])
    }

    func testAddressesRoundTripInEntriesAndSnapshots() throws {
        let configuration = Configuration(
            voters: [1, 2, 3], learners: [4], addresses: [4: node4, 1: MemberAddress(peer: "a:1")])
        XCTAssertEqual(try roundTrip(configuration), configuration)
        var writer = LittleEndianWriter()
        SnapshotMetadata(index: 5, term: 1, configuration: configuration).encode(into: &writer)
        var reader = LittleEndianReader(writer.bytes)
        XCTAssertEqual(try SnapshotMetadata.decode(from: &reader).configuration.address(of: 4), node4)
        let entry = Entry(index: 3, term: 1, payload: .configuration(configuration))
        XCTAssertGreaterThan(
            entry.sizeBytes, 24 + 8 * 4 + node4.peer.utf8.count + node4.clientURL.utf8.count,
            "addresses count against message and batch bounds")
    }

    func testAVersionOneReaderRefusesAddressesByName() throws {
        var writer = LittleEndianWriter()
        Configuration(voters: [1], addresses: [1: node4]).encode(into: &writer)
        // What an older node's decoder does with the first field: a member count far past the bound.
        var reader = LittleEndianReader(writer.bytes)
        XCTAssertGreaterThan(Int(try reader.readUInt32()), WireLimits.configurationMembersMax)
    }

    func testFieldsAtTheirBoundDecodeAndOnePastIsRefused() throws {
        let longest = String(repeating: "h", count: MemberAddress.fieldBytesMax - 2) + ":1"
        let atBound = Configuration(
            voters: [1],
            addresses: [
                1: MemberAddress(peer: longest, clientURL: String(repeating: "u", count: MemberAddress.fieldBytesMax))
            ])
        XCTAssertEqual(try roundTrip(atBound), atBound)
        let onePast = MemberAddress(peer: "h" + longest)
        XCTAssertNotNil(onePast.problem)
        var writer = LittleEndianWriter()
        // Written by hand: a well-behaved encoder never gets such an address (proposals refuse it).
        writer.write(UInt32.max)
        writer.write(UInt8(2))
        writer.write(UInt32(1))
        writer.write(UInt64(1))
        writer.write(UInt32(0))
        writer.write(UInt32(1))
        writer.write(UInt64(1))
        writer.writeLengthPrefixed(Array(onePast.peer.utf8))
        writer.writeLengthPrefixed([])
        XCTAssertThrowsError(try decode(writer.bytes)) { error in
            XCTAssertEqual(
                error as? WireError,
                .lengthTooLarge(length: MemberAddress.fieldBytesMax + 1, max: MemberAddress.fieldBytesMax))
        }
    }

    func testHostileAddressSectionsAreRefused() {
        func bytes(version: UInt8 = 2, count: UInt32 = 1, id: UInt64 = 1, peer: [UInt8] = Array("a:1".utf8)) -> [UInt8]
        {
            var writer = LittleEndianWriter()
            writer.write(UInt32.max)
            writer.write(version)
            writer.write(UInt32(1))
            writer.write(UInt64(1))
            writer.write(UInt32(0))
            writer.write(count)
            writer.write(id)
            writer.writeLengthPrefixed(peer)
            writer.writeLengthPrefixed([])
            return writer.bytes
        }
        XCTAssertNoThrow(try decode(bytes()))
        XCTAssertThrowsError(try decode(bytes(version: 3))) {
            XCTAssertEqual($0 as? WireError, .unknownTag(type: "Configuration version", tag: 3))
        }
        XCTAssertThrowsError(try decode(bytes(count: 2))) {
            XCTAssertEqual($0 as? WireError, .lengthTooLarge(length: 2, max: 1))
        }
        XCTAssertThrowsError(try decode(bytes(id: 9)), "an address for a non-member")
        XCTAssertThrowsError(try decode(bytes(peer: [])), "an empty peer address")
        XCTAssertThrowsError(try decode(bytes(peer: Array("a b:1".utf8))), "a space")
        XCTAssertThrowsError(try decode(bytes(peer: [0x61, 0x0A, 0x3A, 0x31])), "a newline (log injection)")
        XCTAssertThrowsError(try decode(bytes(peer: [0xC3, 0xA9, 0x3A, 0x31])), "not ASCII")
        let full = bytes()
        for cut in 0..<full.count { XCTAssertThrowsError(try decode(Array(full[..<cut])), "cut at \(cut)") }
    }

    // MARK: - Through Raft

    func testAnAddedLearnersAddressReachesEveryNodeAndLeavesWithIt() throws {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        cluster.addBlankNode(4)
        _ = try cluster.nodes[1]!.proposeConfigurationChange(.addLearner(4, address: node4))
        XCTAssertEqual(
            cluster.node(1).configuration.address(of: 4), node4, "in force on the leader as soon as appended")
        cluster.drain(1)
        cluster.tick(10)
        for id in cluster.ids { XCTAssertEqual(cluster.node(id).configuration.address(of: 4), node4, "node \(id)") }

        let moved = MemberAddress(peer: "10.0.0.44:7001", clientURL: node4.clientURL)
        _ = try cluster.nodes[1]!.proposeConfigurationChange(.updateAddress(4, moved))
        cluster.drain(1)
        cluster.tick(10)
        for id in cluster.ids {
            XCTAssertEqual(cluster.node(id).configuration.address(of: 4), moved, "node \(id)")
            XCTAssertEqual(cluster.node(id).configuration.learners, [4], "an address change keeps the members")
        }

        _ = try cluster.nodes[1]!.proposeConfigurationChange(.remove(4))
        cluster.drain(1)
        cluster.tick(10)
        for id in [1, 2, 3] as [NodeID] { XCTAssertNil(cluster.node(id).configuration.address(of: 4), "node \(id)") }
    }

    func testBadAddressChangesAreRefused() throws {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        var leader = cluster.nodes[1]!
        XCTAssertThrowsError(try leader.proposeConfigurationChange(.updateAddress(9, node4))) { error in
            XCTAssertEqual(error as? ProposeError, .invalidConfigurationChange("9 is not a member"))
        }
        XCTAssertThrowsError(try leader.proposeConfigurationChange(.addLearner(4, address: MemberAddress(peer: ""))))
        XCTAssertThrowsError(try leader.proposeConfigurationChange(.updateAddress(2, MemberAddress(peer: "x\n:1"))))
        _ = try leader.proposeConfigurationChange(.updateAddress(2, node4))
        cluster.nodes[1] = leader
        cluster.drain(1)
        cluster.stabilize()
        leader = cluster.nodes[1]!
        XCTAssertThrowsError(try leader.proposeConfigurationChange(.updateAddress(2, node4))) { error in
            XCTAssertEqual(error as? ProposeError, .invalidConfigurationChange("2 already has that address"))
        }
    }

    func testAnAddressChangeIsUsedWhenAppendedAndRolledBackWhenOverwritten() {
        // The address book follows the latest configuration entry in the log, committed or not (thesis §4.1).
        let seeded = Configuration(voters: [1, 2, 3], addresses: [3: MemberAddress(peer: "old:7001")])
        var node = RaftNode(
            options: RaftOptions(id: 3),
            recovered: RecoveredState(
                hardState: HardState(term: 1), snapshot: .bootstrap(seeded), entries: []),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        let moved = seeded.with(address: MemberAddress(peer: "new:7001"), for: 3)
        node.step(
            Envelope(
                from: 1, to: 3,
                message: .appendEntries(
                    AppendEntries(
                        term: 1, prevLogIndex: 0, prevLogTerm: 0,
                        entries: [Entry(index: 1, term: 1, payload: .configuration(moved))], leaderCommit: 0))))
        XCTAssertEqual(node.configuration.address(of: 3)?.peer, "new:7001", "in force before it commits")
        node.step(
            Envelope(
                from: 2, to: 3,
                message: .appendEntries(
                    AppendEntries(
                        term: 2, prevLogIndex: 0, prevLogTerm: 0,
                        entries: [Entry(index: 1, term: 2, payload: .noop)], leaderCommit: 0))))
        XCTAssertEqual(
            node.configuration.address(of: 3)?.peer, "old:7001", "the overwritten entry's address is gone with it")
    }

    func testANodeThatJoinsAfterCompactionLearnsAddressesFromTheSnapshot() throws {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        _ = try cluster.nodes[1]!.proposeConfigurationChange(.updateAddress(2, MemberAddress(peer: "10.0.0.2:7001")))
        cluster.drain(1)
        cluster.stabilize()
        for i in 0..<5 { try cluster.propose("c\(i)", at: 1) }
        var leader = cluster.nodes[1]!
        let snapshot = leader.makeSnapshot(at: leader.appliedIndex, data: [1, 2, 3])
        XCTAssertEqual(
            snapshot.metadata.configuration.address(of: 2)?.peer, "10.0.0.2:7001", "the snapshot carries addresses")
        cluster.disks[1]!.snapshot = snapshot
        cluster.disks[1]!.entries.removeAll { $0.index <= snapshot.metadata.index }
        leader.compact(to: snapshot)
        cluster.nodes[1] = leader

        cluster.addBlankNode(4)
        _ = try cluster.nodes[1]!.proposeConfigurationChange(.addLearner(4, address: node4))
        cluster.drain(1)
        cluster.tick(20)
        XCTAssertEqual(cluster.disks[4]!.snapshot.metadata.index, snapshot.metadata.index, "caught up by the snapshot")
        XCTAssertEqual(cluster.node(4).configuration.address(of: 2)?.peer, "10.0.0.2:7001")
        XCTAssertEqual(cluster.node(4).configuration.address(of: 4), node4)
        cluster.crash(4)
        cluster.restart(4)
        XCTAssertEqual(
            cluster.node(4).configuration.address(of: 2)?.peer, "10.0.0.2:7001", "and keeps them across a restart")
    }
}

import FerryNode
import FerryRaft
import FerryStorage
import XCTest

/// Every node keeps its log's next segment zero-filled ahead of need, off its thread, once its log has gone
/// `spareSegmentQuietTicks` without a new segment (a busy log is left alone). Appends then land in bytes
/// already on disk.
final class SpareSegmentNodeTests: XCTestCase {
    let segmentBytes = 64 << 10

    func lastSegmentSizes(_ world: NodeTestWorld) throws -> [NodeID: Int] {
        var sizes: [NodeID: Int] = [:]
        for (id, host) in world.hosts {
            let segment = try XCTUnwrap(try host.fileSystem.list("/data").filter { $0.hasPrefix("wal-0") }.last)
            sizes[id] = try host.fileSystem.fileSize("/data/" + segment)
        }
        return sizes
    }

    func hasSpare(_ host: NodeTestWorld.Host) throws -> Bool {
        try host.fileSystem.list("/data").contains(where: StorageLayout.isSpareSegmentName)
    }

    func testEveryNodeWritesIntoAZeroFilledSegmentAndKeepsTheNextOneReady() throws {
        let world = NodeTestWorld(
            voters: [1, 2, 3],
            storageOptions: .testing(segmentBytesMax: segmentBytes, preallocateSegments: true))
        let leader = world.electLeader()
        var applied = 0
        for n in 0..<10 {
            world.node(leader).submit("command \(n)") { if case .applied = $0 { applied += 1 } }
            world.tick()
        }
        XCTAssertEqual(applied, 10)
        for (id, size) in try lastSegmentSizes(world) {
            XCTAssertEqual(size, segmentBytes, "n\(id): the log writes into its zero-filled spare, which never grows")
            XCTAssertTrue(try hasSpare(world.hosts[id]!), "n\(id): the next spare is ready")
        }

        let follower = world.hosts.keys.sorted().first { $0 != leader }!
        world.crash(follower)
        world.start(follower)
        world.node(leader).submit("after the restart") { if case .applied = $0 { applied += 1 } }
        world.tick(5)
        XCTAssertEqual(applied, 11)
        XCTAssertEqual(
            world.node(follower).raft.appliedIndex, world.node(leader).raft.appliedIndex,
            "recovery reads the zeros after the last record as the end of the log")
        XCTAssertTrue(try hasSpare(world.hosts[follower]!), "a restarted node prepares a new spare")
    }

    func testABusyLogThatRollsFasterThanTheQuietPeriodGetsNoSpare() throws {
        let world = NodeTestWorld(
            voters: [1, 2, 3],
            storageOptions: .testing(segmentBytesMax: 512, preallocateSegments: true),
            spareSegmentQuietTicks: 20)
        let leader = world.electLeader()
        for n in 0..<60 {
            // About 400 bytes of records a tick: a new 512-byte segment every tick or two.
            for k in 0..<4 {
                world.node(leader).submit("command \(n) \(k) " + String(repeating: "x", count: 40)) { _ in }
            }
            world.tick()
        }
        for (id, host) in world.hosts { XCTAssertFalse(try hasSpare(host), "n\(id): busy, no spare") }
        world.tick(25)
        for (id, host) in world.hosts { XCTAssertTrue(try hasSpare(host), "n\(id): quiet for 20 ticks, spare ready") }
    }

    func testWithoutPreallocationNoSpareIsMadeAndTheLogGrowsByItsRecords() throws {
        let world = NodeTestWorld(voters: [1, 2, 3])
        _ = world.electLeader()
        world.tick(3)
        for (id, size) in try lastSegmentSizes(world) {
            XCTAssertLessThan(size, 4_096, "n\(id)")
            XCTAssertFalse(try hasSpare(world.hosts[id]!), "n\(id)")
        }
    }
}

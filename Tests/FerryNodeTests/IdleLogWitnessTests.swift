import FerryNode
import FerryRaft
import FerryStorage
import XCTest

/// The node pays for witness records only when its log falls idle: under load the next batch's records
/// witness the previous batch, and an idle log gets one witness write per idle period.
final class IdleLogWitnessTests: XCTestCase {
    func witnessWrites(_ world: NodeTestWorld) -> Int { world.hosts.values.map(\.witnessWrites).reduce(0, +) }

    func testUnderLoadNoWitnessIsWrittenAndAnIdleLogWritesOnePerNode() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        world.tick(10)
        let settled = witnessWrites(world)
        var applied = 0
        for n in 0..<100 {
            world.node(leader).submit("command \(n)") { if case .applied = $0 { applied += 1 } }
            world.tick()
        }
        XCTAssertEqual(applied, 100)
        XCTAssertEqual(witnessWrites(world), settled, "a write every tick: each batch witnesses the one before")

        world.tick()
        XCTAssertEqual(witnessWrites(world), settled, "one tick idle is not yet idle (witnessIdleTicks = 1 whole tick)")
        world.tick()
        XCTAssertEqual(witnessWrites(world), settled + 3, "then every node writes one witness")
        world.tick(50)
        XCTAssertEqual(witnessWrites(world), settled + 3, "and only one per idle period")
    }

    func testAFollowerThatFellIdleRefusesToStartWhenItsLastBatchIsDamaged() throws {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        for n in 0..<5 { world.node(leader).submit("command \(n)") { _ in } }
        world.tick(5)
        let follower = world.hosts.keys.sorted().first { $0 != leader }!
        world.crash(follower)
        let disk = world.hosts[follower]!.fileSystem
        let segment = "/data/" + (try disk.list("/data").filter { $0.hasPrefix("wal-") }.last!)
        let witnessRecordBytes = 48  // a record header (WALRecord.headerBytes), no payload
        let size = try disk.fileSize(segment)
        XCTAssertGreaterThan(size, witnessRecordBytes)
        // The last byte of the last entry record, right before the witness.
        try disk.flipBit(segment, byteOffset: size - witnessRecordBytes - 1, bit: 2)

        XCTAssertThrowsError(
            try RaftStorage.open(
                directory: "/data", fileSystem: disk, options: .testing(),
                initialConfiguration: world.configuration)
        ) { error in
            guard case .corruption(let file, _, _) = error as? StorageError else {
                return XCTFail("the last batch was witnessed: damage there is corruption, got \(error)")
            }
            XCTAssertEqual(file, segment)
        }
    }
}

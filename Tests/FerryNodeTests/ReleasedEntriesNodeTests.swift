import FerryRaft
import XCTest

@testable import FerryNode

/// On real storage (`RaftStorage` over a simulated disk): the payloads of applied entries leave Raft's memory,
/// and a follower that was down catches up from entries the leader reads back from its log segments.
final class ReleasedEntriesNodeTests: XCTestCase {
    let commands = (0..<40).map { "m\($0)" }

    /// Three nodes that keep no applied payload in memory; one follower is down while `commands` commit.
    func withAFollowerDown() -> (world: NodeTestWorld, leader: NodeID, lagging: NodeID) {
        NodeTestWorld.withAFollowerDown(while: commands) { $0.appliedEntriesCacheBytesMax = 0 }
    }

    func testAFollowerThatWasDownCatchesUpFromTheLeadersSegmentFiles() {
        let (world, leader, lagging) = withAFollowerDown()
        let raft = world.node(leader).raft
        XCTAssertEqual(raft.snapshotMetadata.index, 0, "no snapshot: only the log can catch the follower up")
        XCTAssertNil(raft.entry(at: raft.appliedIndex), "applied payloads left the leader's memory")

        world.start(lagging)
        world.tick(30)
        XCTAssertEqual(world.node(lagging).machine.lines, commands)
        XCTAssertEqual(world.node(leader).storage.entryReadFailures, 0)
    }

    func testALeaderThatRestartedServesTheEntriesFromItsSegmentFiles() {
        let (world, leader, lagging) = withAFollowerDown()
        world.crash(leader)
        world.start(leader)
        let survivor = [NodeID(1), 2, 3].first { $0 != leader && $0 != lagging }!
        XCTAssertEqual(world.node(survivor).machine.lines, commands)
        world.start(lagging)
        world.tick(300)
        XCTAssertEqual(world.node(lagging).machine.lines, commands)
        XCTAssertEqual(world.node(leader).machine.lines, commands, "replayed from its own log")
    }

    func testRotInTheLeadersLogIsLoggedAsANamedErrorAndTheLeaderStaysUp() throws {
        let (world, leader, lagging) = withAFollowerDown()
        let disk = world.hosts[leader]!.fileSystem
        let firstSegment = try XCTUnwrap(try disk.list("/data").filter { $0.hasPrefix("wal-") }.sorted().first)
        try disk.flipBit("/data/" + firstSegment, byteOffset: 60, bit: 1)

        world.start(lagging)
        world.tick(30)
        XCTAssertTrue(world.node(leader).isRunning)
        XCTAssertNotEqual(world.node(lagging).machine.lines, commands, "rotten entries are never sent")
        let failures = world.hosts[leader]!.events.filter {
            if case .logReadFailed(let why) = $0 { return why.contains("corruption in /data/\(firstSegment)") }
            return false
        }
        XCTAssertFalse(failures.isEmpty, "named in the node's log: \(world.hosts[leader]!.events)")
        XCTAssertLessThan(failures.count, world.node(leader).storage.entryReadFailures + 1, "once per failed read")
    }
}

import FerryRaft
import XCTest

@testable import FerryNode

/// A node cut off from the majority answers its clients within bounds it documents: a write it could
/// never send anywhere fails fast ("unavailable", safe to retry), one it sent to a leader that then
/// vanished waits out the command timeout ("timed out", it may have been applied).
final class CutOffNodeTests: XCTestCase {
    private let options = NodeOptions(raft: RaftOptions(id: 1))

    /// A three-node cluster whose leader and other follower are down: the survivor is cut off.
    private func survivorOfTwoCrashes() -> (world: NodeTestWorld, survivor: NodeID) {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let survivor = [NodeID(1), 2, 3].first { $0 != leader }!
        for id in [NodeID(1), 2, 3] where id != survivor { world.crash(id) }
        return (world, survivor)
    }

    func testANewWriteOnANodeThatKnowsNoLeaderIsUnavailableAfterTheLeaderWait() {
        let (world, survivor) = survivorOfTwoCrashes()
        while world.node(survivor).raft.leader != nil { world.tick() }  // its election timer fired

        var outcome: SubmitOutcome<Int>?
        world.node(survivor).submit("cut off") { outcome = $0 }
        world.tick(options.leaderWaitTicks - 10)
        XCTAssertNil(outcome, "it waits for a leader first: an election usually takes a few hundred ms")
        world.tick(20)
        guard case .unavailable? = outcome else { return XCTFail("\(String(describing: outcome))") }
    }

    func testAWriteForwardedToALeaderThatVanishedWaitsOutTheCommandTimeout() {
        let (world, survivor) = survivorOfTwoCrashes()
        XCTAssertNotNil(world.node(survivor).raft.leader, "it has not noticed yet")

        var outcome: SubmitOutcome<Int>?
        world.node(survivor).submit("forwarded") { outcome = $0 }  // forwarded to the dead leader
        world.tick(options.leaderWaitTicks + 20)
        XCTAssertNil(outcome, "it may have been applied: not 'unavailable'")
        world.tick(options.commandTimeoutTicks - options.leaderWaitTicks)
        guard case .timedOut? = outcome else { return XCTFail("\(String(describing: outcome))") }
    }
}

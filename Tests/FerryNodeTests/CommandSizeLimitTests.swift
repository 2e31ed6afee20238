import FerryRaft
import XCTest

@testable import FerryNode

/// A command too large for a log entry is refused where it enters, never proposed: one such command used to
/// crash every leader it reached (`EntryPayload.encode`'s precondition).
final class CommandSizeLimitTests: XCTestCase {
    func testACommandBodyAndItsStampFillALogEntry() {
        XCTAssertEqual(ReplicaNode<Journal>.commandBodyBytesMax + LogCommand.headerBytes, WireLimits.commandBytesMax)
    }

    func testACommandAtTheLimitIsAppliedAndOnePastItIsRefusedWithoutAProposal() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        let limit = ReplicaNode<Journal>.commandBodyBytesMax
        let atLimit = String(repeating: "a", count: limit)
        let pastLimit = String(repeating: "b", count: limit + 1)

        var outcomes: [String: SubmitOutcome<Int>] = [:]
        for (node, name) in [(leader, "leader"), (follower, "follower")] {
            world.node(node).submit(pastLimit) { outcomes["past at \(name)"] = $0 }
        }
        world.node(follower).submit(atLimit) { outcomes["at limit"] = $0 }
        world.run()
        world.tick(2)

        for name in ["past at leader", "past at follower"] {
            guard case .tooLarge(let bytes)? = outcomes[name] else {
                return XCTFail("\(name): \(String(describing: outcomes[name]))")
            }
            XCTAssertEqual(bytes, limit + 1)
        }
        guard case .applied? = outcomes["at limit"] else {
            return XCTFail("\(String(describing: outcomes["at limit"]))")
        }
        for id in [NodeID(1), 2, 3] {
            XCTAssertTrue(world.node(id).isRunning)
            XCTAssertEqual(world.node(id).machine.lines, [atLimit], "node \(id)")
        }
    }

    func testALeaderRefusesAnOversizedForwardFromAPeerAndStaysUp() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        let leader = world.electLeader()
        let follower = [NodeID(1), 2, 3].first { $0 != leader }!
        let oversized = [UInt8](repeating: 0x61, count: ReplicaNode<Journal>.commandBodyBytesMax + 1)
        let lastIndex = world.node(leader).raft.lastIndex
        world.node(leader).receive(
            .forward(ForwardRequest(session: 77, sequence: 1, command: oversized)), from: follower)
        world.run()
        XCTAssertTrue(world.node(leader).isRunning)
        XCTAssertEqual(world.node(leader).raft.lastIndex, lastIndex, "nothing was proposed")
        XCTAssertTrue(
            world.hosts[leader]!.events.contains { event in
                if case .peerMessageRejected(let from, let reason) = event {
                    return from == follower && reason.contains("exceeds")
                }
                return false
            })
    }

    func testRaftRefusesToProposeAnOversizedCommand() throws {
        let world = NodeTestWorld(voters: [1])
        let leader = world.electLeader()
        var raft = world.node(leader).raft
        XCTAssertThrowsError(try raft.propose([UInt8](repeating: 0, count: WireLimits.commandBytesMax + 1))) { error in
            XCTAssertEqual(error as? ProposeError, .commandTooLarge(bytes: WireLimits.commandBytesMax + 1))
        }
        XCTAssertNoThrow(try raft.propose([UInt8](repeating: 0, count: WireLimits.commandBytesMax)))
    }

    func testAPeerMessageAnnouncingAnOversizedForwardIsADecodeError() {
        var bytes = PeerMessage.forward(ForwardRequest(session: 1, sequence: 1, command: [1])).encoded()
        // The length prefix follows the tag, session and sequence: claim one byte past the bound.
        let claimed = UInt32(PeerMessage.forwardedCommandBytesMax + 1)
        withUnsafeBytes(of: claimed.littleEndian) { bytes.replaceSubrange(17..<21, with: $0) }
        XCTAssertThrowsError(try PeerMessage.decode(bytes))
    }
}

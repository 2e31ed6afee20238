import FerryNode
import FerryRaft
import XCTest

/// What a node does after a client request or a peer message waits for the end of the inputs that arrived
/// together (`NodeEnvironment.atEndOfInputs`; ferryd's end of a loop turn): requests read in one turn share
/// one AppendEntries per follower, and nothing about their outcome changes.
final class InputBatchingTests: XCTestCase {
    private func submitTen(batching: Bool) -> (sent: Int, outcomes: [SubmitOutcome<Int>], world: NodeTestWorld) {
        let world = NodeTestWorld(voters: [1, 2, 3])
        world.batchesInputs = batching
        let leader = world.electLeader()
        world.tick(2)
        let sentBefore = world.hosts[leader]!.appendEntriesWithEntriesSent
        var outcomes: [SubmitOutcome<Int>] = []
        for i in 0..<10 { world.node(leader).submit("c\(i)") { outcomes.append($0) } }
        world.run()
        world.tick(2)
        return (world.hosts[leader]!.appendEntriesWithEntriesSent - sentBefore, outcomes, world)
    }

    func testRequestsOfOneTurnShareOneAppendEntriesPerFollower() {
        let (sent, outcomes, world) = submitTen(batching: true)
        XCTAssertEqual(sent, 2, "one AppendEntries to each of the two followers")
        XCTAssertEqual(outcomes.map { if case .applied(let count) = $0 { count } else { -1 } }, Array(1...10))
        for id in [NodeID(1), 2, 3] {
            XCTAssertEqual(world.node(id).machine.lines, (0..<10).map { "c\($0)" }, "node \(id)")
        }
    }

    func testWithoutBatchingEachRequestIsSentOnItsOwn() {
        let (sent, outcomes, _) = submitTen(batching: false)
        XCTAssertEqual(sent, 20, "ten AppendEntries to each follower")
        XCTAssertEqual(outcomes.count, 10)
    }

    func testACrashBeforeTheEndOfInputsLosesOnlyWhatWasNeverAcknowledged() {
        let world = NodeTestWorld(voters: [1, 2, 3])
        world.batchesInputs = true
        let leader = world.electLeader()
        var acknowledged: [String] = []
        world.node(leader).submit("kept") { if case .applied = $0 { acknowledged.append("kept") } }
        world.run()
        world.node(leader).submit("never sent") { if case .applied = $0 { acknowledged.append("never sent") } }
        world.crash(leader)  // before the end of its inputs: nothing was sent or written
        world.start(leader)
        _ = world.electLeader()
        world.tick(5)
        XCTAssertEqual(acknowledged, ["kept"])
        for id in [NodeID(1), 2, 3] { XCTAssertEqual(world.node(id).machine.lines, ["kept"], "node \(id)") }
    }
}

import FerryRaft
import XCTest

@testable import FerryNode

/// The pure decision of whom a node dials, over any address type (ferryd's socket addresses are covered in
/// FerryServerTests/MemberAddressingTests; the simulator uses its own). `parse` here accepts "host:port".
final class PeerDialPlanTests: XCTestCase {
    private func plan(
        _ configuration: Configuration, local: NodeID = 1, peersFile: [NodeID: String] = [2: "old2:1", 3: "old3:1"]
    ) -> PeerDialPlan<String> {
        PeerDialPlan(configuration: configuration, localID: local, peersFile: peersFile) { $0.contains(":") ? $0 : nil }
    }

    func testAnAddressUpdateInTheConfigurationMovesTheDialAwayFromThePeersFile() {
        let before = plan(Configuration(voters: [1, 2, 3], addresses: [2: MemberAddress(peer: "old2:1")]))
        let after = plan(Configuration(voters: [1, 2, 3], addresses: [2: MemberAddress(peer: "new2:2")]))
        XCTAssertEqual(before.dial[2], .init(address: "old2:1", source: .replicated))
        XCTAssertEqual(after.dial[2], .init(address: "new2:2", source: .replicated))
        XCTAssertEqual(
            after.dial[3], .init(address: "old3:1", source: .peersFile), "no replicated address: the peers file")
    }

    func testAnAddressTheCallerCannotParseFallsBackAndIsNamed() {
        let withFallback = plan(Configuration(voters: [1, 2], addresses: [2: MemberAddress(peer: "garbage")]))
        XCTAssertEqual(withFallback.dial[2], .init(address: "old2:1", source: .peersFile))
        let withoutFallback = plan(Configuration(voters: [1, 4], addresses: [4: MemberAddress(peer: "garbage")]))
        XCTAssertNil(withoutFallback.dial[4])
        XCTAssertEqual(withoutFallback.unreachable, [4: "replicated peer address 'garbage' is not host:port"])
    }

    func testOnlyMembersOtherThanItselfAreDialledUnlessTheConfigurationIsEmpty() {
        XCTAssertEqual(
            plan(Configuration(voters: [1, 3])).dial.keys.sorted(), [3], "2 left: not dialled though [peers] lists it")
        XCTAssertEqual(plan(.empty, local: 4).dial.keys.sorted(), [2, 3], "a node waiting to join dials its seeds")
    }
}

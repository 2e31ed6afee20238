import FerryNode
import FerryStorageTesting
import XCTest

@testable import FerrySim

/// A seed's world dies with its seed (issue 18): a campaign runs thousands of seeds in one process, so
/// anything of one seed that outlives it (a retain cycle, a registry) grows the process by that seed's
/// disks and state, seed after seed, until the kernel kills it.
final class SimulationTeardownTests: XCTestCase {
    /// Weak references to the parts of one seed's world, taken before the world is dropped.
    private struct QueueWorldParts {
        weak var simulation: QueueSimulation?
        var hosts: [Weak<QueueHost>] = []
        var nodes: [Weak<QueueHost.Node>] = []
        var disks: [Weak<SimulatedFileSystem>] = []
    }

    private struct Weak<Object: AnyObject> {
        weak var object: Object?
    }

    private func runQueueSeedAndDropIt(seed: UInt64, nodes: Int) -> QueueWorldParts {
        var options = QueueSimOptions(seed: seed, nodeCount: nodes, campaign: .swarm)
        options.base.safetyPhaseSeconds = 5  // a short seed: what is checked is its end, not its length
        let simulation = QueueSimulation(options: options)
        XCTAssertNil(simulation.run().violation)
        var parts = QueueWorldParts(simulation: simulation)
        for host in simulation.hosts {
            parts.hosts.append(Weak(object: host))
            parts.disks.append(Weak(object: host.fileSystem))
            if let node = host.node { parts.nodes.append(Weak(object: node)) }
        }
        return parts
    }

    func testAQueueSeedsSimulationHostsNodesAndDisksAreFreedOnceDropped() {
        let parts = runQueueSeedAndDropIt(seed: 2, nodes: 3)
        XCTAssertFalse(parts.nodes.isEmpty, "the seed ends with nodes up: their release is what is checked")
        XCTAssertNil(parts.simulation, "the simulation outlived its seed")
        for (index, host) in parts.hosts.enumerated() {
            XCTAssertNil(host.object, "host n\(index + 1) outlived its seed")
        }
        for node in parts.nodes { XCTAssertNil(node.object, "a ReplicaNode outlived its seed") }
        for disk in parts.disks { XCTAssertNil(disk.object, "a simulated disk outlived its seed") }
    }

    private struct RaftWorldParts {
        weak var simulation: Simulation?
        var nodes: [Weak<SimNode>] = []
    }

    private func runRaftSeedAndDropIt(seed: UInt64) -> RaftWorldParts {
        let simulation = Simulation(options: SimOptions(seed: seed, nodeCount: 3, profile: .swarm))
        XCTAssertNil(simulation.run().violation)
        return RaftWorldParts(simulation: simulation, nodes: simulation.nodes.map { Weak(object: $0) })
    }

    func testARaftSeedsSimulationAndNodesAreFreedOnceDropped() {
        let parts = runRaftSeedAndDropIt(seed: 2)
        XCTAssertNil(parts.simulation, "the simulation outlived its seed")
        for (index, node) in parts.nodes.enumerated() {
            XCTAssertNil(node.object, "node n\(index + 1) outlived its seed")
        }
    }
}

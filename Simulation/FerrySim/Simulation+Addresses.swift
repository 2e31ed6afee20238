import FerryRaft

/// Addresses in the simulated world: the operator moves members to fresh addresses and adds nodes at
/// theirs (`ferry members update` / `add --peer-address`), nodes dial whatever their configuration in
/// force says (`PeerDialPlan`), and ADDR holds them to it.
extension Simulation {
    /// ADDR: once a node has applied a configuration that moved `to` to a newer address, it stops sending to
    /// the old one within `staleAddressMicrosMax` (ferryd redials when the configuration in force changes,
    /// which is before it is applied, so a correct node never sends there at all).
    func checkAddressIsCurrent(_ address: SimPeerAddress, from node: SimNode, to: NodeID) {
        let applied = node.appliedPort[Int(to)]
        guard address.port < applied else { return }
        let staleMicros = now - node.appliedPortSince[Int(to)]
        if staleMicros > SimConstants.staleAddressMicrosMax {
            checker.fail(
                "ADDR",
                "node \(node.id) sent to n\(to) at \(address) \(formatSeconds(staleMicros)) after applying a configuration that moved n\(to) to port \(applied)"
            )
        }
    }

    /// A member listening somewhere other than where `configuration` says: the operator moved it, but the
    /// update did not (yet) make it into the configuration (refused, or lost with a deposed leader's log).
    func unsettledMember(in configuration: Configuration) -> NodeID? {
        guard network.anyNodeMoved else { return nil }
        return configuration.members.first { configuration.address(of: $0) != network.address(of: $0).member }
    }

    /// The operator's part of a proposal the leader accepted: a node added or updated at a fresh address
    /// starts listening there (and only there).
    func moveIfAccepted(_ change: ConfigurationChange) {
        switch change {
        case .addLearner(let id, .some(let member)), .updateAddress(let id, let member):
            guard let address = SimPeerAddress(parsing: member.peer), address != network.address(of: id) else { return }
            network.move(id, to: address)
            emit("operator: n\(id) now listens at \(address)")
        case .addLearner, .promote, .remove:
            break
        }
    }

    /// In the liveness phase the operator only finishes what it started: it retries the address update of a
    /// member that moved without its update committing (as `ferry members update` is retried until it
    /// succeeds). Runs with each liveness check; nothing happens in a seed where no node moved.
    func settleMovedMembers() {
        guard network.anyNodeMoved, let leader = currentLeader() else { return }
        guard let moved = unsettledMember(in: leader.inspect { $0.configuration }) else { return }
        propose(.updateAddress(moved, network.address(of: moved).member), at: leader)
        afterInput(leader)
    }
}

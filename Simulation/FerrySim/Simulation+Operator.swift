import FerryRaft

/// The operator: membership changes one member at a time (add a learner at an address, promote it, remove
/// a voter or learner, keeping at least `votersMin` voters, move a member to a new address) and leadership
/// transfers, all under faults.
/// Refusals (a change still pending, a lagging learner) are simply retried on a later turn.
extension Simulation {
    /// The running node that leads the highest term, if any.
    func currentLeader() -> SimNode? {
        var best: SimNode?
        for node in nodes where node.isRunning && node.inspect({ $0.role }) == .leader {
            if best == nil || node.inspect({ $0.term }) > best!.inspect({ $0.term }) { best = node }
        }
        return best
    }

    func onOperatorAction(periodic: Bool) {
        guard livenessDeadline == nil else { return }
        if periodic {
            schedule(
                .operatorAction(periodic: true), after: nemesisRandom.uint64(in: 1...(2 * options.operatorMicrosMean)))
        }
        guard let leader = currentLeader() else { return }
        let doMembership = options.membershipChanges && (!options.leadershipTransfers || nemesisRandom.chance(0.6))
        if doMembership {
            changeMembership(at: leader)
        } else {
            transferLeadership(from: leader)
        }
        afterInput(leader)
    }

    /// A new leader took office: an operator that reacts to leader changes acts within
    /// `operatorReactionMicrosMax`, often before the leader has committed an entry of its own term — the
    /// window the single-server membership rule guards (Ongaro 2015, bug 22).
    func operatorSawElection() {
        guard options.operatorFollowsElections, livenessDeadline == nil else { return }
        schedule(
            .operatorAction(periodic: false),
            after: nemesisRandom.uint64(in: 0...SimConstants.operatorReactionMicrosMax))
    }

    private func changeMembership(at leader: SimNode) {
        let configuration = leader.inspect { $0.configuration }
        // A member that moved without its update committing comes first: until it does, nobody reaches it.
        if let moved = unsettledMember(in: configuration) {
            propose(.updateAddress(moved, network.address(of: moved).member), at: leader)
            return
        }
        let outsiders = allNodeIDs.filter { !configuration.contains($0) }
        var choices: [ConfigurationChange] = []
        for learner in configuration.learners {
            choices.append(.promote(learner))
            choices.append(.promote(learner))
            choices.append(.remove(learner))
        }
        if configuration.learners.isEmpty, let outsider = outsiders.first {
            // Added where it listens, or (half the time) on a new machine: at an address it moves to once
            // the leader accepts the change.
            let added = nemesisRandom.pick(outsiders.isEmpty ? [outsider] : outsiders)
            let address = nemesisRandom.chance(0.5) ? network.freshAddress(for: added) : network.address(of: added)
            choices.append(.addLearner(added, address: address.member))
        }
        if configuration.voters.count > SimConstants.votersMin {
            choices.append(.remove(nemesisRandom.pick(configuration.voters)))
        }
        // Move a member (the leader too) to a new address: it listens there once the leader accepts the update.
        let moved = nemesisRandom.pick(configuration.members)
        choices.append(.updateAddress(moved, network.freshAddress(for: moved).member))
        propose(nemesisRandom.pick(choices), at: leader)
    }

    func propose(_ change: ConfigurationChange, at leader: SimNode) {
        trace.combine(0xC0)
        do {
            let position = try leader.raft!.proposeConfigurationChange(change)
            emit("operator: n\(leader.id) proposed \(change) at \(position)")
            moveIfAccepted(change)
        } catch {
            emit("operator: n\(leader.id) refused \(change): \(error)")
        }
    }

    private func transferLeadership(from leader: SimNode) {
        let voters = leader.inspect { $0.configuration.voters }.filter { $0 != leader.id }
        guard !voters.isEmpty else { return }
        let target = nemesisRandom.pick(voters)
        trace.combine(0x7F)
        emit("operator: transfer leadership n\(leader.id) -> n\(target)")
        leader.raft!.transferLeadership(to: target)
    }
}

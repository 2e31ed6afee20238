import FerryRaft

/// The liveness phase: every fault heals, crashed nodes restart, paused ones resume; then a leader
/// must emerge, every pending client command must be acknowledged and every member must apply the
/// whole committed log within `livenessPhaseSecondsMax`. Then the final durability check runs.
extension Simulation {
    func heal() {
        emit("heal: faults off, liveness phase begins")
        livenessDeadline = now + SimConstants.livenessPhaseSecondsMax * 1_000_000
        network.faulty = false
        network.healAll()
        for node in nodes {
            if !node.isUp {
                restart(node)
            } else if node.pausedUntil != nil {
                node.pausedUntil = nil
                emit("resume n\(node.id)")
            }
        }
        schedule(.livenessCheck, after: SimConstants.livenessCheckMicros)
    }

    func checkConvergence() {
        guard let deadline = livenessDeadline else { return }
        settleMovedMembers()
        if let blocker = convergenceBlocker() {
            if now >= deadline {
                checker.fail(
                    "LIVE", "no convergence \(SimConstants.livenessPhaseSecondsMax)s after healing: \(blocker)")
            } else {
                schedule(.livenessCheck, after: SimConstants.livenessCheckMicros)
            }
            return
        }
        emit(
            "converged \(formatSeconds(now - (deadline - SimConstants.livenessPhaseSecondsMax * 1_000_000))) after healing"
        )
        checkAcknowledgedEverywhere()
        converged = true
    }

    /// Why the cluster has not converged yet, or nil if it has.
    private func convergenceBlocker() -> String? {
        guard let leader = currentLeader() else { return "no leader" }
        let raft = leader.raft!  // one copy per liveness check (every 100 ms), not per event
        for client in clients where client.commandID != nil {
            return "client \(client.index) still waits on command \(client.commandID!)"
        }
        guard raft.commitIndex == raft.lastIndex else {
            return "leader n\(leader.id) has committed \(raft.commitIndex) of \(raft.lastIndex)"
        }
        for member in raft.configuration.members {
            let node = node(member)
            guard node.isUp else { return "member n\(member) is down" }
            if node.inspect({ $0.commitIndex }) != raft.commitIndex
                || node.stateMachine.appliedIndex != raft.commitIndex
            {
                return
                    "member n\(member) has commit \(node.inspect { $0.commitIndex }) applied \(node.stateMachine.appliedIndex), leader n\(leader.id) commit \(raft.commitIndex)"
            }
        }
        return nil
    }

    /// DUR at the end: every acknowledged command is in the state of every member, and the committed
    /// record still holds it where it was acknowledged.
    private func checkAcknowledgedEverywhere() {
        guard let leader = currentLeader() else { return }
        let members = leader.inspect { $0.configuration.members }
        for (id, position) in acknowledged {
            if let term = checker.committedTerm(at: position.index), term != position.term {
                checker.fail(
                    "DUR", "command \(id) acknowledged at \(position), but \(position.index)@\(term) is committed")
                return
            }
            for member in members where !node(member).stateMachine.contains(command: id) {
                checker.fail(
                    "DUR", "command \(id) acknowledged at \(position) is missing from member n\(member) at the end")
                return
            }
        }
    }
}

/// Single-server membership changes (thesis §4.1–4.3): one voter added or removed at a time, new nodes
/// join as learners and are promoted only once caught up.
extension RaftNode {
    public mutating func proposeConfigurationChange(_ change: ConfigurationChange) throws(ProposeError) -> LogPosition {
        try checkCanPropose()
        // One change at a time, and not before this leader committed an entry of its own term: otherwise two
        // leaders could each commit a change from the same parent configuration (Ongaro 2015, bug 22).
        guard log.committed >= pendingConfigurationIndex else { throw .configurationChangePending }
        let current = configuration
        let next: Configuration
        switch change {
        case .addLearner(let node, let address):
            guard node != 0, !current.contains(node) else {
                throw .invalidConfigurationChange("\(node) is already a member")
            }
            if let problem = address?.problem { throw .invalidConfigurationChange("address of \(node): \(problem)") }
            let added = Configuration(
                voters: current.voters, learners: current.learners + [node], addresses: current.addresses)
            next = address.map { added.with(address: $0, for: node) } ?? added
        case .promote(let node):
            guard current.isLearner(node) else { throw .invalidConfigurationChange("\(node) is not a learner") }
            // On a young log the lag bound alone passes at match 0: a node that never ran would become a
            // voter and count in every quorum. A learner must first have acknowledged an append of this leader.
            let match = progress[node]?.match ?? 0
            guard match > 0 else {
                throw .invalidConfigurationChange("learner \(node) has not answered the leader yet")
            }
            guard match + options.promotionLagEntriesMax >= log.lastIndex else {
                throw .invalidConfigurationChange("learner \(node) is behind: match \(match), last \(log.lastIndex)")
            }
            next = Configuration(
                voters: current.voters + [node], learners: current.learners.filter { $0 != node },
                addresses: current.addresses)
        case .remove(let node):
            guard current.contains(node) else { throw .invalidConfigurationChange("\(node) is not a member") }
            let voters = current.voters.filter { $0 != node }
            guard !voters.isEmpty else { throw .invalidConfigurationChange("cannot remove the last voter") }
            next = Configuration(
                voters: voters, learners: current.learners.filter { $0 != node }, addresses: current.addresses)
        case .updateAddress(let node, let address):
            guard current.contains(node) else { throw .invalidConfigurationChange("\(node) is not a member") }
            if let problem = address.problem { throw .invalidConfigurationChange("address of \(node): \(problem)") }
            guard current.address(of: node) != address else {
                throw .invalidConfigurationChange("\(node) already has that address")
            }
            next = current.with(address: address, for: node)
        }
        return appendAsLeader(.configuration(next))
    }

    /// Brings the leader's progress map in line with the configuration in force.
    mutating func applyConfiguration() {
        guard role == .leader else { return }
        let members = configuration.members
        for member in members where member != id && progress[member] == nil {
            progress[member] = Progress(next: log.lastIndex + 1)
        }
        for peer in progress.keys.sorted() where !members.contains(peer) {
            progress[peer] = nil
        }
        if let target = transferTarget, !configuration.isVoter(target) { transferTarget = nil }
        replicationPending = true
        // A smaller quorum may already cover entries.
        maybeCommit()
    }
}

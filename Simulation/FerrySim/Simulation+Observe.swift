import FerryRaft

/// Checks run after every event on the node the event touched. Each is incremental: it looks only at
/// what changed since the node was last observed.
extension Simulation {
    func observe(_ node: SimNode) {
        guard node.isUp else { return }
        let (term, role, commitIndex, appliedIndex) = node.inspect {
            ($0.term, $0.role, $0.commitIndex, $0.appliedIndex)
        }
        trace.combine(term)
        trace.combine(commitIndex)

        // Election Safety, and Leader Completeness at the moment a node takes office.
        if role == .leader {
            checker.sawLeader(node.id, term: term)
            if node.observedRole != .leader || node.observedTerm != term {
                operatorSawElection()
                nemesisSawElection(node)
                emit(
                    "n\(node.id) became leader of term \(term) (last \(node.inspect { $0.lastIndex }), commit \(commitIndex))"
                )
                checker.checkLeaderCompleteness(
                    node.id, term: term, snapshotIndex: node.inspect { $0.snapshotMetadata.index },
                    lastIndex: node.inspect { $0.lastIndex },
                    termAt: { index in node.inspect { $0.term(at: index) } })
            }
        }
        node.observedRole = role
        node.observedTerm = term

        // MONO: within one process, commit and applied never go back.
        if commitIndex < node.observedCommit {
            checker.fail("MONO", "node \(node.id) commit index went from \(node.observedCommit) to \(commitIndex)")
        }
        if appliedIndex < node.observedApplied {
            checker.fail("MONO", "node \(node.id) applied index went from \(node.observedApplied) to \(appliedIndex)")
        }
        if appliedIndex > commitIndex {
            checker.fail("MONO", "node \(node.id) applied \(appliedIndex) beyond its commit index \(commitIndex)")
        }
        node.observedApplied = appliedIndex
        if commitIndex > node.observedCommit {
            sawCommitAdvance(node, from: node.observedCommit, to: commitIndex)
            node.observedCommit = commitIndex
        }
    }

    /// Records the newly committed entries and, for each index committed for the first time anywhere,
    /// checks it is in the durable log of a majority of the committing node's voters (DUR): an
    /// entry acknowledged before it survives a majority crash is caught here, without needing the crash.
    private func sawCommitAdvance(_ node: SimNode, from old: LogIndex, to new: LogIndex) {
        let (snapshot, nodeTerm) = node.inspect { ($0.snapshotMetadata, $0.term) }
        for index in (old + 1)...new {
            guard let entry = node.inspect({ $0.entry(at: index) }) else {
                if index == snapshot.index {
                    checker.sawSnapshot(node.id, position: LogPosition(index: snapshot.index, term: snapshot.term))
                }
                continue
            }
            if checker.sawCommitted(node.id, entry: entry, nodeTerm: nodeTerm) {
                checkDurableOnMajority(
                    entry.position, committer: node, configuration: node.inspect { $0.configuration })
            }
        }
    }

    private func checkDurableOnMajority(_ position: LogPosition, committer: SimNode, configuration: Configuration) {
        var holders = 0
        for voter in configuration.voters where Int(voter) <= nodes.count {
            if node(voter).durable.holds(position) { holders += 1 }
        }
        if holders < configuration.quorum {
            checker.fail(
                "DUR",
                "node \(committer.id) committed \(position) while it is durable on only \(holders) of voters \(configuration.voters) (quorum \(configuration.quorum))"
            )
        }
    }

    /// PERS: nothing leaves a node before the state it reflects is durable (Raft Figure 2).
    func checkPersisted(_ envelope: Envelope, from node: SimNode) {
        let durable = node.durable
        let message = envelope.message
        switch message {
        case .voteRequest(let request) where request.isPreVote:
            return  // a PreVote names a term the sender has not entered
        case .voteResponse(let response) where response.isPreVote:
            return  // a PreVote grant echoes the candidate's prospective term
        default:
            break
        }
        if message.term > durable.hardState.term {
            checker.fail(
                "PERS",
                "node \(node.id) sent \(envelope) at term \(message.term) while its durable term is \(durable.hardState.term)"
            )
            return
        }
        switch message {
        case .voteResponse(let response) where response.granted:
            // The vote must be durable, or superseded by a durable later term (after which this node
            // can never vote in `response.term` again, so the grant cannot be doubled).
            let durableVote =
                durable.hardState.term > response.term
                || (durable.hardState.term == response.term && durable.hardState.votedFor == envelope.to)
            if !durableVote {
                checker.fail(
                    "PERS",
                    "node \(node.id) granted its vote in term \(response.term) to \(envelope.to) while its durable hard state is \(durable.hardState)"
                )
            }
        case .appendResponse(let response) where response.success:
            // The response acknowledges the entry the leader of `response.term` holds at `index`; that
            // entry's term is at most `response.term`. A durable entry there of a later term, or none,
            // means the acknowledged entry is not (or no longer) durable here. (Comparing with the
            // in-memory log instead would be wrong: it may already hold a newer leader's unsynced entry.)
            let backed: Bool
            if response.index <= durable.snapshotIndex {
                backed = true
            } else if let durableTerm = durable.term(at: response.index) {
                backed = durableTerm <= response.term
            } else {
                backed = false
            }
            if !backed {
                checker.fail(
                    "PERS",
                    "node \(node.id) acknowledged entries up to \(response.index) in term \(response.term) while its durable log ends at \(durable.lastIndex) (term there \(durable.term(at: response.index).map(String.init) ?? "none"))"
                )
            }
        case .snapshotResponse(let response) where response.done:
            if durable.snapshotIndex < response.snapshotIndex && durable.term(at: response.snapshotIndex) == nil {
                checker.fail(
                    "PERS",
                    "node \(node.id) acknowledged snapshot \(response.snapshotIndex) while its durable snapshot is at \(durable.snapshotIndex)"
                )
            }
        default:
            break
        }
    }
}

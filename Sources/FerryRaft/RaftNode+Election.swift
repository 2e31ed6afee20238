/// Elections: timeouts, PreVote (thesis §9.6), RequestVote (Raft §5.2, §5.4.1), role changes.
extension RaftNode {
    mutating func tickElection() {
        electionElapsedTicks += 1
        // Learners and removed nodes never campaign: they cannot win and must not disrupt (bug 24). Their
        // timer keeps running, though: it says how long ago the leader was heard (`inLeaderLease`). Reset at
        // each timeout, it would keep a non-voter whose timeout is the minimum in the lease forever, deaf to
        // every election, including those it must vote in as a voter whose promotion has not reached it yet
        // (seed 744).
        guard configuration.isVoter(id), electionElapsedTicks >= randomizedElectionTimeoutTicks else { return }
        electionElapsedTicks = 0
        if options.preVote {
            becomePreCandidate()
        } else {
            becomeCandidate(isLeadershipTransfer: false)
        }
    }

    mutating func resetElectionTimer() {
        electionElapsedTicks = 0
        let timeout = options.electionTimeoutTicks
        randomizedElectionTimeoutTicks = timeout + Int(random.next() % UInt64(timeout))
    }

    mutating func becomeFollower(term newTerm: Term, leader newLeader: NodeID?) {
        precondition(newTerm >= term, "terms never go back")
        if newTerm > term {
            term = newTerm
            votedFor = nil
            dropMessagesOfOlderTerms()
        }
        if role == .leader { abortLeadership() }
        role = .follower
        leader = newLeader
        votes = [:]
        resetElectionTimer()
    }

    /// Messages not yet handed out that were made in an older term must not leave: an acknowledgement of
    /// entries a newer leader has since replaced would be released only after the replacement is durable,
    /// and the old leader could count it toward committing an entry this node no longer holds. Dropping a
    /// message is always safe in Raft.
    mutating func dropMessagesOfOlderTerms() {
        let current = term
        messagesAfterPersist.removeAll { $0.message.term < current }
        messagesNow.removeAll { $0.message.term < current }
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader)
        // PreVote changes no persistent state: not the term, not the vote (thesis §9.6).
        role = .preCandidate
        leader = nil
        votes = [id: true]
        resetElectionTimer()
        requestVotes(term: term + 1, isPreVote: true, isLeadershipTransfer: false)
        if voteOutcome() == true { becomeCandidate(isLeadershipTransfer: false) }
    }

    mutating func becomeCandidate(isLeadershipTransfer: Bool) {
        precondition(role != .leader)
        // The new term and the self-vote go into the next Ready; the vote requests leave only after it is
        // durable (bugs 4-5), which `emit` ensures.
        term += 1
        votedFor = id
        dropMessagesOfOlderTerms()
        role = .candidate
        leader = nil
        votes = [id: true]
        resetElectionTimer()
        requestVotes(term: term, isPreVote: false, isLeadershipTransfer: isLeadershipTransfer)
        if voteOutcome() == true { becomeLeader() }
    }

    private mutating func requestVotes(term electionTerm: Term, isPreVote: Bool, isLeadershipTransfer: Bool) {
        let request = VoteRequest(
            term: electionTerm, lastLogIndex: log.lastIndex, lastLogTerm: log.lastTerm,
            isPreVote: isPreVote, isLeadershipTransfer: isLeadershipTransfer)
        for voter in configuration.voters where voter != id {
            emit(.voteRequest(request), to: voter)
        }
    }

    /// true: a majority granted; false: a majority refused; nil: undecided.
    func voteOutcome() -> Bool? {
        let voters = configuration.voters
        let granted = voters.filter { votes[$0] == true }.count
        let refused = voters.filter { votes[$0] == false }.count
        if granted >= configuration.quorum { return true }
        if refused > voters.count - configuration.quorum { return false }
        return nil
    }

    mutating func becomeLeader() {
        precondition(role == .candidate, "only a candidate becomes leader")
        role = .leader
        leader = id
        votes = [:]
        heartbeatElapsedTicks = 0
        electionElapsedTicks = 0
        transferTarget = nil
        readRound = 0
        progress = [:]
        for member in configuration.members where member != id {
            progress[member] = Progress(next: log.lastIndex + 1)
        }
        // A new leader does not know which of its entries are committed until it commits one of its own
        // term (Raft §5.4.2, §8): append a no-op. No configuration change until that commits (bug 22).
        let noop = appendAsLeader(.noop)
        pendingConfigurationIndex = noop.index
    }

    /// Leaving the leader role: unfinished reads fail so their clients retry elsewhere.
    mutating func abortLeadership() {
        for read in readsAwaitingFirstCommit + pendingReads {
            answerRead(read, index: nil)
        }
        readsAwaitingFirstCommit = []
        pendingReads = []
        progress = [:]
        transferTarget = nil
        replicationPending = false
    }

    // MARK: - Term rules shared by every message

    /// Applies the term rules of Raft §5.1 and the PreVote and leader-stickiness exceptions.
    /// Returns false when the message must be dropped.
    mutating func stepTerm(_ envelope: Envelope) -> Bool {
        let message = envelope.message
        let messageTerm = message.term
        if messageTerm > term {
            if case .voteRequest(let request) = message {
                // Leader stickiness (thesis §4.2.3, §9.6): while we hear from a leader, ignore elections
                // unless the leader itself asked for one (leadership transfer). This is what keeps a removed
                // or partitioned node from disrupting the cluster.
                if inLeaderLease && !request.isLeadershipTransfer { return false }
                if request.isPreVote { return true }
            }
            if case .voteResponse(let response) = message, response.isPreVote, response.granted {
                return true
            }
            switch message {
            case .appendEntries, .heartbeat, .snapshotChunk:
                becomeFollower(term: messageTerm, leader: envelope.from)
            default:
                becomeFollower(term: messageTerm, leader: nil)
            }
            return true
        }
        if messageTerm < term {
            switch message {
            case .appendEntries, .heartbeat, .snapshotChunk:
                // A stale leader: tell it the newer term so it steps down (needed with CheckQuorum and
                // PreVote, where its own elections would not reach us).
                emit(.appendResponse(AppendResponse(term: term, success: false, index: 0)), to: envelope.from)
            case .voteRequest(let request) where request.isPreVote:
                emit(.voteResponse(VoteResponse(term: term, granted: false, isPreVote: true)), to: envelope.from)
            default:
                break
            }
            return false
        }
        return true
    }

    /// True while a leader was heard from within the minimum election timeout.
    var inLeaderLease: Bool {
        options.checkQuorum && leader != nil && role == .follower && electionElapsedTicks < options.electionTimeoutTicks
    }

    // MARK: - Votes

    mutating func handleVoteRequest(_ request: VoteRequest, from candidate: NodeID) {
        let canVote =
            votedFor == candidate
            || (votedFor == nil && leader == nil)
            || (request.isPreVote && request.term > term)
        let upToDate = log.isUpToDate(lastIndex: request.lastLogIndex, lastTerm: request.lastLogTerm)
        let grant = canVote && upToDate
        if request.isPreVote {
            // A PreVote grant changes nothing here: no term, no vote, no timer reset (bug 25).
            let responseTerm = grant ? request.term : term
            emit(.voteResponse(VoteResponse(term: responseTerm, granted: grant, isPreVote: true)), to: candidate)
            return
        }
        if grant {
            votedFor = candidate
            resetElectionTimer()
        }
        emit(.voteResponse(VoteResponse(term: term, granted: grant, isPreVote: false)), to: candidate)
    }

    mutating func handleVoteResponse(_ response: VoteResponse, from voter: NodeID) {
        switch (role, response.isPreVote) {
        case (.preCandidate, true), (.candidate, false):
            break
        default:
            return  // a response to an election we are no longer running
        }
        votes[voter] = response.granted
        switch voteOutcome() {
        case true?:
            if role == .preCandidate { becomeCandidate(isLeadershipTransfer: false) } else { becomeLeader() }
        case false?:
            becomeFollower(term: term, leader: nil)
        case nil:
            break
        }
    }

    mutating func handleTimeoutNow(from sender: NodeID) {
        // The leader asked us to take over (thesis §3.10): campaign at once, skipping PreVote.
        guard role != .leader, configuration.isVoter(id) else { return }
        becomeCandidate(isLeadershipTransfer: true)
    }
}

/// The leader's side of replication (Raft §5.3, §5.4.2, §7; thesis §6.2 CheckQuorum, §3.10 transfer).
extension RaftNode {
    mutating func tickLeader() {
        heartbeatElapsedTicks += 1
        electionElapsedTicks += 1
        if electionElapsedTicks >= options.electionTimeoutTicks {
            electionElapsedTicks = 0
            if options.checkQuorum && !checkQuorumActive() {
                // Cut off from a majority: stop acting as leader so clients go elsewhere (bug 26).
                becomeFollower(term: term, leader: nil)
                return
            }
            if transferTarget != nil {
                // The target did not take over within an election timeout: resume normal service.
                transferTarget = nil
            }
        }
        if heartbeatElapsedTicks >= options.heartbeatIntervalTicks {
            heartbeatElapsedTicks = 0
            broadcastHeartbeat()
        }
    }

    /// Whether a majority of voters was heard from since the last check; resets the marks.
    private mutating func checkQuorumActive() -> Bool {
        var active = configuration.isVoter(id) ? 1 : 0
        for peer in progress.keys.sorted() {
            if progress[peer]!.recentActive && configuration.isVoter(peer) { active += 1 }
            progress[peer]!.recentActive = false
        }
        return active >= configuration.quorum
    }

    mutating func broadcastHeartbeat() {
        for peer in progress.keys.sorted() {
            let commit = min(progress[peer]!.match, log.committed)
            emit(.heartbeat(Heartbeat(term: term, commit: commit, readRound: readRound)), to: peer)
        }
    }

    /// Sends whatever each follower can take now. Called when outputs are collected, so that many
    /// proposals between two collections share one AppendEntries per follower.
    mutating func flushReplication() {
        guard role == .leader, replicationPending else { return }
        replicationPending = false
        for peer in progress.keys.sorted() {
            sendAppends(to: peer)
        }
    }

    /// Sends appends to `peer` until its window is full or it has everything.
    mutating func sendAppends(to peer: NodeID) {
        while var pr = progress[peer], !pr.isPaused(inflightMax: options.inflightAppendsMax) {
            let prevIndex = pr.next - 1
            guard let prevTerm = log.term(at: prevIndex) else {
                // What the follower needs is compacted away: send the snapshot instead (Raft §7).
                sendSnapshot(to: peer)
                return
            }
            // A lost read is a lost message: the next heartbeat response tries again (as for snapshot chunks).
            guard let entries = entriesToSend(from: pr.next) else { return }
            if entries.isEmpty && pr.state == .replicate {
                // Nothing new to send. Propagate a commit advance with an empty append, but only once the
                // window is drained: then `next - 1 == match` and the append cannot be refused.
                guard pr.inflights.isEmpty, pr.commitSent < log.committed else { return }
            }
            let request = AppendEntries(
                term: term, prevLogIndex: prevIndex, prevLogTerm: prevTerm, entries: entries,
                leaderCommit: log.committed)
            emit(.appendEntries(request), to: peer)
            pr.sentAppend(
                lastIndex: prevIndex + LogIndex(entries.count), commit: log.committed, isEmpty: entries.isEmpty)
            progress[peer] = pr
            if entries.isEmpty { return }
        }
    }

    /// One append's worth of entries from `index` (which follows an entry the log holds): from memory, or read
    /// back from storage when their payloads were released. nil when storage cannot serve them now, or served
    /// something that is not this log's (each entry must match the term the log keeps for it).
    private func entriesToSend(from index: LogIndex) -> [Entry]? {
        if let entries = log.entries(from: index, countMax: options.appendEntriesMax, bytesMax: options.appendBytesMax)
        {
            return entries
        }
        let last = min(log.releasedThrough, index + LogIndex(options.appendEntriesMax) - 1)
        guard let source = entrySource,
            let entries = source.entries(from: index, through: last, bytesMax: options.appendBytesMax),
            !entries.isEmpty, entries.count <= Int(last - index + 1)
        else { return nil }
        for (offset, entry) in entries.enumerated()
        where entry.index != index + LogIndex(offset) || log.term(at: entry.index) != entry.term {
            return nil
        }
        return entries
    }

    mutating func handleAppendResponse(_ response: AppendResponse, from peer: NodeID) {
        guard role == .leader, var pr = progress[peer] else { return }
        pr.recentActive = true
        if !response.success {
            handleRejection(response, pr: &pr)
            progress[peer] = pr
            sendAppends(to: peer)
            return
        }
        let advanced = pr.acknowledge(response.index)
        if advanced {
            switch pr.state {
            case .probe: pr.becomeReplicate()
            case .snapshot(let index, _) where pr.match >= index: pr.becomeProbe()
            default: break
            }
        }
        progress[peer] = pr
        if advanced && maybeCommit() {
            replicationPending = true  // followers learn the new commit index
        }
        sendAppends(to: peer)
        if peer == transferTarget && pr.match == log.lastIndex {
            emit(.timeoutNow(TimeoutNow(term: term)), to: peer)
        }
    }

    /// A follower refused an append: move `next` back using its hint, never below `match + 1`.
    private func handleRejection(_ response: AppendResponse, pr: inout Progress) {
        // index 0 with no hint is the answer to a stale-term message, not a log mismatch.
        guard response.index > 0 || response.conflictIndex > 0 else { return }
        switch pr.state {
        case .replicate:
            // Stale: an append we sent before `match` moved past it.
            guard response.index > pr.match else { return }
        case .probe:
            guard response.index == pr.next - 1 else { return }
        case .snapshot:
            return
        }
        var next = response.conflictIndex
        if response.conflictTerm > 0,
            let last = log.lastIndex(ofTerm: response.conflictTerm, atOrBelow: response.index)
        {
            next = last + 1
        }
        pr.becomeProbe()
        pr.next = max(pr.match + 1, min(max(next, 1), response.index))
    }

    /// Raft §5.3/§5.4.2: the highest index stored durably on a majority of voters commits, but only if it
    /// is of the current term — older-term entries commit indirectly (Figure 8, bug 1).
    @discardableResult
    mutating func maybeCommit() -> Bool {
        var matches: [LogIndex] = []
        for voter in configuration.voters {
            if voter == id {
                matches.append(log.stableIndex)  // the leader counts its own copy only once it is durable
            } else {
                matches.append(progress[voter]?.match ?? 0)
            }
        }
        matches.sort(by: >)
        let quorumIndex = matches[configuration.quorum - 1]
        guard quorumIndex > log.committed, log.term(at: quorumIndex) == term else { return false }
        commit(to: quorumIndex)
        return true
    }

    /// Advances the commit index and does what depends on it.
    mutating func commit(to index: LogIndex) {
        let firstOfTerm = role == .leader && log.term(at: log.committed) != term
        log.commit(to: index)
        guard role == .leader else { return }
        if firstOfTerm && log.term(at: log.committed) == term {
            // The first commit of this term: reads that waited for it can start (thesis §6.4 step 1).
            let waiting = readsAwaitingFirstCommit
            readsAwaitingFirstCommit = []
            for read in waiting { startRead(requestID: read.requestID, from: read.from) }
        }
        // A leader removed from the configuration steps down once the removal commits (thesis §4.2.2).
        if !configuration.isVoter(id), log.committed >= pendingConfigurationIndex {
            handOffAfterRemoval()
        }
    }

    private mutating func handOffAfterRemoval() {
        // Hand leadership to the most caught-up voter so the cluster does not wait for a timeout.
        let best = configuration.voters.filter { progress[$0] != nil }
            .max { (progress[$0]!.match, $0) < (progress[$1]!.match, $1) }
        if let best, progress[best]!.match == log.lastIndex {
            emit(.timeoutNow(TimeoutNow(term: term)), to: best)
        }
        becomeFollower(term: term, leader: nil)
    }

    mutating func handleHeartbeatResponse(_ response: HeartbeatResponse, from peer: NodeID) {
        guard role == .leader, var pr = progress[peer] else { return }
        pr.recentActive = true
        pr.probeSent = false
        pr.readRoundAcked = max(pr.readRoundAcked, response.readRound)
        if case .replicate = pr.state, pr.match < log.lastIndex, !pr.inflights.isEmpty,
            pr.match == pr.matchAtLastHeartbeat
        {
            pr.becomeProbe()  // appends were lost: resend from match + 1
        }
        pr.matchAtLastHeartbeat = pr.match
        progress[peer] = pr
        switch pr.state {
        case .snapshot(let index, let offset):
            sendSnapshotChunk(to: peer, index: index, offset: offset)  // resend a chunk that may be lost
        case .probe, .replicate:
            if pr.match < log.lastIndex || pr.commitSent < log.committed { sendAppends(to: peer) }
        }
        releaseConfirmedReads()
    }

    // MARK: - Snapshots to followers

    mutating func sendSnapshot(to peer: NodeID) {
        let index = log.snapshotIndex
        progress[peer]!.state = .snapshot(index: index, offset: 0)
        progress[peer]!.inflights.removeAll()
        sendSnapshotChunk(to: peer, index: index, offset: 0)
    }

    mutating func sendSnapshotChunk(to peer: NodeID, index: LogIndex, offset: Int) {
        let snapshot = log.snapshot
        guard snapshot.metadata.index == index else {
            // Compacted again meanwhile: start over with the newer snapshot.
            sendSnapshot(to: peer)
            return
        }
        let count = min(snapshot.sizeBytes - offset, options.snapshotChunkBytesMax)
        // Read from storage, not memory: a lost read is a lost message, resent at the next heartbeat response.
        guard count >= 0, let data = snapshotSource?.snapshotChunk(of: snapshot, offset: offset, count: count),
            data.count == count
        else { return }
        let chunk = SnapshotChunk(
            term: term, metadata: snapshot.metadata, offset: offset, data: data,
            totalBytes: snapshot.sizeBytes)
        emit(.snapshotChunk(chunk), to: peer)
    }

    mutating func handleSnapshotResponse(_ response: SnapshotResponse, from peer: NodeID) {
        guard role == .leader, var pr = progress[peer] else { return }
        pr.recentActive = true
        guard case .snapshot(let index, let offset) = pr.state, index == response.snapshotIndex else { return }
        if response.done {
            _ = pr.acknowledge(index)
            pr.becomeProbe()
            progress[peer] = pr
            sendAppends(to: peer)
            return
        }
        // A response asking for the offset already requested is a duplicate (or the answer to a resend):
        // that chunk is on its way, or the next heartbeat resends it. Answering every copy would turn each
        // duplicated message into another chunk/response chain that never ends.
        guard response.nextOffset != offset else {
            progress[peer] = pr
            return
        }
        pr.state = .snapshot(index: index, offset: response.nextOffset)
        progress[peer] = pr
        sendSnapshotChunk(to: peer, index: index, offset: response.nextOffset)
    }

    // MARK: - Leadership transfer

    /// Hands leadership to `target` (thesis §3.10): stop taking proposals, bring it up to date, then tell it
    /// to campaign. Aborted after an election timeout.
    public mutating func transferLeadership(to target: NodeID) {
        guard role == .leader, target != id, configuration.isVoter(target), let pr = progress[target] else { return }
        transferTarget = target
        electionElapsedTicks = 0
        if pr.match == log.lastIndex {
            emit(.timeoutNow(TimeoutNow(term: term)), to: target)
        } else {
            sendAppends(to: target)
        }
    }
}

/// The follower's side of replication: AppendEntries (Figure 2), heartbeats, chunked snapshots (§7).
extension RaftNode {
    /// Any valid message from the current leader: follow it and restart the election timer.
    private mutating func heardFromLeader(_ sender: NodeID) {
        if role != .follower || leader != sender {
            becomeFollower(term: term, leader: sender)
        } else {
            electionElapsedTicks = 0
        }
    }

    mutating func handleAppendEntries(_ request: AppendEntries, from sender: NodeID) {
        precondition(role != .leader, "two leaders in term \(term): \(id) and \(sender)")
        heardFromLeader(sender)

        if request.prevLogIndex < log.committed {
            // Everything up to our commit index matches the leader's log (Leader Completeness), so only the
            // part of the request beyond it needs checking.
            let skip = Int(log.committed - request.prevLogIndex)
            if skip >= request.entries.count {
                emit(.appendResponse(AppendResponse(term: term, success: true, index: log.committed)), to: sender)
                return
            }
            let trimmed = AppendEntries(
                term: request.term, prevLogIndex: log.committed, prevLogTerm: request.entries[skip - 1].term,
                entries: Array(request.entries[skip...]), leaderCommit: request.leaderCommit)
            handleAppendEntries(trimmed, from: sender)
            return
        }

        guard log.matchTerm(request.prevLogIndex, request.prevLogTerm) else {
            emit(.appendResponse(rejection(at: request.prevLogIndex)), to: sender)
            return
        }
        if let firstNew = log.merge(after: request.prevLogIndex, request.entries) {
            noteAppendedConfigurations(from: firstNew)
        }
        // Figure 2, rule 5: never past the last entry this request proved to match (bug 9).
        let lastNew = request.prevLogIndex + LogIndex(request.entries.count)
        commit(to: min(request.leaderCommit, lastNew))
        emit(.appendResponse(AppendResponse(term: term, success: true, index: lastNew)), to: sender)
    }

    private func rejection(at prevIndex: LogIndex) -> AppendResponse {
        guard prevIndex <= log.lastIndex, let conflictTerm = log.term(at: prevIndex) else {
            return AppendResponse(
                term: term, success: false, index: prevIndex, conflictTerm: 0, conflictIndex: log.lastIndex + 1)
        }
        return AppendResponse(
            term: term, success: false, index: prevIndex, conflictTerm: conflictTerm,
            conflictIndex: log.firstIndex(ofTermAt: prevIndex))
    }

    /// Configuration entries take effect when appended; entries replaced by a new leader roll back to the
    /// previous configuration (thesis §4.1, bug 23).
    mutating func noteAppendedConfigurations(from firstNew: LogIndex) {
        configurationEntries.removeAll { $0.index >= firstNew }
        var index = firstNew
        while let entry = log.entry(at: index) {
            if case .configuration(let configuration) = entry.payload {
                configurationEntries.append((index, configuration))
            }
            index += 1
        }
        applyConfiguration()
    }

    mutating func handleHeartbeat(_ heartbeat: Heartbeat, from sender: NodeID) {
        precondition(role != .leader, "two leaders in term \(term): \(id) and \(sender)")
        heardFromLeader(sender)
        // The leader caps `commit` at our match index, so our log up to it is the leader's.
        commit(to: min(heartbeat.commit, log.lastIndex))
        emit(.heartbeatResponse(HeartbeatResponse(term: term, readRound: heartbeat.readRound)), to: sender)
    }

    mutating func handleSnapshotChunk(_ chunk: SnapshotChunk, from sender: NodeID) {
        precondition(role != .leader, "two leaders in term \(term): \(id) and \(sender)")
        heardFromLeader(sender)
        let metadata = chunk.metadata
        func respond(nextOffset: Int, done: Bool) {
            emit(
                .snapshotResponse(
                    SnapshotResponse(term: term, snapshotIndex: metadata.index, nextOffset: nextOffset, done: done)),
                to: sender)
        }
        // Already covered: never roll the state machine back to an older snapshot (bug 16).
        if metadata.index <= log.committed {
            incomingSnapshot = nil
            respond(nextOffset: chunk.totalBytes, done: true)
            return
        }
        if incomingSnapshot?.metadata != metadata {
            guard chunk.offset == 0 else {
                respond(nextOffset: 0, done: false)
                return
            }
            incomingSnapshot = Snapshot(metadata: metadata, data: [])
        }
        let received = incomingSnapshot!.data.count
        guard chunk.offset == received else {
            respond(nextOffset: received, done: false)  // duplicate or reordered: ask for what we need
            return
        }
        incomingSnapshot!.data += chunk.data
        guard chunk.isLast else {
            respond(nextOffset: incomingSnapshot!.data.count, done: false)
            return
        }
        let snapshot = incomingSnapshot!
        incomingSnapshot = nil
        if log.matchTerm(metadata.index, metadata.term) {
            // We hold the snapshot's last entry: our log up to it is the leader's; just commit (etcd does the same).
            commit(to: metadata.index)
        } else {
            log.restore(snapshot.stored)
            snapshotToPersist = snapshot
            configurationEntries = []
            applyConfiguration()
        }
        respond(nextOffset: chunk.totalBytes, done: true)
    }
}

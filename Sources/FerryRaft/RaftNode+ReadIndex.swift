/// Linearizable reads without writing to the log (thesis §6.4): the leader notes its commit index, confirms
/// it still leads with a round of heartbeats, and the read is served once that index is applied.
extension RaftNode {
    /// Asks for a read index. The answer comes back in `Ready.readStates` with the same `requestID`
    /// (nil index: retry, leadership was lost or unknown). Request ids must be unique per node.
    public mutating func readIndex(requestID: UInt64) {
        switch role {
        case .leader:
            startRead(requestID: requestID, from: id)
        case .follower where leader != nil:
            emit(.readIndexRequest(ReadIndexRequest(term: term, requestID: requestID)), to: leader!)
        case .follower, .preCandidate, .candidate:
            readStates.append(ReadState(requestID: requestID, index: nil))
        }
    }

    mutating func handleReadIndexRequest(_ request: ReadIndexRequest, from follower: NodeID) {
        guard role == .leader else {
            emit(
                .readIndexResponse(ReadIndexResponse(term: term, requestID: request.requestID, index: nil)),
                to: follower)
            return
        }
        startRead(requestID: request.requestID, from: follower)
    }

    mutating func handleReadIndexResponse(_ response: ReadIndexResponse) {
        readStates.append(ReadState(requestID: response.requestID, index: response.index))
    }

    mutating func startRead(requestID: UInt64, from requester: NodeID) {
        precondition(role == .leader)
        // Until an entry of this term commits, our commit index may be behind the true one (bug 2).
        guard log.term(at: log.committed) == term else {
            readsAwaitingFirstCommit.append(PendingRead(requestID: requestID, from: requester, index: 0, round: 0))
            return
        }
        readRound += 1
        pendingReads.append(PendingRead(requestID: requestID, from: requester, index: log.committed, round: readRound))
        if configuration.voters == [id] {
            releaseConfirmedReads()
        } else {
            broadcastHeartbeat()
        }
    }

    /// Serves every read whose heartbeat round a majority of voters has acknowledged.
    mutating func releaseConfirmedReads() {
        guard role == .leader, !pendingReads.isEmpty else { return }
        var acked: [UInt64] = configuration.voters.map { voter in
            voter == id ? readRound : (progress[voter]?.readRoundAcked ?? 0)
        }
        acked.sort(by: >)
        let confirmedRound = acked[configuration.quorum - 1]
        while let read = pendingReads.first, read.round <= confirmedRound {
            pendingReads.removeFirst()
            answerRead(read, index: read.index)
        }
    }

    mutating func answerRead(_ read: PendingRead, index: LogIndex?) {
        if read.from == id {
            readStates.append(ReadState(requestID: read.requestID, index: index))
        } else {
            emit(
                .readIndexResponse(ReadIndexResponse(term: term, requestID: read.requestID, index: index)),
                to: read.from)
        }
    }
}

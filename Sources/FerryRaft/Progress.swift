/// The leader's view of one follower's log (Raft Figure 2, "volatile state on leaders"), plus flow control.
struct Progress {
    enum State: Equatable {
        /// The follower's match is unknown: send one append at a time and wait for its answer.
        case probe
        /// The follower is in sync: stream appends optimistically, at most `inflightAppendsMax` unacknowledged.
        case replicate
        /// The follower needs the snapshot at `index`; `offset` bytes of it are acknowledged.
        case snapshot(index: LogIndex, offset: Int)
    }

    /// Invariant: match < next; match never decreases while this node leads.
    var match: LogIndex = 0
    var next: LogIndex
    var state: State = .probe
    /// In probe state: an append is outstanding, wait for a response (or the next heartbeat response).
    var probeSent = false
    /// Last index of each append sent in replicate state and not yet acknowledged, oldest first.
    var inflights: [LogIndex] = []
    /// Heard from since the last CheckQuorum round (thesis §6.2).
    var recentActive = false
    /// `match` when the previous heartbeat response arrived: no progress across a whole heartbeat interval
    /// with appends outstanding means they were lost, and the follower goes back to probing.
    var matchAtLastHeartbeat: LogIndex = 0
    /// The commit index last sent to this follower, so an advance is propagated without waiting for a heartbeat.
    var commitSent: LogIndex = 0
    /// The highest ReadIndex round this follower has acknowledged in the current term.
    var readRoundAcked: UInt64 = 0

    init(next: LogIndex) {
        self.next = next
    }

    func isPaused(inflightMax: Int) -> Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.count >= inflightMax
        case .snapshot: return true
        }
    }

    mutating func becomeProbe() {
        if case .snapshot(let index, _) = state {
            next = max(match + 1, index + 1)
        } else {
            next = match + 1
        }
        state = .probe
        probeSent = false
        inflights.removeAll()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        probeSent = false
        inflights.removeAll()
    }

    /// A successful response for `index`. Returns false for a stale one (it must not move anything back,
    /// docs/simulation.md, "Planted bugs", bugs 13-14).
    mutating func acknowledge(_ index: LogIndex) -> Bool {
        while let first = inflights.first, first <= index { inflights.removeFirst() }
        guard index > match else { return false }
        match = index
        next = max(next, index + 1)
        return true
    }

    mutating func sentAppend(lastIndex: LogIndex, commit: LogIndex, isEmpty: Bool) {
        commitSent = max(commitSent, commit)
        switch state {
        case .replicate:
            // An empty append only carries the commit index: it does not occupy the window.
            guard !isEmpty else { return }
            next = lastIndex + 1
            inflights.append(lastIndex)
        case .probe:
            probeSent = true
        case .snapshot:
            preconditionFailure("no appends while a snapshot is being sent")
        }
    }
}

import FerryRaft

/// A broken invariant: the seed fails.
public struct Violation: CustomStringConvertible, Sendable {
    /// The invariant's key from docs/simulation.md, "Invariants" (ES, LM, LC, SMS, DUR, MONO, PERS, LIVE).
    public var invariant: String
    public var detail: String
    public var timeMicros: SimMicros

    public var description: String {
        "\(invariant) violated at t=\(formatSeconds(timeMicros)): \(detail)"
    }
}

func formatSeconds(_ micros: SimMicros) -> String {
    let whole = micros / 1_000_000
    let frac = micros % 1_000_000
    let fracText = String(frac)
    return "\(whole).\(String(repeating: "0", count: 6 - fracText.count))\(fracText)s"
}

/// The global record the invariants are checked against, built incrementally as the run goes, so
/// checking after every event costs a few lookups rather than a scan of every log.
///
/// It is the simulator's omniscient view: it sees every node's log, every commit, every apply and
/// every durable write, across crashes and restarts.
final class Checker {
    /// The first violation found; the run stops after the event that caused it.
    private(set) var violation: Violation?
    var now: SimMicros = 0

    /// Election Safety: the one leader each term ever had, across restarts.
    private var leaderOfTerm: [Term: NodeID] = [:]
    /// Log Matching: every (index, term) ever appended anywhere, with its payload hash and the term
    /// of the entry before it. Same (index, term) with a different payload or predecessor breaks Log
    /// Matching; by induction over the predecessor terms this covers whole prefixes.
    /// Indexed by log index: the first term ever appended there; almost every index sees one term, so
    /// this array answers most lookups and `appendedOtherTerms` holds the rest.
    private var appendedFirst: [AppendRecord] = [AppendRecord(term: 0, payloadHash: 0, previousTerm: 0)]
    private var appendedOtherTerms: [LogPosition: AppendRecord] = [:]

    struct AppendRecord {
        var term: Term
        var payloadHash: UInt64
        var previousTerm: Term
    }

    private func appendRecord(at position: LogPosition) -> AppendRecord? {
        let index = Int(position.index)
        guard index < appendedFirst.count, appendedFirst[index].term != 0 else { return nil }
        if appendedFirst[index].term == position.term { return appendedFirst[index] }
        return appendedOtherTerms[position]
    }

    private func recordAppend(_ record: AppendRecord, at index: LogIndex) {
        let slot = Int(index)
        while appendedFirst.count <= slot {
            appendedFirst.append(AppendRecord(term: 0, payloadHash: 0, previousTerm: 0))
        }
        if appendedFirst[slot].term == 0 {
            appendedFirst[slot] = record
        } else {
            appendedOtherTerms[LogPosition(index: index, term: record.term)] = record
        }
    }
    /// The committed log as first seen committed: committedTerm[i] is 0 where not yet known.
    private(set) var committedTerm: [Term] = [0]
    private var committedHash: [UInt64] = [0]
    /// The term of the node that first counted each index committed: Leader Completeness binds only
    /// leaders of later terms (a leader of an older term, elected late on delayed votes, need not hold it).
    private var committedInTerm: [Term] = [0]
    /// The state machine digest after applying index i, as first seen (0: not yet known).
    private var digestAt: [UInt64] = [0]
    /// The highest index known committed.
    private(set) var committedIndexMax: LogIndex = 0

    func fail(_ invariant: String, _ detail: String) {
        guard violation == nil else { return }
        violation = Violation(invariant: invariant, detail: detail, timeMicros: now)
    }

    // MARK: Election Safety

    /// Called whenever a node is seen in the leader role.
    func sawLeader(_ node: NodeID, term: Term) {
        if let existing = leaderOfTerm[term] {
            if existing != node { fail("ES", "nodes \(existing) and \(node) both led term \(term)") }
        } else {
            leaderOfTerm[term] = node
        }
    }

    // MARK: Log Matching

    /// The node appended `entries` after an entry of term `previousTerm` (nil: unknown, compacted).
    func sawAppend(_ node: NodeID, entries: [Entry], previousTerm: Term?) {
        var previous = previousTerm
        for entry in entries {
            let hash = entry.payloadHash
            if let known = appendRecord(at: entry.position) {
                if known.payloadHash != hash {
                    fail(
                        "LM",
                        "node \(node) appended \(entry) but another node holds a different entry at \(entry.position)")
                } else if let previous, known.previousTerm != previous {
                    fail(
                        "LM",
                        "node \(node) appended \(entry) after an entry of term \(previous), elsewhere it follows term \(known.previousTerm)"
                    )
                }
            } else if let previous {
                recordAppend(AppendRecord(term: entry.term, payloadHash: hash, previousTerm: previous), at: entry.index)
            }
            previous = entry.term
        }
    }

    // MARK: Commit record (SMS, DUR)

    func committedTerm(at index: LogIndex) -> Term? {
        index < committedTerm.count && committedTerm[Int(index)] != 0 ? committedTerm[Int(index)] : nil
    }

    /// Node `node` now counts `entry` as committed. Returns true the first time this index is seen
    /// committed anywhere (the caller then checks it is durable on a majority).
    @discardableResult
    func sawCommitted(_ node: NodeID, entry: Entry, nodeTerm: Term) -> Bool {
        let index = Int(entry.index)
        while committedTerm.count <= index {
            committedTerm.append(0)
            committedHash.append(0)
            committedInTerm.append(0)
        }
        if committedTerm[index] == 0 {
            committedTerm[index] = entry.term
            committedHash[index] = entry.payloadHash
            committedInTerm[index] = nodeTerm
            committedIndexMax = max(committedIndexMax, entry.index)
            return true
        }
        if committedTerm[index] != entry.term || committedHash[index] != entry.payloadHash {
            fail(
                "SMS",
                "node \(node) holds \(entry) as committed, but \(entry.index)@\(committedTerm[index]) was committed before (a committed entry changed)"
            )
        }
        return false
    }

    /// A snapshot at `position` is committed state: it must agree with the committed record.
    func sawSnapshot(_ node: NodeID, position: LogPosition) {
        guard position.index > 0 else { return }
        if let term = committedTerm(at: position.index), term != position.term {
            fail("SMS", "node \(node) holds a snapshot at \(position), but \(position.index)@\(term) is committed")
        }
    }

    // MARK: State Machine Safety on apply

    /// Node `node` applied `entry`, and its state machine digest became `digest`.
    func sawApplied(_ node: NodeID, entry: Entry, digest: UInt64, nodeTerm: Term) {
        sawCommitted(node, entry: entry, nodeTerm: nodeTerm)
        let index = Int(entry.index)
        while digestAt.count <= index { digestAt.append(0) }
        if digestAt[index] == 0 {
            digestAt[index] = digest
        } else if digestAt[index] != digest {
            fail(
                "SMS", "node \(node) applied \(entry) and its state differs from another node's state at \(entry.index)"
            )
        }
    }

    /// Node `node` restored a snapshot whose state digest is `digest`.
    func sawRestored(_ node: NodeID, position: LogPosition, digest: UInt64) {
        sawSnapshot(node, position: position)
        let index = Int(position.index)
        guard index > 0 else { return }
        if index < digestAt.count, digestAt[index] != 0, digestAt[index] != digest {
            fail(
                "SMS",
                "node \(node) restored a snapshot at \(position) whose state differs from the applied state at that index"
            )
        }
    }

    // MARK: Leader Completeness

    /// A node just became leader of `term`: it must hold every entry committed in an earlier term (Raft §5.4).
    func checkLeaderCompleteness(
        _ node: NodeID, term: Term, snapshotIndex: LogIndex, lastIndex: LogIndex, termAt: (LogIndex) -> Term?
    ) {
        guard committedIndexMax > 0 else { return }
        let first = max(snapshotIndex, 1)
        for index in first...committedIndexMax {
            guard let committed = committedTerm(at: index), committedInTerm[Int(index)] < term else { continue }
            if index > lastIndex {
                fail(
                    "LC",
                    "node \(node) became leader of term \(term) with last index \(lastIndex), but \(index)@\(committed) was committed in term \(committedInTerm[Int(index)])"
                )
                return
            }
            if let held = termAt(index), held != committed {
                fail(
                    "LC",
                    "node \(node) became leader of term \(term) holding \(index)@\(held), but \(index)@\(committed) was committed in term \(committedInTerm[Int(index)])"
                )
                return
            }
        }
    }
}

import FerryRaft

/// The term of every log index the simulator has seen committed (an entry applied somewhere), for the
/// check at boot: a node's recovered log must keep Raft's Log Matching property against the committed log.
/// A recovered log may hold stale entries at committed indexes (a follower that crashed before the leader's
/// entries replacing them were durable), but only as a suffix: an entry that matches the committed log
/// (same index and term) proves every entry before it matches too. A stale entry under a matching one is a
/// spliced log (queue simulator seed 776: a lost segment name made recovery read 3002-3003 of term 32 in
/// front of term 33's 3004). A stale entry may carry a later term than the committed one (queue seed 32 at
/// f397ad5: n1, leader of term 24, wrote 932@24 and crashed; n3, leader of term 26, then committed its
/// 932@23 through an entry of its own term, Raft §5.4.2).
struct CommittedTerms {
    /// `terms[i - 1]` is the committed term of index `i`; 0 where no commit of that index was seen yet.
    private var terms: [Term] = []

    mutating func record(_ index: LogIndex, term: Term) {
        let position = Int(index) - 1
        if position >= terms.count { terms.append(contentsOf: repeatElement(0, count: position + 1 - terms.count)) }
        terms[position] = term
    }

    func term(at index: LogIndex) -> Term? {
        let position = Int(index) - 1
        guard position >= 0, position < terms.count, terms[position] != 0 else { return nil }
        return terms[position]
    }

    /// How the recovered snapshot or entries contradict the committed log, described; nil when they do not.
    func disagreement(snapshot: SnapshotMetadata, entries: [Entry]) -> String? {
        if snapshot.index > 0, let committed = term(at: snapshot.index), committed != snapshot.term {
            return
                "its snapshot ends at \(snapshot.index)@\(snapshot.term), but index \(snapshot.index) committed in term \(committed)"
        }
        var lastMatching: Entry?
        for entry in entries {
            if let committed = term(at: entry.index), entry.term == committed { lastMatching = entry }
        }
        guard let lastMatching else { return nil }
        for entry in entries where entry.index < lastMatching.index {
            if let committed = term(at: entry.index), committed != entry.term {
                return
                    "it holds \(entry.index)@\(entry.term) before \(lastMatching.index)@\(lastMatching.term), which matches the committed log, but index \(entry.index) committed in term \(committed)"
            }
        }
        return nil
    }
}

import FerryRaft

/// Client sessions (Raft thesis §6.3): every node process submits commands under its own session id with
/// increasing sequence numbers, and this replicated table remembers which sequences of each session were
/// applied, so a command that reaches the log twice — re-forwarded after a leader change, retransmitted
/// after a lost forward — changes the state once. That is what lets a follower retry a command whose fate
/// under a failed leader it cannot know, instead of answering its client "outcome unknown".
///
/// Part of the replicated state: it is in every snapshot, and every replica updates it identically at apply.
struct SessionTable: Equatable {
    /// Sequences of a session that are remembered individually. A node never has more commands in flight
    /// than this; an older sequence arriving late is treated as applied (refused), never applied twice.
    static let windowSequences: UInt64 = 1 << 16
    static let windowWords = Int(windowSequences / 64)
    /// A session idle this long (replicated time) is forgotten: its node restarted or left long ago, and its
    /// commands time out after seconds.
    static let idleExpiryMs: UInt64 = 3_600_000
    /// How often the table looks for idle sessions, in replicated time.
    static let sweepIntervalMs: UInt64 = 60_000

    struct Session: Equatable {
        /// The highest sequence applied.
        var highest: UInt64 = 0
        /// Bit (seq % window) set: seq was applied, for seq in (highest - window, highest].
        var applied: [UInt64] = Array(repeating: 0, count: SessionTable.windowWords)
        var lastActiveMs: UInt64 = 0

        func contains(_ sequence: UInt64) -> Bool {
            if sequence > highest { return false }
            if highest - sequence >= SessionTable.windowSequences { return true }  // too old: refuse
            let slot = Int(sequence % SessionTable.windowSequences)
            return applied[slot / 64] & (1 << UInt64(slot % 64)) != 0
        }

        mutating func insert(_ sequence: UInt64) {
            if sequence > highest {
                // Clear the slots the window slides past.
                let steps = min(sequence - highest, SessionTable.windowSequences)
                var s = highest + 1
                for _ in 0..<steps {
                    let slot = Int(s % SessionTable.windowSequences)
                    applied[slot / 64] &= ~(1 << UInt64(slot % 64))
                    s += 1
                }
                highest = sequence
            }
            let slot = Int(sequence % SessionTable.windowSequences)
            applied[slot / 64] |= 1 << UInt64(slot % 64)
        }
    }

    private(set) var sessions: [UInt64: Session] = [:]
    private var lastSweepMs: UInt64 = 0

    /// Records `sequence` of `session` as applied at `timeMs`; false if it already was (skip the command).
    mutating func admit(session: UInt64, sequence: UInt64, timeMs: UInt64) -> Bool {
        precondition(session != 0 && sequence != 0, "session 0 carries no deduplication")
        sweep(nowMs: timeMs)
        // Mutated in place through the dictionary's modify accessor: a copy taken out and written back
        // would copy the 8 KiB window on every command (copy-on-write sees two references).
        return Self.admit(sequence, timeMs: timeMs, into: &sessions[session, default: Session()])
    }

    private static func admit(_ sequence: UInt64, timeMs: UInt64, into entry: inout Session) -> Bool {
        entry.lastActiveMs = max(entry.lastActiveMs, timeMs)
        guard !entry.contains(sequence) else { return false }
        entry.insert(sequence)
        return true
    }

    func wasApplied(session: UInt64, sequence: UInt64) -> Bool {
        sessions[session]?.contains(sequence) ?? false
    }

    private mutating func sweep(nowMs: UInt64) {
        guard nowMs >= lastSweepMs + Self.sweepIntervalMs else { return }
        lastSweepMs = nowMs
        for id in sessions.keys.sorted() where nowMs > sessions[id]!.lastActiveMs + Self.idleExpiryMs {
            sessions[id] = nil
        }
    }

    // MARK: - Snapshot encoding (sorted by session id: the same bytes on every replica)

    func encode(into writer: inout LittleEndianWriter) {
        writer.write(lastSweepMs)
        writer.write(UInt32(sessions.count))
        for id in sessions.keys.sorted() {
            let session = sessions[id]!
            writer.write(id)
            writer.write(session.highest)
            writer.write(session.lastActiveMs)
            for word in session.applied { writer.write(word) }
        }
    }

    /// How many bytes the table at the start of `bytes` spans (a node's snapshot begins with it), nil while
    /// `bytes` is too short to hold its count: a node streaming its snapshot reads that far before decoding it.
    static func encodedBytes(atStartOf bytes: [UInt8]) -> Int? {
        guard bytes.count >= 12 else { return nil }
        var reader = LittleEndianReader(bytes, offset: 8)
        guard let count = try? reader.readUInt32() else { return nil }
        return 12 + Int(count) * (24 + 8 * windowWords)
    }

    static func decode(from reader: inout LittleEndianReader) throws(WireError) -> SessionTable {
        var table = SessionTable()
        table.lastSweepMs = try reader.readUInt64()
        let count = Int(try reader.readUInt32())
        guard count <= reader.remaining / (24 + 8 * windowWords) else { throw .invalidValue("session count \(count)") }
        for _ in 0..<count {
            let id = try reader.readUInt64()
            var session = Session()
            session.highest = try reader.readUInt64()
            session.lastActiveMs = try reader.readUInt64()
            for k in 0..<windowWords { session.applied[k] = try reader.readUInt64() }
            table.sessions[id] = session
        }
        return table
    }
}

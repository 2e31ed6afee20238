/// A FIFO message group: its messages in send order (deleted ones are skipped lazily) and how many are in
/// flight. A receive only ever takes from the front of a group with nothing in flight (docs/sqs-wire.md, "FIFO queues":
/// group locking), so whatever a change of visibility does to single messages, the group resumes at its head.
struct FifoGroup: Sendable {
    var name: String
    var members: FifoBuffer<UInt64>
    var inflight: Int
    /// True while the group sits in `readyGroups`, so it is never queued twice.
    var isQueuedReady: Bool
}

/// A deduplication record: the slot that first used the id, and when the 5-minute window ends.
struct DedupRecord: Equatable, Sendable {
    var seq: UInt64
    var expiresAtMs: Int64
}

/// What a ReceiveRequestAttemptId returned, so a retry can return the same messages and handles.
struct ReceiveAttempt: Equatable, Sendable {
    var expiresAtMs: Int64
    var items: [TimerEntry]
}

/// Keys in insertion order with their expiry: the window's end is always `insert time + window`, and time never
/// goes back, so the front always expires first.
struct ExpiryEntry: Equatable, Sendable {
    var expiresAtMs: Int64
    var key: String
}

/// One queue's whole state. Mutated in place through the machine; never shared between queues.
struct QueueState: Sendable {
    let id: QueueID
    let name: String
    var attributes: QueueAttributes
    var tags: [String: String] = [:]
    var createdMs: Int64
    var lastModifiedMs: Int64
    var lastPurgeMs: Int64?

    /// Sorted by seq; tombstones (deleted) stay until compaction. Only `slots[slotsHead...]` is state.
    var slots: ChunkedArray<MessageSlot> = []
    var slotsHead = 0
    /// Tombstones in `slots[slotsHead...]`.
    var deadSlots = 0
    var nextSeq: UInt64 = 1

    /// Standard queues: seqs that became visible, in that order (stale entries are skipped on pop).
    var ready = FifoBuffer<UInt64>()
    var timers = TimerHeap()
    var visibleCount = 0
    var inflightCount = 0
    var delayedCount = 0

    var groups: [UInt32: FifoGroup] = [:]
    var groupIndexByName: [String: UInt32] = [:]
    var nextGroupIndex: UInt32 = 1
    /// FIFO: groups that are unlocked with a visible head, in the order they became so.
    var readyGroups = FifoBuffer<UInt32>()

    var dedup: [String: DedupRecord] = [:]
    var dedupExpiry = FifoBuffer<ExpiryEntry>()
    var attempts: [String: ReceiveAttempt] = [:]
    var attemptExpiry = FifoBuffer<ExpiryEntry>()
    /// Where the retention sweep resumes (a seq).
    var sweepCursor: UInt64 = 0
    /// The time the timers last ran at: the counters describe the queue as of then (the leader's periodic
    /// tick keeps it close to now, which is as "approximate" as SQS's own counts).
    var timersRunMs: Int64 = 0

    /// Compaction waits for this many tombstones so it stays amortized O(1) per delete.
    static let compactionTombstonesMin = 4_096

    init(id: QueueID, name: String, attributes: QueueAttributes, createdMs: Int64) {
        self.id = id
        self.name = name
        self.attributes = attributes
        self.createdMs = createdMs
        self.lastModifiedMs = createdMs
    }

    var isFifo: Bool { attributes.isFifo }
    var liveCount: Int { slots.count - slotsHead - deadSlots }
    var retentionMs: Int64 { Int64(attributes.messageRetentionPeriodSeconds) * 1000 }

    // MARK: Slots

    func index(of seq: UInt64) -> Int? {
        let low = firstIndex(atOrAfter: seq)
        return low < slots.count && slots[low].seq == seq ? low : nil
    }

    /// Binary search: the first slot whose seq is at least `seq` (`slots.count` if none).
    func firstIndex(atOrAfter seq: UInt64) -> Int {
        var low = slotsHead
        var high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if slots[mid].seq < seq { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func messageId(of slot: MessageSlot) -> String {
        slot.extras?.originalMessageId ?? MessageIdentity.messageId(queue: id, seq: slot.seq)
    }

    /// Appends a message and files it as visible or delayed. Returns its seq.
    mutating func append(
        body: MessageBody, sentMs: Int64, visibleAtMs: Int64, receiveCount: UInt32,
        firstReceiveMs: Int64, extras: MessageExtras?, groupName: String?, now: Int64
    ) -> UInt64 {
        let seq = nextSeq
        nextSeq += 1
        var slot = MessageSlot(
            seq: seq, body: body, sentMs: sentMs, firstReceiveMs: firstReceiveMs,
            visibleDeltaMs: 0, lastReceiveDeltaMs: 0, receiveCount: receiveCount, group: 0,
            extras: extras)
        slot.visibleAtMs = visibleAtMs
        precondition(slot.isVisible(now: now) || receiveCount == 0, "only never-received messages start delayed")
        if isFifo {
            precondition(groupName != nil, "FIFO messages belong to a group")
            slot.group = internGroup(groupName!)
            groups[slot.group]!.members.append(seq)
        }
        slots.append(slot)
        if slot.isVisible(now: now) {
            visibleCount += 1
            if !isFifo { ready.append(seq) }
        } else {
            delayedCount += 1
            timers.push(TimerEntry(deadlineMs: slot.visibleAtMs, seq: seq, epoch: 0))
        }
        if isFifo { refreshGroup(slot.group, now: now) }
        return seq
    }

    /// Deletes the live message at `index`, whatever its state. The caller compacts later (indices held by a
    /// caller stay valid until then).
    mutating func remove(at index: Int, now: Int64, refreshingGroup: Bool = true) {
        let slot = slots[index]
        precondition(slot.isLive, "removing a deleted slot")
        if slot.isInFlight(now: now) {
            inflightCount -= 1
        } else if slot.isDelayed(now: now) {
            delayedCount -= 1
        } else {
            visibleCount -= 1
        }
        slots[index].body = nil
        slots[index].extras = nil
        deadSlots += 1
        if isFifo {
            if slot.isInFlight(now: now) { groups[slot.group]!.inflight -= 1 }
            if refreshingGroup { refreshGroup(slot.group, now: now) }
        }
        precondition(visibleCount >= 0 && inflightCount >= 0 && delayedCount >= 0, "message counts went negative")
    }

    /// Drops leading tombstones, and all tombstones once they outnumber live messages. Depends only on encoded
    /// state, so a restored copy compacts at the same moments as the original.
    mutating func compactIfNeeded() {
        while slotsHead < slots.count, !slots[slotsHead].isLive {
            slotsHead += 1
            deadSlots -= 1
        }
        if slotsHead > 0 && slotsHead == slots.count {
            // Drained: an idle queue keeps no message storage (with 10,000 queues, each kept its tombstones
            // until 4,096 of them had piled up).
            slots = []
            slotsHead = 0
        }
        if deadSlots >= QueueState.compactionTombstonesMin && deadSlots > liveCount {
            slots = ChunkedArray(slots[slotsHead...].lazy.filter(\.isLive))
            slotsHead = 0
            deadSlots = 0
        } else if slotsHead >= QueueState.compactionTombstonesMin && slotsHead * 2 >= slots.count {
            slots.removeFirst(slotsHead)
            slotsHead = 0
        }
        precondition(deadSlots >= 0, "tombstone count went negative")
    }

    // MARK: Timers

    /// Makes every message whose delay or visibility timeout ended by `now` visible. Runs before any command
    /// touches the queue, so the derived slot states and the counters agree.
    mutating func runTimers(now: Int64) {
        precondition(now >= timersRunMs, "time never goes back")
        timersRunMs = now
        while let top = timers.min, top.deadlineMs <= now {
            _ = timers.popMin()
            guard let index = liveSlotIndex(of: top) else { continue }
            let slot = slots[index]
            if slot.receiveCount == 0 { delayedCount -= 1 } else { inflightCount -= 1 }
            visibleCount += 1
            if isFifo {
                if slot.receiveCount > 0 { groups[slot.group]!.inflight -= 1 }
                refreshGroup(slot.group, now: now)
            } else {
                ready.append(slot.seq)
            }
        }
    }

    /// (visible, in flight, delayed) as of `now` without running the timers: the stored counters corrected by
    /// the timers already due. Visits only due heap entries (a heap's subtree is never earlier than its root).
    func counts(at now: Int64) -> (visible: Int, inflight: Int, delayed: Int) {
        var visible = visibleCount
        var inflight = inflightCount
        var delayed = delayedCount
        var pending = [0]
        while let k = pending.popLast() {
            guard k < timers.entries.count, timers.entries[k].deadlineMs <= now else { continue }
            let entry = timers.entries[k]
            if liveSlotIndex(of: entry) != nil, entry.deadlineMs > timersRunMs {
                if entry.epoch == 0 { delayed -= 1 } else { inflight -= 1 }
                visible += 1
            }
            pending.append(2 * k + 1)
            pending.append(2 * k + 2)
        }
        return (visible, inflight, delayed)
    }

    /// The slot a timer entry makes visible when it comes due, or nil if the entry is stale: its message was
    /// deleted, or received again or given another visibility timeout since (each pushed a new entry).
    func liveSlotIndex(of entry: TimerEntry) -> Int? {
        guard let index = index(of: entry.seq) else { return nil }
        let slot = slots[index]
        return slot.isLive && slot.receiveCount == entry.epoch && slot.visibleAtMs == entry.deadlineMs ? index : nil
    }

    /// Pops stale entries off the top of the heap (those below wait until they reach it), so that
    /// `nextTimerMs` is when a message really becomes visible. Run after every command on the queue: a
    /// deleted message's timer otherwise came due a visibility timeout later and told the long-poll
    /// registry the queue was ready, which woke a poll whose receive went through the log to find nothing
    /// (one wasted entry per received batch once the first timeout had passed, and the poll paused).
    mutating func dropStaleTimers() {
        while let top = timers.min, liveSlotIndex(of: top) == nil { _ = timers.popMin() }
    }

    /// The earliest moment a delayed or in-flight message becomes visible (`dropStaleTimers` keeps the top
    /// of the heap live; a snapshot written before it did may still hold a stale top until the next command).
    var nextTimerMs: Int64? { timers.min?.deadlineMs }

    // MARK: FIFO groups

    mutating func internGroup(_ name: String) -> UInt32 {
        if let index = groupIndexByName[name] { return index }
        let index = nextGroupIndex
        nextGroupIndex += 1
        groupIndexByName[name] = index
        groups[index] = FifoGroup(name: name, members: FifoBuffer(), inflight: 0, isQueuedReady: false)
        return index
    }

    /// Drops deleted members from the group's front, frees an empty group, and queues an unlocked group
    /// whose head is visible.
    mutating func refreshGroup(_ index: UInt32, now: Int64) {
        guard var group = groups.removeValue(forKey: index) else { return }
        while let first = group.members.first, !(self.index(of: first).map { slots[$0].isLive } ?? false) {
            _ = group.members.popFirst()
        }
        if group.members.isEmpty && group.inflight == 0 && !group.isQueuedReady {
            groupIndexByName[group.name] = nil
            return
        }
        if group.inflight == 0 && !group.isQueuedReady, let head = group.members.first,
            let headIndex = self.index(of: head), slots[headIndex].isVisible(now: now)
        {
            group.isQueuedReady = true
            readyGroups.append(index)
        }
        groups[index] = group
    }
}

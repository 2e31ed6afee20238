/// The periodic housekeeping command the leader proposes: retention, the deduplication and attempt windows,
/// delete cooldowns, and move-task progress. Deterministic because it runs inside the log like any command.
extension QueueMachine {
    mutating func tick() -> QueueResult {
        let now = nowMs
        for id in queuesTickVisits() {
            _ = withQueue(id: id) { queue in
                queue.expireDedup(now: now)
                queue.expireAttempts(now: now)
                queue.sweepRetention(now: now)
            }
        }
        recentlyDeleted = recentlyDeleted.filter { now - $0.value < QueueLimits.queueDeleteCooldownMs }
        advanceMoveTasks()
        for name in topics.keys.sorted() { topics[name]!.expireDedup(now: now) }
        return .done
    }

    /// The queues a tick visits, in id order: only those holding messages, timers or expiry windows. An idle
    /// queue has nothing to expire, and running its (empty) timers changes nothing but `timersRunMs`, which
    /// no count of an idle queue reads; with 10,000 queues a tick over every one cost O(queues log queues).
    func queuesTickVisits() -> [QueueID] {
        tickQueueIds.sorted()
    }
}

extension QueueState {
    /// Whether the periodic tick has anything to do here: messages for the retention sweep, timers to run,
    /// or deduplication and receive-attempt windows to expire. Reads only encoded state.
    var hasTickWork: Bool {
        liveCount > 0 || !timers.isEmpty || !dedupExpiry.isEmpty || !attemptExpiry.isEmpty
    }
}

extension QueueState {
    /// Deletes messages older than MessageRetentionPeriod, whatever their state (docs/sqs-wire.md, "Message states and
    /// retention"). Inspects at most `expirySweepSlotsPerTickMax` slots from the front and as many from a cursor that
    /// walks the whole queue over successive ticks (a standard DLQ keeps old timestamps behind younger messages).
    mutating func sweepRetention(now: Int64) {
        var inspected = 0
        var index = slotsHead
        while index < slots.count, inspected < QueueLimits.expirySweepSlotsPerTickMax {
            if slots[index].isLive {
                guard isExpired(slots[index], now: now) else { break }
                remove(at: index, now: now)
            }
            index += 1
            inspected += 1
        }
        var cursor = firstIndex(atOrAfter: sweepCursor)
        inspected = 0
        while cursor < slots.count, inspected < QueueLimits.expirySweepSlotsPerTickMax {
            if slots[cursor].isLive && isExpired(slots[cursor], now: now) { remove(at: cursor, now: now) }
            cursor += 1
            inspected += 1
        }
        sweepCursor = cursor < slots.count ? slots[cursor].seq : 0
    }
}

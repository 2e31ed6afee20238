/// The periodic housekeeping command the leader proposes: retention, the deduplication and attempt windows,
/// delete cooldowns, and move-task progress. Deterministic because it runs inside the log like any command.
extension QueueMachine {
    mutating func tick() -> QueueResult {
        let now = nowMs
        for id in queues.keys.sorted() {
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

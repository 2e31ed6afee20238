/// A full consistency check of the derived structures, for tests and the simulator (too slow to run on every
/// command in production: O(messages)). Stops the process on the first broken invariant.
extension QueueMachine {
    public func checkInvariants() {
        precondition(queues.count == queueIdByName.count, "name index and queue table disagree")
        for (name, id) in queueIdByName {
            precondition(queues[id]?.name == name, "name index points at the wrong queue")
        }
        for queue in queues.values { queue.checkInvariants(now: queue.timersRunMs) }
        precondition(
            tickQueueIds == Set(queues.values.filter(\.hasTickWork).map(\.id)),
            "the tick's queue set is not the queues with tick work")
    }
}

extension QueueState {
    func checkInvariants(now: Int64) {
        var visible = 0
        var inflight = 0
        var delayed = 0
        var dead = 0
        var inflightByGroup: [UInt32: Int] = [:]
        var previous: UInt64 = 0
        for slot in slots[slotsHead...] {
            precondition(slot.seq > previous && slot.seq < nextSeq, "slots sorted by seq, below nextSeq")
            previous = slot.seq
            guard slot.isLive else {
                dead += 1
                continue
            }
            if slot.isInFlight(now: now) {
                inflight += 1
                if isFifo { inflightByGroup[slot.group, default: 0] += 1 }
            } else if slot.isDelayed(now: now) {
                delayed += 1
            } else {
                visible += 1
            }
            if isFifo { precondition(groups[slot.group] != nil, "a FIFO message's group exists") }
        }
        precondition(dead == deadSlots, "tombstone count")
        precondition(
            visible == visibleCount && inflight == inflightCount && delayed == delayedCount,
            "counts \(visibleCount)/\(inflightCount)/\(delayedCount) vs derived \(visible)/\(inflight)/\(delayed) in \(name)"
        )
        guard isFifo else { return }
        var queued = Set<UInt32>()
        for index in readyGroups.live {
            precondition(queued.insert(index).inserted, "a group is queued at most once")
            precondition(groups[index]?.isQueuedReady == true, "queued groups are flagged")
        }
        for (index, group) in groups {
            precondition(groupIndexByName[group.name] == index, "group name index")
            precondition(group.inflight == inflightByGroup[index, default: 0], "group \(group.name) in-flight count")
            precondition(group.isQueuedReady == queued.contains(index), "group flag matches the ready list")
        }
    }
}

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
        // By index, reading fields in place: a copy of each slot would retain and release its body (the
        // simulator runs this every few applies, and it was a twentieth of a campaign's time).
        for index in slotsHead..<slots.count {
            let seq = slots[index].seq
            precondition(seq > previous && seq < nextSeq, "slots sorted by seq, below nextSeq")
            previous = seq
            guard slots[index].isLive else {
                dead += 1
                continue
            }
            let group = slots[index].group
            if slots[index].isInFlight(now: now) {
                inflight += 1
                if isFifo { inflightByGroup[group, default: 0] += 1 }
            } else if slots[index].isDelayed(now: now) {
                delayed += 1
            } else {
                visible += 1
            }
            if isFifo { precondition(groups[group] != nil, "a FIFO message's group exists") }
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

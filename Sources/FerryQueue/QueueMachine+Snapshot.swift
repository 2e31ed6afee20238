/// Snapshot and restore of the whole machine: queues, messages (in flight too), timers, FIFO groups, the
/// deduplication table (docs/simulation.md, "Planted bugs", bug 18: a dedup table missing from the snapshot lets a
/// retry in twice), receive attempt ids and move tasks. The encoding is canonical: keyed collections are written sorted
/// and everything else in its (deterministic) stored order, so equal states give equal bytes; a restored machine
/// snapshots to the very bytes it was restored from.
extension QueueMachine {
    /// FQS3: a topics section follows the move tasks. FQS2: each live message carries its body's MD5
    /// (optional). FQS2 and FQS1 snapshots still restore (with no topics).
    static let snapshotMagic: [UInt8] = Array("FQS3".utf8)
    static let snapshotMagicWithoutTopics: [UInt8] = Array("FQS2".utf8)
    static let snapshotMagicWithoutBodyMD5: [UInt8] = Array("FQS1".utf8)

    public func snapshot() -> [UInt8] { snapshot(after: [], capacityBytes: 4096) }

    /// `prefix`, then the snapshot, in one buffer reserved at `capacityBytes` (the last snapshot's size is a
    /// good guess): a node prepends its session table, and appending a separately encoded machine to it would
    /// hold the whole state twice while the snapshot is made (a gigabyte more per node at a million messages).
    public func snapshot(after prefix: [UInt8], capacityBytes: Int) -> [UInt8] {
        var w = VarintWriter(prefix: prefix, capacity: max(4096, capacityBytes))
        for byte in QueueMachine.snapshotMagic { w.u8(byte) }
        w.string(config.region)
        w.string(config.accountId)
        w.varint(nowMs)
        w.uvarint(appliedIndex)
        w.uvarint(UInt64(nextQueueId))
        w.uvarint(nextMoveTaskNumber)
        let ids = queues.keys.sorted()
        w.uvarint(UInt64(ids.count))
        for id in ids { queues[id]!.encode(into: &w) }
        let deleted = recentlyDeleted.keys.sorted()
        w.uvarint(UInt64(deleted.count))
        for name in deleted {
            w.string(name)
            w.varint(recentlyDeleted[name]!)
        }
        w.uvarint(UInt64(moveTasks.count))
        for task in moveTasks { task.encode(into: &w) }
        encodeTopics(into: &w)
        return w.bytes
    }

    /// Replaces this machine's state with a snapshot's. Throws on bytes that do not decode; the machine is
    /// unchanged then.
    public mutating func restore(from bytes: [UInt8]) throws {
        try restore(from: bytes, startingAt: 0)
    }

    /// The same, from the snapshot that starts at `offset` in `bytes` (a node's snapshot, after its session
    /// table): decoded in place, never copied out first.
    public mutating func restore(from bytes: [UInt8], startingAt offset: Int) throws {
        var reader = VarintReader(bytes, offset: offset)
        try restore(from: &reader)
    }

    /// The same, from a reader at the snapshot's start: a streamed one restores a node's snapshot a chunk at a
    /// time (`VarintReader(_:offset:thenChunks:unreadBytes:)`). Reads to the snapshot's end.
    public mutating func restore(from r: inout VarintReader) throws {
        var magic: [UInt8] = []
        for _ in QueueMachine.snapshotMagic { magic.append(try r.u8()) }
        let known = [
            QueueMachine.snapshotMagic, QueueMachine.snapshotMagicWithoutTopics,
            QueueMachine.snapshotMagicWithoutBodyMD5,
        ]
        guard known.contains(magic) else {
            throw DecodeError("not a FerryQueue snapshot")
        }
        let format = SnapshotFormat(hasBodyMD5: magic != QueueMachine.snapshotMagicWithoutBodyMD5)
        let config = Config(region: try r.string(), accountId: try r.string())
        var restored = QueueMachine(config: config)
        restored.nowMs = try r.varint()
        restored.appliedIndex = try r.uvarint()
        restored.nextQueueId = try r.u32()
        restored.nextMoveTaskNumber = try r.uvarint()
        for _ in 0..<(try r.count()) {
            let queue = try QueueState.decode(from: &r, format)
            guard restored.queues[queue.id] == nil, restored.queueIdByName[queue.name] == nil else {
                throw DecodeError("duplicate queue \(queue.name)")
            }
            restored.queues[queue.id] = queue
            restored.queueIdByName[queue.name] = queue.id
            if queue.hasTickWork { restored.tickQueueIds.insert(queue.id) }
        }
        for _ in 0..<(try r.count()) { restored.recentlyDeleted[try r.string()] = try r.varint() }
        for _ in 0..<(try r.count()) { restored.moveTasks.append(try MoveTask.decode(from: &r)) }
        if magic == QueueMachine.snapshotMagic { try restored.decodeTopics(from: &r) }
        try r.expectEnd()
        self = restored
    }
}

/// What a snapshot being restored holds, by its magic.
struct SnapshotFormat {
    var hasBodyMD5: Bool
}

extension QueueState {
    func encode(into w: inout VarintWriter) {
        w.uvarint(UInt64(id))
        w.string(name)
        w.pairs(attributes.rendered())
        w.pairs(tags.keys.sorted().map { ($0, tags[$0]!) })
        w.varint(createdMs)
        w.varint(lastModifiedMs)
        w.bool(lastPurgeMs != nil)
        if let lastPurgeMs { w.varint(lastPurgeMs) }
        w.uvarint(nextSeq)
        w.uvarint(UInt64(slots.count - slotsHead))
        for slot in slots[slotsHead...] { slot.encode(into: &w) }
        w.uvarint(UInt64(ready.count))
        for seq in ready.live { w.uvarint(seq) }
        w.uvarint(UInt64(timers.count))
        for entry in timers.entries { entry.encode(into: &w) }
        w.int(visibleCount)
        w.int(inflightCount)
        w.int(delayedCount)
        w.uvarint(UInt64(nextGroupIndex))
        let groupIds = groups.keys.sorted()
        w.uvarint(UInt64(groupIds.count))
        for index in groupIds {
            let group = groups[index]!
            w.uvarint(UInt64(index))
            w.string(group.name)
            w.uvarint(UInt64(group.members.count))
            for seq in group.members.live { w.uvarint(seq) }
            w.int(group.inflight)
            w.bool(group.isQueuedReady)
        }
        w.uvarint(UInt64(readyGroups.count))
        for index in readyGroups.live { w.uvarint(UInt64(index)) }
        let dedupKeys = dedup.keys.sorted()
        w.uvarint(UInt64(dedupKeys.count))
        for key in dedupKeys {
            w.string(key)
            w.uvarint(dedup[key]!.seq)
            w.varint(dedup[key]!.expiresAtMs)
        }
        encodeExpiry(dedupExpiry, into: &w)
        let attemptKeys = attempts.keys.sorted()
        w.uvarint(UInt64(attemptKeys.count))
        for key in attemptKeys {
            w.string(key)
            w.varint(attempts[key]!.expiresAtMs)
            w.uvarint(UInt64(attempts[key]!.items.count))
            for item in attempts[key]!.items { item.encode(into: &w) }
        }
        encodeExpiry(attemptExpiry, into: &w)
        w.uvarint(sweepCursor)
        w.varint(timersRunMs)
    }

    private func encodeExpiry(_ buffer: FifoBuffer<ExpiryEntry>, into w: inout VarintWriter) {
        w.uvarint(UInt64(buffer.count))
        for entry in buffer.live {
            w.varint(entry.expiresAtMs)
            w.string(entry.key)
        }
    }

    static func decode(from r: inout VarintReader, _ format: SnapshotFormat) throws -> QueueState {
        let id = try r.u32()
        let name = try r.string()
        let attributes: QueueAttributes
        do {
            attributes = try QueueAttributes.fromRendered(try r.pairs())
        } catch let error as QueueError {
            throw DecodeError("queue \(name) attributes: \(error)")
        }
        var queue = QueueState(id: id, name: name, attributes: attributes, createdMs: 0)
        for (key, value) in try r.pairs() { queue.tags[key] = value }
        queue.createdMs = try r.varint()
        queue.lastModifiedMs = try r.varint()
        queue.lastPurgeMs = try r.bool() ? try r.varint() : nil
        queue.nextSeq = try r.uvarint()
        for _ in 0..<(try r.count()) {
            let slot = try MessageSlot.decode(from: &r, format)
            guard queue.slots.last.map({ $0.seq < slot.seq }) ?? true, slot.seq < queue.nextSeq else {
                throw DecodeError("slots out of order")
            }
            if !slot.isLive { queue.deadSlots += 1 }
            queue.slots.append(slot)
        }
        for _ in 0..<(try r.count()) { queue.ready.append(try r.uvarint()) }
        var timerEntries: [TimerEntry] = []
        for _ in 0..<(try r.count()) { timerEntries.append(try TimerEntry.decode(from: &r)) }
        queue.timers = TimerHeap(entries: timerEntries)
        queue.visibleCount = try r.int()
        queue.inflightCount = try r.int()
        queue.delayedCount = try r.int()
        queue.nextGroupIndex = try r.u32()
        for _ in 0..<(try r.count()) {
            let index = try r.u32()
            let groupName = try r.string()
            var members = FifoBuffer<UInt64>()
            for _ in 0..<(try r.count()) { members.append(try r.uvarint()) }
            let group = FifoGroup(name: groupName, members: members, inflight: try r.int(), isQueuedReady: try r.bool())
            queue.groups[index] = group
            queue.groupIndexByName[groupName] = index
        }
        for _ in 0..<(try r.count()) { queue.readyGroups.append(try r.u32()) }
        for _ in 0..<(try r.count()) {
            let key = try r.string()
            queue.dedup[key] = DedupRecord(seq: try r.uvarint(), expiresAtMs: try r.varint())
        }
        queue.dedupExpiry = try decodeExpiry(from: &r)
        for _ in 0..<(try r.count()) {
            let key = try r.string()
            let expiresAtMs = try r.varint()
            var items: [TimerEntry] = []
            for _ in 0..<(try r.count()) { items.append(try TimerEntry.decode(from: &r)) }
            queue.attempts[key] = ReceiveAttempt(expiresAtMs: expiresAtMs, items: items)
        }
        queue.attemptExpiry = try decodeExpiry(from: &r)
        queue.sweepCursor = try r.uvarint()
        queue.timersRunMs = try r.varint()
        guard queue.visibleCount >= 0, queue.inflightCount >= 0, queue.delayedCount >= 0,
            queue.visibleCount + queue.inflightCount + queue.delayedCount == queue.liveCount
        else {
            throw DecodeError("queue \(name) counts disagree with its messages")
        }
        return queue
    }

    private static func decodeExpiry(from r: inout VarintReader) throws -> FifoBuffer<ExpiryEntry> {
        var buffer = FifoBuffer<ExpiryEntry>()
        for _ in 0..<(try r.count()) { buffer.append(ExpiryEntry(expiresAtMs: try r.varint(), key: try r.string())) }
        return buffer
    }
}

extension MessageSlot {
    func encode(into w: inout VarintWriter) {
        w.uvarint(seq)
        guard let body else {
            w.bool(false)
            return
        }
        w.bool(true)
        w.raw(body.bytes)
        w.optionalBodyMD5(body.md5)
        w.varint(sentMs)
        w.varint(firstReceiveMs)
        w.uvarint(UInt64(visibleDeltaMs))
        w.uvarint(UInt64(lastReceiveDeltaMs))
        w.uvarint(UInt64(receiveCount))
        w.uvarint(UInt64(group))
        w.bool(extras != nil)
        if let extras {
            w.uvarint(UInt64(extras.attributes.count))
            for attribute in extras.attributes { attribute.encode(into: &w) }
            w.optionalString(extras.awsTraceHeader)
            w.optionalString(extras.messageGroupId)
            w.optionalString(extras.messageDeduplicationId)
            w.optionalString(extras.originalMessageId)
            w.optionalString(extras.deadLetterSourceQueueName)
        }
    }

    static func decode(from r: inout VarintReader, _ format: SnapshotFormat) throws -> MessageSlot {
        let seq = try r.uvarint()
        guard try r.bool() else {
            return MessageSlot(
                seq: seq, body: nil, sentMs: 0, firstReceiveMs: 0, visibleDeltaMs: 0,
                lastReceiveDeltaMs: 0, receiveCount: 0, group: 0, extras: nil)
        }
        // Copied once, from the snapshot's buffer into the body: no array in between.
        // Its MD5 (a bool and 16 bytes) is read before the body is copied: both stay in a streamed reader's buffer.
        let bodyRange = try r.rawRange(followedBy: 17)
        guard !bodyRange.isEmpty else { throw DecodeError("empty body in a live slot") }
        guard bodyRange.count <= Int(UInt32.max) else { throw DecodeError("body of \(bodyRange.count) bytes") }
        let md5 = format.hasBodyMD5 ? try r.optionalBodyMD5() : nil
        let body = r.withBytes(in: bodyRange) { MessageBody.make($0, md5: md5) }
        var slot = MessageSlot(
            seq: seq, body: body, sentMs: try r.varint(),
            firstReceiveMs: try r.varint(), visibleDeltaMs: try r.u32(),
            lastReceiveDeltaMs: try r.u32(), receiveCount: try r.u32(), group: try r.u32(),
            extras: nil)
        if try r.bool() {
            var attributes: [MessageAttribute] = []
            for _ in 0..<(try r.count()) { attributes.append(try MessageAttribute.decode(from: &r)) }
            slot.extras = MessageExtras(
                attributes: attributes, awsTraceHeader: try r.optionalString(), messageGroupId: try r.optionalString(),
                messageDeduplicationId: try r.optionalString(), originalMessageId: try r.optionalString(),
                deadLetterSourceQueueName: try r.optionalString())
        }
        return slot
    }
}

extension TimerEntry {
    func encode(into w: inout VarintWriter) {
        w.varint(deadlineMs)
        w.uvarint(seq)
        w.uvarint(UInt64(epoch))
    }

    static func decode(from r: inout VarintReader) throws -> TimerEntry {
        TimerEntry(deadlineMs: try r.varint(), seq: try r.uvarint(), epoch: try r.u32())
    }
}

extension MoveTask {
    func encode(into w: inout VarintWriter) {
        w.uvarint(number)
        w.uvarint(UInt64(sourceQueue))
        w.string(sourceArn)
        w.optionalString(destinationArn)
        w.int(maxNumberOfMessagesPerSecond)
        w.string(status.rawValue)
        w.int(approximateNumberOfMessagesMoved)
        w.int(approximateNumberOfMessagesToMove)
        w.varint(startedTimestampMs)
        w.optionalString(failureReason)
        w.varint(lastAdvanceMs)
        w.varint(creditMilli)
    }

    static func decode(from r: inout VarintReader) throws -> MoveTask {
        let number = try r.uvarint()
        let source = try r.u32()
        let sourceArn = try r.string()
        let destinationArn = try r.optionalString()
        let rate = try r.int()
        let statusText = try r.string()
        guard let status = Status(rawValue: statusText) else { throw DecodeError("bad move task status \(statusText)") }
        return MoveTask(
            number: number, sourceQueue: source, sourceArn: sourceArn, destinationArn: destinationArn,
            maxNumberOfMessagesPerSecond: rate, status: status,
            approximateNumberOfMessagesMoved: try r.int(), approximateNumberOfMessagesToMove: try r.int(),
            startedTimestampMs: try r.varint(), failureReason: try r.optionalString(),
            lastAdvanceMs: try r.varint(), creditMilli: try r.varint())
    }
}

extension MessageAttribute {
    func encode(into w: inout VarintWriter) {
        w.string(name)
        w.string(dataType)
        switch value {
        case .string(let s):
            w.u8(1)
            w.string(s)
        case .binary(let b):
            w.u8(2)
            w.raw(b)
        }
    }

    static func decode(from r: inout VarintReader) throws -> MessageAttribute {
        let name = try r.string()
        let dataType = try r.string()
        switch try r.u8() {
        case 1: return MessageAttribute(name: name, dataType: dataType, value: .string(try r.string()))
        case 2: return MessageAttribute(name: name, dataType: dataType, value: .binary(try r.raw()))
        case let tag: throw DecodeError("bad attribute value tag \(tag)")
        }
    }
}

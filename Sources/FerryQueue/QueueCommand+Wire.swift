/// The binary form of commands (they travel in the Raft log) and results (a follower that forwarded a
/// request gets its result back over the peer link). Version byte first, then a tag per case.
extension QueueCommand {
    /// 2: a send entry ends with its body's MD5 (optional). Version 1 commands, without it, still decode:
    /// a log written before the change replays. Tags 14 and 15 (permissions) were added without a version
    /// change: no earlier command changed shape, so every older log and snapshot still decodes.
    /// 3: send and publish entries then end with their content deduplication id (optional).
    ///
    /// A command is written in the oldest version that can say it: only one that carries a content
    /// deduplication id is version 3, so during a rolling upgrade a node one version older still decodes
    /// every other command (it stops at one it cannot decode; see MixedVersionTests).
    static let wireVersion: UInt8 = 3
    static let wireVersionWithoutContentIds: UInt8 = 2
    static let wireVersionWithoutBodyMD5: UInt8 = 1

    public func encode() -> [UInt8] {
        var w = VarintWriter(capacity: encodedBytesEstimate)
        let version =
            carriesContentDeduplicationIds ? QueueCommand.wireVersion : QueueCommand.wireVersionWithoutContentIds
        w.u8(version)
        switch self {
        case .createQueue(let name, let attributes, let tags):
            w.u8(1)
            w.string(name)
            w.keyValues(attributes)
            w.keyValues(tags)
        case .deleteQueue(let name):
            w.u8(2)
            w.string(name)
        case .setQueueAttributes(let name, let attributes):
            w.u8(3)
            w.string(name)
            w.keyValues(attributes)
        case .tagQueue(let name, let tags):
            w.u8(4)
            w.string(name)
            w.keyValues(tags)
        case .untagQueue(let name, let keys):
            w.u8(5)
            w.string(name)
            w.strings(keys)
        case .purgeQueue(let name):
            w.u8(6)
            w.string(name)
        case .sendMessages(let name, let entries, let isBatch):
            w.u8(7)
            w.string(name)
            w.bool(isBatch)
            w.uvarint(UInt64(entries.count))
            for entry in entries { entry.encode(into: &w, withContentId: version == QueueCommand.wireVersion) }
        case .receiveMessages(let request):
            w.u8(8)
            w.string(request.queueName)
            w.int(request.maxMessages)
            w.optionalInt(request.visibilityTimeoutSeconds)
            w.optionalString(request.receiveRequestAttemptId)
        case .deleteMessages(let name, let entries, let isBatch):
            w.u8(9)
            w.string(name)
            w.bool(isBatch)
            w.handleEntries(entries)
        case .changeVisibility(let name, let entries, let isBatch):
            w.u8(10)
            w.string(name)
            w.bool(isBatch)
            w.handleEntries(entries)
        case .startMessageMoveTask(let request):
            w.u8(11)
            w.string(request.sourceArn)
            w.optionalString(request.destinationArn)
            w.optionalInt(request.maxMessagesPerSecond)
        case .cancelMessageMoveTask(let handle):
            w.u8(12)
            w.string(handle)
        case .tick:
            w.u8(13)
        case .addPermission(let name, let grant):
            w.u8(14)
            w.string(name)
            w.string(grant.label)
            w.strings(grant.accountIds)
            w.strings(grant.actions)
        case .removePermission(let name, let label):
            w.u8(15)
            w.string(name)
            w.string(label)
        case .topic(let command):
            command.encode(into: &w, withContentIds: version == QueueCommand.wireVersion)
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> QueueCommand {
        try decode(bytes, startingAt: 0)
    }

    /// The command from `offset` to the end of `bytes` (a log entry's, after the node's stamp), read in place.
    /// `offset` must lie inside `bytes`.
    public static func decode(_ bytes: [UInt8], startingAt offset: Int) throws -> QueueCommand {
        var r = VarintReader(bytes, offset: offset)
        let version = try r.u8()
        guard (wireVersionWithoutBodyMD5...wireVersion).contains(version) else {
            throw DecodeError("unknown command version \(version)")
        }
        let withContentIds = version == wireVersion
        let command: QueueCommand
        switch try r.u8() {
        case 1: command = .createQueue(name: try r.string(), attributes: try r.keyValues(), tags: try r.keyValues())
        case 2: command = .deleteQueue(name: try r.string())
        case 3: command = .setQueueAttributes(name: try r.string(), attributes: try r.keyValues())
        case 4: command = .tagQueue(name: try r.string(), tags: try r.keyValues())
        case 5: command = .untagQueue(name: try r.string(), keys: try r.strings())
        case 6: command = .purgeQueue(name: try r.string())
        case 7:
            let name = try r.string()
            let isBatch = try r.bool()
            var entries: [SendEntry] = []
            for _ in 0..<(try r.count()) {
                entries.append(
                    try SendEntry.decode(
                        from: &r, withBodyMD5: version != wireVersionWithoutBodyMD5,
                        withContentId: withContentIds))
            }
            command = .sendMessages(queueName: name, entries: entries, isBatch: isBatch)
        case 8:
            command = .receiveMessages(
                ReceiveRequest(
                    queueName: try r.string(), maxMessages: try r.int(), visibilityTimeoutSeconds: try r.optionalInt(),
                    receiveRequestAttemptId: try r.optionalString()))
        case 9:
            command = .deleteMessages(queueName: try r.string(), isBatch: try r.bool(), entries: try r.handleEntries())
        case 10:
            command = .changeVisibility(
                queueName: try r.string(), isBatch: try r.bool(), entries: try r.handleEntries())
        case 11:
            command = .startMessageMoveTask(
                MoveTaskRequest(
                    sourceArn: try r.string(), destinationArn: try r.optionalString(),
                    maxMessagesPerSecond: try r.optionalInt()))
        case 12: command = .cancelMessageMoveTask(taskHandle: try r.string())
        case 13: command = .tick
        case 14:
            command = .addPermission(
                queueName: try r.string(),
                grant: PermissionGrant(
                    label: try r.string(), accountIds: try r.strings(), actions: try r.strings()))
        case 15: command = .removePermission(queueName: try r.string(), label: try r.string())
        case let tag where TopicCommand.tags.contains(tag):
            command = .topic(try TopicCommand.decode(tag: tag, from: &r, withContentIds: withContentIds))
        case let tag: throw DecodeError("unknown command tag \(tag)")
        }
        try r.expectEnd()
        return command
    }
}

extension QueueCommand {
    /// Only such a command needs the newest version (see `wireVersion`).
    var carriesContentDeduplicationIds: Bool {
        switch self {
        case .sendMessages(_, let entries, _): return entries.contains { $0.contentDeduplicationId != nil }
        case .topic(.publish(_, let entries, _, _)): return entries.contains { $0.contentDeduplicationId != nil }
        default: return false
        }
    }

    /// Room to reserve for the encoding: the bodies dominate a send, so it is copied once, not regrown.
    var encodedBytesEstimate: Int {
        if case .topic(let command) = self { return command.encodedBytesEstimate }
        guard case .sendMessages(_, let entries, _) = self else { return 256 }
        return 256 + entries.reduce(0) { $0 + $1.sizeBytes + 128 }
    }

    // Argument order helpers so decode can read fields in wire order.
    fileprivate static func deleteMessages(queueName: String, isBatch: Bool, entries: [HandleEntry]) -> QueueCommand {
        .deleteMessages(queueName: queueName, entries: entries, isBatch: isBatch)
    }

    fileprivate static func changeVisibility(queueName: String, isBatch: Bool, entries: [HandleEntry]) -> QueueCommand {
        .changeVisibility(queueName: queueName, entries: entries, isBatch: isBatch)
    }
}

extension SendEntry {
    func encode(into w: inout VarintWriter, withContentId: Bool) {
        w.string(id)
        w.raw(body)
        w.optionalInt(delaySeconds)
        w.uvarint(UInt64(attributes.count))
        for attribute in attributes { attribute.encode(into: &w) }
        w.optionalString(awsTraceHeader)
        w.optionalString(messageGroupId)
        w.optionalString(messageDeduplicationId)
        w.optionalBodyMD5(bodyMD5)
        if withContentId { w.optionalString(contentDeduplicationId) }
    }

    static func decode(from r: inout VarintReader, withBodyMD5: Bool, withContentId: Bool) throws -> SendEntry {
        let id = try r.string()
        let body = try r.raw()
        let delay = try r.optionalInt()
        var attributes: [MessageAttribute] = []
        for _ in 0..<(try r.count()) { attributes.append(try MessageAttribute.decode(from: &r)) }
        return SendEntry(
            id: id, body: body, delaySeconds: delay, attributes: attributes,
            awsTraceHeader: try r.optionalString(), messageGroupId: try r.optionalString(),
            messageDeduplicationId: try r.optionalString(),
            bodyMD5: withBodyMD5 ? try r.optionalBodyMD5() : nil,
            contentDeduplicationId: withContentId ? try r.optionalString() : nil)
    }
}

extension VarintWriter {
    mutating func strings(_ values: [String]) {
        uvarint(UInt64(values.count))
        for value in values { string(value) }
    }

    mutating func keyValues(_ pairs: [KeyValue]) {
        uvarint(UInt64(pairs.count))
        for pair in pairs {
            string(pair.key)
            string(pair.value)
        }
    }

    mutating func handleEntries(_ entries: [HandleEntry]) {
        uvarint(UInt64(entries.count))
        for entry in entries {
            string(entry.id)
            string(entry.receiptHandle)
            int(entry.visibilityTimeoutSeconds)
        }
    }
}

extension VarintReader {
    mutating func strings() throws -> [String] {
        var out: [String] = []
        for _ in 0..<(try count()) { out.append(try string()) }
        return out
    }

    mutating func keyValues() throws -> [KeyValue] {
        var out: [KeyValue] = []
        for _ in 0..<(try count()) { out.append(KeyValue(try string(), try string())) }
        return out
    }

    mutating func handleEntries() throws -> [HandleEntry] {
        var out: [HandleEntry] = []
        for _ in 0..<(try count()) {
            out.append(HandleEntry(id: try string(), receiptHandle: try string(), visibilityTimeoutSeconds: try int()))
        }
        return out
    }
}

/// Topic commands travel inside `QueueCommand` under tags 40 and up (docs/design.md, "Wire formats and
/// versions"): logs and snapshots written before topics existed decode unchanged. A publish entry's content
/// deduplication id is written only in version 3 commands (`QueueCommand.wireVersion`).
extension TopicCommand {
    static let tags: ClosedRange<UInt8> = 40...48

    func encode(into w: inout VarintWriter, withContentIds: Bool) {
        switch self {
        case .createTopic(let name, let attributes, let tags):
            w.u8(40)
            w.string(name)
            w.keyValues(attributes)
            w.keyValues(tags)
        case .deleteTopic(let name):
            w.u8(41)
            w.string(name)
        case .setTopicAttribute(let name, let attribute, let value):
            w.u8(42)
            w.string(name)
            w.string(attribute)
            w.string(value)
        case .subscribe(let topicName, let endpoint, let attributes):
            w.u8(43)
            w.string(topicName)
            w.string(endpoint)
            w.keyValues(attributes)
        case .unsubscribe(let arn):
            w.u8(44)
            w.string(arn)
        case .setSubscriptionAttribute(let arn, let attribute, let value):
            w.u8(45)
            w.string(arn)
            w.string(attribute)
            w.string(value)
        case .tagTopic(let name, let tags):
            w.u8(46)
            w.string(name)
            w.keyValues(tags)
        case .untagTopic(let name, let keys):
            w.u8(47)
            w.string(name)
            w.uvarint(UInt64(keys.count))
            for key in keys { w.string(key) }
        case .publish(let topicName, let entries, let isBatch, let endpointBase):
            w.u8(48)
            w.string(topicName)
            w.bool(isBatch)
            w.string(endpointBase)
            w.uvarint(UInt64(entries.count))
            for entry in entries {
                w.string(entry.id)
                w.string(entry.message)
                w.optionalString(entry.subject)
                w.uvarint(UInt64(entry.attributes.count))
                for attribute in entry.attributes { attribute.encode(into: &w) }
                w.optionalString(entry.messageGroupId)
                w.optionalString(entry.messageDeduplicationId)
                if withContentIds { w.optionalString(entry.contentDeduplicationId) }
            }
        }
    }

    static func decode(tag: UInt8, from r: inout VarintReader, withContentIds: Bool) throws -> TopicCommand {
        switch tag {
        case 40: return .createTopic(name: try r.string(), attributes: try r.keyValues(), tags: try r.keyValues())
        case 41: return .deleteTopic(name: try r.string())
        case 42: return .setTopicAttribute(name: try r.string(), attribute: try r.string(), value: try r.string())
        case 43: return .subscribe(topicName: try r.string(), endpoint: try r.string(), attributes: try r.keyValues())
        case 44: return .unsubscribe(subscriptionArn: try r.string())
        case 45:
            return .setSubscriptionAttribute(
                subscriptionArn: try r.string(), attribute: try r.string(), value: try r.string())
        case 46: return .tagTopic(name: try r.string(), tags: try r.keyValues())
        case 47:
            let name = try r.string()
            var keys: [String] = []
            for _ in 0..<(try r.count()) { keys.append(try r.string()) }
            return .untagTopic(name: name, keys: keys)
        case 48:
            let topicName = try r.string()
            let isBatch = try r.bool()
            let endpointBase = try r.string()
            var entries: [PublishEntry] = []
            for _ in 0..<(try r.count()) {
                let id = try r.string()
                let message = try r.string()
                let subject = try r.optionalString()
                var attributes: [MessageAttribute] = []
                for _ in 0..<(try r.count()) { attributes.append(try MessageAttribute.decode(from: &r)) }
                entries.append(
                    PublishEntry(
                        id: id, message: message, subject: subject, attributes: attributes,
                        messageGroupId: try r.optionalString(),
                        messageDeduplicationId: try r.optionalString(),
                        contentDeduplicationId: withContentIds ? try r.optionalString() : nil))
            }
            return .publish(topicName: topicName, entries: entries, isBatch: isBatch, endpointBase: endpointBase)
        default: throw DecodeError("unknown topic command tag \(tag)")
        }
    }

    var encodedBytesEstimate: Int {
        guard case .publish(_, let entries, _, _) = self else { return 256 }
        return 256 + entries.reduce(0) { $0 + $1.sizeBytes + 128 }
    }
}

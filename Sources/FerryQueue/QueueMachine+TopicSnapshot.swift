/// The topics section of a snapshot (FQS3 and later): topics by name, subscriptions by number. Filter
/// policies are stored as their text and parsed again on restore; they parsed when they were set, so a
/// policy that no longer parses means a bug or damage, and the snapshot is refused.
extension QueueMachine {
    func encodeTopics(into w: inout VarintWriter) {
        w.uvarint(UInt64(nextTopicNumber))
        w.uvarint(nextSubscriptionNumber)
        let names = topics.keys.sorted()
        w.uvarint(UInt64(names.count))
        for name in names {
            let topic = topics[name]!
            w.uvarint(UInt64(topic.number))
            w.string(topic.name)
            w.bool(topic.isFifo)
            w.bool(topic.contentBasedDeduplication)
            w.pairs(topic.storedAttributes.keys.sorted().map { ($0, topic.storedAttributes[$0]!) })
            w.pairs(topic.tags.keys.sorted().map { ($0, topic.tags[$0]!) })
            w.uvarint(UInt64(topic.subscriptionNumbers.count))
            for number in topic.subscriptionNumbers { w.uvarint(number) }
            w.uvarint(topic.nextPublishSeq)
            let keys = topic.dedup.keys.sorted()
            w.uvarint(UInt64(keys.count))
            for key in keys {
                w.string(key)
                w.uvarint(topic.dedup[key]!.seq)
                w.varint(topic.dedup[key]!.expiresAtMs)
            }
            w.uvarint(UInt64(topic.dedupExpiry.count))
            for entry in topic.dedupExpiry.live {
                w.varint(entry.expiresAtMs)
                w.string(entry.key)
            }
        }
        let numbers = subscriptions.keys.sorted()
        w.uvarint(UInt64(numbers.count))
        for number in numbers {
            let s = subscriptions[number]!
            w.uvarint(s.number)
            w.string(s.topicName)
            w.string(s.endpoint)
            w.bool(s.rawMessageDelivery)
            w.optionalString(s.filterPolicyText)
            w.string(s.filterPolicyScope.rawValue)
            w.optionalString(s.redrivePolicyText)
            w.uvarint(s.deliveriesFailed)
        }
    }

    mutating func decodeTopics(from r: inout VarintReader) throws {
        nextTopicNumber = try r.u32()
        nextSubscriptionNumber = try r.uvarint()
        for _ in 0..<(try r.count()) {
            let number = try r.u32()
            let name = try r.string()
            var topic = TopicState(
                number: number, name: name, isFifo: try r.bool(), contentBasedDeduplication: try r.bool())
            for (key, value) in try r.pairs() { topic.storedAttributes[key] = value }
            for (key, value) in try r.pairs() { topic.tags[key] = value }
            for _ in 0..<(try r.count()) { topic.subscriptionNumbers.append(try r.uvarint()) }
            topic.nextPublishSeq = try r.uvarint()
            for _ in 0..<(try r.count()) {
                let key = try r.string()
                topic.dedup[key] = DedupRecord(seq: try r.uvarint(), expiresAtMs: try r.varint())
            }
            for _ in 0..<(try r.count()) {
                topic.dedupExpiry.append(ExpiryEntry(expiresAtMs: try r.varint(), key: try r.string()))
            }
            guard topics[name] == nil else { throw DecodeError("duplicate topic \(name)") }
            topics[name] = topic
        }
        for _ in 0..<(try r.count()) {
            var s = Subscription(number: try r.uvarint(), topicName: try r.string(), endpoint: try r.string())
            s.rawMessageDelivery = try r.bool()
            let policy = try r.optionalString()
            let scopeText = try r.string()
            guard let scope = FilterPolicy.Scope(rawValue: scopeText) else {
                throw DecodeError("bad filter policy scope \(scopeText)")
            }
            s.filterPolicyScope = scope
            if let policy {
                guard s.set("FilterPolicy", policy, subscribing: false) == nil else {
                    throw DecodeError("subscription \(s.number): filter policy does not parse")
                }
            }
            if let redrive = try r.optionalString() {
                guard s.set("RedrivePolicy", redrive, subscribing: false) == nil else {
                    throw DecodeError("subscription \(s.number): redrive policy does not parse")
                }
            }
            s.deliveriesFailed = try r.uvarint()
            guard topics[s.topicName]?.subscriptionNumbers.contains(s.number) == true, subscriptions[s.number] == nil
            else {
                throw DecodeError("subscription \(s.number) not listed by its topic")
            }
            subscriptions[s.number] = s
            subscriptionNumberByUuid[s.uuid] = s.number
        }
        guard topics.values.allSatisfy({ $0.subscriptionNumbers.allSatisfy { subscriptions[$0] != nil } }) else {
            throw DecodeError("a topic lists a subscription the snapshot lacks")
        }
    }
}

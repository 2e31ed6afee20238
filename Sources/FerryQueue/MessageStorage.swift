/// How one stored message is laid out. Memory per queued message is a goal (<= 100 bytes beyond the body at
/// 1M messages), so the common fields sit inline in a 56-byte slot, the body in one allocation with a small
/// header, and everything rare (attributes, FIFO ids, trace header, dead-letter origin) behind one optional
/// reference.

/// A message body: one heap object holding its length, its MD5 when the send carried one, and its bytes.
/// `[UInt8]` plus an optional digest would cost 56 bytes of headers; this costs 40. Immutable once made, so
/// sharing it between copies of the machine is safe, also across threads (a snapshot encodes a frozen copy
/// off the loop; see `MessageSlot.body`).
final class MessageBody: ManagedBuffer<MessageBody.Header, UInt8> {
    /// 24 bytes: the digest's halves, then the length and whether there is a digest.
    struct Header {
        var md5High: UInt64
        var md5Low: UInt64
        var count: UInt32
        var hasMD5: Bool
    }

    static func make(_ bytes: [UInt8], md5: BodyMD5?) -> MessageBody {
        bytes.withUnsafeBufferPointer { make($0, md5: md5) }
    }

    /// The bytes copied once, into the new body: a snapshot's million bodies are copied from its buffer directly.
    static func make(_ bytes: UnsafeBufferPointer<UInt8>, md5: BodyMD5?) -> MessageBody {
        precondition(!bytes.isEmpty, "SQS bodies are at least one character; an empty body marks a deleted slot")
        precondition(bytes.count <= Int(UInt32.max), "a body is at most a few MiB")
        let header = Header(
            md5High: md5?.high ?? 0, md5Low: md5?.low ?? 0, count: UInt32(bytes.count),
            hasMD5: md5 != nil)
        let buffer = MessageBody.create(minimumCapacity: bytes.count) { _ in header }
        buffer.withUnsafeMutablePointerToElements { elements in
            elements.initialize(from: bytes.baseAddress!, count: bytes.count)
        }
        // `create` allocates an instance of the class it is called on.
        return unsafeDowncast(buffer, to: MessageBody.self)
    }

    var count: Int { Int(header.count) }
    var md5: BodyMD5? { header.hasMD5 ? BodyMD5(high: header.md5High, low: header.md5Low) : nil }

    var bytes: [UInt8] {
        withUnsafeMutablePointers { header, elements in
            Array(UnsafeBufferPointer(start: elements, count: Int(header.pointee.count)))
        }
    }

    /// Calls `body` with the bytes in place, without copying them out.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeMutablePointers { header, elements in
            body(UnsafeBufferPointer(start: elements, count: Int(header.pointee.count)))
        }
    }

    deinit {
        _ = withUnsafeMutablePointers { header, elements in elements.deinitialize(count: Int(header.pointee.count)) }
    }
}

/// A body held outside the machine (a received message's), `Sendable` as `MessageSlot.body` is: `ManagedBuffer`
/// can never be, and a body is immutable once made.
struct SharedMessageBody: Sendable {
    nonisolated(unsafe) let body: MessageBody
}

/// The rarely present parts of a message. Immutable: a move makes a new one.
final class MessageExtras: Sendable {
    let attributes: [MessageAttribute]
    let awsTraceHeader: String?
    let messageGroupId: String?
    let messageDeduplicationId: String?
    /// Set once the message has moved between queues: it keeps the id it was first given.
    let originalMessageId: String?
    /// The queue the message was dead-lettered from (DeadLetterQueueSourceArn; the default move-task target).
    let deadLetterSourceQueueName: String?

    init(
        attributes: [MessageAttribute], awsTraceHeader: String?, messageGroupId: String?,
        messageDeduplicationId: String?, originalMessageId: String?, deadLetterSourceQueueName: String?
    ) {
        self.attributes = attributes
        self.awsTraceHeader = awsTraceHeader
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
        self.originalMessageId = originalMessageId
        self.deadLetterSourceQueueName = deadLetterSourceQueueName
    }

    static func make(
        attributes: [MessageAttribute], awsTraceHeader: String?, messageGroupId: String?,
        messageDeduplicationId: String?, originalMessageId: String? = nil,
        deadLetterSourceQueueName: String? = nil
    ) -> MessageExtras? {
        if attributes.isEmpty && awsTraceHeader == nil && messageGroupId == nil && messageDeduplicationId == nil
            && originalMessageId == nil && deadLetterSourceQueueName == nil
        {
            return nil
        }
        return MessageExtras(
            attributes: attributes, awsTraceHeader: awsTraceHeader, messageGroupId: messageGroupId,
            messageDeduplicationId: messageDeduplicationId, originalMessageId: originalMessageId,
            deadLetterSourceQueueName: deadLetterSourceQueueName)
    }

    func moved(originalMessageId: String, deadLetterSourceQueueName: String?) -> MessageExtras {
        MessageExtras(
            attributes: attributes, awsTraceHeader: awsTraceHeader, messageGroupId: messageGroupId,
            messageDeduplicationId: messageDeduplicationId, originalMessageId: originalMessageId,
            deadLetterSourceQueueName: deadLetterSourceQueueName)
    }
}

/// One message in a queue, addressed by `seq` (increasing per queue; slots stay sorted by it).
///
/// State, derived after the queue's timers have run up to `now`:
/// deleted if `body == nil`; else delayed if `visibleAtMs > now` and never received; in flight if
/// `visibleAtMs > now` and received; visible otherwise.
struct MessageSlot: Sendable {
    var seq: UInt64
    /// nil: deleted (a tombstone until compaction). Unchecked for `Sendable` because `ManagedBuffer` can never
    /// be: a body is immutable once made, so copies of the machine on two threads may share it.
    nonisolated(unsafe) var body: MessageBody?
    var sentMs: Int64
    /// 0 until the first receive.
    var firstReceiveMs: Int64
    /// `visibleAtMs - sentMs`, saturated: a message never lives 49 days, so saturation only ever means
    /// "after its retention".
    var visibleDeltaMs: UInt32
    /// `lastReceiveMs - firstReceiveMs`: the 12-hour visibility cap counts from the latest receive.
    var lastReceiveDeltaMs: UInt32
    /// ApproximateReceiveCount, and the receipt-handle epoch: each receive mints a handle with the new count.
    var receiveCount: UInt32
    /// FIFO: the group's index in the queue's group table; 0 for standard queues.
    var group: UInt32
    var extras: MessageExtras?

    var isLive: Bool { body != nil }

    var visibleAtMs: Int64 {
        get { sentMs + Int64(visibleDeltaMs) }
        set { visibleDeltaMs = UInt32(clamping: max(0, newValue - sentMs)) }
    }

    var lastReceiveMs: Int64 {
        get { firstReceiveMs + Int64(lastReceiveDeltaMs) }
        set { lastReceiveDeltaMs = UInt32(clamping: max(0, newValue - firstReceiveMs)) }
    }

    func isVisible(now: Int64) -> Bool { visibleAtMs <= now }
    func isInFlight(now: Int64) -> Bool { visibleAtMs > now && receiveCount > 0 }
    func isDelayed(now: Int64) -> Bool { visibleAtMs > now && receiveCount == 0 }
}

/// A queue you append at the back of and pop from the front of, in amortized O(1). Only `items[head...]` is
/// state; the dead prefix is dropped now and then, which no encoding can observe.
struct FifoBuffer<Element> {
    private(set) var items: [Element] = []
    private var head = 0

    /// Below this, dropping the dead prefix is not worth a copy.
    private static var compactionSlackMin: Int { 1024 }

    init() {}
    init(_ elements: [Element]) { items = elements }

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }
    var first: Element? { isEmpty ? nil : items[head] }
    var live: ArraySlice<Element> { items[head...] }

    subscript(offset: Int) -> Element {
        get { items[head + offset] }
        set { items[head + offset] = newValue }
    }

    mutating func append(_ element: Element) { items.append(element) }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: items.count < 4 * FifoBuffer.compactionSlackMin)
            head = 0
        } else if head >= FifoBuffer.compactionSlackMin && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }

    mutating func removeAll() {
        items = []
        head = 0
    }
}

/// When a delayed or in-flight message becomes visible. Entries go stale when the message is deleted, received
/// again or has its visibility changed; a stale entry is dropped when it comes due (it no longer matches).
extension FifoBuffer: Sendable where Element: Sendable {}

struct TimerEntry: Comparable, Sendable {
    var deadlineMs: Int64
    var seq: UInt64
    var epoch: UInt32

    static func < (a: TimerEntry, b: TimerEntry) -> Bool {
        (a.deadlineMs, a.seq, a.epoch) < (b.deadlineMs, b.seq, b.epoch)
    }
}

/// A binary min-heap. The array order is a pure function of the pushes and pops, so it is snapshotted as is.
struct TimerHeap: Sendable {
    private(set) var entries: [TimerEntry] = []

    init() {}
    init(entries: [TimerEntry]) { self.entries = entries }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var min: TimerEntry? { entries.first }

    mutating func push(_ entry: TimerEntry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child] < entries[parent] else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> TimerEntry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left] < entries[smallest] { smallest = left }
            if right < entries.count && entries[right] < entries[smallest] { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    mutating func removeAll() { entries = [] }
}

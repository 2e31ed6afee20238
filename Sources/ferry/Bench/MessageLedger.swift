/// Every message the benchmark sent, by sequence number, and what became of it: the exactly-once
/// (or at-least-once) check at the end of a run.
struct MessageLedger {
    enum SendState: UInt8 {
        /// Sent, no answer yet.
        case pending
        /// The server acknowledged it: it must be consumed.
        case acknowledged
        /// The server refused it (an error answer or a failed batch entry): it must not be consumed.
        case refused
        /// The connection broke before the answer: it may or may not be in the queue.
        case unknown
    }

    private var sendStates: [SendState] = []
    /// Receives per message, saturating at 255.
    private var receiveCounts: [UInt8] = []

    private(set) var acknowledged = 0
    private(set) var refused = 0
    private(set) var unknown = 0
    /// Acknowledged messages received at least once.
    private(set) var consumedAcknowledged = 0
    /// Distinct messages received, whatever their send state.
    private(set) var consumed = 0
    /// Receives beyond a message's first.
    private(set) var duplicates = 0
    /// Received messages whose send was refused (a refused send must leave nothing behind).
    private(set) var consumedRefused = 0
    /// Received messages this run never sent (another run's leftovers, or corruption).
    private(set) var unexpected = 0

    /// Sequence numbers handed out so far; the next message gets this one.
    var issued: Int { sendStates.count }

    /// Acknowledged messages not received yet.
    var outstanding: Int { acknowledged - consumedAcknowledged }

    /// Reserves `count` sequence numbers; returns the first.
    mutating func issue(_ count: Int) -> Int {
        let first = sendStates.count
        sendStates.append(contentsOf: repeatElement(.pending, count: count))
        receiveCounts.append(contentsOf: repeatElement(0, count: count))
        return first
    }

    /// Records the answer to the send of `seq`.
    mutating func settle(_ seq: Int, _ state: SendState) {
        precondition(state != .pending && sendStates[seq] == .pending, "a send is settled once")
        sendStates[seq] = state
        switch state {
        case .acknowledged:
            acknowledged += 1
            if receiveCounts[seq] > 0 { consumedAcknowledged += 1 }  // received before its ack arrived
        case .refused:
            refused += 1
            if receiveCounts[seq] > 0 { consumedRefused += 1 }
        case .unknown: unknown += 1
        case .pending: break
        }
    }

    /// Records one receive of `seq`; returns true the first time.
    @discardableResult
    mutating func receive(_ seq: Int) -> Bool {
        guard seq < sendStates.count else {
            unexpected += 1
            return false
        }
        let first = receiveCounts[seq] == 0
        if receiveCounts[seq] < UInt8.max { receiveCounts[seq] += 1 }
        guard first else {
            duplicates += 1
            return false
        }
        consumed += 1
        switch sendStates[seq] {
        case .acknowledged: consumedAcknowledged += 1
        case .refused: consumedRefused += 1
        case .pending, .unknown: break
        }
        return true
    }

    /// Messages of other runs received so far (draining a backlog), by run tag and sequence number.
    private var foreignSeen: Set<UInt64> = []

    /// Records one receive of message `seq` of the run tagged `runTag` (a drain of a backlog another run
    /// filled); returns true the first time. Counted in `consumed` and `duplicates` like this run's own.
    mutating func receiveForeign(runTag: ArraySlice<UInt8>, seq: Int) -> Bool {
        // Run tags are 8 hex digits (32 bits) and sequence numbers stay far below 2^32: the pair fits exactly.
        var tag: UInt64 = 0
        for byte in runTag { tag = tag << 4 | UInt64(byte & 0x0F) &+ (byte > 0x39 ? 9 : 0) }
        guard foreignSeen.insert(tag << 32 | UInt64(UInt32(truncatingIfNeeded: seq))).inserted else {
            duplicates += 1
            return false
        }
        consumed += 1
        return true
    }

    /// An entry this run did not send (a foreign body).
    mutating func receiveUnexpected() { unexpected += 1 }

    /// Acknowledged but never received: lost, or still in the queue when the drain gave up.
    var missing: Int { outstanding }

    /// Up to `limit` missing sequence numbers, for the report.
    func missingSample(limit: Int) -> [Int] {
        var sample: [Int] = []
        for seq in 0..<sendStates.count where sendStates[seq] == .acknowledged && receiveCounts[seq] == 0 {
            sample.append(seq)
            if sample.count == limit { break }
        }
        return sample
    }
}

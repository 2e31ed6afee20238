import XCTest

@testable import FerryQueue

/// Seeded random workloads, the way the simulator will drive the machine: invariants after every command,
/// snapshots restored at random points, and the queue checker's terms (docs/guarantees.md, "What the simulator
/// checks"): nothing lost, nothing unexpected, no dedup id enqueued twice, FIFO groups delivered in order.
final class RandomizedTests: XCTestCase {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    func testRandomWorkloadsKeepQueueGuarantees() {
        for seed in UInt64(1)...8 { runWorkload(seed: seed, steps: 1_500) }
    }

    private func runWorkload(seed: UInt64, steps: Int) {
        var rng = SplitMix(state: seed)
        var h = Harness()
        h.create("s", ["VisibilityTimeout": "3"])
        h.create(
            "f.fifo",
            [
                "FifoQueue": "true", "VisibilityTimeout": "3",
                "DeduplicationScope": Bool.random(using: &rng) ? "queue" : "messageGroup",
            ])
        var sent: [String: String] = [:]  // messageId -> body, acknowledged sends
        var deleted = Set<String>()
        var received = Set<String>()
        var groupOrder: [String: [String]] = [:]  // FIFO group -> live message ids in send order
        var groupOf: [String: String] = [:]
        var held: [(queue: String, message: ReceivedMessage)] = []
        var dedupIds: [String: String] = [:]  // dedup key -> message id
        for step in 0..<steps {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<25:
                let sentMessage = h.send("s", "s\(step)")
                sent[sentMessage.messageId] = "s\(step)"
            case 25..<50:
                let group = "g\(Int.random(in: 0..<4, using: &rng))"
                let dedup = "d\(Int.random(in: 0..<60, using: &rng))"
                let key =
                    h.machine.queues[h.machine.queueIdByName["f.fifo"]!]!.attributes.deduplicationScope == .queue
                    ? dedup : group + "/" + dedup
                let result = h.send("f.fifo", "f\(step)", group: group, dedup: dedup)
                if result.wasDuplicate {
                    XCTAssertEqual(dedupIds[key], result.messageId, "seed \(seed): a duplicate answers the original id")
                } else {
                    dedupIds[key] = result.messageId
                    sent[result.messageId] = "f\(step)"
                    groupOrder[group, default: []].append(result.messageId)
                    groupOf[result.messageId] = group
                }
            case 50..<70:
                let queue = Bool.random(using: &rng) ? "s" : "f.fifo"
                let batch = h.receive(queue, max: Int.random(in: 1...10, using: &rng))
                var earlierInBatch: [String: Int] = [:]
                for message in batch {
                    XCTAssertNotNil(sent[message.messageId], "seed \(seed): unexpected message")
                    XCTAssertEqual(sent[message.messageId], message.bodyText)
                    received.insert(message.messageId)
                    if queue == "f.fifo", let group = groupOf[message.messageId] {
                        let position = groupOrder[group]!.firstIndex(of: message.messageId)
                        XCTAssertEqual(
                            position, earlierInBatch[group, default: 0],
                            "seed \(seed) step \(step): FIFO group \(group) delivered out of order")
                        earlierInBatch[group, default: 0] += 1
                    }
                    held.append((queue, message))
                }
            case 70..<85 where !held.isEmpty:
                let (queue, message) = held.remove(at: Int.random(in: 0..<held.count, using: &rng))
                if h.delete(queue, message.receiptHandle).error == nil, !deleted.contains(message.messageId) {
                    if h.machine.queues[h.machine.queueIdByName[queue]!]!.index(ofMessageId: message.messageId) == nil {
                        deleted.insert(message.messageId)
                        if let group = groupOf[message.messageId] {
                            groupOrder[group]!.removeAll { $0 == message.messageId }
                        }
                    }
                }
            case 85..<90 where !held.isEmpty:
                let (queue, message) = held[Int.random(in: 0..<held.count, using: &rng)]
                _ = h.changeVisibility(queue, message.receiptHandle, Int.random(in: 0...5, using: &rng))
            case 90..<97:
                h.advance(seconds: Double(Int.random(in: 0...2000, using: &rng)) / 1000)
                if Bool.random(using: &rng) { h.tick() }
            default:
                try! h.machine.restore(from: h.machine.snapshot())
            }
            h.machine.checkInvariants()
        }
        // Drain: every acknowledged, undeleted message must still be there (no loss).
        for _ in 0..<10_000 {
            h.advance(seconds: 4)
            var got = h.receive("s") + h.receive("f.fifo")
            if got.isEmpty { got = h.receive("s") + h.receive("f.fifo") }
            if got.isEmpty { break }
            for message in got {
                received.insert(message.messageId)
                let queue = message.sequenceNumber == nil ? "s" : "f.fifo"
                XCTAssertNil(h.delete(queue, message.receiptHandle).error)
                deleted.insert(message.messageId)
            }
        }
        XCTAssertEqual(Set(sent.keys).subtracting(deleted), [], "seed \(seed): lost messages")
        XCTAssertEqual(h.counts("s") + h.counts("f.fifo"), [0, 0, 0, 0, 0, 0])
    }
}

extension QueueState {
    /// Test helper: the slot of a live message with this id, if any.
    func index(ofMessageId messageId: String) -> Int? {
        slots.indices.first { slots[$0].isLive && self.messageId(of: slots[$0]) == messageId }
    }
}

import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRaft

/// A 64-bit digest of one applied command and what it produced: two replicas that applied the same entry
/// at an index must produce equal digests (SMS, and identical outputs: no replica judges time or state
/// differently).
enum QueueDigest {
    static func of(_ command: QueueCommand, _ output: QueueResult, _ stamp: EntryStamp) -> UInt64 {
        var hasher = TraceHasher()
        hasher.combine(stamp.index)
        hasher.combine(stamp.timeMs)
        hasher.combineWords(QueueReplica.encode(command))  // a command can carry 1 MiB: word by word
        combine(output, into: &hasher)
        return hasher.value
    }

    private static func combine(_ text: String, into hasher: inout TraceHasher) {
        hasher.combine(UInt64(text.utf8.count))
        for byte in text.utf8 { hasher.combineMixed(UInt64(byte)) }
    }

    private static func combine(_ output: QueueResult, into hasher: inout TraceHasher) {
        switch output {
        case .failed(let error):
            hasher.combine(1)
            combine(error.description, into: &hasher)
        case .done:
            hasher.combine(2)
        case .queueCreated(let name):
            hasher.combine(3)
            combine(name, into: &hasher)
        case .sent(let results):
            hasher.combine(4)
            for result in results {
                switch result.result {
                case .success(let sent):
                    combine(sent.messageId, into: &hasher)
                    hasher.combine(sent.wasDuplicate ? 1 : 0)
                case .failure(let error):
                    combine(error.description, into: &hasher)
                }
            }
        case .received(let messages):
            hasher.combine(5)
            for message in messages {
                combine(message.messageId, into: &hasher)
                combine(message.receiptHandle, into: &hasher)
                hasher.combine(UInt64(bitPattern: message.approximateFirstReceiveTimestampMs))
                hasher.combine(UInt64(message.approximateReceiveCount))
                hasher.combine(message.bodyMD5 == nil ? 0 : 1)
                hasher.combine(message.bodyMD5?.high ?? 0)
                hasher.combine(message.bodyMD5?.low ?? 0)
            }
        case .deleted(let results), .visibilityChanged(let results):
            hasher.combine(6)
            for result in results {
                switch result.result {
                case .success: hasher.combine(1)
                case .failure(let error): combine(error.description, into: &hasher)
                }
            }
        case .moveTaskStarted(let handle):
            hasher.combine(7)
            combine(handle, into: &hasher)
        case .moveTaskCancelled(let moved):
            hasher.combine(8)
            hasher.combine(UInt64(moved))
        case .topicCreated(let arn), .subscribed(let arn):
            hasher.combine(9)
            combine(arn, into: &hasher)
        case .published(let results):
            hasher.combine(10)
            for result in results {
                switch result.result {
                case .success(let published): combine(published.messageId, into: &hasher)
                case .failure(let error): combine(error.description, into: &hasher)
                }
            }
        }
    }
}

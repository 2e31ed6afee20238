import FerryQueue

extension SQSReferenceModel {
    /// What the model expects of one message of a send, or one entry of a delete or visibility change.
    enum Outcome {
        case enqueued
        /// Swallowed by the deduplication window: the original's id and sequence number.
        case duplicate(of: String, sequenceNumber: String?)
        /// Refused with this code (nil: any code; Q-limit compares it with the edge's).
        case failure(QueueErrorCode?)
        case done
    }

    /// Compares the machine's output with what the model expects, and keeps the first difference.
    struct Judge {
        let output: QueueResult
        private(set) var problem: String?

        init(output: QueueResult) {
            self.output = output
        }

        mutating func fail(_ what: String) {
            if problem == nil { problem = what }
        }

        mutating func expect(_ result: QueueResult) {
            if output != result { fail("the model expects \(result), the machine answered \(abbreviated(output))") }
        }

        mutating func expectDone() { expect(.done) }

        mutating func expectError(_ code: QueueErrorCode?) {
            guard case .failed(let error) = output, code == nil || error.code == code else {
                return fail(
                    "the model expects the error \(code?.rawValue ?? "(any)"), the machine answered \(abbreviated(output))"
                )
            }
        }

        /// A send's per-message results, when they have the expected shape (then the model adopts the ids).
        mutating func sendResults(_ expected: [Outcome], isBatch: Bool) -> [EntryResult<SentMessage>]? {
            if !isBatch, case .failure(let code) = expected[0] {
                expectError(code)
                return nil
            }
            guard case .sent(let results) = output, results.count == expected.count else {
                fail(
                    "the model expects \(expected.count) send results (\(expected)), the machine answered \(abbreviated(output))"
                )
                return nil
            }
            for (n, (outcome, result)) in zip(expected, results).enumerated() {
                switch (outcome, result.result) {
                case (.enqueued, .success(let sent)) where !sent.wasDuplicate:
                    continue
                case (.duplicate(let original, let sequenceNumber), .success(let sent))
                where sent.wasDuplicate && sent.messageId == original && sent.sequenceNumber == sequenceNumber:
                    continue
                case (.failure(let code), .failure(let error)) where code == nil || error.code == code:
                    continue
                default:
                    fail(
                        "message \(n) of the send: the model expects \(outcome), the machine answered \(result.result)")
                }
            }
            return problem == nil ? results : nil
        }

        /// Per-entry outcomes of a delete or visibility change (a single request answers its one error whole).
        mutating func handleResults(_ expected: [Outcome], isBatch: Bool) {
            if !isBatch, case .failure(let code) = expected[0] { return expectError(code) }
            let results: [EntryResult<QueueResult.Unit>]
            switch output {
            case .deleted(let r), .visibilityChanged(let r): results = r
            default: return fail("the model expects \(expected), the machine answered \(abbreviated(output))")
            }
            guard results.count == expected.count else {
                return fail("the model expects \(expected), the machine answered \(results)")
            }
            for (n, (outcome, result)) in zip(expected, results).enumerated() {
                switch (outcome, result.result) {
                case (.done, .success): continue
                case (.failure(let code), .failure(let error)) where code == nil || error.code == code: continue
                default: fail("entry \(n): the model expects \(outcome), the machine answered \(result.result)")
                }
            }
        }

        /// A receive delivers exactly these messages, in this order, with every field SQS defines.
        mutating func expectReceived(_ messages: [Message], newHandles: Bool, arnPrefix: String) {
            guard case .received(let got) = output else {
                return fail(
                    "the model expects \(messages.count) messages received, the machine answered \(abbreviated(output))"
                )
            }
            guard got.count == messages.count else {
                return fail(
                    "the model expects \(messages.count) messages (\(messages.map(\.messageId).prefix(10))), the machine delivered \(got.count) (\(got.map(\.messageId).prefix(10)))"
                )
            }
            for (want, message) in zip(messages, got) {
                if let difference = Self.difference(want, message, newHandle: newHandles, arnPrefix: arnPrefix) {
                    return fail("message \(message.messageId): \(difference)")
                }
            }
        }

        private static func difference(
            _ want: Message, _ got: ReceivedMessage, newHandle: Bool, arnPrefix: String
        ) -> String? {
            let entry = want.entry
            var differences: [String] = []
            func check<T: Equatable>(_ field: String, _ model: T, _ machine: T) {
                guard model != machine else { return }
                differences.append(
                    "\(field): the model expects \(abbreviated(model, characters: 120)), the machine gave \(abbreviated(machine, characters: 120))"
                )
            }
            // else a fan-out copy's first receive
            if !want.messageId.isEmpty { check("MessageId", want.messageId, got.messageId) }
            check("ApproximateReceiveCount", want.receiveCount, got.approximateReceiveCount)
            check("ApproximateFirstReceiveTimestamp", want.firstReceiveMs, got.approximateFirstReceiveTimestampMs)
            check("SentTimestamp", want.sentMs, got.sentTimestampMs)
            if newHandle {
                if got.receiptHandle.isEmpty || got.receiptHandle == want.latestHandle {
                    differences.append("ReceiptHandle: \(got.receiptHandle) is not new")
                }
            } else {
                check("ReceiptHandle (an attempt id's retry)", want.latestHandle, got.receiptHandle)
            }
            if want.sequenceNumber != nil { check("SequenceNumber", want.sequenceNumber, got.sequenceNumber) }
            check("MessageGroupId", entry.messageGroupId, got.messageGroupId)
            check("MessageDeduplicationId", entry.messageDeduplicationId, got.messageDeduplicationId)
            check("AWSTraceHeader", entry.awsTraceHeader, got.awsTraceHeader)
            check(
                "DeadLetterQueueSourceArn", want.deadLetterSource.map { arnPrefix + $0 }, got.deadLetterQueueSourceArn)
            check("body MD5", entry.bodyMD5, got.bodyMD5)
            if entry.body != got.body {
                differences.append("body: \(got.body.count) bytes, not the \(entry.body.count) bytes sent")
            }
            if entry.attributes != got.attributes {
                differences.append(
                    "attributes \(got.attributes.map(\.name)), not the \(entry.attributes.map(\.name)) sent")
            }
            return differences.first
        }
    }
}

/// DeleteMessage(Batch) and ChangeMessageVisibility(Batch): what a receipt handle may still do
/// (docs/sqs-wire.md, "Visibility and receipt handles").
///
/// - Malformed, or minted by another queue: ReceiptHandleIsInvalid.
/// - Standard queue delete: any handle of a live message deletes it, even while another consumer holds it
///   (AWS: "succeeds but may not delete" for stale handles; Ferry does delete, which the at-least-once checker
///   accepts). A message already gone: success.
/// - FIFO delete: only the latest handle while its visibility lasts; otherwise InvalidParameterValue "The
///   receipt handle has expired" (aws-sdk-js #1279), so a consumer whose lease ended cannot delete a message
///   the group's next holder has (docs/simulation.md, "Planted bugs", bug 34).
/// - Standard change-visibility with a stale or expired handle: OK and nothing happens (localstack PR #9632).
/// - FIFO change-visibility: stale handle -> expired error; latest handle of a message not in flight ->
///   MessageNotInflight.
extension QueueMachine {
    mutating func deleteMessages(_ name: String, _ entries: [HandleEntry], isBatch: Bool) -> QueueResult {
        if let error = batchError(entries.map(\.id), isBatch: isBatch) { return .failed(error) }
        let now = nowMs
        let results: [EntryResult<QueueResult.Unit>]? = withQueue(name) { queue in
            entries.map { entry in
                EntryResult(
                    id: entry.id, queue.delete(handle: entry.receiptHandle, now: now).map { QueueResult.Unit() })
            }
        }
        guard let results else { return .failed(.noQueue(name)) }
        if !isBatch, case .failure(let error) = results[0].result { return .failed(error) }
        return .deleted(results)
    }

    mutating func changeVisibility(_ name: String, _ entries: [HandleEntry], isBatch: Bool) -> QueueResult {
        if let error = batchError(entries.map(\.id), isBatch: isBatch) { return .failed(error) }
        let now = nowMs
        let results: [EntryResult<QueueResult.Unit>]? = withQueue(name) { queue in
            entries.map { entry in
                EntryResult(
                    id: entry.id,
                    queue.changeVisibility(
                        handle: entry.receiptHandle, timeoutSeconds: entry.visibilityTimeoutSeconds, now: now
                    ).map { QueueResult.Unit() })
            }
        }
        guard let results else { return .failed(.noQueue(name)) }
        if !isBatch, case .failure(let error) = results[0].result { return .failed(error) }
        return .visibilityChanged(results)
    }

    func batchError(_ ids: [String], isBatch: Bool) -> QueueError? {
        guard isBatch else {
            precondition(ids.count == 1, "single-message operations carry exactly one entry")
            return nil
        }
        do {
            try QueueValidation.validateBatchIds(ids)
            return nil
        } catch {
            return (error as! QueueError)
        }
    }
}

extension QueueState {
    /// The live slot a handle names, or why not: `.success(nil)` means the message is already gone.
    private func lookup(_ text: String) -> Result<(index: Int, handle: ReceiptHandle)?, QueueError> {
        guard let handle = ReceiptHandle(text: text), handle.queue == id, handle.seq < nextSeq else {
            return .failure(.receiptHandleInvalid(text))
        }
        guard let index = index(of: handle.seq), slots[index].isLive else { return .success(nil) }
        guard handle.epoch >= 1, handle.epoch <= slots[index].receiveCount else {
            return .failure(.receiptHandleInvalid(text))
        }
        return .success((index, handle))
    }

    mutating func delete(handle text: String, now: Int64) -> Result<Void, QueueError> {
        switch lookup(text) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .success(())
        case .success(let found?):
            if isFifo {
                let slot = slots[found.index]
                guard found.handle.epoch == slot.receiveCount, slot.isInFlight(now: now) else {
                    return .failure(.receiptHandleExpired)
                }
            }
            remove(at: found.index, now: now)
            return .success(())
        }
    }

    mutating func changeVisibility(handle text: String, timeoutSeconds: Int, now: Int64) -> Result<Void, QueueError> {
        do {
            try QueueValidation.validateVisibilityTimeout(timeoutSeconds)
        } catch {
            return .failure(error as! QueueError)
        }
        let found: (index: Int, handle: ReceiptHandle)
        switch lookup(text) {
        case .failure(let error): return .failure(error)
        case .success(nil): return isFifo ? .failure(.receiptHandleExpired) : .success(())
        case .success(let hit?): found = hit
        }
        let index = found.index
        let slot = slots[index]
        guard found.handle.epoch == slot.receiveCount else {
            return isFifo ? .failure(.receiptHandleExpired) : .success(())
        }
        guard slot.isInFlight(now: now) else {
            return isFifo
                ? .failure(QueueError(.messageNotInflight, "The message referred to is not in flight."))
                : .success(())
        }
        let deadline = now + Int64(timeoutSeconds) * 1000
        // docs/sqs-wire.md, "Visibility and receipt handles": the total invisibility since the receive cannot exceed 12
        // hours.
        guard deadline - slot.lastReceiveMs <= Int64(QueueLimits.visibilityTimeoutSecondsMax) * 1000 else {
            return .failure(
                .invalidParameter(
                    "VisibilityTimeout",
                    "Total VisibilityTimeout for the message is beyond the limit [\(QueueLimits.visibilityTimeoutSecondsMax) seconds]"
                ))
        }
        if timeoutSeconds == 0 {
            slots[index].visibleAtMs = now
            inflightCount -= 1
            visibleCount += 1
            if isFifo {
                groups[slot.group]!.inflight -= 1
                refreshGroup(slot.group, now: now)
            } else {
                ready.append(slot.seq)
            }
        } else if deadline != slot.visibleAtMs {
            slots[index].visibleAtMs = deadline
            timers.push(TimerEntry(deadlineMs: slots[index].visibleAtMs, seq: slot.seq, epoch: slot.receiveCount))
        }
        return .success(())
    }
}

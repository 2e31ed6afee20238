import FerryRaft

/// Where one entry's record is in the log: its segment, its offset there and its framed size. 16 bytes an
/// entry, the whole of what storage keeps in memory per entry besides its term.
struct EntryLocation: Equatable {
    var segment: UInt64
    /// Fits: `StorageOptions.segmentBytesLimit` bounds where a record starts, `WALRecord.payloadBytesMax` its size.
    var offset: UInt32
    var sizeBytes: UInt32

    /// A position past 32 bits (only a segment file grown past every bound the log writes) is kept as one that
    /// never verifies: a read there fails as corruption instead of trapping here.
    init(_ start: LogCursor, sizeBytes: Int) {
        segment = start.segment
        offset = UInt32(exactly: start.offset) ?? .max
        self.sizeBytes = UInt32(exactly: sizeBytes) ?? .max
    }

    var start: Int { Int(offset) }
    var end: LogCursor { LogCursor(segment: segment, offset: Int(offset) + Int(sizeBytes)) }
}

/// The leader's log entries for followers that lag, read back from the segment files once Raft released their
/// payloads from memory (`RaftOptions.appliedEntriesCacheBytesMax`; docs/design.md, "Where a queued message
/// lives"). Reads happen on the node's thread, one AppendEntries' worth (`RaftOptions.appendBytesMax`) per
/// follower round trip, usually from the page cache: adjacent records are read with one call. Every record is
/// verified (checksum, kind, index and term) before it is decoded; one that is not is counted in
/// `entryReadFailures`, named in `lastEntryReadError`, and the follower waits for a later read.
extension RaftStorage: LogEntrySource {
    public func entries(from first: LogIndex, through last: LogIndex, bytesMax: Int) -> [Entry]? {
        // Only entries durable here: a staged record's bytes are not in its file yet.
        guard first > base.index, first <= last, last <= lastPosition.index, last <= durableLastIndex else {
            return nil
        }
        let wanted = plannedReads(from: first, through: last, bytesMax: bytesMax)
        var entries: [Entry] = []
        for run in wanted {
            guard let read = readRun(run) else { return nil }
            entries += read
        }
        return entries
    }

    /// The records of `first...` that fit `bytesMax` (at least one), grouped into runs of adjacent records of
    /// one segment: each run is one read. A record's framed size exceeds its entry's `sizeBytes`, so the
    /// entries returned stay within the bound.
    private func plannedReads(from first: LogIndex, through last: LogIndex, bytesMax: Int) -> [ReadRun] {
        var runs: [ReadRun] = []
        var bytes = 0
        var index = first
        while index <= last {
            let location = locations[Int(index - base.index) - 1]
            bytes += Int(location.sizeBytes)
            if bytes > bytesMax, index > first { break }
            if var run = runs.last, run.end == LogCursor(segment: location.segment, offset: location.start) {
                run.locations.append(location)
                runs[runs.count - 1] = run
            } else {
                runs.append(ReadRun(firstIndex: index, locations: [location]))
            }
            index += 1
        }
        return runs
    }

    private func readRun(_ run: ReadRun) -> [Entry]? {
        let first = run.locations[0]
        guard run.end <= durableThrough, let segment = segments.first(where: { $0.sequence == first.segment }) else {
            return entryReadFailed(nil)  // compacted away meanwhile, or not durable
        }
        let bytes: [UInt8]
        do {
            bytes = try readSegment(segment, at: first.start, count: run.end.offset - first.start)
        } catch {
            return entryReadFailed(.unreadable(error))
        }
        var entries: [Entry] = []
        for (position, location) in run.locations.enumerated() {
            let index = run.firstIndex + LogIndex(position)
            let offsetInRun = location.start - first.start
            let corrupt = { (reason: String) in
                StorageError.corruption(file: segment.path, offset: location.start, reason: reason)
            }
            guard case .record(let record) = WALRecord.decode(bytes, at: offsetInRun) else {
                return entryReadFailed(corrupt("entry \(index) does not verify on a read for a follower"))
            }
            guard record.kind == .entry, record.index == index, record.term == term(at: index),
                record.sizeBytes == Int(location.sizeBytes)
            else {
                return entryReadFailed(
                    corrupt("the record at entry \(index)'s location is \(record.kind) \(record.index)@\(record.term)"))
            }
            do {
                entries.append(try WALRecord.decodeEntry(bytes, at: offsetInRun, record))
            } catch {
                return entryReadFailed(corrupt("entry \(index) payload: \(error)"))
            }
        }
        return entries
    }

    /// Reads from the segment's open handle, or opens it for the read (segments recovery found are not kept open).
    private func readSegment(_ segment: Segment, at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        if let handle = segment.handle { return try fileSystem.read(handle, at: offset, count: count) }
        let handle = try fileSystem.open(segment.path, create: false)
        defer { fileSystem.close(handle) }
        return try fileSystem.read(handle, at: offset, count: count)
    }

    private func entryReadFailed(_ error: StorageError?) -> [Entry]? {
        entryReadFailures += 1
        if let error {
            lastEntryReadError = error
            entryReadErrorUnreported = true
        }
        return nil
    }

    /// The cause of a failed entry read not reported yet, for the node's log: once per error.
    public func takeEntryReadError() -> StorageError? {
        guard entryReadErrorUnreported else { return nil }
        entryReadErrorUnreported = false
        return lastEntryReadError
    }
}

/// Records of consecutive entries that lie back to back in one segment.
private struct ReadRun {
    var firstIndex: LogIndex
    var locations: [EntryLocation]
    var end: LogCursor { locations.last!.end }
}

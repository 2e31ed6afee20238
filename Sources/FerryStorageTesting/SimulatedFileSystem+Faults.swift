import FerryStorage

extension SimulatedFileSystem {
    /// Power loss: every open handle becomes invalid; each file keeps its durable bytes plus each
    /// unsynced change kept whole, torn (a random subset of its sectors) or lost; each directory
    /// keeps its durable names plus a random prefix of its unsynced name operations.
    public func crash() {
        crashCount += 1
        for path in directories.keys.sorted() {
            var directory = directories[path]!
            let kept = uniform(directory.unsynced.count + 1)
            for operation in directory.unsynced.prefix(kept) {
                switch operation {
                case .link(let name, let inode): directory.durableNames[name] = inode
                case .unlink(let name): directory.durableNames[name] = nil
                }
            }
            directory.names = directory.durableNames
            directory.unsynced = []
            directories[path] = directory
        }
        for number in inodes.keys.sorted() {
            var inode = inodes[number]!
            var bytes = inode.durable
            for change in inode.unsynced { survive(change, into: &bytes) }
            inode = Inode(volatile: bytes, durable: bytes, unsynced: [])
            inodes[number] = inode
        }
        dropUnreachableInodes()
        closeAllHandles()
    }

    private func survive(_ change: Change, into bytes: inout [UInt8]) {
        let roll = Double(uniform(1 << 20)) / Double(1 << 20)
        if roll < faults.crashKeepWriteProbability {
            Self.apply(change, to: &bytes)
        } else if roll < faults.crashKeepWriteProbability + faults.crashTearWriteProbability,
            case .write(let offset, let data) = change
        {
            // Torn at sector granularity: each sector of the write either made it or did not. A write
            // that starts or ends inside a sector tears only its own bytes there: the bytes of that
            // sector written and synced before are kept either way. That is the sector-atomicity real
            // disks give (the kernel rewrites the whole sector, old bytes included, and the drive
            // persists it whole or not at all), and the log relies on it: every write appends right
            // after the last synced record, usually mid-sector, so a torn append (a witness record, or
            // the next batch) never damages the durable bytes it follows. A device that can tear inside
            // a sector would damage them; recovery would then see a failed record inside the witnessed
            // prefix and refuse to start (loud, never a silent loss), if the witness survived.
            var start = 0
            while start < data.count {
                let sectorEnd = min(
                    data.count, ((offset + start) / DiskFaults.sectorBytes + 1) * DiskFaults.sectorBytes - offset)
                if uniform(2) == 0 {
                    Self.apply(.write(offset: offset + start, bytes: Array(data[start..<sectorEnd])), to: &bytes)
                }
                start = sectorEnd
            }
        }
    }

    private func dropUnreachableInodes() {
        var reachable = Set<Int>()
        for directory in directories.values { reachable.formUnion(directory.names.values) }
        for number in inodes.keys.sorted() where !reachable.contains(number) { inodes[number] = nil }
    }

    /// Flips one bit of a file at rest (both what readers see and what survives a crash).
    public func flipBit(_ path: String, byteOffset: Int, bit: Int = 0) throws(FileSystemError) {
        let number = try inodeNumber(path)
        precondition(byteOffset < inodes[number]!.volatile.count, "flipBit past the end of \(path)")
        inodes[number]!.volatile[byteOffset] ^= UInt8(1) << UInt8(bit)
        if byteOffset < inodes[number]!.durable.count { inodes[number]!.durable[byteOffset] ^= UInt8(1) << UInt8(bit) }
    }

    /// Overwrites bytes of a file at rest, durably: a misdirected write that landed here, seen
    /// after the fact.
    public func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws(FileSystemError) {
        let number = try inodeNumber(path)
        Self.apply(.write(offset: offset, bytes: bytes), to: &inodes[number]!.volatile)
        Self.apply(.write(offset: offset, bytes: bytes), to: &inodes[number]!.durable)
    }

    /// Cuts a file short at rest, durably.
    public func truncateAtRest(_ path: String, toSize size: Int) throws(FileSystemError) {
        let number = try inodeNumber(path)
        Self.apply(.truncate(size: size), to: &inodes[number]!.volatile)
        Self.apply(.truncate(size: size), to: &inodes[number]!.durable)
    }

    /// The bytes of a file as a reader sees them, without faults.
    public func contents(_ path: String) throws(FileSystemError) -> [UInt8] {
        inodes[try inodeNumber(path)]!.volatile
    }

    /// The size of a file as a reader sees it.
    public func fileSize(_ path: String) throws(FileSystemError) -> Int {
        try contents(path).count
    }

    private func closeAllHandles() {
        handles = [:]
    }
}

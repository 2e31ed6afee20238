import FerryStorage

/// An in-memory disk with the failure modes of a real one, for tests and the simulator.
///
/// Each file keeps the bytes a reader sees (`volatile`), the bytes that survive a crash
/// (`durable`) and the changes since its last sync. Each directory keeps the names a reader sees
/// and the name operations since its last fsync. `crash()` rebuilds every file from its durable
/// bytes plus each unsynced change kept whole, torn at sector granularity, or lost, and every
/// directory from its durable names plus a random prefix of its unsynced operations (a journaling
/// file system keeps metadata operations in order). Faults are drawn from `faults` and the
/// generator given at init; every iteration is over sorted keys, so one seed gives one history.
///
/// Single-threaded: the simulator (or a test) calls it from one thread, including `DurableWrite`s.
public final class SimulatedFileSystem: FileSystem {
    enum Change {
        case write(offset: Int, bytes: [UInt8])
        case truncate(size: Int)
    }

    struct Inode {
        var volatile: [UInt8] = []
        var durable: [UInt8] = []
        var unsynced: [Change] = []
        /// A failed sync dropped changes from `unsynced` that `volatile` keeps: the next sync copies `volatile`
        /// whole. Otherwise `volatile` is `durable` with `unsynced` applied, and a sync applies just those
        /// changes to `durable` (sharing one buffer would make the next write copy the whole file).
        var durableDiverged = false
    }

    enum NameOperation {
        case link(name: String, inode: Int)
        case unlink(name: String)
    }

    struct Directory {
        /// name -> inode, as readers see it.
        var names: [String: Int] = [:]
        /// name -> inode, as a crash would leave it.
        var durableNames: [String: Int] = [:]
        var unsynced: [NameOperation] = []
    }

    public var faults: DiskFaults
    private var nextRandom: () -> UInt64
    var inodes: [Int: Inode] = [:]
    var directories: [String: Directory] = [:]
    var handles: [Int32: Int] = [:]
    private var nextInode = 1
    private var nextHandle: Int32 = 3
    /// Counts, for tests and the simulator's report.
    public private(set) var syncCount = 0
    public internal(set) var crashCount = 0

    public init<Random: RandomNumberGenerator>(random: Random, faults: DiskFaults = .crashOnly) {
        var generator = random
        nextRandom = { generator.next() }
        self.faults = faults
    }

    // MARK: Randomness

    func chance(_ probability: Double) -> Bool {
        probability > 0 && Double(nextRandom() >> 11) / Double(1 << 53) < probability
    }

    func uniform(_ bound: Int) -> Int {
        precondition(bound > 0, "uniform needs a positive bound")
        return Int(nextRandom() % UInt64(bound))
    }

    // MARK: Paths

    func split(_ path: String) -> (directory: String, name: String) {
        (
            StorageLayout.directory(of: path),
            String(path[path.utf8.index(after: path.utf8.lastIndex(of: UInt8(ascii: "/"))!)...])
        )
    }

    func inodeNumber(_ path: String) throws(FileSystemError) -> Int {
        let (directory, name) = split(path)
        guard let number = directories[directory]?.names[name] else { throw .notFound(path: path) }
        return number
    }

    private func inode(of handle: FileHandle) -> Int {
        guard let number = handles[handle.rawValue] else {
            preconditionFailure("\(handle) is not open (closed, or opened before a crash)")
        }
        return number
    }

    private func setName(_ directory: String, _ operation: NameOperation) {
        switch operation {
        case .link(let name, let inode): directories[directory]!.names[name] = inode
        case .unlink(let name): directories[directory]!.names[name] = nil
        }
        directories[directory]!.unsynced.append(operation)
    }

    private var usedBytes: Int { inodes.values.reduce(0) { $0 + $1.volatile.count } }

    // MARK: FileSystem

    public func open(_ path: String, create: Bool) throws(FileSystemError) -> FileHandle {
        let (directory, name) = split(path)
        guard directories[directory] != nil else { throw .notFound(path: directory) }
        var number = directories[directory]!.names[name]
        if number == nil {
            guard create else { throw .notFound(path: path) }
            number = nextInode
            nextInode += 1
            inodes[number!] = Inode()
            setName(directory, .link(name: name, inode: number!))
        }
        let handle = nextHandle
        nextHandle += 1
        handles[handle] = number!
        return FileHandle(rawValue: handle)
    }

    public func close(_ handle: FileHandle) {
        handles[handle.rawValue] = nil
    }

    public func write(_ handle: FileHandle, at offset: Int, _ bytes: [UInt8]) throws(FileSystemError) {
        let number = inode(of: handle)
        let growth = max(0, offset + bytes.count - inodes[number]!.volatile.count)
        guard usedBytes + growth <= faults.capacityBytes else { throw .noSpace(path: "inode\(number)") }
        var landing = offset
        if chance(faults.misdirectedWriteProbability) {
            let shiftSectors = 1 + uniform(8)
            landing = max(0, offset + (uniform(2) == 0 ? -1 : 1) * shiftSectors * DiskFaults.sectorBytes)
        }
        Self.apply(.write(offset: landing, bytes: bytes), to: &inodes[number]!.volatile)
        inodes[number]!.unsynced.append(.write(offset: landing, bytes: bytes))
    }

    public func read(_ handle: FileHandle, at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        let content = inodes[inode(of: handle)]!.volatile
        guard offset < content.count else { return [] }
        var bytes = Array(content[offset..<min(content.count, offset + count)])
        if !bytes.isEmpty && chance(faults.readBitFlipProbability) {
            bytes[uniform(bytes.count)] ^= UInt8(1) << UInt8(uniform(8))
        }
        return bytes
    }

    public func size(_ handle: FileHandle) throws(FileSystemError) -> Int {
        inodes[inode(of: handle)]!.volatile.count
    }

    public func sync(_ handle: FileHandle) throws(FileSystemError) {
        let number = inode(of: handle)
        syncCount += 1
        if chance(faults.syncFailureProbability) {
            // Linux marks the pages clean after a failed writeback: the data stays readable, but
            // is no longer going to reach the disk, and the next fsync reports success.
            inodes[number]!.unsynced = []
            inodes[number]!.durableDiverged = true
            throw .io(path: "inode\(number)", operation: "fdatasync", errno: 5)
        }
        if inodes[number]!.durableDiverged {
            inodes[number]!.durable = inodes[number]!.volatile
            inodes[number]!.durableDiverged = false
        } else {
            for change in inodes[number]!.unsynced { Self.apply(change, to: &inodes[number]!.durable) }
        }
        inodes[number]!.unsynced = []
    }

    public func truncate(_ handle: FileHandle, toSize size: Int) throws(FileSystemError) {
        let number = inode(of: handle)
        Self.apply(.truncate(size: size), to: &inodes[number]!.volatile)
        inodes[number]!.unsynced.append(.truncate(size: size))
    }

    public func rename(_ from: String, to: String) throws(FileSystemError) {
        let number = try inodeNumber(from)
        let (fromDirectory, fromName) = split(from)
        let (toDirectory, toName) = split(to)
        precondition(fromDirectory == toDirectory, "storage renames only within one directory")
        guard directories[toDirectory] != nil else { throw .notFound(path: toDirectory) }
        setName(fromDirectory, .unlink(name: fromName))
        setName(toDirectory, .link(name: toName, inode: number))
    }

    public func remove(_ path: String) throws(FileSystemError) {
        _ = try inodeNumber(path)
        let (directory, name) = split(path)
        setName(directory, .unlink(name: name))
    }

    public func list(_ directory: String) throws(FileSystemError) -> [String] {
        guard let entry = directories[directory] else { throw .notFound(path: directory) }
        return entry.names.keys.sorted()
    }

    public func syncDirectory(_ directory: String) throws(FileSystemError) {
        guard directories[directory] != nil else { throw .notFound(path: directory) }
        syncCount += 1
        directories[directory]!.durableNames = directories[directory]!.names
        directories[directory]!.unsynced = []
        releaseForgottenInodes()
    }

    /// Frees the files no name (now, after a crash, or in an unsynced name operation) and no open handle
    /// refers to, and that hold no unsynced change: nothing can read them again and a crash draws nothing
    /// for them. Without this every file a long run replaced (a snapshot every few entries, the hard state
    /// on every vote) stayed in memory until the next crash: hundreds of MB in a raft-mode seed.
    private func releaseForgottenInodes() {
        var referenced = Set(handles.values)
        for directory in directories.values {
            referenced.formUnion(directory.names.values)
            referenced.formUnion(directory.durableNames.values)
            for case .link(_, let inode) in directory.unsynced { referenced.insert(inode) }
        }
        for (number, inode) in inodes where !referenced.contains(number) && inode.unsynced.isEmpty {
            inodes[number] = nil
        }
    }

    public func makeDirectory(_ directory: String) throws(FileSystemError) {
        // Directories themselves are durable at once: the storage creates its directory only once.
        if directories[directory] == nil { directories[directory] = Directory() }
    }

    static func apply(_ change: Change, to bytes: inout [UInt8]) {
        switch change {
        case .write(let offset, let data):
            if offset == bytes.count { return bytes.append(contentsOf: data) }  // an append: no zero fill to overwrite
            if bytes.count < offset + data.count {
                bytes.append(contentsOf: repeatElement(0, count: offset + data.count - bytes.count))
            }
            bytes.replaceSubrange(offset..<offset + data.count, with: data)
        case .truncate(let size):
            if size < bytes.count {
                bytes.removeLast(bytes.count - size)
            } else {
                bytes.append(contentsOf: repeatElement(0, count: size - bytes.count))
            }
        }
    }
}

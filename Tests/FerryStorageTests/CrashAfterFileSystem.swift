import FerryStorage
import FerryStorageTesting

/// Stops a disk after a given number of mutating calls, as power loss would: the call that would
/// exceed the budget throws `PowerLoss` and nothing after it runs. With the simulated disk's
/// `crash()` afterwards, this puts a crash between any two system calls of a `DurableWrite`.
final class CrashAfterFileSystem: FileSystem {
    struct PowerLoss: Error {}
    let disk: SimulatedFileSystem
    private(set) var callsLeft: Int

    init(_ disk: SimulatedFileSystem, mutatingCalls: Int) {
        self.disk = disk
        callsLeft = mutatingCalls
    }

    private func spend() throws(FileSystemError) {
        guard callsLeft > 0 else { throw .io(path: "power", operation: "lost", errno: -1) }
        callsLeft -= 1
    }

    var powerLost: Bool { callsLeft == 0 }

    func open(_ path: String, create: Bool) throws(FileSystemError) -> FileHandle {
        try spend()
        return try disk.open(path, create: create)
    }
    func close(_ handle: FileHandle) { disk.close(handle) }
    func write(_ handle: FileHandle, at offset: Int, _ bytes: [UInt8]) throws(FileSystemError) {
        try spend()
        try disk.write(handle, at: offset, bytes)
    }
    func read(_ handle: FileHandle, at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        try disk.read(handle, at: offset, count: count)
    }
    func size(_ handle: FileHandle) throws(FileSystemError) -> Int { try disk.size(handle) }
    func sync(_ handle: FileHandle) throws(FileSystemError) {
        try spend()
        try disk.sync(handle)
    }
    func truncate(_ handle: FileHandle, toSize size: Int) throws(FileSystemError) {
        try spend()
        try disk.truncate(handle, toSize: size)
    }
    func rename(_ from: String, to: String) throws(FileSystemError) {
        try spend()
        try disk.rename(from, to: to)
    }
    func remove(_ path: String) throws(FileSystemError) {
        try spend()
        try disk.remove(path)
    }
    func list(_ directory: String) throws(FileSystemError) -> [String] { try disk.list(directory) }
    func syncDirectory(_ directory: String) throws(FileSystemError) {
        try spend()
        try disk.syncDirectory(directory)
    }
    func makeDirectory(_ directory: String) throws(FileSystemError) { try disk.makeDirectory(directory) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The production file system: thin wrappers over POSIX calls, `fdatasync` for `sync`.
///
/// Stateless apart from the kernel's descriptor table, so a `DurableWrite` may run on another
/// thread than the one that opened the files (`@unchecked Sendable` for that reason only).
public final class PosixFileSystem: FileSystem, @unchecked Sendable {
    /// Permissions for new files and directories: the node's data is private to its user.
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    public init() {}

    public func open(_ path: String, create: Bool) throws(FileSystemError) -> FileHandle {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = Glibc.open(path, flags, Self.fileMode)
        guard fd >= 0 else { throw Self.error(path: path, operation: "open") }
        return FileHandle(rawValue: fd)
    }

    public func close(_ handle: FileHandle) {
        _ = Glibc.close(handle.rawValue)
    }

    public func write(_ handle: FileHandle, at offset: Int, _ bytes: [UInt8]) throws(FileSystemError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                pwrite(handle.rawValue, buffer.baseAddress! + written, bytes.count - written, off_t(offset + written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.error(path: "\(handle)", operation: "pwrite")
            }
            written += result
        }
    }

    /// Reads into a buffer that is not zero-filled first: for a snapshot of hundreds of MB that was one more
    /// pass over every page before the read's own.
    public func read(_ handle: FileHandle, at offset: Int, count: Int) throws(FileSystemError) -> [UInt8] {
        var failure: FileSystemError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let result = pread(handle.rawValue, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = Self.error(path: "\(handle)", operation: "pread")
                    break
                }
                if result == 0 { break }
                done += result
            }
            initialized = done
        }
        if let failure { throw failure }
        return bytes
    }

    public func size(_ handle: FileHandle) throws(FileSystemError) -> Int {
        var info = stat()
        guard fstat(handle.rawValue, &info) == 0 else { throw Self.error(path: "\(handle)", operation: "fstat") }
        return Int(info.st_size)
    }

    public func sync(_ handle: FileHandle) throws(FileSystemError) {
        // Never retried on failure: see FileSystemError.io and StorageError.writeFailed.
        #if canImport(Glibc)
        let result = fdatasync(handle.rawValue)
        #else
        let result = fsync(handle.rawValue)
        #endif
        guard result == 0 else { throw Self.error(path: "\(handle)", operation: "fdatasync") }
    }

    public func truncate(_ handle: FileHandle, toSize size: Int) throws(FileSystemError) {
        guard ftruncate(handle.rawValue, off_t(size)) == 0 else {
            throw Self.error(path: "\(handle)", operation: "ftruncate")
        }
    }

    public func rename(_ from: String, to: String) throws(FileSystemError) {
        guard Glibc.rename(from, to) == 0 else { throw Self.error(path: from, operation: "rename") }
    }

    public func remove(_ path: String) throws(FileSystemError) {
        guard unlink(path) == 0 else { throw Self.error(path: path, operation: "unlink") }
    }

    public func list(_ directory: String) throws(FileSystemError) -> [String] {
        guard let stream = opendir(directory) else { throw Self.error(path: directory, operation: "opendir") }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func syncDirectory(_ directory: String) throws(FileSystemError) {
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(path: directory, operation: "open directory") }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw Self.error(path: directory, operation: "fsync directory") }
    }

    public func makeDirectory(_ directory: String) throws(FileSystemError) {
        var prefix = ""
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, Self.directoryMode) != 0 && errno != EEXIST {
                throw Self.error(path: prefix, operation: "mkdir")
            }
        }
    }

    private static func error(path: String, operation: String) -> FileSystemError {
        let code = errno
        switch code {
        case ENOENT: return .notFound(path: path)
        case EEXIST: return .alreadyExists(path: path)
        case ENOSPC, EDQUOT: return .noSpace(path: path)
        default: return .io(path: path, operation: operation, errno: code)
        }
    }
}

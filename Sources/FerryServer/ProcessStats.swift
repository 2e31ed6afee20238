#if canImport(Glibc)
import Glibc
#endif

/// The process's own resource figures, read from /proc and getrlimit at scrape time (Linux).
struct ProcessStats: Equatable {
    var residentBytes: Double = 0
    var virtualBytes: Double = 0
    var openDescriptors: Double = 0
    var descriptorsMax: Double = 0
    var cpuSeconds: Double = 0
    var startTimeSeconds: Double = 0

    static func read() -> ProcessStats {
        var stats = ProcessStats()
        let pageBytes = Double(sysconf(Int32(_SC_PAGESIZE)))
        // statm: size resident shared text lib data dt, in pages.
        if let statm = readSmallFile("/proc/self/statm") {
            let fields = statm.split(separator: " ")
            if fields.count >= 2, let size = Double(fields[0]), let resident = Double(fields[1]) {
                stats.virtualBytes = size * pageBytes
                stats.residentBytes = resident * pageBytes
            }
        }
        stats.openDescriptors = Double(countEntries("/proc/self/fd"))
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { stats.descriptorsMax = Double(limit.rlim_cur) }
        var usage = rusage()
        if getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 {
            stats.cpuSeconds =
                Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        stats.startTimeSeconds = startTime
        return stats
    }

    /// Taken once, when first asked (the server asks at start-up).
    static let startTime: Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }()

    /// A small /proc file's text (they report a size of 0, so read until EOF), or nil.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 16 {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The names in a directory, "." and ".." excluded; empty when it cannot be read.
    static func entryNames(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Entries of a directory (the fd directory's count includes the descriptor opendir uses).
    static func countEntries(_ path: String) -> Int { entryNames(path).count }

    /// Regular files directly in `path`: how many `counted` accepts by name, and the bytes on disk of all of them.
    static func directoryUsage(_ path: String, counting counted: (String) -> Bool) -> (matching: Int, bytes: Int) {
        var matching = 0
        var bytes = 0
        for name in entryNames(path) {
            var info = stat()
            guard stat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            bytes += Int(info.st_blocks) * 512
            if counted(name) { matching += 1 }
        }
        return (matching, bytes)
    }
}

import Logging

#if canImport(Glibc)
import Glibc
#endif

/// ferryd's log lines, one per event on standard error, as swift-log's `StreamLogHandler` writes them
/// (`<time> <level> <label>: <key=value, sorted> [<source>] <message>`) but stamped in UTC to the
/// millisecond (`2026-11-23T07:54:56.123Z`): an election or a failover takes a few hundred milliseconds,
/// and an operator lines up three nodes' logs by time.
public struct LogLineHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (String) -> Void

    /// `output` receives each line, newline included; by default standard error, one write(2) per line
    /// (whole lines, so the output of concurrent threads never interleaves within a line).
    public init(label: String, output: @escaping @Sendable (String) -> Void = LogLineHandler.writeToStandardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let pairs = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        output("\(Self.timestamp()) \(event.level) \(label):\(pairs) [\(event.source)] \(event.message)\n")
    }

    /// The wall clock as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return timestamp(seconds: now.tv_sec, milliseconds: Int(now.tv_nsec / 1_000_000))
    }

    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        var time = tm()
        var secondsValue = time_t(seconds)
        gmtime_r(&secondsValue, &time)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(time.tm_year + 1900, 4))-\(pad(time.tm_mon + 1, 2))-\(pad(time.tm_mday, 2))T"
            + "\(pad(time.tm_hour, 2)):\(pad(time.tm_min, 2)):\(pad(time.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

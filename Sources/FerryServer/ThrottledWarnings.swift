import Logging

/// Warnings that a client or a peer can cause over and over (refused connections, failed handshakes,
/// undecodable frames): the first of each kind in an interval is logged, the rest counted, and the count
/// logged when the interval ends. A flood of 5,000 refused connections a second costs one line per
/// interval instead of filling the disk. Loop thread only.
final class ThrottledWarnings {
    static let intervalMs: UInt64 = 10_000

    private let logger: Logger
    /// Per message: when its interval started, and how many were suppressed since.
    private var windows: [String: (startedMs: UInt64, suppressed: Int)] = [:]

    init(logger: Logger) {
        self.logger = logger
    }

    func warn(_ message: String, metadata: Logger.Metadata = [:], nowMs: UInt64) {
        if var window = windows[message], nowMs - window.startedMs < Self.intervalMs {
            window.suppressed += 1
            windows[message] = window
            return
        }
        report(message, nowMs: nowMs)
        logger.warning("\(message)", metadata: metadata)
        windows[message] = (nowMs, 0)
    }

    /// Logs the counts of intervals that ended (call it periodically).
    func flush(nowMs: UInt64) {
        for message in Array(windows.keys) {
            guard let window = windows[message], nowMs - window.startedMs >= Self.intervalMs else { continue }
            report(message, nowMs: nowMs)
            windows[message] = nil
        }
    }

    private func report(_ message: String, nowMs: UInt64) {
        guard let window = windows[message], window.suppressed > 0 else { return }
        logger.warning(
            "\(message) (repeated)",
            metadata: [
                "suppressed": "\(window.suppressed)", "seconds": "\((nowMs - window.startedMs + 999) / 1000)",
            ])
    }
}

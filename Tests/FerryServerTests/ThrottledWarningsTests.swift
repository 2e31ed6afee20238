import Logging
import XCTest

@testable import FerryServer

/// Warnings a client or a stranger can cause at will cost one line per kind per interval, with a count of
/// the rest: a connection flood of thousands a second used to write a line each.
final class ThrottledWarningsTests: XCTestCase {
    /// Collects the lines a Logger writes.
    final class Lines: @unchecked Sendable {
        var all: [(message: String, metadata: Logger.Metadata)] = []
    }

    struct Capture: LogHandler {
        let lines: Lines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
            file: String, function: String, line: UInt
        ) {
            lines.all.append(("\(message)", metadata ?? [:]))
        }
    }

    private let lines = Lines()
    private lazy var warnings = ThrottledWarnings(logger: Logger(label: "test") { _ in Capture(lines: self.lines) })

    func testAFloodCostsOneLineThenOneCountPerInterval() {
        let interval = ThrottledWarnings.intervalMs
        for i in 0..<5_000 { warnings.warn("refused a peer connection", nowMs: 1_000 + UInt64(i % 1000)) }
        XCTAssertEqual(lines.all.map(\.message), ["refused a peer connection"])

        warnings.flush(nowMs: 1_000 + interval - 1)
        XCTAssertEqual(lines.all.count, 1, "the interval has not ended")
        warnings.flush(nowMs: 1_000 + interval)
        XCTAssertEqual(lines.all.count, 2)
        XCTAssertEqual(lines.all[1].message, "refused a peer connection (repeated)")
        XCTAssertEqual(lines.all[1].metadata["suppressed"], "4999")

        warnings.flush(nowMs: 1_000 + 3 * interval)
        XCTAssertEqual(lines.all.count, 2, "nothing more to report")
        warnings.warn("refused a peer connection", nowMs: 1_000 + 3 * interval)
        XCTAssertEqual(lines.all.count, 3, "a new interval starts with a line")
    }

    func testEachKindHasItsOwnInterval() {
        warnings.warn("a", nowMs: 0)
        warnings.warn("b", nowMs: 1)
        warnings.warn("a", nowMs: 2)
        XCTAssertEqual(lines.all.map(\.message), ["a", "b"])
        warnings.warn("a", nowMs: ThrottledWarnings.intervalMs + 5)  // a's interval ended: its count, then the line
        XCTAssertEqual(lines.all.map(\.message), ["a", "b", "a (repeated)", "a"])
        XCTAssertEqual(lines.all[2].metadata["suppressed"], "1")
    }
}

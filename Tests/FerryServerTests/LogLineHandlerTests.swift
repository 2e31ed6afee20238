import Logging
import XCTest

@testable import FerryServer

/// ferryd's log lines: StreamLogHandler's layout, stamped in UTC to the millisecond.
final class LogLineHandlerTests: XCTestCase {
    final class Lines: @unchecked Sendable {
        var lines: [String] = []
    }

    func testALineCarriesAMillisecondUTCStampSortedMetadataSourceAndMessage() throws {
        let captured = Lines()
        var handler = LogLineHandler(label: "ferryd") { captured.lines.append($0) }
        handler[metadataKey: "node"] = "2"
        let logger = Logger(label: "ferryd", factory: { _ in handler })
        logger.warning("event loop stalled", metadata: ["ms": "392", "after": "x"])
        let line = try XCTUnwrap(captured.lines.first)
        let pattern =
            #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z warning ferryd: after=x ms=392 node=2 \[FerryServerTests\] event loop stalled\n$"#
        XCTAssertNotNil(line.range(of: pattern, options: .regularExpression), line)
    }

    func testTimestampsAreUTCWithThreeDigitsOfMilliseconds() {
        XCTAssertEqual(LogLineHandler.timestamp(seconds: 0, milliseconds: 7), "1970-01-01T00:00:00.007Z")
        XCTAssertEqual(LogLineHandler.timestamp(seconds: 1_795_419_296, milliseconds: 123), "2026-11-23T07:34:56.123Z")
    }
}

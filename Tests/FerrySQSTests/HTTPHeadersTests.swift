import XCTest

@testable import FerrySQS

/// Header lookups: ASCII case-insensitive names, found through per-field name keys (a name's first 7 bytes
/// and its length) and confirmed byte by byte for longer names.
final class HTTPHeadersTests: XCTestCase {
    func testLookupsIgnoreASCIICaseOnly() {
        let headers = HTTPHeaders([("Host", "h"), ("X-Amz-Date", "d"), ("content-TYPE", "t")])
        XCTAssertEqual(headers["host"], "h")
        XCTAssertEqual(headers["HOST"], "h")
        XCTAssertEqual(headers["x-amz-date"], "d")
        XCTAssertEqual(headers["Content-Type"], "t")
        XCTAssertNil(headers["Hos"])
        XCTAssertNil(headers["Hostx"])
        // `[` and `{` differ by the case bit but are not letters.
        XCTAssertNil(HTTPHeaders([("a[", "1")])["a{"])
        XCTAssertNil(HTTPHeaders([("x-amz-date[", "1")])["x-amz-date{"])
        // Non-ASCII is compared exactly.
        XCTAssertNil(HTTPHeaders([("\u{C1}", "1")])["\u{E1}"])
        XCTAssertEqual(HTTPHeaders([("\u{C1}", "1")])["\u{C1}"], "1")
    }

    func testNamesSharingTheirFirstSevenBytesAreToldApart() {
        let headers = HTTPHeaders([
            ("X-Amz-Date", "date"), ("X-Amz-Dxte", "not"), ("X-Amz-Target", "target"),
            ("x-amz-content-sha256", "sha"), ("x-amz-content-sha25x", "not"),
        ])
        XCTAssertEqual(headers["x-amz-date"], "date")
        XCTAssertEqual(headers["X-AMZ-TARGET"], "target")
        XCTAssertEqual(headers["X-Amz-Content-SHA256"], "sha")
        XCTAssertNil(headers["x-amz-dzte"])
    }

    func testNamesOf255BytesAndMoreDoNotMatchShortOnes() {
        let long = "host" + String(repeating: "x", count: 255 + 3)  // 262 bytes: its capped length is 255
        let headers = HTTPHeaders([(long, "long"), ("Host", "h")])
        XCTAssertEqual(headers["host"], "h")
        XCTAssertEqual(headers[long.uppercased()], "long")
        XCTAssertNil(headers["host" + String(repeating: "x", count: 255 + 4)])
        XCTAssertNil(headers["host" + String(repeating: "x", count: 251)])  // exactly 255 bytes
    }

    func testRepeatedFieldsInArrivalOrder() {
        var headers = HTTPHeaders()
        headers.add(name: "Via", value: "1")
        headers.add(name: "Host", value: "h")
        headers.add(name: "via", value: "2")
        XCTAssertEqual(headers.values(for: "VIA"), ["1", "2"])
        XCTAssertEqual(headers.count(of: "via"), 2)
        XCTAssertEqual(headers.firstIndex(of: "via", from: 1), 2)
        XCTAssertNil(headers.firstIndex(of: "via", from: 3))
        XCTAssertTrue(headers.contains("HOST"))
        XCTAssertFalse(headers.contains("Connection"))
        XCTAssertEqual(headers, HTTPHeaders([("Via", "1"), ("Host", "h"), ("via", "2")]))
    }

    func testTheParserKeysNamesAsAddDoes() throws {
        var parser = HTTPRequestParser()
        let events = parser.feed(
            Array("POST / HTTP/1.1\r\nHOST: h\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: 0\r\n\r\n".utf8)
        )
        guard case .request(let request)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(request.headers["host"], "h")
        XCTAssertEqual(request.headers["x-amz-target"], "AmazonSQS.SendMessage")
        XCTAssertEqual(request.headers.count(of: "content-length"), 1)
    }

    /// A parsed head's fields are offsets into one copy of it: the colon and blanks between a name and its value
    /// belong to neither.
    func testAParsedFieldIsItsNameAndItsValueOnly() throws {
        var parser = HTTPRequestParser()
        let events = parser.feed(
            Array("POST / HTTP/1.1\r\nHost: h\r\nAuthorization: \t AWS4 x \t\r\nContent-Length: 0\r\n\r\n".utf8))
        guard case .request(let request)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(request.headers["authorization"], "AWS4 x")
        XCTAssertEqual(request.headers.fields.map(\.name), ["Host", "Authorization", "Content-Length"])
        XCTAssertEqual(request.headers.fields.map(\.value), ["h", "AWS4 x", "0"])
        XCTAssertEqual(
            request.headers, HTTPHeaders([("Host", "h"), ("Authorization", "AWS4 x"), ("Content-Length", "0")]))
    }
}

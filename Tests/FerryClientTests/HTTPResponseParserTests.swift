import FerrySQS
import XCTest

@testable import FerryClient

/// The client side of HTTP/1.1: what `ferry` and `ferry bench` read back from a node.
final class HTTPResponseParserTests: XCTestCase {
    static let ok = """
        HTTP/1.1 200 OK\r
        Content-Type: application/x-amz-json-1.0\r
        x-amzn-RequestId: 00000001-0000-0000-0000-000000000001\r
        Content-Length: 13\r
        Connection: keep-alive\r
        \r
        {"QueueUrls":
        """

    static let notFound = """
        HTTP/1.1 400 Bad Request\r
        Content-Type: application/x-amz-json-1.0\r
        x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender\r
        Content-Length: 2\r
        \r
        {}
        """

    func responses(_ events: [HTTPResponseParser.Event]) -> [HTTPResponse] {
        events.compactMap { if case .response(let r) = $0 { return r } else { return nil } }
    }

    func firstError(_ events: [HTTPResponseParser.Event]) -> HTTPResponseParseError? {
        for event in events { if case .error(let e) = event { return e } }
        return nil
    }

    func testParsesStatusHeadersAndContentLengthBody() {
        var parser = HTTPResponseParser()
        let got = responses(parser.feed(Array(Self.ok.utf8)))
        XCTAssertEqual(got.count, 1)
        XCTAssertEqual(got[0].status, 200)
        XCTAssertEqual(got[0].headers["content-type"], "application/x-amz-json-1.0", "lookup is case-insensitive")
        XCTAssertEqual(String(decoding: got[0].body, as: UTF8.self), "{\"QueueUrls\":")
        XCTAssertTrue(parser.isIdle)
    }

    func testByteAtATimeYieldsTheSameResponse() {
        var parser = HTTPResponseParser()
        var got: [HTTPResponse] = []
        for byte in Array(Self.ok.utf8) { got += responses(parser.feed([byte])) }
        XCTAssertEqual(got.count, 1)
        XCTAssertEqual(got[0].body.count, 13)
    }

    func testPipelinedResponsesInOneChunkComeOutInOrder() {
        var parser = HTTPResponseParser()
        let got = responses(parser.feed(Array((Self.ok + Self.notFound + Self.ok).utf8)))
        XCTAssertEqual(got.map(\.status), [200, 400, 200])
        XCTAssertEqual(got[1].headers["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender")
    }

    func testSplitAcrossTheHeadTerminatorAndTheBody() {
        let bytes = Array((Self.ok + Self.notFound).utf8)
        for cut in 1..<bytes.count {
            var parser = HTTPResponseParser()
            let got = responses(parser.feed(bytes[..<cut])) + responses(parser.feed(bytes[cut...]))
            XCTAssertEqual(got.map(\.status), [200, 400], "cut at \(cut)")
        }
    }

    /// The all-ASCII fast path and the general parser read every head the same; the fast path declines
    /// (nil) whatever it does not take, and the general one then decides.
    func testTheASCIIPathAndTheGeneralPathAgree() throws {
        let heads = [
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nx-amzn-RequestId:  a b \t\r\n",
            "HTTP/1.1 200\r\nContent-Length: 3\r\n", "HTTP/1.0 404 \r\nA:\r\n", "HTTP/1.1 500 Internal Server Error\n",
            "HTTP/1.1 200 OK\r\nX-Caf\u{e9}: caf\u{e9}\r\n", "HTTP/1.1 200 OK\r\n@odd: value\r\n",
            "HTTP/1.1 099 Low\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/2 200 OK\r\n", "HTTP/1.1 200 OK\r\nNoColon\r\n",
            "HTTP/1.1 200 OK\r\nBad Name: x\r\n",
        ]
        for head in heads {
            let bytes = Array(head.utf8)
            let general = try? HTTPResponseParser.parseHead(bytes[...], limits: .standard)
            let fast = bytes.withUnsafeBufferPointer {
                HTTPHeadParser.parseResponseASCII($0, headerCountMax: HTTPLimits.standard.headerCountMax)
            }
            if let fast {
                XCTAssertEqual(fast.status, general?.status, head)
                XCTAssertEqual(fast.headers, general?.headers, head)
            }
        }
        let taken = heads.prefix(4).map { head in
            Array(head.utf8).withUnsafeBufferPointer {
                HTTPHeadParser.parseResponseASCII($0, headerCountMax: HTTPLimits.standard.headerCountMax)
            }
        }
        XCTAssertEqual(taken.map { $0?.status }, [200, 200, 404, 500], "plain heads take the fast path")
        XCTAssertEqual(taken[0]?.headers["x-amzn-requestid"], "a b", "blanks around a value are dropped")
        for head in heads.dropFirst(6) {
            XCTAssertNil(try? HTTPResponseParser.parseHead(Array(head.utf8)[...], limits: .standard), head)
        }
    }

    func testInterimContinueIsSkipped() {
        var parser = HTTPResponseParser()
        let got = responses(parser.feed(Array(("HTTP/1.1 100 Continue\r\n\r\n" + Self.ok).utf8)))
        XCTAssertEqual(got.map(\.status), [200])
    }

    func testNoContentAndHeadResponsesHaveNoBody() {
        var parser = HTTPResponseParser()
        parser.expectNoBody()
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + "HTTP/1.1 204 No Content\r\n\r\n" + Self.ok
        XCTAssertEqual(responses(parser.feed(Array(text.utf8))).map(\.body.count), [0, 0, 13])
    }

    func testBodyWithoutLengthRunsUntilClose() {
        var parser = HTTPResponseParser()
        XCTAssertEqual(responses(parser.feed(Array("HTTP/1.0 200 OK\r\n\r\nhello ".utf8))).count, 0)
        XCTAssertEqual(responses(parser.feed(Array("world".utf8))).count, 0)
        let got = responses(parser.finish())
        XCTAssertEqual(got.map { String(decoding: $0.body, as: UTF8.self) }, ["hello world"])
    }

    func testCloseInsideABodyIsAnError() {
        var parser = HTTPResponseParser()
        _ = parser.feed(Array(Self.ok.utf8.dropLast(3)))
        guard case .truncated = firstError(parser.finish()) else { return XCTFail("expected truncated") }
        XCTAssertTrue(parser.hasFailed)
    }

    func testCloseBetweenResponsesIsClean() {
        var parser = HTTPResponseParser()
        _ = parser.feed(Array(Self.ok.utf8))
        XCTAssertEqual(parser.finish(), [])
    }

    func testMalformedInputKillsTheParser() {
        for text in [
            "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
        ] {
            var parser = HTTPResponseParser()
            guard case .malformed = firstError(parser.feed(Array(text.utf8))) else { return XCTFail(text) }
            XCTAssertTrue(parser.hasFailed)
            XCTAssertEqual(parser.feed(Array(Self.ok.utf8)), [], "dead after the first error")
        }
    }

    func testFieldValuesLoseSurroundingSpacesAndTabsOnly() {
        var parser = HTTPResponseParser()
        let text = "HTTP/1.1 200 OK\r\nX-A: \t a  b \t\r\nX-B:\r\nContent-Length: 0\r\n\r\n"
        let got = responses(parser.feed(Array(text.utf8)))
        XCTAssertEqual(got.first?.headers["x-a"], "a  b")
        XCTAssertEqual(got.first?.headers["x-b"], "")
    }

    func testBadUTF8OrWhitespaceInANameKillsTheParser() {
        let heads: [[UInt8]] = [
            Array("HTTP/1.1 200 OK\r\nX-A: ".utf8) + [0xC3, 0x28] + Array("\r\n\r\n".utf8),
            Array("HTTP/1.1 200 OK\r\nX-".utf8) + [0xFF] + Array(": a\r\n\r\n".utf8),
            Array("HTTP/1.1 200 OK\r\nX A: a\r\n\r\n".utf8), Array("HTTP/1.1 200 OK\r\nX-A\t: a\r\n\r\n".utf8),
            Array("HTTP/1.1 200 OK\r\n: a\r\n\r\n".utf8),
        ]
        for head in heads {
            var parser = HTTPResponseParser()
            guard case .malformed = firstError(parser.feed(head)) else { return XCTFail("\(head)") }
        }
    }

    func testChunkedIsRefused() {
        var parser = HTTPResponseParser()
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        XCTAssertEqual(firstError(parser.feed(Array(text.utf8))), .transferEncodingNotSupported("chunked"))
    }

    func testBoundsAreEnforced() {
        var limits = HTTPLimits.standard
        limits.bodyBytesMax = 10
        var parser = HTTPResponseParser(limits: limits)
        XCTAssertEqual(firstError(parser.feed(Array(Self.ok.utf8))), .bodyTooLarge(13))
        limits.headerBytesMax = 32
        var small = HTTPResponseParser(limits: limits)
        XCTAssertEqual(firstError(small.feed(Array(String(repeating: "x", count: 40).utf8))), .headersTooLarge(32))
    }
}

import XCTest

@testable import FerrySQS

/// The HTTP/1.1 front door: incremental, keep-alive, pipelined, bounded (issue 6).
final class HTTPRequestParserTests: XCTestCase {
    static let sendMessage = """
        POST / HTTP/1.1\r
        Host: localhost:9324\r
        X-Amz-Target: AmazonSQS.SendMessage\r
        Content-Type: application/x-amz-json-1.0\r
        Content-Length: 11\r
        \r
        {"a": "b" }
        """

    func requests(_ events: [HTTPRequestParser.Event]) -> [HTTPRequest] {
        events.compactMap { if case .request(let r) = $0 { return r } else { return nil } }
    }

    func parseError(_ text: String, limits: HTTPLimits = .standard) -> HTTPParseError? {
        var parser = HTTPRequestParser(limits: limits)
        for event in parser.feed(Array(text.utf8)) { if case .error(let e) = event { return e } }
        return nil
    }

    func testParsesACompleteRequestWithBodyAndRawHost() {
        var parser = HTTPRequestParser()
        let got = requests(parser.feed(Array(Self.sendMessage.utf8)))
        XCTAssertEqual(got.count, 1)
        XCTAssertEqual(got[0].method, "POST")
        XCTAssertEqual(got[0].target, "/")
        XCTAssertEqual(got[0].headers["host"], "localhost:9324", "Host kept as sent, port included (docs/sqs-wire.md)")
        XCTAssertEqual(got[0].headers["x-amz-target"], "AmazonSQS.SendMessage", "lookup is case-insensitive")
        XCTAssertEqual(String(decoding: got[0].body, as: UTF8.self), "{\"a\": \"b\" }")
        XCTAssertTrue(got[0].keepAlive)
        XCTAssertEqual(parser.bufferedBytes, 0)
    }

    func testByteAtATimeYieldsTheSameRequest() {
        var parser = HTTPRequestParser()
        var got: [HTTPRequest] = []
        for byte in Array(Self.sendMessage.utf8) { got += requests(parser.feed([byte])) }
        XCTAssertEqual(got.count, 1)
        XCTAssertEqual(got[0].body.count, 11)
    }

    func testPipelinedRequestsInOneChunk() {
        var parser = HTTPRequestParser()
        let get = "GET /?Action=ListQueues HTTP/1.1\r\nHost: h\r\n\r\n"
        let got = requests(parser.feed(Array((Self.sendMessage + get + Self.sendMessage).utf8)))
        XCTAssertEqual(got.map(\.method), ["POST", "GET", "POST"])
        XCTAssertEqual(got[1].path, "/")
        XCTAssertEqual(got[1].query, "Action=ListQueues")
    }

    func testSplitAtEveryBoundaryOfTwoPipelinedRequests() {
        let bytes = Array((Self.sendMessage + Self.sendMessage).utf8)
        for cut in 0...bytes.count {
            var parser = HTTPRequestParser()
            let got = requests(parser.feed(bytes[..<cut])) + requests(parser.feed(bytes[cut...]))
            XCTAssertEqual(got.count, 2, "cut at \(cut)")
        }
    }

    func testManyPipelinedRequestsAndALargeBodyAcrossChunks() {
        // Exercises buffer compaction (HTTPReadBuffer.compactBytesMin) on a long keep-alive stream.
        let count = 2000
        let stream = Array(String(repeating: Self.sendMessage, count: count).utf8)
        var parser = HTTPRequestParser()
        var got = 0
        var offset = 0
        while offset < stream.count {
            got += requests(parser.feed(stream[offset..<min(stream.count, offset + 997)])).count
            offset += 997
        }
        XCTAssertEqual(got, count)
        XCTAssertEqual(parser.bufferedBytes, 0)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 3 * 1_048_576)
        let big = Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        var large: [HTTPRequest] = []
        offset = 0
        while offset < big.count {
            large += requests(parser.feed(big[offset..<min(big.count, offset + 65_536)]))
            offset += 65_536
        }
        XCTAssertEqual(large.first?.body.count, body.count)
    }

    func testConnectionSemantics() {
        var parser = HTTPRequestParser()
        let close = requests(parser.feed(Array("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".utf8)))
        XCTAssertFalse(close[0].keepAlive)
        let old = requests(parser.feed(Array("GET / HTTP/1.0\r\n\r\n".utf8)))
        XCTAssertFalse(old[0].keepAlive, "HTTP/1.0 closes by default")
        let oldKeep = requests(parser.feed(Array("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n".utf8)))
        XCTAssertTrue(oldKeep[0].keepAlive)
    }

    func testBareLFLineEndsAndLeadingEmptyLinesAreAccepted() {
        var parser = HTTPRequestParser()
        let got = requests(parser.feed(Array("\r\n\nGET / HTTP/1.1\nHost: h\n\n".utf8)))
        XCTAssertEqual(got.count, 1)
    }

    func testAbsoluteFormTargetIsReducedToItsPath() {
        var parser = HTTPRequestParser()
        let got = requests(
            parser.feed(Array("GET http://h:9324/000000000000/q1?x=1 HTTP/1.1\r\nHost: h:9324\r\n\r\n".utf8)))
        XCTAssertEqual(got.first?.target, "/000000000000/q1?x=1")
    }

    func testExpectContinueAsksForTheBody() {
        var parser = HTTPRequestParser()
        let head = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        XCTAssertEqual(parser.feed(Array(head.utf8)), [.sendContinue])
        XCTAssertEqual(requests(parser.feed(Array("{}".utf8))).first?.body, Array("{}".utf8))
    }

    // MARK: - every violation has its own 4xx

    func testMalformedRequestsAre400() {
        let cases = [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",  // no Host
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",  // two Hosts
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
            "GET nopath HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{01}b\r\n\r\n",
        ]
        for text in cases {
            XCTAssertEqual(parseError(text)?.status, 400, text.debugDescription)
        }
    }

    func testLimitsEachHaveTheirStatus() {
        let small = HTTPLimits(requestLineBytesMax: 64, headerBytesMax: 256, headerCountMax: 3, bodyBytesMax: 10)
        XCTAssertEqual(
            parseError("GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\n", limits: small), .requestLineTooLong)
        XCTAssertEqual(
            parseError("GET /\(String(repeating: "a", count: 100))", limits: small)?.status, 414,
            "an unterminated long line is refused before it ends")
        let manyHeaders = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        XCTAssertEqual(parseError(manyHeaders, limits: small)?.status, 431)
        let bigHeader = "GET / HTTP/1.1\r\nHost: h\r\nA: \(String(repeating: "x", count: 300))"
        XCTAssertEqual(parseError(bigHeader, limits: small)?.status, 431)
        XCTAssertEqual(
            parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: small), .bodyTooLarge(11))
        XCTAssertEqual(
            parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n")?.status, 413)
        XCTAssertEqual(parseError("POST / HTTP/1.1\r\nHost: h\r\n\r\n"), .lengthRequired)
        XCTAssertEqual(parseError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")?.status, 501)
        XCTAssertEqual(parseError("GET / HTTP/2.0\r\nHost: h\r\n\r\n")?.status, 505)
        XCTAssertEqual(parseError("GET / HTTP/1.1\r\nHost: h\r\nExpect: fancy\r\n\r\n")?.status, 417)
    }

    func testStandardLimitsFitALargestMessageBatch() {
        // 1 MiB of 4-byte characters escaped by botocore's json.dumps is 3 MiB (HTTPLimits.bodyBytesMax).
        XCTAssertGreaterThanOrEqual(HTTPLimits.standard.bodyBytesMax, 3 * 1_048_576 + 64 * 1024)
    }

    func testAfterAnErrorTheParserIsDead() {
        var parser = HTTPRequestParser()
        XCTAssertEqual(parser.feed(Array("BAD\r\n\r\n".utf8)).count, 1)
        XCTAssertTrue(parser.hasFailed)
        XCTAssertEqual(parser.feed(Array(Self.sendMessage.utf8)), [])
    }

    // MARK: - responses

    func testResponseSerialization() {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-amz-json-1.0")
        headers.add(name: "Content-Length", value: "999")  // replaced by the real length
        let bytes = HTTPResponse(status: 400, headers: headers, body: Array("{}".utf8)).serialized(keepAlive: true)
        XCTAssertEqual(
            String(decoding: bytes, as: UTF8.self),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"
        )
        let closing = HTTPResponse(status: 200).serialized(keepAlive: false)
        XCTAssertTrue(
            String(decoding: closing, as: UTF8.self).hasSuffix("Content-Length: 0\r\nConnection: close\r\n\r\n"))
    }

    func testParseErrorResponsesAreClientErrorsOrTheTwoProtocolRefusals() {
        let errors: [HTTPParseError] = [
            .badRequest("x"), .requestLineTooLong, .headersTooLarge("x"), .bodyTooLarge(1),
            .lengthRequired, .expectationFailed("x"),
        ]
        for error in errors { XCTAssertTrue((400..<500).contains(error.response.status), "\(error)") }
        // RFC 9110 §15.6.2 and §15.6.6: what the server does not implement is a 5xx by definition,
        // but a definite one (never 500: no SDK retries 501 or 505).
        XCTAssertEqual(HTTPParseError.transferEncodingNotImplemented("chunked").response.status, 501)
        XCTAssertEqual(HTTPParseError.versionNotSupported("HTTP/2.0").response.status, 505)
    }
}

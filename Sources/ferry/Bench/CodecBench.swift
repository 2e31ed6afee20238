import ArgumentParser
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// `ferry bench codec`: the node's SQS protocol work for one request, on this machine, with no cluster.
///
/// Per operation it runs what `HTTPServer` and `SQSService` do around the queue machine: feed the raw
/// request to the HTTP parser, pick the wire protocol, decode, parse the QueueUrl, build the typed response
/// (with its MD5s), encode it and serialize the HTTP response. The requests are byte-exact boto3 captures
/// (`Scripts/capture-codec-fixtures.py`): SendMessageBatch of 10 x 1 KiB, ReceiveMessage, DeleteMessageBatch
/// of 10; the receive answers 10 messages of the same 1 KiB bodies.
///
/// Wall time on a shared machine is noisy: for a repeatable figure run it under callgrind twice with
/// different `--iterations` and divide the difference (`Scripts/codec-instructions` does exactly that).
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "ns per request of the SQS protocol path (HTTP parse, decode, encode) over boto3 fixtures.")

    @Option(help: "Directory holding SendMessageBatch.http, ReceiveMessage.http and DeleteMessageBatch.http.")
    var fixtures = "Tests/fixtures/codec"

    @Option(help: "Measured iterations per operation.")
    var iterations = 20_000

    @Option(help: "Unmeasured iterations first (caches, allocator).")
    var warmup = 500

    @Option(help: "Only this operation: send, receive or delete (default: all three).")
    var operation: String?

    func run() throws {
        try reportingErrors {
            let cases = try CodecCase.all(fixtures: fixtures).filter { operation == nil || $0.name == operation }
            guard !cases.isEmpty else { throw CLIError.usage("unknown --operation \(operation ?? "")") }
            for codecCase in cases {
                var sink = 0
                for _ in 0..<warmup { sink &+= try codecCase.runOnce() }
                let start = Self.nowNs()
                for _ in 0..<iterations { sink &+= try codecCase.runOnce() }
                let elapsed = Self.nowNs() - start
                let perOp = Double(elapsed) / Double(max(iterations, 1))
                let bytes = sink / max(iterations + warmup, 1)
                print(
                    pad(codecCase.name, 8) + pad(String(Int(perOp)), 9, left: true) + " ns/op "
                        + pad(String(Int(perOp / 10)), 7, left: true) + " ns/msg   response \(bytes) bytes")
            }
        }
    }

    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }

    static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// One operation's request bytes and how to answer it.
struct CodecCase {
    let name: String
    let requestBytes: [UInt8]
    let answer: (SQSRequest) throws -> SQSResponse

    static let requestId = "00000001-0000-4000-8000-000000000001"

    /// Parse, decode, address, answer, encode, serialize; returns the response's size (kept live so the
    /// optimizer cannot drop the work).
    func runOnce() throws -> Int {
        var parser = HTTPRequestParser()
        let events = parser.feed(requestBytes)
        guard events.count == 1, case .request(let http) = events[0] else {
            throw CLIError.badResponse("\(name): the fixture is not exactly one request: \(events)")
        }
        let wire = SQSProtocol.wireProtocol(of: http)
        let request: SQSRequest
        switch SQSProtocol.decode(http) {
        case .success(let decoded): request = decoded
        case .failure(let error): throw CLIError.badResponse("\(name): \(error)")
        }
        let response = try answer(request)
        let encoded = SQSProtocol.encode(response, as: wire, requestId: Self.requestId)
        return encoded.serialized(keepAlive: http.keepAlive).count
    }

    static func all(fixtures: String) throws -> [CodecCase] {
        let send = try load(fixtures, "SendMessageBatch")
        let receive = try load(fixtures, "ReceiveMessage")
        let delete = try load(fixtures, "DeleteMessageBatch")
        // The receive answers with the bodies the send carried, as a real queue would.
        guard case .success(.sendMessageBatch(let sent)) = decode(send) else {
            throw CLIError.badResponse("SendMessageBatch fixture does not decode")
        }
        let bodies = sent.entries.map(\.message.body)
        // Made once: the queue machine produces these, not the protocol path being measured.
        let messageIds = bodies.indices.map(messageId)
        let receiptHandles = bodies.indices.map(receiptHandle)
        return [
            CodecCase(name: "send", requestBytes: send) { request in
                guard case .sendMessageBatch(let r) = request, let _ = QueueAddress.parse(url: r.queueUrl) else {
                    throw CLIError.badResponse("send: unexpected request")
                }
                return .sendMessageBatch(
                    SendMessageBatchResult(
                        successful: r.entries.enumerated().map { i, entry in
                            .init(
                                id: entry.id,
                                result: SendMessageResult(
                                    messageId: messageIds[i % messageIds.count], message: entry.message))
                        }, failed: r.failed))
            },
            CodecCase(name: "receive", requestBytes: receive) { request in
                guard case .receiveMessage(let r) = request, let _ = QueueAddress.parse(url: r.queueUrl) else {
                    throw CLIError.badResponse("receive: unexpected request")
                }
                return .receiveMessage(
                    bodies.enumerated().map { i, body in
                        ReceivedMessage(messageId: messageIds[i], receiptHandle: receiptHandles[i], body: body)
                    })
            },
            CodecCase(name: "delete", requestBytes: delete) { request in
                guard case .deleteMessageBatch(let r) = request, let _ = QueueAddress.parse(url: r.queueUrl) else {
                    throw CLIError.badResponse("delete: unexpected request")
                }
                return .deleteMessageBatch(BatchResult(successful: r.entries.map(\.id), failed: r.failed))
            },
        ]
    }

    static func load(_ directory: String, _ operation: String) throws -> [UInt8] {
        let path = "\(directory)/\(operation).http"
        guard let file = fopen(path, "rb") else { throw CLIError.usage("cannot open \(path) (see --fixtures)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> Result<SQSRequest, SQSError>? {
        var parser = HTTPRequestParser()
        guard case .request(let http)? = parser.feed(bytes).first else { return nil }
        return SQSProtocol.decode(http)
    }

    /// Ids shaped like Ferry's (UUID form; a receipt handle is "FR1" + 40 hex digits from the queue machine
    /// and 32 of MAC from the edge, 75 characters).
    static func messageId(_ i: Int) -> String { "3f1c9a2e-7b4d-4e8a-9c31-5d2e8f10a" + hex(i, width: 3) }
    static func receiptHandle(_ i: Int) -> String { "FR1" + hex(0x5eed_0000 + i, width: 72) }

    static func hex(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// libFuzzer entry point over FerrySQS's request path: HTTP parser -> SigV4 -> protocol decode ->
/// error encoding. Built by Scripts/fuzz-sqs.sh together with FerrySQS's sources (same module,
/// so internal names are visible). The input's first byte picks the chunk size, so chunking is
/// fuzzed as well. Traps on any 5xx other than the HTTP layer's 501/505.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let input = Array(bytes.dropFirst())
    let chunk = Int(first % 32) + 1
    var parser = HTTPRequestParser()
    var offset = 0
    var events: [HTTPRequestParser.Event] = []
    while offset < input.count {
        events += parser.feed(input[offset..<min(input.count, offset + chunk)])
        offset += chunk
    }
    var whole = HTTPRequestParser()
    precondition(whole.feed(input) == events, "chunking changed the parse")
    var verifier = SigV4Verifier(SigV4Configuration(mode: .sigv4, credentials: [
        "AKIDEXAMPLE": .init(secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", accountId: "000000000000"),
    ]))
    for event in events {
        switch event {
        case .sendContinue:
            continue
        case .error(let error):
            let status = error.response.status
            precondition((400..<500).contains(status) || status == 501 || status == 505, "status \(status)")
        case .request(let request):
            let wire = SQSProtocol.wireProtocol(of: request)
            do {
                _ = try verifier.verify(request, now: 1_736_942_400)
            } catch {
                precondition((400..<500).contains(SQSProtocol.encode(error, as: wire, requestId: "f").status))
            }
            switch SQSProtocol.decode(request) {
            case .success(let decoded):
                _ = decoded.operation
            case .failure(let error):
                precondition((400..<500).contains(SQSProtocol.encode(error, as: wire, requestId: "f").status))
            }
        }
    }
    return 0
}

/// FerrySQS: the pure protocol layer between a TCP connection and the node (DESIGN.md seam 5).
///
/// No sockets, no clock, no queue engine: bytes and values in, bytes and values out.
///
/// - `HTTP/`: `HTTPRequestParser` (incremental HTTP/1.1, keep-alive, pipelining, named limits in
///   `HTTPLimits`), `HTTPRequest`, `HTTPResponse.serialized(keepAlive:)`.
/// - `SigV4/`: `SigV4Verifier` (SQS-API.md a4), `SigV4Configuration` (`auth off` or static keys).
/// - `SQSProtocol`: `wireProtocol(of:)`, `decode(_:)`, `encode(_:as:requestId:)` for both the AWS
///   JSON 1.0 protocol (`JSON/`) and the legacy query protocol (`Query/`).
/// - `Model/`: `SQSRequest` / `SQSResponse` (one case per operation), `SQSError` with its legacy
///   code and status, `QueueAddressing` / `QueueAddress` for queue URLs and ARNs.
/// - `Decoding/`: member access shared by both protocols and the stateless checks of b1/b3.
/// - `Checksums/`: `MessageChecksums` (SQS-API.md c).
public enum FerrySQSModule {}

/// FerrySQS: the pure protocol layer between a TCP connection and the node (docs/design.md, "The seams", 5).
///
/// No sockets, no clock, no queue engine: bytes and values in, bytes and values out.
///
/// - `HTTP/`: `HTTPRequestParser` (incremental HTTP/1.1, keep-alive, pipelining, named limits in
///   `HTTPLimits`), `HTTPRequest`, `HTTPResponse.serialized(keepAlive:)`.
/// - `SigV4/`: `SigV4Verifier` (docs/sqs-wire.md, "Signature V4"), `SigV4Configuration` (`auth off` or static keys).
/// - `SQSProtocol`: `wireProtocol(of:)`, `decode(_:)`, `encode(_:as:requestId:)` for both the AWS
///   JSON 1.0 protocol (`JSON/`) and the legacy query protocol (`Query/`).
/// - `Model/`: `SQSRequest` / `SQSResponse` (one case per operation), `SQSError` with its legacy
///   code and status, `QueueAddressing` / `QueueAddress` for queue URLs and ARNs.
/// - `Decoding/`: member access shared by both protocols and the stateless checks of "Operations" and "Message limits".
/// - `Checksums/`: `MessageChecksums` (docs/sqs-wire.md, "Message checksums").
public enum FerrySQSModule {}

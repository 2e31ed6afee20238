/// A request's Authorization header, parsed once for both the SNS check (`SNSProtocol.isSNS`) and
/// `SigV4Verifier.verify`: parsing it twice was ~8% of a request's instructions.
public struct PresentedAuthorization {
    /// nil when the request has no Authorization header; else the header or why it does not parse.
    let parsed: Result<AuthorizationHeader, SQSError>?

    public init(_ request: HTTPRequest) {
        guard let text = request.headers["Authorization"] else {
            parsed = nil
            return
        }
        do {
            parsed = .success(try AuthorizationHeader.parse(text))
        } catch {
            parsed = .failure(error)
        }
    }

    /// The service in the credential scope, when the header parses.
    var service: String? {
        guard case .success(let header) = parsed else { return nil }
        return header.service
    }
}

import ArgumentParser
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// The credentials admin commands sign with (SigV4, service `sqs`, as the SDKs sign SQS calls). A cluster with
/// auth = "sigv4" answers 403 to unsigned admin requests: `ferry status` needs any configured key,
/// membership and leadership changes a key with `admin = true`. Flags first, then the usual AWS variables;
/// with neither, requests go unsigned (enough for a cluster with auth = "off").
struct SigningOptions: ParsableArguments {
    @Option(help: "Access key id to sign with. Default: $AWS_ACCESS_KEY_ID.")
    var accessKey: String?

    @Option(help: "Secret access key to sign with. Default: $AWS_SECRET_ACCESS_KEY (prefer it: flags show in ps).")
    var secretKey: String?

    @Option(
        help:
            "Region of the signature's credential scope; must be the nodes' `region`. Default: $AWS_REGION, $AWS_DEFAULT_REGION, then us-east-1."
    )
    var region: String?

    static let regionDefault = "us-east-1"

    /// The signer these options and the environment describe, or nil to send requests unsigned.
    func signer() throws(CLIError) -> SigV4Signer? {
        // Key and secret come as a pair, from the flags or from the environment, never one from each.
        let fromFlags = accessKey != nil || secretKey != nil
        let key = fromFlags ? nonEmpty(accessKey) : Self.environment("AWS_ACCESS_KEY_ID")
        let secret = fromFlags ? nonEmpty(secretKey) : Self.environment("AWS_SECRET_ACCESS_KEY")
        switch (key, secret) {
        case (nil, nil):
            return nil
        case (let key?, let secret?):
            // A session token in the environment belongs to the environment's key, not to one given as a flag.
            let token = fromFlags ? nil : Self.environment("AWS_SESSION_TOKEN")
            let region =
                nonEmpty(region) ?? Self.environment("AWS_REGION") ?? Self.environment("AWS_DEFAULT_REGION")
                ?? Self.regionDefault
            return SigV4Signer(accessKeyId: key, secretAccessKey: secret, region: region, sessionToken: token)
        case (nil, _):
            throw .usage(
                fromFlags ? "--secret-key needs --access-key" : "AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID"
            )
        case (_, nil):
            throw .usage(
                fromFlags ? "--access-key needs --secret-key" : "AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY"
            )
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// Seconds since the epoch, for X-Amz-Date.
    static func nowSeconds() -> Int64 { Int64(time(nil)) }
}

extension SigV4Signer {
    /// The headers to send for `method target` to `host`: `headers` with the SigV4 ones added. Only `Host`
    /// and `headers` are signed; the caller adds Content-Length and Connection afterwards.
    func headers(
        method: String, target: String, host: String, headers: [(String, String)],
        body: [UInt8]
    ) -> [(String, String)] {
        let request = HTTPRequest(
            method: method, target: target,
            headers: HTTPHeaders([("Host", host)] + headers.map { (name: $0.0, value: $0.1) }), body: body)
        return sign(request, now: SigningOptions.nowSeconds()).headers.fields.dropFirst().map { ($0.name, $0.value) }
    }
}

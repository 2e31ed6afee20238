/// How requests are authenticated (docs/sqs-wire.md, "Signature V4": "auth = off" or sigv4 with static key/secret
/// pairs, each key mapped to an account ID").
public struct SigV4Configuration: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Every request is accepted, signed or not, as `defaultAccountId` (what ElasticMQ, GoAWS
        /// and LocalStack do by default): for tests and trusted networks only.
        case off
        /// Every request must carry a valid SigV4 signature by a configured key.
        case sigv4
    }

    public struct Credential: Sendable, Equatable {
        public var secretAccessKey: String
        /// The 12-digit account the key acts as: queue URLs and ARNs are scoped by it.
        public var accountId: String
        /// When set, requests must present it in `X-Amz-Security-Token` ("Signature V4", step 6). When nil, a
        /// presented token is ignored, so clients with a leftover AWS_SESSION_TOKEN still work.
        public var sessionToken: String?

        public init(secretAccessKey: String, accountId: String, sessionToken: String? = nil) {
            self.secretAccessKey = secretAccessKey
            self.accountId = accountId
            self.sessionToken = sessionToken
        }
    }

    public var mode: Mode
    /// Access key id -> credential.
    public var credentials: [String: Credential]
    /// The account of unauthenticated requests in `.off` mode.
    public var defaultAccountId: String
    /// Accepted clock difference either way. SQS historically allowed 15 minutes ("Signature V4", step 2),
    /// against SigV4's usual 5: SDK retries and skewed client clocks need the room.
    public var clockSkewSecondsMax: Int64
    /// When set, the credential scope's region must equal it; nil accepts any region.
    public var region: String?

    public init(
        mode: Mode, credentials: [String: Credential] = [:], defaultAccountId: String = "000000000000",
        clockSkewSecondsMax: Int64 = 15 * 60, region: String? = nil
    ) {
        self.mode = mode
        self.credentials = credentials
        self.defaultAccountId = defaultAccountId
        self.clockSkewSecondsMax = clockSkewSecondsMax
        self.region = region
    }

    public static let off = SigV4Configuration(mode: .off)
}

/// Who sent a request, once verified.
public struct AuthenticatedCaller: Sendable, Equatable {
    /// nil when auth is off.
    public var accessKeyId: String?
    public var accountId: String
}

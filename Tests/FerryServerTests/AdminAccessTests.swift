import FerrySQS
import XCTest

@testable import FerryServer

/// Who may call the `/_ferry/` endpoints: health is open, status needs any valid credential, everything else
/// an administrator's; every refusal is a 403 naming its reason; with auth off all of it is open.
final class AdminAccessTests: XCTestCase {
    static let now: Int64 = 1_736_942_400
    static let host = "127.0.0.1:9324"
    static let signing = SigV4Configuration(
        mode: .sigv4,
        credentials: [
            "AKIDADMIN": .init(secretAccessKey: "admin-secret", accountId: "000000000000"),
            "AKIDUSER": .init(secretAccessKey: "user-secret", accountId: "000000000000"),
        ], region: "us-east-1")
    static let access = AdminAccess(administratorKeys: ["AKIDADMIN"])

    static let admin = SigV4Signer(accessKeyId: "AKIDADMIN", secretAccessKey: "admin-secret", region: "us-east-1")
    static let user = SigV4Signer(accessKeyId: "AKIDUSER", secretAccessKey: "user-secret", region: "us-east-1")
    static let adminWrongSecret = SigV4Signer(
        accessKeyId: "AKIDADMIN", secretAccessKey: "not-the-secret", region: "us-east-1")
    static let adminWrongRegion = SigV4Signer(
        accessKeyId: "AKIDADMIN", secretAccessKey: "admin-secret", region: "us-west-2")

    static let mutatingEndpoints = [
        ("POST", "/_ferry/members/add-learner?id=4"), ("POST", "/_ferry/members/promote?id=4"),
        ("POST", "/_ferry/members/remove?id=1"), ("POST", "/_ferry/transfer-leadership?to=3"),
        ("POST", "/_ferry/members/update?id=2&peer_address=10.0.0.9%3A7001"),
        (
            "POST",
            "/_ferry/members/add-learner?id=4&peer_address=10.0.0.4%3A7001&client_url=http%3A%2F%2F10.0.0.4%3A9324"
        ),
    ]

    static func request(_ method: String, _ target: String, signedBy signer: SigV4Signer?) -> HTTPRequest {
        let unsigned = HTTPRequest(method: method, target: target, headers: HTTPHeaders([("Host", host)]))
        return signer.map { $0.sign(unsigned, now: now) } ?? unsigned
    }

    /// "allowed", or the refusal's code.
    func outcome(
        _ method: String, _ target: String, signedBy signer: SigV4Signer?,
        configuration: SigV4Configuration = signing
    ) -> String {
        outcome(Self.request(method, target, signedBy: signer), configuration: configuration)
    }

    func outcome(_ request: HTTPRequest, configuration: SigV4Configuration = signing) -> String {
        var verifier = SigV4Verifier(configuration)
        do {
            try Self.access.check(request, verifier: &verifier, now: Self.now)
            return "allowed"
        } catch {
            XCTAssertEqual(error.response.status, 403)
            return error.code
        }
    }

    func testHealthIsOpenToEveryone() {
        for signer in [nil, Self.user, Self.admin, Self.adminWrongSecret] {
            XCTAssertEqual(
                outcome("GET", "/_ferry/health", signedBy: signer), "allowed", "\(String(describing: signer))")
        }
        XCTAssertEqual(outcome("GET", "/_ferry/health", signedBy: nil, configuration: .off), "allowed")
    }

    func testStatusNeedsAValidSignatureByAnyCredential() {
        XCTAssertEqual(outcome("GET", "/_ferry/status", signedBy: nil), "MissingAuthenticationToken")
        XCTAssertEqual(outcome("GET", "/_ferry/status", signedBy: Self.user), "allowed")
        XCTAssertEqual(outcome("GET", "/_ferry/status", signedBy: Self.admin), "allowed")
        XCTAssertEqual(outcome("GET", "/_ferry/status", signedBy: Self.adminWrongSecret), "SignatureDoesNotMatch")
        XCTAssertEqual(outcome("GET", "/_ferry/status", signedBy: Self.adminWrongRegion), "SignatureDoesNotMatch")
        XCTAssertEqual(outcome("GET", "/_ferry/status", signedBy: nil, configuration: .off), "allowed")
    }

    func testEveryMutatingEndpointNeedsAnAdministratorsValidSignature() {
        for (method, target) in Self.mutatingEndpoints {
            XCTAssertEqual(outcome(method, target, signedBy: nil), "MissingAuthenticationToken", target)
            XCTAssertEqual(outcome(method, target, signedBy: Self.user), "AccessDenied", target)
            XCTAssertEqual(outcome(method, target, signedBy: Self.admin), "allowed", target)
            XCTAssertEqual(outcome(method, target, signedBy: Self.adminWrongSecret), "SignatureDoesNotMatch", target)
            XCTAssertEqual(outcome(method, target, signedBy: Self.adminWrongRegion), "SignatureDoesNotMatch", target)
        }
    }

    func testWithAuthOffEveryEndpointIsOpen() {
        for (method, target) in Self.mutatingEndpoints + [("GET", "/_ferry/status"), ("POST", "/_ferry/unknown")] {
            XCTAssertEqual(outcome(method, target, signedBy: nil, configuration: .off), "allowed", target)
            XCTAssertEqual(outcome(method, target, signedBy: Self.user, configuration: .off), "allowed", target)
        }
    }

    func testUnknownPathsAndOtherMethodsNeedAnAdministratorToo() {
        // A probe without admin credentials cannot tell which admin paths exist.
        for (method, target) in [
            ("POST", "/_ferry/health"), ("POST", "/_ferry/status"), ("HEAD", "/_ferry/status"),
            ("GET", "/_ferry/members/remove?id=1"), ("DELETE", "/_ferry/transfer-leadership?to=2"),
            ("GET", "/_ferry/"), ("GET", "/_ferry/debug"),
        ] {
            XCTAssertEqual(
                AdminAccess.requirement(
                    method: method, path: HTTPRequest(method: method, target: target, headers: HTTPHeaders()).path),
                .administrator, "\(method) \(target)")
            XCTAssertEqual(outcome(method, target, signedBy: Self.user), "AccessDenied", "\(method) \(target)")
        }
    }

    func testAnAdministratorsSignatureCoversOnlyTheRequestItSigned() {
        // The query is signed: a captured `remove?id=4` cannot be replayed as `remove?id=1`.
        var request = Self.request("POST", "/_ferry/members/remove?id=4", signedBy: Self.admin)
        request.target = "/_ferry/members/remove?id=1"
        XCTAssertEqual(outcome(request), "SignatureDoesNotMatch")
        // Nor a signed status request turned into a membership change.
        var status = Self.request("GET", "/_ferry/status", signedBy: Self.admin)
        status.method = "POST"
        status.target = "/_ferry/members/remove?id=1"
        XCTAssertEqual(outcome(status), "SignatureDoesNotMatch")
    }

    func testAnAdministratorKeyUnknownToTheVerifierIsRefused() {
        let ghost = SigV4Signer(accessKeyId: "AKIDGHOST", secretAccessKey: "ghost", region: "us-east-1")
        XCTAssertEqual(outcome("POST", "/_ferry/members/remove?id=1", signedBy: ghost), "InvalidClientTokenId")
    }

    func testEveryRefusalIsA403WithItsReasonInJSON() {
        var garbled = Self.request("POST", "/_ferry/members/remove?id=1", signedBy: nil)
        garbled.headers.add(name: "Authorization", value: "AWS4-HMAC-SHA256 garbage")
        XCTAssertEqual(outcome(garbled), "IncompleteSignature", "400 on the SQS API, 403 here like every refusal")

        var verifier = SigV4Verifier(Self.signing)
        XCTAssertThrowsError(
            try Self.access.check(
                Self.request("POST", "/_ferry/members/remove?id=1", signedBy: Self.user),
                verifier: &verifier, now: Self.now)
        ) { error in
            let response = (error as! AdminAccess.Refusal).response
            XCTAssertEqual(response.status, 403)
            XCTAssertEqual(response.headers["Content-Type"], "application/json")
            XCTAssertEqual(
                String(decoding: response.body, as: UTF8.self),
                """
                {"ok": false, "error": "AccessDenied", "detail": "AKIDUSER is not an administrator: only [[credentials]] \
                entries with admin = true may call POST /_ferry/members/remove"}

                """)
        }
    }

    func testWithNoAdministratorsConfiguredNothingMutatesUnderSigV4() {
        let nobody = AdminAccess()
        var verifier = SigV4Verifier(Self.signing)
        XCTAssertThrowsError(
            try nobody.check(
                Self.request("POST", "/_ferry/transfer-leadership?to=3", signedBy: Self.admin),
                verifier: &verifier, now: Self.now))
        XCTAssertNoThrow(
            try nobody.check(
                Self.request("GET", "/_ferry/status", signedBy: Self.admin),
                verifier: &verifier, now: Self.now))
    }
}

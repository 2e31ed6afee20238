import FerrySQS
import XCTest

@testable import FerryServer

/// Who may scrape `GET /metrics` on the SQS port: with sigv4, the bearer token of metrics_bearer_token_file
/// or metrics_public = true; with neither it is refused (never open by accident); with auth off, anyone.
final class MetricsAccessTests: XCTestCase {
    static let token = "scrape-token-0123456789abcdef"
    static let signing = AdminAccessTests.signing

    func outcome(
        _ access: AdminAccess, authorization: String?, configuration: SigV4Configuration = signing,
        method: String = "GET", target: String = "/metrics"
    ) -> String {
        var headers = HTTPHeaders([("Host", "127.0.0.1:9324")])
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        var verifier = SigV4Verifier(configuration)
        do {
            try access.check(
                HTTPRequest(method: method, target: target, headers: headers), verifier: &verifier,
                now: AdminAccessTests.now)
            return "allowed"
        } catch {
            return "\(error.response.status) \(error.code)"
        }
    }

    func testTheBearerTokenAndOnlyItOpensMetricsUnderSigV4() {
        let access = AdminAccess(metricsBearerToken: Self.token)
        XCTAssertEqual(outcome(access, authorization: "Bearer " + Self.token), "allowed")
        XCTAssertEqual(outcome(access, authorization: nil), "401 MissingAuthenticationToken")
        XCTAssertEqual(outcome(access, authorization: "Bearer " + Self.token.dropLast()), "401 AccessDenied")
        XCTAssertEqual(outcome(access, authorization: "Bearer " + Self.token + "x"), "401 AccessDenied")
        XCTAssertEqual(outcome(access, authorization: "bearer " + Self.token), "401 AccessDenied")
        XCTAssertEqual(outcome(access, authorization: Self.token), "401 AccessDenied")
        XCTAssertEqual(
            outcome(access, authorization: "Bearer " + Self.token, target: "/metrics?x=1"), "allowed",
            "the query does not change the path")
    }

    func testTheTokenOpensNothingElse() {
        let access = AdminAccess(administratorKeys: ["AKIDADMIN"], metricsBearerToken: Self.token)
        XCTAssertEqual(
            outcome(access, authorization: "Bearer " + Self.token, target: "/_ferry/status"), "403 IncompleteSignature")
        XCTAssertEqual(
            outcome(access, authorization: "Bearer " + Self.token, method: "POST", target: "/metrics"),
            "403 IncompleteSignature", "POST /metrics is no scrape: an admin path like any unknown one")
    }

    func testWithNeitherTokenNorPublicMetricsAreRefusedUnderSigV4() {
        XCTAssertEqual(outcome(AdminAccess(), authorization: nil), "403 AccessDenied")
        XCTAssertEqual(outcome(AdminAccess(), authorization: "Bearer anything"), "403 AccessDenied")
        let refusal = AdminAccess.Refusal(code: "MissingAuthenticationToken", message: "m", status: 401)
        XCTAssertEqual(refusal.response.headers["WWW-Authenticate"], "Bearer realm=\"ferry metrics\"")
    }

    func testPublicMetricsAndAuthOffNeedNothing() {
        XCTAssertEqual(outcome(AdminAccess(metricsPublic: true), authorization: nil), "allowed")
        XCTAssertEqual(outcome(AdminAccess(), authorization: nil, configuration: .off), "allowed")
    }
}

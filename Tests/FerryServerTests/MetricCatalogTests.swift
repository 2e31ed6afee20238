import Foundation
import XCTest

@testable import FerryServer

/// The metric families: Prometheus naming conventions, and docs/metrics.md's reference is the catalog's.
final class MetricCatalogTests: XCTestCase {
    static let docsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/metrics.md").standardized.path
    static let beginMarker = "<!-- BEGIN GENERATED: MetricCatalog.referenceMarkdown() -->\n"
    static let endMarker = "<!-- END GENERATED -->"

    func testNamesFollowPrometheusConventions() {
        let names = MetricCatalog.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "no family defined twice")
        for definition in MetricCatalog.all {
            let name = definition.name
            XCTAssertTrue(name.hasPrefix("ferry_"), name)
            XCTAssertTrue(name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }, name)
            XCTAssertEqual(
                name.hasSuffix("_total"), definition.kind == .counter, "_total marks counters and only them: \(name)")
            XCTAssertFalse(
                name.contains("_ms") || name.contains("millis") || name.contains("_kb"), "base units: \(name)")
            XCTAssertEqual(definition.kind == .histogram, !definition.buckets.isEmpty, name)
            XCTAssertEqual(definition.buckets, definition.buckets.sorted(), name)
            XCTAssertFalse(
                definition.help.isEmpty || definition.help.contains("|") || definition.help.contains("\n"), name)
            XCTAssertFalse(
                definition.labels.contains("le") || definition.labels.contains("quantile"), "reserved label: \(name)")
        }
    }

    func testTheDocsReferenceIsTheCatalogs() throws {
        let text = try String(contentsOfFile: Self.docsPath, encoding: .utf8)
        guard let begin = text.range(of: Self.beginMarker),
            let end = text.range(of: Self.endMarker, range: begin.upperBound..<text.endIndex)
        else {
            return XCTFail("docs/metrics.md lacks the generated section's markers")
        }
        let expected = MetricCatalog.referenceMarkdown()
        if ProcessInfo.processInfo.environment["FERRY_WRITE_METRICS_DOC"] == "1" {
            try (text[..<begin.upperBound] + expected + text[end.lowerBound...]).write(
                toFile: Self.docsPath, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(
            String(text[begin.upperBound..<end.lowerBound]), expected,
            "docs/metrics.md is stale: FERRY_WRITE_METRICS_DOC=1 swift test --filter MetricCatalogTests rewrites it")
    }
}

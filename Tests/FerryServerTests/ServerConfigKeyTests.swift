import Foundation
import XCTest

@testable import FerryServer

/// The key table is the configuration's one declaration: `ServerConfig.init` reads every key through it (its
/// default, kind and range), docs/configuration.md's key tables are rendered from it, and the example
/// configs in cluster/local/ mention every key with its default and nothing else.
final class ServerConfigKeyTests: XCTestCase {
    typealias Key = ServerConfigKey
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardized
    static let docsPath = repository.appendingPathComponent("docs/configuration.md").path
    static let endMarker = "<!-- END GENERATED -->"

    // MARK: - The table itself

    func testEachKeyIsDeclaredOnceWithAWellFormedEntry() {
        let names = Key.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "no key declared twice")
        for key in Key.all {
            XCTAssertTrue(ConfigFile.isBareKey(key.name) && key.name == key.name.lowercased(), key.name)
            for text in [key.help, key.details ?? "", key.rule ?? ""] {
                XCTAssertFalse(text.contains("|") || text.contains("\n"), "one line, no table bars: \(key.name)")
            }
            XCTAssertFalse(key.help.isEmpty, key.name)
            switch (key.kind, key.defaultValue) {
            case (.integer(let range, _), .integer(let value)):
                XCTAssertTrue(range.contains(value), "\(key.name)'s default is in its range")
                XCTAssertTrue(
                    ["_ms", "_ticks", "_seconds", "_entries", "_max"].contains { key.name.hasSuffix($0) },
                    "an integer's name says its unit: \(key.name)")
            case (.integer, _): XCTFail("\(key.name): an integer has an integer default")
            case (.boolean, .boolean): break
            case (.boolean, _): XCTFail("\(key.name): a boolean has a boolean default")
            case (.choice(let values), .string(let value)): XCTAssertTrue(values.contains(value), key.name)
            case (.choice, _): XCTFail("\(key.name): a choice has one of its values as default")
            default: break
            }
        }
        XCTAssertEqual(
            Key.auth.kind, .choice([ServerConfig.AuthMode.sigv4.rawValue, ServerConfig.AuthMode.off.rawValue]))
    }

    // MARK: - ServerConfig reads every key through its entry

    /// The sample config with `key = value` set at the top level (any top-level line setting it removed).
    static func sample(_ settings: [(String, String)]) -> String {
        let lines = ServerConfigTests.sample.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let names = Set(settings.map(\.0))
        let firstTable = lines.firstIndex { $0.hasPrefix("[") } ?? lines.endIndex
        let root = lines[..<firstTable].filter { line in !names.contains { line.hasPrefix("\($0) = ") } }
        return (settings.map { "\($0.0) = \($0.1)" } + root + lines[firstTable...]).joined(separator: "\n")
    }

    static func error(_ settings: [(String, String)]) -> String {
        do {
            _ = try ServerConfig(file: try ConfigFile(parsing: sample(settings)))
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static func toml(_ value: Key.Default) -> String? {
        switch value {
        case .integer(let n): return String(n)
        case .boolean(let b): return String(b)
        case .string(let s): return "\"\(s)\""
        case .required, .none, .derived: return nil
        }
    }

    func testADefaultWrittenOutReadsAsTheKeyLeftOut() throws {
        let defaults = try ServerConfig(file: try ConfigFile(parsing: ServerConfigTests.sample))
        for key in Key.all where key.name != Key.auth.name {  // the sample sets auth
            guard let value = Self.toml(key.defaultValue) else { continue }
            XCTAssertEqual(
                try ServerConfig(file: try ConfigFile(parsing: Self.sample([(key.name, value)]))), defaults, key.name)
        }
    }

    /// Settings another key's value needs to pass the rules across keys.
    static func companions(_ key: String, _ value: Int) -> [(String, String)] {
        switch key {
        case "heartbeat_ticks": return [("election_timeout_ticks", "\(value + 1)")]
        case "election_timeout_ticks": return [("heartbeat_ticks", "\(min(value - 1, 1000))")]
        case "leader_wait_ms": return [("command_timeout_seconds", "\(max(1, (value + 999) / 1000))")]
        case "command_timeout_seconds": return [("leader_wait_ms", "\(min(2000, value * 1000))")]
        default: return []
        }
    }

    func testEveryIntegerHoldsAtItsLimitsAndIsRefusedOnePast() throws {
        let defaults = try ServerConfig(file: try ConfigFile(parsing: ServerConfigTests.sample))
        for key in Key.all {
            guard case .integer(let range, _) = key.kind else { continue }
            let refusal =
                "invalid setting: '\(key.name)' must be an integer in \(range.lowerBound)...\(range.upperBound)"
            for (limit, onePast) in [
                (range.lowerBound, range.lowerBound - 1), (range.upperBound, range.upperBound + 1),
            ] {
                let settings = [(key.name, "\(limit)")] + Self.companions(key.name, limit)
                let config = try ServerConfig(file: try ConfigFile(parsing: Self.sample(settings)))
                XCTAssertNotEqual(config, defaults, "\(key.name) = \(limit) is read")
                XCTAssertEqual(Self.error([(key.name, "\(onePast)")]), refusal)
            }
            XCTAssertEqual(Self.error([(key.name, "\"ten\"")]), refusal)
        }
    }

    func testEveryKeyRefusesAValueOfTheWrongKindByName() {
        for key in Key.all where !key.isTable {
            let wrong: String
            switch key.kind {
            case .integer, .nodeID: wrong = "\"x\""
            case .boolean, .nodeIDs: wrong = "1"
            default: wrong = "true"
            }
            let error = Self.error([(key.name, wrong)])
            XCTAssertTrue(error.contains(key.name), "\(key.name) = \(wrong): \(error)")
        }
        XCTAssertEqual(Self.error([("auth", "\"none\"")]), "invalid setting: auth must be \"sigv4\" or \"off\"")
        XCTAssertEqual(Self.error([("join", "\"yes\"")]), "invalid setting: join must be true or false")
        XCTAssertEqual(Self.error([("region", "false")]), "invalid setting: 'region' must be a string")
    }

    func testEveryTopLevelKeyIsKnownAndTablesAreNotKeys() {
        XCTAssertEqual(Self.error([("peers", "\"1\"")]), "unknown setting 'peers' (a typo?)")
        XCTAssertEqual(Self.error([("tick", "10")]), "unknown setting 'tick' (a typo?)")
        XCTAssertEqual(Self.error([("tick_ms", "10")]), "no error")
    }

    // MARK: - docs/configuration.md

    /// Each generated block of docs/configuration.md: its begin marker and what belongs between the markers.
    static var generatedBlocks: [(marker: String, text: String)] {
        Key.Section.allCases.map { section in
            (
                "<!-- BEGIN GENERATED: ServerConfigKey.referenceMarkdown(.\(section)) -->\n",
                Key.referenceMarkdown(section)
            )
        } + [("<!-- BEGIN GENERATED: ServerConfigKey.flagsMarkdown() -->\n", Key.flagsMarkdown())]
    }

    func testTheDocsKeyTablesAreTheTables() throws {
        var text = try String(contentsOfFile: Self.docsPath, encoding: .utf8)
        let rewrite = ProcessInfo.processInfo.environment["FERRY_WRITE_CONFIG_DOC"] == "1"
        for block in Self.generatedBlocks {
            guard let begin = text.range(of: block.marker),
                let end = text.range(of: Self.endMarker, range: begin.upperBound..<text.endIndex)
            else {
                XCTFail("docs/configuration.md lacks the marker \(block.marker)")
                continue
            }
            if rewrite {
                text.replaceSubrange(begin.upperBound..<end.lowerBound, with: block.text)
            } else {
                XCTAssertEqual(
                    String(text[begin.upperBound..<end.lowerBound]), block.text,
                    "docs/configuration.md is stale: FERRY_WRITE_CONFIG_DOC=1 swift test --filter ServerConfigKeyTests rewrites it"
                )
            }
        }
        if rewrite { try text.write(toFile: Self.docsPath, atomically: true, encoding: .utf8) }
    }

    // MARK: - cluster/local/*.toml

    /// One `key = value` line of an example config, commented out or not.
    struct ExampleLine {
        var key: String
        var value: ConfigFile.Value
        var commented: Bool
        var comment: String
    }

    /// The example with its commented-out settings and headers turned back on, and the top-level lines.
    static func uncomment(_ text: String) throws -> (file: ConfigFile, rootLines: [ExampleLine]) {
        var lines: [String] = []
        var rootLines: [ExampleLine] = []
        var inRoot = true
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            var line = raw
            var commented = false
            if raw.hasPrefix("#") {
                let rest = String(raw.dropFirst().drop { $0 == " " })
                let head = rest.prefix { $0 != "=" }.trimmingCharacters(in: .whitespaces)
                if rest.hasPrefix("[") || (rest.contains("=") && ConfigFile.isBareKey(head)) {
                    line = rest
                    commented = true
                }
            }
            lines.append(line)
            if line.hasPrefix("[") { inRoot = false }
            let setting = ConfigFile.stripComment(line)
            guard inRoot, !setting.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let parsed = try ConfigFile(parsing: setting)
            for (key, value) in parsed.root {
                rootLines.append(
                    ExampleLine(
                        key: key, value: value, commented: commented, comment: String(line.dropFirst(setting.count))))
            }
        }
        return (try ConfigFile(parsing: lines.joined(separator: "\n")), rootLines)
    }

    /// The default as the config file reads it.
    static func value(_ value: Key.Default) -> ConfigFile.Value? {
        toml(value).flatMap { try? ConfigFile(parsing: "key = \($0)").root["key"] }
    }

    /// What is wrong with an example config: a key missing, unknown or mentioned with another default, or
    /// a setting the file does not accept.
    static func exampleProblems(_ text: String) throws -> [String] {
        var problems: [String] = []
        let (file, rootLines) = try uncomment(text)
        func compare(_ what: String, _ mentioned: Set<String>, _ declared: Set<String>) {
            for name in declared.subtracting(mentioned).sorted() { problems.append("\(what) \(name) not mentioned") }
            for name in mentioned.subtracting(declared).sorted() { problems.append("\(what) \(name) unknown") }
        }
        compare("key", Set(file.root.keys), Set(Key.all.filter { !$0.isTable }.map(\.name)))
        compare("table", Set(file.tables.keys), Set(Key.all.filter { $0.kind == .table }.map(\.name)))
        compare("array", Set(file.arrays.keys), Set(Key.all.filter { $0.kind == .arrayOfTables }.map(\.name)))
        compare("credentials key", Set(file.arrays["credentials"]?.flatMap(\.keys) ?? []), Key.credentialKeys)
        for key in Key.all {
            guard let expected = value(key.defaultValue), let line = rootLines.first(where: { $0.key == key.name })
            else { continue }
            if line.value == expected { continue }
            // A setting this node chooses differently says what the default is; a commented one shows it.
            if line.commented || !line.comment.contains("default \(toml(key.defaultValue)!)") {
                problems.append("\(key.name) is not shown with its default \(toml(key.defaultValue)!)")
            }
        }
        do {
            _ = try ServerConfig(file: try ConfigFile(parsing: text))
        } catch {
            problems.append("\(error)")
        }
        return problems
    }

    func testTheExampleConfigsMentionEveryKeyWithItsDefaultAndNothingElse() throws {
        for node in 1...3 {
            let path = Self.repository.appendingPathComponent("cluster/local/node\(node).toml").path
            XCTAssertEqual(try Self.exampleProblems(try String(contentsOfFile: path, encoding: .utf8)), [], path)
        }
    }

    func testTheExampleCheckCatchesEachKindOfDrift() throws {
        let path = Self.repository.appendingPathComponent("cluster/local/node1.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func problems(replacing old: String, with new: String) throws -> [String] {
            let changed = text.replacingOccurrences(of: old, with: new)
            XCTAssertNotEqual(changed, text, old)
            return try Self.exampleProblems(changed)
        }
        XCTAssertEqual(
            try problems(replacing: "# tick_ms = 10 ", with: "# tick_ms = 20 "),
            ["tick_ms is not shown with its default 10"])
        XCTAssertEqual(
            try problems(replacing: "# tick_ms = 10 ", with: "# tick_msec = 10 "),
            ["key tick_ms not mentioned", "key tick_msec unknown"])
        XCTAssertEqual(
            try problems(replacing: "# admin = false", with: "# admn = false"),
            ["credentials key admin not mentioned", "credentials key admn unknown"])
        XCTAssertEqual(
            try problems(replacing: "# default \"sigv4\":", with: "#"),
            ["auth is not shown with its default \"sigv4\""])
        XCTAssertEqual(
            try problems(replacing: "# metrics_queues_max = 100", with: "metrics_queues_max = 100000"),
            [
                "metrics_queues_max is not shown with its default 100",
                "invalid setting: 'metrics_queues_max' must be an integer in 0...10000",
            ])
    }
}

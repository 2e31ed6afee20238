/// A small TOML subset for ferryd's configuration: `key = value` lines, `[table]` and `[[array]]` headers,
/// `#` comments; values are "strings", integers, true/false and ["string", ...] arrays (bare integers in an array
/// are kept as their decimal text). Anything else is
/// an error naming the line, so a typo never silently becomes a default.
public struct ConfigFile: Equatable {
    public enum Value: Equatable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case strings([String])
    }

    /// Top-level keys.
    public var root: [String: Value] = [:]
    /// `[name]` tables.
    public var tables: [String: [String: Value]] = [:]
    /// `[[name]]` arrays of tables, in file order.
    public var arrays: [String: [[String: Value]]] = [:]

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public init() {}

    public init(parsing text: String) throws(ParseError) {
        enum Section {
            case root
            case table(String)
            case array(String)
        }
        var section = Section.root
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = Self.stripComment(String(rawLine)).trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw ParseError(line: number, reason: "unterminated [[header]]") }
                let name = String(line.dropFirst(2).dropLast(2)).trimmingSpaces()
                guard Self.isBareKey(name) else { throw ParseError(line: number, reason: "bad table name '\(name)'") }
                arrays[name, default: []].append([:])
                section = .array(name)
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ParseError(line: number, reason: "unterminated [header]") }
                let name = String(line.dropFirst().dropLast()).trimmingSpaces()
                guard Self.isBareKey(name) else { throw ParseError(line: number, reason: "bad table name '\(name)'") }
                guard tables[name] == nil else {
                    throw ParseError(line: number, reason: "table [\(name)] defined twice")
                }
                tables[name] = [:]
                section = .table(name)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: number, reason: "expected 'key = value'")
            }
            var key = String(line[..<equals]).trimmingSpaces()
            if key.count >= 2, key.first == "\"", key.last == "\"" { key = String(key.dropFirst().dropLast()) }
            guard Self.isBareKey(key) else { throw ParseError(line: number, reason: "bad key '\(key)'") }
            let value = try Self.parseValue(String(line[line.index(after: equals)...]).trimmingSpaces(), line: number)
            switch section {
            case .root:
                guard root[key] == nil else { throw ParseError(line: number, reason: "key '\(key)' set twice") }
                root[key] = value
            case .table(let name):
                guard tables[name]![key] == nil else {
                    throw ParseError(line: number, reason: "key '\(key)' set twice")
                }
                tables[name]![key] = value
            case .array(let name):
                let last = arrays[name]!.count - 1
                guard arrays[name]![last][key] == nil else {
                    throw ParseError(line: number, reason: "key '\(key)' set twice")
                }
                arrays[name]![last][key] = value
            }
        }
    }

    static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
    }

    /// Removes a `#` comment that is not inside a string.
    static func stripComment(_ line: String) -> String {
        var inString = false
        var escaped = false
        for (index, character) in zip(line.indices, line) {
            if escaped {
                escaped = false
                continue
            }
            if character == "\\" && inString {
                escaped = true
                continue
            }
            if character == "\"" { inString.toggle() }
            if character == "#" && !inString { return String(line[..<index]) }
        }
        return line
    }

    static func parseValue(_ text: String, line: Int) throws(ParseError) -> Value {
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if text.first == "\"" { return .string(try parseString(text, line: line)) }
        if text.first == "[" {
            guard text.last == "]" else { throw ParseError(line: line, reason: "unterminated array") }
            let inner = String(text.dropFirst().dropLast()).trimmingSpaces()
            if inner.isEmpty { return .strings([]) }
            var items: [String] = []
            for part in splitArray(inner) {
                let item = part.trimmingSpaces()
                if item.isEmpty { continue }  // a trailing comma
                // Bare integers are read as their decimal text ([1, 2, 3] for node ids).
                if let number = Int64(item.replacingUnderscores()) {
                    items.append(String(number))
                    continue
                }
                items.append(try parseString(item, line: line))
            }
            return .strings(items)
        }
        let digits = text.replacingUnderscores()
        guard let number = Int64(digits) else { throw ParseError(line: line, reason: "cannot read value '\(text)'") }
        return .integer(number)
    }

    static func splitArray(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inString = false
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
                current.append(character)
                continue
            }
            if character == "\\" && inString {
                escaped = true
                current.append(character)
                continue
            }
            if character == "\"" { inString.toggle() }
            if character == "," && !inString {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }

    static func parseString(_ text: String, line: Int) throws(ParseError) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else {
            throw ParseError(line: line, reason: "expected a \"quoted string\", got \(text)")
        }
        var out = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                default: throw ParseError(line: line, reason: "unknown escape \\\(character)")
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                throw ParseError(line: line, reason: "unescaped quote inside a string")
            } else {
                out.append(character)
            }
        }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start] == " " || scalars[start] == "\t" || scalars[start] == "\r" {
            start = scalars.index(after: start)
        }
        while end > start {
            let before = scalars.index(before: end)
            guard scalars[before] == " " || scalars[before] == "\t" || scalars[before] == "\r" else { break }
            end = before
        }
        return String(scalars[start..<end])
    }

    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

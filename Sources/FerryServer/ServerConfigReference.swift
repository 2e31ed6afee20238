/// The key table as people read it: docs/configuration.md's key and flag tables (a test compares them with
/// the file) and the list of settings in `ferryd --help`.
extension ServerConfigKey {
    /// The `| Key | Default | Range | Meaning |` table of one section.
    public static func referenceMarkdown(_ section: Section) -> String {
        var text = "| Key | Default | Range | Meaning |\n|---|---|---|---|\n"
        for key in all where key.section == section {
            let meaning = [key.help, key.details].compactMap { $0 }.joined(separator: " ")
            text += "| `\(key.displayName)` | \(key.defaultText) | \(key.rangeText) | \(meaning) |\n"
        }
        return text
    }

    /// The `| Flag | Overrides |` table of the keys that have a flag.
    public static func flagsMarkdown() -> String {
        var text = "| Flag | Overrides |\n|---|---|\n"
        for key in all {
            guard let flag = key.flag else { continue }
            let value = flag.takesValue ? " \(key.flagValueName)" : ""
            let sets = flag.takesValue ? "`\(key.name)`" : "`\(key.name) = true`"
            let note = flag.note.map { ". \($0)" } ?? ""
            text += "| `--\(key.flagName)\(value)` | \(sets)\(note) |\n"
        }
        return text
    }

    /// `ferryd --help`'s list of settings: each key with its default, range and help, in plain text.
    public static func helpText() -> String {
        var text = ""
        for section in Section.allCases {
            text += "\(section.rawValue):\n"
            for key in all where key.section == section {
                let range = key.rangeText.isEmpty ? "" : "; \(key.rangeText)"
                text += "  \(key.displayName) (\(key.defaultText)\(range)): \(key.help)\n"
            }
        }
        return text.withoutBackticks()
    }

    /// `[peers]`, `[[credentials]]`, or the key's name.
    var displayName: String {
        switch kind {
        case .table: return "[\(name)]"
        case .arrayOfTables: return "[[\(name)]]"
        default: return name
        }
    }

    var defaultText: String {
        switch defaultValue {
        case .required: return "required"
        case .none: return "none"
        case .integer(let n): return isBytes ? "\(groupedDigits(n)) (\(Self.bytesText(n)))" : groupedDigits(n)
        case .boolean(let value): return "`\(value)`"
        case .string(let value): return "`\(value)`"
        case .derived(let text): return text
        }
    }

    /// The kind's range, then the `rule`.
    var rangeText: String {
        let kindText: String
        switch kind {
        case .integer(let range, let bytes):
            let format = bytes ? Self.bytesText : groupedDigits
            kindText = "\(format(range.lowerBound))-\(format(range.upperBound))"
        case .boolean: kindText = "`true` / `false`"
        case .string: kindText = "string"
        case .choice(let values): kindText = values.map { "`\($0)`" }.joined(separator: " / ")
        case .address: kindText = "`host:port`"
        case .url: kindText = "`http://` or `https://` URL; trailing `/` dropped"
        case .accountID: kindText = "12 digits"
        case .nodeID: kindText = "positive integer"
        case .nodeIDs: kindText = "array of node ids"
        case .path: kindText = "path"
        case .table: kindText = "table"
        case .arrayOfTables: kindText = "array of tables"
        }
        return [kindText, rule].compactMap { $0 }.joined(separator: ", ")
    }

    /// The placeholder after the flag: `N`, `PATH`, `HOST:PORT`... (no `|`: it would split a table cell)
    var flagValueName: String {
        switch kind {
        case .integer, .nodeID: return "N"
        case .boolean: return "true/false"
        case .address: return "HOST:PORT"
        case .url: return "URL"
        case .path: return "PATH"
        case .choice(let values): return values.joined(separator: "/")
        default: return "TEXT"
        }
    }

    private var isBytes: Bool {
        if case .integer(_, bytes: true) = kind { return true }
        return false
    }

    /// `16 MiB`, `64 GiB`; plain bytes when not a whole number of MiB.
    static func bytesText(_ bytes: Int) -> String {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(groupedDigits(bytes >> 30)) GiB" }
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(groupedDigits(bytes >> 20)) MiB" }
        return "\(groupedDigits(bytes)) bytes"
    }
}

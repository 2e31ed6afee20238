/// Reads top-level settings by their `ServerConfigKey`: the entry's default when the key is absent, its kind's
/// check (and range) when present, with the error messages operators and tests know.
struct ServerConfigReader {
    typealias ConfigError = ServerConfig.ConfigError

    /// The file's top-level keys with the flags' overrides applied.
    var root: [String: ConfigFile.Value]

    /// Any top-level key that no entry declares (the caller also checks tables and arrays).
    func checkNoUnknownKeys() throws(ConfigError) {
        let declared = Set(ServerConfigKey.all.filter { !$0.isTable }.map(\.name))
        for key in root.keys.sorted() where !declared.contains(key) { throw .unknownKey(key) }
    }

    /// The value as text (a bare integer is its decimal text, as a flag gives it), or the string default.
    func string(_ key: ServerConfigKey) throws(ConfigError) -> String? {
        switch root[key.name] {
        case nil:
            if case .string(let value) = key.defaultValue { return value }
            return nil
        case .string(let s)?: return s
        case .integer(let n)?: return String(n)
        default: throw .invalid("'\(key.name)' must be a string")
        }
    }

    func requiredString(_ key: ServerConfigKey) throws(ConfigError) -> String {
        guard let value = try string(key) else { throw .missing(key.name) }
        return value
    }

    func integer(_ key: ServerConfigKey) throws(ConfigError) -> Int {
        guard case .integer(let range, _) = key.kind, case .integer(let defaultValue) = key.defaultValue else {
            preconditionFailure("\(key.name) is not declared as an integer with a default")
        }
        switch root[key.name] {
        case nil: return defaultValue
        case .integer(let n)? where range.contains(Int(n)): return Int(n)
        default: throw .invalid("'\(key.name)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    func boolean(_ key: ServerConfigKey) throws(ConfigError) -> Bool {
        guard case .boolean(let defaultValue) = key.defaultValue else {
            preconditionFailure("\(key.name) is not declared as a boolean with a default")
        }
        switch root[key.name] {
        case nil: return defaultValue
        case .bool(let value)?: return value
        case .string("true")?: return true  // from a flag
        case .string("false")?: return false
        default: throw .invalid("\(key.name) must be true or false")
        }
    }

    /// One of the key's allowed values, as `Choice`.
    func choice<Choice: RawRepresentable>(_ key: ServerConfigKey) throws(ConfigError) -> Choice
    where Choice.RawValue == String {
        guard case .choice(let allowed) = key.kind else {
            preconditionFailure("\(key.name) is not declared as a choice")
        }
        guard let text = try string(key), allowed.contains(text), let value = Choice(rawValue: text) else {
            throw .invalid("\(key.name) must be " + allowed.map { "\"\($0)\"" }.joined(separator: " or "))
        }
        return value
    }

    func address(_ key: ServerConfigKey) throws(ConfigError) -> ServerConfig.Address? {
        try string(key).map { text throws(ConfigError) in try ServerConfig.Address(parsing: text) }
    }

    func requiredAddress(_ key: ServerConfigKey) throws(ConfigError) -> ServerConfig.Address {
        try ServerConfig.Address(parsing: try requiredString(key))
    }

    /// A positive integer. Anything but an integer reads as missing, as it always has.
    func nodeID(_ key: ServerConfigKey) throws(ConfigError) -> UInt64 {
        guard case .integer(let id)? = root[key.name] else { throw .missing(key.name) }
        guard id > 0 else { throw .invalid("\(key.name) must be a positive integer") }
        return UInt64(id)
    }

    /// The URL without trailing `/`, or `derived` when absent.
    func url(_ key: ServerConfigKey, derived: String) throws(ConfigError) -> String {
        var url = try string(key) ?? derived
        while url.hasSuffix("/") { url.removeLast() }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .invalid("\(key.name) must start with http:// or https://")
        }
        return url
    }

    func accountID(_ key: ServerConfigKey) throws(ConfigError) -> String {
        guard let account = try string(key), ServerConfig.isAccountID(account) else {
            throw .invalid("\(key.name) must be 12 digits")
        }
        return account
    }
}

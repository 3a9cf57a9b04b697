/// One problem that keeps a configuration file from being used: where it is (section, key, value, line) and what
/// is wrong.
///
/// Parsing collects every error of a file (``ConfigurationResult/errors``) instead of stopping at the first one, as
/// oslo.config does (it raises on the first `ParseError` or `ConfigFileValueError`). The text of ``description`` is
/// what the daemon prints, for example:
///
/// ```
/// [BGP] my_as = 70000x (line 4): not an integer in 1...4294967295
/// [BGP] local_address missing (required)
/// [BGP_PEER 10.0.0.300] (line 12): "10.0.0.300" is not an IPv4 or IPv6 address
/// ```
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Kind: Hashable, Sendable {
        /// The INI text itself is malformed (oslo.config's `ParseError`).
        case syntax
        /// A required option is absent (oslo.config's `RequiredOptError`).
        case missing
        /// A value does not have the option's type or range (oslo.config's `ConfigFileValueError`).
        case invalidValue
        /// Two settings contradict each other.
        case conflict
    }

    public var kind: Kind
    /// The section as written in the file (`BGP`, `BGP_PEER 10.0.0.2`), or its canonical name when it is absent.
    public var section: String?
    /// The option name, when the problem is about one option.
    public var key: String?
    /// The value as written, when it helps; never set for secrets (`md5_password`).
    public var value: String?
    /// 1-based line number in the file.
    public var line: Int?
    /// What is wrong, in words.
    public var problem: String

    public init(
        _ kind: Kind, section: String? = nil, key: String? = nil, value: String? = nil, line: Int? = nil,
        problem: String
    ) {
        self.kind = kind
        self.section = section
        self.key = key
        self.value = value
        self.line = line
        self.problem = problem
    }

    /// A required option that is not set.
    static func missing(section: String, key: String) -> ConfigurationError {
        ConfigurationError(.missing, section: section, key: key, problem: "missing (required)")
    }

    /// `[BGP] my_as = 70000x (line 4): not an integer in 1...4294967295`.
    public var description: String {
        let place = ConfigurationLocation.text(section: section, key: key, value: value, line: line)
        return kind == .missing ? "\(place) \(problem)" : "\(place): \(problem)"
    }
}

/// Something in a configuration file that is accepted but probably not what was meant: an unknown option or
/// section (oslo.config ignores them silently), a repeated key (the last one wins, as in oslo.config), a deprecated
/// or legacy name, a setting that has no effect.
public struct ConfigurationWarning: Hashable, Sendable, CustomStringConvertible {
    public var section: String?
    public var key: String?
    public var line: Int?
    public var message: String

    public init(section: String? = nil, key: String? = nil, line: Int? = nil, message: String) {
        self.section = section
        self.key = key
        self.line = line
        self.message = message
    }

    /// `[BGP] my_sa (line 7): unknown option, ignored (did you mean my_as?)`.
    public var description: String {
        "\(ConfigurationLocation.text(section: section, key: key, value: nil, line: line)): \(message)"
    }
}

/// Formats where a diagnostic points: `[SECTION] key = value (line N)`, leaving out what is unknown.
enum ConfigurationLocation {
    static func text(section: String?, key: String?, value: String?, line: Int?) -> String {
        var parts: [String] = []
        if let section { parts.append("[\(section)]") }
        if let key { parts.append(key) }
        if let value { parts.append("= \(shown(value))") }
        if let line { parts.append(parts.isEmpty ? "line \(line)" : "(line \(line))") }
        return parts.joined(separator: " ")
    }

    /// The value as written, quoted only when it would otherwise be invisible or span lines.
    static func shown(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty || value.contains("\n") || value.first!.isWhitespace || value.last!.isWhitespace
        guard needsQuotes else { return value }
        return "\"" + value.replacingNewlines() + "\""
    }
}

extension String {
    /// The text with line breaks shown as `\n`, for one-line messages.
    func replacingNewlines() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
    }
}

/// Everything parsing a configuration produced: the configuration when there is no error, every error, and every
/// warning.
public struct ConfigurationResult: Sendable {
    /// The configuration; `nil` exactly when ``errors`` is not empty.
    public var configuration: BGPConfiguration?
    /// All errors, in file order (errors without a line, like missing options, last).
    public var errors: [ConfigurationError]
    /// All warnings, in file order.
    public var warnings: [ConfigurationWarning]

    public init(configuration: BGPConfiguration?, errors: [ConfigurationError], warnings: [ConfigurationWarning]) {
        self.configuration = configuration
        self.errors = errors
        self.warnings = warnings
    }

    /// The configuration, or a ``ConfigurationFailure`` holding every error and warning.
    public func get() throws(ConfigurationFailure) -> BGPConfiguration {
        guard let configuration, errors.isEmpty else {
            throw ConfigurationFailure(errors: errors, warnings: warnings)
        }
        return configuration
    }
}

/// The error thrown when a configuration has errors: all of them, and the warnings found along the way.
public struct ConfigurationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]
    public var warnings: [ConfigurationWarning]

    public init(errors: [ConfigurationError], warnings: [ConfigurationWarning]) {
        self.errors = errors
        self.warnings = warnings
    }

    /// One error per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Errors and warnings collected while reading a file.
struct Diagnostics: Sendable {
    var errors: [ConfigurationError] = []
    var warnings: [ConfigurationWarning] = []

    mutating func error(_ error: ConfigurationError) { errors.append(error) }

    mutating func warn(section: String? = nil, key: String? = nil, line: Int? = nil, _ message: String) {
        warnings.append(ConfigurationWarning(section: section, key: key, line: line, message: message))
    }

    mutating func append(_ other: Diagnostics) {
        errors += other.errors
        warnings += other.warnings
    }

    /// Errors and warnings in file order; those without a line keep their order, after the others.
    func sorted() -> Diagnostics {
        func order<T>(_ items: [T], line: (T) -> Int?) -> [T] {
            items.enumerated().sorted { a, b in
                let (la, lb) = (line(a.element) ?? Int.max, line(b.element) ?? Int.max)
                return la != lb ? la < lb : a.offset < b.offset
            }.map(\.element)
        }
        return Diagnostics(errors: order(errors, line: \.line), warnings: order(warnings, line: \.line))
    }
}

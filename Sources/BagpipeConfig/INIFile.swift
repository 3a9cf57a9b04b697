/// An INI file read the way oslo.config reads bagpipe-bgp's `bgp.conf` (bagpipe-bgp.md §7.1, §7.2).
///
/// The rules follow oslo.config's `iniparser.BaseParser` and `cfg.ConfigParser`:
///
/// * Lines end at `\n`, `\r\n` or `\r`; trailing whitespace is dropped. A leading byte-order mark is ignored.
/// * `[NAME]` starts a section. The name is everything between the brackets, spaces included. Section names are
///   matched without regard to case (oslo.config's `_normalize_group_name` lower-cases them), except `DEFAULT`,
///   which only matches in upper case: `[bgp]` is the `[BGP]` section, `[default]` is not `[DEFAULT]`. A section
///   that appears twice is one section (its keys are merged; a warning says so).
/// * `key = value` or `key: value`: whichever of `=` and `:` comes first separates them. Key and value are trimmed,
///   and one pair of matching quotes (`"…"` or `'…'`) around the value is removed. Keys are case-sensitive.
/// * Lines starting with `#` or `;` are comments. There are no inline comments: in `my_as = 64512 # ours` the
///   value is `64512 # ours`.
/// * A line starting with a space or a tab continues the value above it; the pieces are joined with `\n`. A blank
///   line or any unindented line ends the value.
/// * A key given twice in a section: the last value wins, as in oslo.config; the parser adds a warning.
/// * `[DEFAULT]` is an ordinary section here. In oslo.config it holds options registered without a group (for
///   bagpipe-bgp, oslo.log's `debug`, `log_file`, …); unlike Python's `configparser`, its values are **not**
///   inherited by other sections.
///
/// Where oslo.config stops at the first syntax error, this parser reports every one and carries on: after a bad
/// section header, the assignments up to the next good header are skipped.
///
/// Differences (leniencies) from oslo.config: an indented comment line where no value is being continued is
/// accepted with a warning (oslo.config raises "Unexpected continuation line").
public struct INIFile: Hashable, Sendable {
    /// One `key = value` assignment.
    public struct Entry: Hashable, Sendable {
        public var key: String
        /// The value, continuation lines joined with `\n`.
        public var value: String
        /// The line of the key.
        public var line: Int

        public init(key: String, value: String, line: Int) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// A section: all the assignments under its header(s), in file order.
    public struct Section: Hashable, Sendable {
        /// The name as first written between the brackets.
        public var name: String
        /// The line of its first header.
        public var line: Int
        /// Every assignment, repeated keys included, in file order.
        public var entries: [Entry]

        public init(name: String, line: Int, entries: [Entry] = []) {
            self.name = name
            self.line = line
            self.entries = entries
        }

        /// The assignment that counts for `key`: the last one.
        public subscript(key: String) -> Entry? { entries.last { $0.key == key } }

        /// The keys set, each once, in order of first appearance.
        public var keys: [String] {
            var seen: Set<String> = []
            return entries.map(\.key).filter { seen.insert($0).inserted }
        }
    }

    /// Sections in order of first appearance.
    public private(set) var sections: [Section] = []
    /// Syntax errors, in line order.
    public private(set) var errors: [ConfigurationError] = []
    /// Repeated keys and sections, indented comments, in line order.
    public private(set) var warnings: [ConfigurationWarning] = []

    /// The name sections are matched by (oslo.config's `_normalize_group_name`).
    public static func normalizedName(_ name: some StringProtocol) -> String {
        name == "DEFAULT" ? "DEFAULT" : name.lowercased()
    }

    /// The section called `name` (matched as oslo.config matches group names).
    public func section(_ name: String) -> Section? {
        let wanted = Self.normalizedName(name)
        return sections.first { Self.normalizedName($0.name) == wanted }
    }

    /// Parses `text`, collecting every syntax error.
    public init(parsing text: String) {
        var parser = Parser()
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        let lines = body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, line) in lines.enumerated() {
            parser.read(line, number: index + 1)
        }
        parser.flush()
        sections = parser.sections
        errors = parser.errors
        warnings = parser.warnings
    }
}

extension INIFile {
    /// The line-by-line state machine of oslo.config's `BaseParser.parse`.
    private struct Parser {
        enum Target {
            /// No header seen yet.
            case none
            /// After a malformed header: assignments are skipped until the next good one.
            case invalid
            case section(Int)
        }

        enum Pending {
            case none
            /// An assignment whose value may continue on the next lines.
            case assignment(key: String, value: [String], line: Int)
            /// An assignment already reported as an error: its continuation lines are skipped.
            case discarded
        }

        var sections: [Section] = []
        var errors: [ConfigurationError] = []
        var warnings: [ConfigurationWarning] = []
        var target = Target.none
        var pending = Pending.none

        var sectionName: String? {
            if case .section(let i) = target { return sections[i].name }
            return nil
        }

        mutating func read(_ raw: Substring, number: Int) {
            let line = raw.trimmingTrailingWhitespace()
            if line.isEmpty {
                flush()
                return
            }
            if line.first == " " || line.first == "\t" {
                continuation(line, number: number)
                return
            }
            flush()
            if line.first == "[" {
                header(line, number: number)
            } else if line.first == "#" || line.first == ";" {
                return
            } else {
                assignment(line, number: number)
            }
        }

        mutating func continuation(_ line: Substring, number: Int) {
            let text = line.trimmingLeadingWhitespace()
            switch pending {
            case .assignment(let key, let value, let keyLine):
                pending = .assignment(key: key, value: value + [String(text)], line: keyLine)
            case .discarded:
                break
            case .none:
                if text.first == "#" || text.first == ";" {
                    warnings.append(
                        ConfigurationWarning(
                            section: sectionName, line: number,
                            message: "indented comment line (oslo.config rejects it as an unexpected continuation line)"
                        ))
                } else {
                    syntaxError(
                        number, "\"\(text)\" is indented (a continuation line) but no option comes before it")
                }
            }
        }

        mutating func header(_ line: Substring, number: Int) {
            guard line.last == "]" else {
                syntaxError(number, "\"\(line)\" is not a section header (it must end with \"]\")")
                target = .invalid
                return
            }
            guard line.count > 2 else {
                syntaxError(number, "empty section name")
                target = .invalid
                return
            }
            let name = String(line.dropFirst().dropLast())
            let normalized = normalizedName(name)
            if let i = sections.firstIndex(where: { normalizedName($0.name) == normalized }) {
                warnings.append(
                    ConfigurationWarning(
                        section: name, line: number,
                        message: "section repeated (first at line \(sections[i].line)); their options are merged"))
                target = .section(i)
            } else {
                sections.append(Section(name: name, line: number))
                target = .section(sections.count - 1)
            }
        }

        mutating func assignment(_ line: Substring, number: Int) {
            let separator = line.firstIndex { $0 == "=" || $0 == ":" }
            guard let separator else {
                syntaxError(number, "\"\(line)\" has no \"=\" or \":\" (not an assignment, section or comment)")
                pending = .discarded
                return
            }
            let key = String(line[..<separator].trimmingTrailingWhitespace())
            guard !key.isEmpty else {
                syntaxError(number, "\"\(line)\" has an empty option name")
                pending = .discarded
                return
            }
            var value = line[line.index(after: separator)...].trimmingLeadingWhitespace().trimmingTrailingWhitespace()
            if let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            switch target {
            case .section:
                pending = .assignment(key: key, value: [String(value)], line: number)
            case .invalid:
                pending = .discarded
            case .none:
                errors.append(
                    ConfigurationError(
                        .syntax, key: key, line: number, problem: "assignment before any [section] header"))
                pending = .discarded
            }
        }

        /// Stores the pending assignment (oslo.config's `_assignment`).
        mutating func flush() {
            defer { pending = .none }
            guard case .assignment(let key, let value, let line) = pending, case .section(let i) = target else {
                return
            }
            if let previous = sections[i][key] {
                warnings.append(
                    ConfigurationWarning(
                        section: sections[i].name, key: key, line: line,
                        message: "set again (also at line \(previous.line)); the last value wins"))
            }
            sections[i].entries.append(Entry(key: key, value: value.joined(separator: "\n"), line: line))
        }

        mutating func syntaxError(_ line: Int, _ problem: String) {
            errors.append(ConfigurationError(.syntax, section: sectionName, line: line, problem: problem))
        }

        func normalizedName(_ name: String) -> String { INIFile.normalizedName(name) }
    }
}

extension StringProtocol {
    func trimmingTrailingWhitespace() -> SubSequence {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[startIndex..<end]
    }

    func trimmingLeadingWhitespace() -> SubSequence {
        var start = startIndex
        while start < endIndex, self[start].isWhitespace { start = index(after: start) }
        return self[start..<endIndex]
    }

    func trimmed() -> SubSequence { trimmingLeadingWhitespace().trimmingTrailingWhitespace() }
}

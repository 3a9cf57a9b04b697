/// Reads the typed options of one section: records an error for each bad value and remembers which keys were
/// read, so that the others can be reported as unknown.
struct SectionReader {
    let section: INIFile.Section?
    /// The name diagnostics use: as written in the file, or the canonical name when the section is absent.
    let name: String
    var used: Set<String> = []
    /// Keys whose value was refused: checks that depend on them are skipped, so one mistake gives one error.
    private(set) var failed: Set<String> = []

    init(_ file: INIFile, _ canonicalName: String) {
        section = file.section(canonicalName)
        name = section?.name ?? canonicalName
    }

    init(_ section: INIFile.Section) {
        self.section = section
        name = section.name
    }

    /// The assignment that counts for `key`, if any; marks the key as known.
    mutating func entry(_ key: String) -> INIFile.Entry? {
        used.insert(key)
        return section?[key]
    }

    /// The value of `key`; `nil` when absent or empty (an empty value leaves an optional string unset).
    mutating func optionalString(_ key: String) -> String? {
        guard let entry = entry(key), !entry.value.isEmpty else { return nil }
        return entry.value
    }

    /// The converted value of `key`: `nil` when it is absent or refused (then an error is recorded).
    mutating func read<T>(
        _ key: String, _ diagnostics: inout Diagnostics, secret: Bool = false,
        _ convert: (String) -> Result<T, ValueProblem>
    ) -> T? {
        guard let entry = entry(key) else { return nil }
        switch convert(entry.value) {
        case .success(let value):
            return value
        case .failure(let problem):
            diagnostics.error(invalid(entry, problem, secret: secret))
            return nil
        }
    }

    /// Like ``read(_:_:secret:_:)``, but an empty value means unset (`nil`), without error.
    mutating func readOptional<T>(
        _ key: String, _ diagnostics: inout Diagnostics, _ convert: (String) -> Result<T, ValueProblem>
    ) -> T? {
        guard let entry = entry(key), !entry.value.isEmpty else { return nil }
        return read(key, &diagnostics, convert)
    }

    /// The items of list option `key`, converted one by one; one error per refused or empty item.
    mutating func readList<T>(
        _ key: String, _ diagnostics: inout Diagnostics, _ convert: (String) -> Result<T, ValueProblem>
    ) -> [T]? {
        guard let entry = entry(key) else { return nil }
        var values: [T] = []
        for item in OptionValue.list(entry.value) {
            switch item.isEmpty ? .failure(ValueProblem("empty item in the list")) : convert(item) {
            case .success(let value): values.append(value)
            case .failure(let problem): diagnostics.error(invalid(entry, problem))
            }
        }
        return values
    }

    /// A refused value of `entry`, with a hint when it looks like an inline comment.
    mutating func invalid(_ entry: INIFile.Entry, _ problem: ValueProblem, secret: Bool = false) -> ConfigurationError {
        failed.insert(entry.key)
        var text = problem.text
        if !secret, entry.value.contains("#") || entry.value.contains(";") {
            text += " (oslo.config has no inline comments: all the text after \"=\" is the value)"
        }
        return ConfigurationError(
            .invalidValue, section: name, key: entry.key, value: secret ? nil : entry.value, line: entry.line,
            problem: text)
    }

    /// An error about the setting of `entry` contradicting another one.
    func conflict(_ entry: INIFile.Entry, secret: Bool = false, _ problem: String) -> ConfigurationError {
        ConfigurationError(
            .conflict, section: name, key: entry.key, value: secret ? nil : entry.value, line: entry.line,
            problem: problem)
    }

    /// Warns about every key nobody read (oslo.config ignores unknown options silently), suggesting a known key
    /// that is spelled alike.
    func warnUnknownKeys(_ diagnostics: inout Diagnostics, known: [String], what: String = "unknown option, ignored") {
        guard let section else { return }
        for key in section.keys where !used.contains(key) {
            let hint = Self.suggestion(for: key, among: known).map { " (did you mean \($0)?)" } ?? ""
            diagnostics.warn(section: name, key: key, line: section[key]?.line, what + hint)
        }
    }

    /// The known key closest to `key`: same up to case and `-`/`_`, or at most two edits away.
    static func suggestion(for key: String, among known: [String]) -> String? {
        func folded(_ s: String) -> [Character] { Array(s.lowercased().map { $0 == "-" ? "_" : $0 }) }
        let wanted = folded(key)
        let scored = known.map { ($0, editDistance(wanted, folded($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance, counting an exchange of two neighbours as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

/// Writes INI text that ``INIFile`` (and oslo.config) reads back to the same values.
struct INIWriter {
    private(set) var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func blank() {
        if let last = lines.last, !last.isEmpty { lines.append("") }
    }

    mutating func comment(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(line.isEmpty ? "#" : "# \(line)")
        }
    }

    mutating func section(_ name: String) {
        blank()
        lines.append("[\(name)]")
    }

    /// `key = value`, commented out (`#key = value`) when `isDefault`, after its `help` comment.
    mutating func option(_ key: String, _ value: String, isDefault: Bool = false, help: String? = nil) {
        if let help {
            if lines.last?.first != "[" { blank() }
            comment(help)
        }
        let text = Self.format(value)
        lines.append((isDefault ? "#" : "") + key + (text.isEmpty ? " =" : " = \(text)"))
    }

    /// The value as it must be written to read back as `value`: wrapped in double quotes when its first or last
    /// character is white space, or when it is itself wrapped in matching quotes (the reader removes one pair);
    /// further lines become continuation lines (those round-trip when they have no surrounding white space and are
    /// not empty).
    static func format(_ value: String) -> String {
        let pieces = value.split(separator: "\n", omittingEmptySubsequences: false)
        var first = String(pieces[0])
        if let head = first.first, let tail = first.last,
            head.isWhitespace || tail.isWhitespace || ((head == "\"" || head == "'") && head == tail)
        {
            first = "\"\(first)\""
        }
        return ([first] + pieces.dropFirst().map { "    \($0)" }).joined(separator: "\n")
    }

    /// Whether `key` can be written as an option name that reads back as itself.
    static func isWritableKey(_ key: String) -> Bool {
        guard let head = key.first, let tail = key.last else { return false }
        return !head.isWhitespace && !tail.isWhitespace && !"[#;".contains(head)
            && !key.contains { $0 == "=" || $0 == ":" || $0.isNewline }
    }
}

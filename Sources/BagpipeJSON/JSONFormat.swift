/// How JSON text is laid out. RFC 8259 allows white space around structural characters (§2), any member order
/// (§4) and escaping any character (§7); the users differ on each, and their outputs are pinned.
public struct JSONFormat: Sendable, Hashable {
    /// Spaces after `,` and `:` on one line, as Python's `json.dumps` writes them (`", "` and `": "`).
    public var spaced: Bool
    /// Members and elements on their own lines, indented by this many spaces per level (`": "` after names).
    public var indent: Int?
    /// Object members in sorted key order instead of insertion order.
    public var sortedKeys: Bool
    /// Everything outside printable ASCII escaped as `\u` + 4 hex digit UTF-16 units (Python's `ensure_ascii`).
    public var asciiOnly: Bool
    /// NaN and infinities as Python writes them (`NaN`, `Infinity`, `-Infinity`); otherwise `null`. Neither is
    /// JSON (§6), but only a caller's own values can hold them.
    public var pythonNonFinite: Bool

    public init(
        spaced: Bool = false, indent: Int? = nil, sortedKeys: Bool = false, asciiOnly: Bool = false,
        pythonNonFinite: Bool = false
    ) {
        self.spaced = spaced
        self.indent = indent
        self.sortedKeys = sortedKeys
        self.asciiOnly = asciiOnly
        self.pythonNonFinite = pythonNonFinite
    }

    /// No white space at all.
    public static let compact = JSONFormat()
}

extension JSONValue {
    /// The JSON text of this value in `format`.
    public func text(_ format: JSONFormat) -> String {
        var out = ""
        write(to: &out, format, level: 0)
        return out
    }

    private func write(to out: inout String, _ format: JSONFormat, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d):
            if d.isFinite {
                out += d.description
            } else if format.pythonNonFinite {
                out += d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity")
            } else {
                out += "null"
            }
        case .string(let s): Self.writeString(s, to: &out, asciiOnly: format.asciiOnly)
        case .array(let a):
            Self.writeContainer(a, open: "[", close: "]", to: &out, format, level: level) { out, e in
                e.write(to: &out, format, level: level + 1)
            }
        case .object(let o):
            let keys = format.sortedKeys ? o.keys.sorted() : o.keys
            Self.writeContainer(keys, open: "{", close: "}", to: &out, format, level: level) { out, k in
                Self.writeString(k, to: &out, asciiOnly: format.asciiOnly)
                out += format.spaced || format.indent != nil ? ": " : ":"
                o[k]!.write(to: &out, format, level: level + 1)
            }
        }
    }

    private static func writeContainer<E>(
        _ elements: [E], open: String, close: String, to out: inout String, _ format: JSONFormat, level: Int,
        _ element: (inout String, E) -> Void
    ) {
        out += open
        guard !elements.isEmpty else {
            out += close
            return
        }
        let padding = format.indent.map { String(repeating: " ", count: $0) } ?? ""
        func newline(_ level: Int) {
            guard format.indent != nil else { return }
            out += "\n" + String(repeating: padding, count: level)
        }
        for (n, e) in elements.enumerated() {
            if n > 0 { out += format.spaced && format.indent == nil ? ", " : "," }
            newline(level + 1)
            element(&out, e)
        }
        newline(level)
        out += close
    }

    /// §7: quotation mark, reverse solidus and the control characters must be escaped; the two-character forms
    /// are used where they exist, `\u00XX` (lower-case hex, as Python writes it) for the other controls.
    static func writeString(_ s: String, to out: inout String, asciiOnly: Bool) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}": writeUnit(UInt16(u.value), to: &out)
            case "\u{20}"..."\u{7E}": out.unicodeScalars.append(u)
            default:
                if asciiOnly {
                    for unit in String(u).utf16 { writeUnit(unit, to: &out) }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    private static func writeUnit(_ unit: UInt16, to out: inout String) {
        let hex = String(unit, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

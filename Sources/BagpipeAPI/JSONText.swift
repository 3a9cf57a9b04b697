extension JSONValue {
    /// The JSON text as Python's `json.dumps` writes it with its defaults, as the original server and clients do:
    /// `", "` and `": "` separators, non-ASCII escaped as `\u` + 4 hex digits.
    public var jsonText: String { text(Self.pythonDumps) }

    static let pythonDumps = JSONFormat(spaced: true, asciiOnly: true, pythonNonFinite: true)

    /// Python's `repr(float)`: always a decimal point or exponent.
    static func pythonFloat(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity") }
        return d.description
    }

    /// The value as Python's `repr` prints the decoded object, which the original puts in some error messages
    /// (for example the two local ports of "MAC address cannot be bound to two different ports").
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return Self.pythonFloat(d)
        case .string(let s): return Self.pythonStringRepr(s)
        case .array(let a): return "[" + a.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.map { Self.pythonStringRepr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ")
                + "}"
        }
    }

    static func pythonStringRepr(_ s: String) -> String {
        "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}

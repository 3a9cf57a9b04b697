/// Neutron's JSON text: the strict parser and compact serializer with sorted keys (the order Neutron's samples
/// show), both `BagpipeJSON`'s with the server's settings.
public typealias JSONParseError = JSONSyntaxError

extension JSON {
    /// RFC 8259 without extensions: no byte order mark, no lone surrogates; 64 levels are plenty for Neutron.
    static let neutronOptions = JSONParseOptions(maxDepth: 64, replacesLoneSurrogates: false, skipsByteOrderMark: false)

    /// `", "` and `": "` between items, keys sorted, non-ASCII as is, non-finite numbers as null.
    static let neutronFormat = JSONFormat(spaced: true, sortedKeys: true)

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSON {
        try JSON(parsing: bytes, options: neutronOptions)
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try JSON(parsing: text, options: neutronOptions)
    }

    /// Compact serialization with keys sorted.
    public func serialized() -> String { text(Self.neutronFormat) }

    /// Python `repr()` of the decoded value: Neutron embeds it in some messages, e.g.
    /// "No valid key specs matched for: {'type': 'prefix', 'prefix': '20.1.0.1'}." (bgpvpn-api.md §3.2).
    public func pythonRepr() -> String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return "\(d)"
        case .string(let s):
            let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
            var r = String(quote)
            for c in s {
                if c == "\\" {
                    r += "\\\\"
                } else if c == quote {
                    r += "\\'"
                } else if c == "\n" {
                    r += "\\n"
                } else if c == "\t" {
                    r += "\\t"
                } else {
                    r.append(c)
                }
            }
            r.append(quote)
            return r
        case .array(let a): return "[" + a.map { $0.pythonRepr() }.joined(separator: ", ") + "]"
        case .object(let o):
            return "{"
                + o.pairs.map { "\(JSON.string($0.key).pythonRepr()): \($0.value.pythonRepr())" }
                .joined(separator: ", ") + "}"
        }
    }
}

/// The text `bagpipe-looking-glass` prints for a looking-glass answer (§7.4): two-space indentation, `* `
/// bullets for lists, `-` for empty values, `id (...)` for references; in recursive mode references under the
/// requested URL are fetched and printed in place.
public struct LookingGlassPrinter: Sendable {
    /// Fetches a URL: the HTTP status and, for 200, the decoded body.
    public typealias Fetch = @Sendable (_ url: String) async throws -> (status: Int, body: JSONValue?)

    public static let indentIncrement = 2

    let recursive: Bool
    let fetch: Fetch

    public init(recursive: Bool, fetch: @escaping Fetch) {
        self.recursive = recursive
        self.fetch = fetch
    }

    /// The whole output for `data`, fetched from `url`.
    public func render(_ data: JSONValue, url: String) async throws -> String {
        var out = ""
        _ = try await render(data, indent: 0, url: url, alreadyOnNewLine: true, into: &out)
        return out
    }

    /// Python's `str()` of a decoded JSON scalar, which the original prints.
    public static func scalarText(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .null: "None"
        case .bool(let b): b ? "True" : "False"
        default: v.jsonText
        }
    }

    /// Returns true when the value was printed over several lines.
    @discardableResult
    func render(
        _ data: JSONValue, indent: Int, url: String, alreadyOnNewLine: Bool, into out: inout String
    )
        async throws -> Bool
    {
        var alreadyOnNewLine = alreadyOnNewLine
        let pad = String(repeating: " ", count: indent)
        switch data {
        case .object(var o):
            var more = false
            if let id = o["id"], o["href"] != nil {
                out += Self.scalarText(id)
                o["id"] = nil
            }
            if case .string(let target)? = o["href"] {
                more = true
                if recursive, target.hasPrefix(url) {
                    let (status, body) = try await fetch(target)
                    if status == 200, let body {
                        try await render(
                            body, indent: indent + Self.indentIncrement, url: target, alreadyOnNewLine: false,
                            into: &out)
                        return true
                    }
                    out += " (ERROR \(status))\n"
                    return false
                }
                o["href"] = nil
                out += " (...)"
                alreadyOnNewLine = false
            }
            if !o.isEmpty {
                if !alreadyOnNewLine { out += "\n" }
                var first = true
                for (key, value) in o {
                    if !first || !alreadyOnNewLine { out += pad }
                    first = false
                    out += "\(key): "
                    try await render(
                        value, indent: indent + Self.indentIncrement, url: url, alreadyOnNewLine: false, into: &out)
                }
            } else {
                out += more ? "\n" : "-\n"
            }
            return false
        case .array(let a):
            guard !a.isEmpty else {
                out += "-\n"
                return false
            }
            if !alreadyOnNewLine {
                out += "\n"
                alreadyOnNewLine = true
            }
            for value in a {
                out += pad + "* "
                switch value {
                case .object, .array:
                    try await render(
                        value, indent: indent + Self.indentIncrement, url: url, alreadyOnNewLine: alreadyOnNewLine,
                        into: &out)
                default:
                    out += Self.scalarText(value) + "\n"
                }
                alreadyOnNewLine = true
            }
            return false
        default:
            var text = Self.scalarText(data)
            if case .string(let s) = data, s.contains("\n") {
                let trimmed = s.drop { $0 == "\n" }.reversed().drop { $0 == "\n" }.reversed()
                text = String(trimmed).replacing("\n", with: "\n" + pad)
                out += "\n" + pad
            }
            out += text + "\n"
            return false
        }
    }
}

/// Resolution of looking-glass paths against a tree of ``LookingGlassNode``s (§6.4), and its URLs.
public enum LookingGlass {
    /// The URL path under which the tree is served.
    public static let base = "looking-glass"

    /// Well-known places for absolute references (`lg.set_reference_path` in the original).
    public enum Reference: Sendable {
        case bgpWorkers, vpnInstances, dataplaneDrivers

        public var path: [String] {
            switch self {
            case .bgpWorkers: ["bgp", "workers"]
            case .vpnInstances: ["vpns", "instances"]
            case .dataplaneDrivers: ["vpns", "dataplane", "drivers"]
            }
        }
    }

    /// `<scheme>://<host>/looking-glass`, the root's URL for a request.
    public static func rootPrefix(scheme: String, host: String) -> String { "\(scheme)://\(host)/\(base)" }

    /// `prefix/<item>/<item>...` with each item URL-quoted, `/` included: the original left `/` unquoted, so an
    /// id containing one gave an href that did not resolve.
    public static func href(_ prefix: String, _ items: [String]) -> String {
        items.reduce(prefix) { $0 + "/" + quote($1, keepingSlash: false) }
    }

    /// The absolute URL of `reference` + `items`, from any URL inside the tree: hrefs always point at the same
    /// server (there is no cross-host redirection).
    public static func absolute(_ reference: Reference, _ items: [String] = [], from prefix: String) -> String {
        let root: String
        if let r = prefix.firstRange(of: base) {
            root = String(prefix[..<r.upperBound])
        } else {
            root = prefix
        }
        return href(root, reference.path + items)
    }

    /// Python's `urllib.parse.quote`: unreserved characters (and `/` when `keepingSlash`, its default) stay, the
    /// rest is %XX of UTF-8.
    public static func quote(_ s: String, keepingSlash: Bool = true) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: "/") where keepingSlash:
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count == 1 ? "0" : "") + h
            }
        }
        return out
    }

    /// Percent-decoding of a URL path segment; nil if an escape is malformed or the bytes are not UTF-8.
    public static func unquote(_ s: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else {
                    return nil
                }
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The answer for `path` below `node`, whose URL is `prefix`. Throws ``LookingGlassNotFound`` for a path that
    /// names nothing; errors from the nodes pass through (the server answers them with 500).
    public static func resolve(_ node: any LookingGlassNode, prefix: String, path: [String]) async throws -> JSONValue {
        let entries = try await node.entries()
        guard let first = path.first else {
            return .object(try await inlined(node, entries: entries, prefix: prefix))
        }
        let rest = Array(path.dropFirst())
        let firstPrefix = href(prefix, [first])
        if let entry = entries.last(where: { $0.name == first }) {
            switch entry.kind {
            case .value(let v):
                // The original returns a VALUE entry whole, whatever follows it in the path.
                return v
            case .forward(let target):
                return try await resolve(target, prefix: prefix, path: path)
            case .delegate(let target):
                return try await resolve(target, prefix: firstPrefix, path: rest)
            case .subitem(let f):
                return try lookup(try await f(), rest, prefix: firstPrefix)
            case .subtree(let f):
                return try lookup(try await f(firstPrefix), rest, prefix: firstPrefix)
            case .collection(let list, let item):
                guard let id = rest.first else {
                    return .array(
                        try await list().map { o in
                            var o = o
                            if case .string(let id)? = o["id"] {
                                o["href"] = .string(href(prefix, [first, id]))
                            } else if let id = o["id"] {
                                o["href"] = .string(href(prefix, [first, id.jsonText]))
                            }
                            return .object(o)
                        })
                }
                guard let target = try await item(id) else { throw LookingGlassNotFound(path: id, prefix: firstPrefix) }
                return try await resolve(target, prefix: href(firstPrefix, [id]), path: Array(rest.dropFirst()))
            }
        }
        let info = try await inlined(node, entries: entries, prefix: prefix)
        return try lookup(.object(info), path, prefix: firstPrefix)
    }

    /// Local info plus the entries: values and sub-items inlined, the others as hrefs.
    static func inlined(
        _ node: any LookingGlassNode, entries: [LookingGlassEntry], prefix: String
    ) async throws
        -> JSONObject
    {
        var info = try await node.localInfo(prefix: prefix)
        for e in entries {
            switch e.kind {
            case .value(let v): info[e.name] = v
            case .subitem(let f): info[e.name] = try await f()
            case .subtree, .forward, .delegate, .collection: info[e.name] = ["href": .string(href(prefix, [e.name]))]
            }
        }
        return info
    }

    /// Member lookup inside a computed answer (`_lookup_path`): the failing key is reported quoted, as Python
    /// printed its KeyError.
    static func lookup(_ value: JSONValue, _ path: [String], prefix: String) throws -> JSONValue {
        var v = value
        for key in path {
            guard case .object(let o) = v, let next = o[key] else {
                throw LookingGlassNotFound(path: JSONValue.pythonStringRepr(key), prefix: prefix)
            }
            v = next
        }
        return v
    }
}

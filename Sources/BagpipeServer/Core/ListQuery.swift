/// `fields`, filters, sorting and pagination of collection GETs (bgpvpn-api.md §1.5).
public struct ListQuery: Sendable, Equatable {
    public var fields: [String] = []
    public var filters: [(key: String, values: [String])] = []
    public var limit: Int?
    public var marker: String?
    public var pageReverse = false
    public var sortKeys: [String] = []
    public var sortDirs: [String] = []

    public static func == (a: ListQuery, b: ListQuery) -> Bool {
        a.fields == b.fields && a.limit == b.limit && a.marker == b.marker && a.pageReverse == b.pageReverse
            && a.sortKeys == b.sortKeys && a.sortDirs == b.sortDirs && a.filters.map(\.key) == b.filters.map(\.key)
            && a.filters.map(\.values) == b.filters.map(\.values)
    }

    /// `a=1&b=2&a=3` → ordered pairs, percent- and `+`-decoded.
    public static func pairs(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { item in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let u = s.utf8
        while i < u.endIndex {
            let c = u[i]
            if c == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if c == UInt8(ascii: "%"), let h1 = u.index(i, offsetBy: 1, limitedBy: u.endIndex), h1 < u.endIndex,
                let h2 = u.index(i, offsetBy: 2, limitedBy: u.endIndex), h2 < u.endIndex,
                let v = UInt8(String(decoding: [u[h1], u[h2]], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                i = u.index(after: h2)
                continue
            } else {
                bytes.append(c)
            }
            i = u.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses and validates; unknown keys become filters (ignored later if they name no attribute).
    public static func parse(_ query: String?, sortable: Set<String>) throws(NeutronError) -> ListQuery {
        var q = ListQuery()
        for (k, v) in pairs(query) {
            switch k {
            case "fields": q.fields.append(v)
            case "limit":
                guard let n = Int(v), n >= 0 else {
                    throw NeutronError(
                        status: 400, type: "BadRequest",
                        message: "Bad limit request: Limit must be an integer 0 or greater and not '\(v)'.")
                }
                q.limit = n == 0 ? nil : n
            case "marker": q.marker = v
            case "page_reverse": q.pageReverse = v.lowercased() == "true" || v == "1"
            case "sort_key": q.sortKeys.append(v)
            case "sort_dir": q.sortDirs.append(v)
            default:
                if let i = q.filters.firstIndex(where: { $0.key == k }) {
                    q.filters[i].values.append(v)
                } else {
                    q.filters.append((k, [v]))
                }
            }
        }
        if q.sortKeys.count != q.sortDirs.count, !q.sortDirs.isEmpty {
            throw .badRequest("The number of sort_keys and sort_dirs must be same")
        }
        let bad = q.sortKeys.filter { !sortable.contains($0) }
        if !bad.isEmpty { throw .badRequest("\(JSON.strings(bad).pythonRepr()) is invalid attribute for sort_keys") }
        if let d = q.sortDirs.first(where: { $0 != "asc" && $0 != "desc" }) {
            throw .badRequest("\(d) is invalid value for sort_dirs, valid values are 'asc' and 'desc'")
        }
        return q
    }

    /// Equality filter semantics: repeated values OR-ed, different keys AND-ed; list attributes match on
    /// membership (the reference answers 500 for `route_targets=`, §1.5).
    public static func matches(_ value: JSON?, _ wanted: [String]) -> Bool {
        guard let value else { return false }
        return wanted.contains { w in
            switch value {
            case .string(let s): return s == w
            case .bool(let b):
                return ["true", "1"].contains(w.lowercased())
                    ? b : (["false", "0"].contains(w.lowercased()) ? !b : false)
            case .int(let i): return Int64(w) == i
            case .null: return w.isEmpty || w == "None"
            case .array(let items): return items.contains { matches($0, [w]) }
            default: return false
            }
        }
    }

    static func sortValue(_ v: JSON?) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i).count.description + String(i)  // numeric order for non-negatives
        case .bool(let b): return b ? "1" : "0"
        default: return ""
        }
    }

    public func sorted(_ docs: [JSONObject]) -> [JSONObject] {
        guard !sortKeys.isEmpty else { return docs }
        return docs.sorted { a, b in
            for (i, key) in sortKeys.enumerated() {
                let x = Self.sortValue(a[key])
                let y = Self.sortValue(b[key])
                if x == y { continue }
                return (sortDirs.count > i && sortDirs[i] == "desc") ? x > y : x < y
            }
            return false
        }
    }

    /// A page, and whether a next/previous page link applies (emulated pagination, §1.5).
    public func page(_ docs: [JSONObject]) -> (items: [JSONObject], next: String?, previous: String?) {
        guard let limit else { return (docs, nil, nil) }
        var items = docs
        if let marker {
            guard let i = docs.firstIndex(where: { $0.string("id") == marker }) else { return ([], nil, nil) }
            items = pageReverse ? Array(docs[..<i]) : Array(docs[(i + 1)...])
        }
        items = pageReverse ? Array(items.suffix(limit)) : Array(items.prefix(limit))
        let first = items.first?.string("id")
        let last = items.last?.string("id")
        if pageReverse {
            return (items, last, items.count < limit ? nil : first)
        }
        return (items, items.count < limit ? nil : last, first)
    }
}

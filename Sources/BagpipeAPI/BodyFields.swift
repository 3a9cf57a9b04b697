import BGPWire

/// Typed reads of the members of an attach/detach body, each failing with an ``APIError`` that names the member.
/// JSON null counts as absent for optional members, as `params.get(...)` did in the original.
struct BodyFields {
    let object: JSONObject
    /// Prefix of member names in messages, for nested objects (`local_port/ovs/`).
    let path: String

    init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path + key }

    /// The member, nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw APIError("'\(name(key))' must be a string") }
        return s
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let s = try string(key) else { throw APIError("'\(name(key))' must be a string") }
        return s
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw APIError("'\(name(key))' must be a boolean") }
        return b
    }

    /// An integer in `range`; a string of digits is accepted too (the original's docstring shows `'7'`).
    func integer(_ key: String, in range: ClosedRange<Int64>) throws(APIError) -> Int64? {
        guard let v = value(key) else { return nil }
        let n: Int64?
        switch v {
        case .int(let i): n = i
        case .string(let s): n = Int64(s)
        default: n = nil
        }
        guard let n, range.contains(n) else {
            throw APIError("'\(name(key))' must be an integer between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }

    func object(_ key: String) throws(APIError) -> BodyFields? {
        guard let v = value(key) else { return nil }
        guard case .object(let o) = v else { throw APIError("'\(name(key))' must be an object") }
        return BodyFields(o, path: name(key) + "/")
    }

    func mac(_ key: String) throws(APIError) -> MACAddress? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v, let m = MACAddress(apiText: s) else {
            throw APIError.malformedMACAddress(v.stringValue ?? v.pythonRepr)
        }
        return m
    }

    /// A list of strings, or one string split on commas (`re.split(',+ *', ...)` in the original).
    func stringList(_ key: String) throws(APIError) -> [String]? {
        guard let v = value(key) else { return nil }
        switch v {
        case .string(let s):
            return s.split(separator: ",", omittingEmptySubsequences: false).enumerated().compactMap { i, part in
                // ",+ *": a run of commas is one separator, and spaces after it are dropped.
                if i > 0 && part.isEmpty { return nil }
                return String(i > 0 ? part.drop { $0 == " " } : part)
            }
        case .array(let a):
            var out: [String] = []
            for item in a {
                guard case .string(let s) = item else { throw APIError("'\(name(key))' must be a list of strings") }
                out.append(s)
            }
            return out
        default:
            throw APIError("'\(name(key))' must be a list of strings or a comma-separated string")
        }
    }

    /// Route targets: empty strings skipped (as the original did), surrounding spaces ignored, duplicates removed
    /// keeping the first occurrence (the original's `list(set(...))` lost the order).
    func routeTargets(_ key: String) throws(APIError) -> [RouteTarget]? {
        guard let texts = try stringList(key) else { return nil }
        var out: [RouteTarget] = []
        var seen: Set<RouteTarget> = []
        for t in texts {
            let trimmed = t.trimmingSpaces
            if trimmed.isEmpty { continue }
            guard let rt = RouteTarget(trimmed) else { throw APIError("Malformed route target: '\(t)'") }
            if seen.insert(rt).inserted { out.append(rt) }
        }
        return out
    }

    func prefixes(_ key: String) throws(APIError) -> [IPPrefix]? {
        guard let texts = try stringList(key) else { return nil }
        var out: [IPPrefix] = []
        for t in texts {
            guard let p = EndpointAddress(t.trimmingSpaces)?.prefix else {
                throw APIError("'\(name(key))': \(t) is not a valid IP prefix")
            }
            out.append(p)
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

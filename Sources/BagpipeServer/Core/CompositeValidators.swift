/// Validators for the list and dict attributes (neutron-lib `validators/__init__.py` semantics).
extension Validators {
    static func listOfDicts(_ v: JSON, _ check: (JSONObject) -> String?) -> String? {
        guard case .array(let items) = v else { return "\(quoted(v)) is not a list" }
        for item in items {
            guard case .object(let o) = item else { return "\(quoted(item)) is not a dictionary" }
            if let e = check(o) { return e }
        }
        return nil
    }

    public static func fixedIPs(_ v: JSON) -> String? {
        guard case .array(let items) = v else { return "Invalid data format for fixed IP: \(quoted(v))" }
        var seen = Set<String>()
        for item in items {
            guard case .object(let o) = item, o.keys.allSatisfy({ $0 == "subnet_id" || $0 == "ip_address" }) else {
                return "Invalid data format for fixed IP: \(quoted(item))"
            }
            if let ip = o["ip_address"] {
                if let e = ipAddress(ip) { return e }
                if !seen.insert(ip.stringValue!).inserted { return "Duplicate IP address '\(ip.stringValue!)'" }
            }
            if let s = o["subnet_id"], let e = uuid(s) { return e }
        }
        return nil
    }

    public static func allocationPools(_ v: JSON) -> String? {
        listOfDicts(v) { o in
            guard o.keys.sorted() == ["end", "start"] else {
                return "Unrecognized attribute(s) in allocation pool: \(JSON.object(o).pythonRepr())"
            }
            return ipAddress(o["start"]!) ?? ipAddress(o["end"]!)
        }
    }

    public static func hostRoutes(_ v: JSON) -> String? {
        listOfDicts(v) { o in
            guard o.keys.sorted() == ["destination", "nexthop"] else {
                return "Invalid data format for hostroute: '\(JSON.object(o).pythonRepr())'"
            }
            guard case .string(let d) = o["destination"]!, IPNetwork(d) != nil else {
                return "\(quoted(o["destination"]!)) is not a valid IP subnet"
            }
            return ipAddress(o["nexthop"]!)
        }
    }

    public static func nameservers(_ v: JSON) -> String? {
        guard case .array(let items) = v else { return "Invalid data format for nameserver: \(quoted(v))" }
        for item in items { if let e = ipAddress(item) { return e } }
        return nil
    }

    public static func uuidList(_ v: JSON) -> String? {
        guard case .array(let items) = v else { return "\(quoted(v)) is not a list" }
        for item in items { if let e = uuid(item) { return e } }
        return nil
    }

    public static func addressPairs(_ v: JSON) -> String? {
        listOfDicts(v) { o in
            guard let ip = o["ip_address"] else { return "Allowed address pairs must contain ip_address" }
            if case .string(let s) = ip, IPNetwork(s) != nil || IPAddress(s) != nil {
                return o["mac_address"].flatMap { macAddress($0) }
            }
            return "\(quoted(ip)) is not a valid IP address"
        }
    }

    public static func gatewayInfo(_ v: JSON) -> String? {
        if v.isNull { return nil }
        guard case .object(let o) = v else { return "\(quoted(v)) is not a dictionary" }
        if let n = o["network_id"], let e = uuid(n) { return e }
        return nil
    }

    /// `type:list_of_any_key_specs_or_none` over ROUTE_SPECS (§3.2); failures are `InvalidInput`. Returns the
    /// canonical form: `local_pref` always present.
    public static func convertRoutes(_ v: JSON) throws(NeutronError) -> JSON {
        if v.isNull { return .array([]) }
        guard case .array(let items) = v else { throw .invalidInput("\(quoted(v)) is not a list") }
        var out: [JSON] = []
        for item in items {
            guard let route = canonicalRoute(item) else {
                throw .invalidInput("No valid key specs matched for: \(item.pythonRepr())")
            }
            if out.contains(route) { throw .invalidInput("Duplicate items in the list: '\(item.pythonRepr())'") }
            out.append(route)
        }
        return .array(out)
    }

    static func canonicalRoute(_ v: JSON) -> JSON? {
        guard case .object(let o) = v, let type = o.string("type") else { return nil }
        let localPref = o["local_pref"] ?? .null
        if o.has("local_pref") {
            guard case .int(let p) = localPref, (0...4_294_967_295).contains(p) else { return nil }
        }
        let allowed: Set<String>
        var out = JSONObject([("type", .string(type))])
        switch type {
        case "prefix":
            allowed = ["type", "prefix", "local_pref"]
            guard case .string(let p) = o["prefix"] ?? .null, IPNetwork(p) != nil else { return nil }
            out["prefix"] = .string(p)
        case "bgpvpn":
            allowed = ["type", "bgpvpn_id", "local_pref"]
            guard let b = o["bgpvpn_id"], uuid(b) == nil else { return nil }
            out["bgpvpn_id"] = b
        default:
            return nil
        }
        guard Set(o.keys).isSubset(of: allowed) else { return nil }
        out["local_pref"] = localPref
        return .object(out)
    }
}

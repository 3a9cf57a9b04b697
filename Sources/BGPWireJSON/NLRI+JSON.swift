public import BGPWire

extension NLRIList {
    /// An array of NLRI objects, or `{"raw": hex}` for a family this codec does not know.
    public var json: JSON {
        switch self {
        case .ipv4(let l): .array(l.map(\.json))
        case .ipv6(let l): .array(l.map(\.json))
        case .labeledIPv4(let l): .array(l.map(\.json))
        case .labeledIPv6(let l): .array(l.map(\.json))
        case .vpnIPv4(let l): .array(l.map(\.json))
        case .vpnIPv6(let l): .array(l.map(\.json))
        case .evpn(let l): .array(l.map(\.json))
        case .rtc(let l): .array(l.map(\.json))
        case .flowspec(let l): .array(l.map(\.json))
        case .raw(let b): .object([("raw", .string(Hex.encode(b)))])
        }
    }

    public init(json: JSON, family: AddressFamily, path: String) throws(JSONError) {
        if case .object = json {
            self = .raw(try JSONReader(json, path: path).hex("raw"))
            guard matches(family) else { throw JSONError(path, "\(family) NLRI must be an array") }
            return
        }
        guard case .array(let a) = json else { throw JSONError(path, "expected an array of NLRI") }
        func each<T>(_ f: (JSON, String) throws(JSONError) -> T) throws(JSONError) -> [T] {
            var out: [T] = []
            out.reserveCapacity(a.count)
            for (i, e) in a.enumerated() { out.append(try f(e, "\(path)[\(i)]")) }
            return out
        }
        switch NLRIList.empty(for: family) {
        case .ipv4: self = .ipv4(try each { (j, p) throws(JSONError) in try IPv4PrefixNLRI(json: j, path: p) })
        case .ipv6: self = .ipv6(try each { (j, p) throws(JSONError) in try IPv6PrefixNLRI(json: j, path: p) })
        case .labeledIPv4:
            self = .labeledIPv4(try each { (j, p) throws(JSONError) in try LabeledIPv4NLRI(json: j, path: p) })
        case .labeledIPv6:
            self = .labeledIPv6(try each { (j, p) throws(JSONError) in try LabeledIPv6NLRI(json: j, path: p) })
        case .vpnIPv4: self = .vpnIPv4(try each { (j, p) throws(JSONError) in try VPNIPv4NLRI(json: j, path: p) })
        case .vpnIPv6: self = .vpnIPv6(try each { (j, p) throws(JSONError) in try VPNIPv6NLRI(json: j, path: p) })
        case .evpn: self = .evpn(try each { (j, p) throws(JSONError) in try EVPNNLRI(json: j, path: p) })
        case .rtc: self = .rtc(try each { (j, p) throws(JSONError) in try RTCNLRI(json: j, path: p) })
        case .flowspec:
            self = .flowspec(
                try each { (j, p) throws(JSONError) in try FlowspecNLRI(json: j, family: family, path: p) })
        case .raw: throw JSONError(path, "NLRI of \(family) must be given as {\"raw\": hex}")
        }
    }
}

/// `pathId` first when present: it is part of the route's identity under ADD-PATH.
private func withPathID(_ pathID: UInt32?, _ members: [(String, JSON)]) -> JSON {
    .object((pathID.map { [("pathId", JSON($0))] } ?? []) + members)
}

extension LabelField {
    /// `{"raw": 24 bits, "label": 20 bits, "bottomOfStack": bool}`; `raw` is what is read back.
    var labelJSON: JSON {
        .object([("raw", JSON(rawValue)), ("label", JSON(label)), ("bottomOfStack", .bool(bottomOfStack))])
    }

    /// From `{"raw": n}`, `{"label": n, "bottomOfStack": b}`, or a bare number taken as the raw field.
    init(labelJSON json: JSON, path: String) throws(JSONError) {
        if case .object = json {
            let o = try JSONReader(json, path: path)
            if let raw: UInt32 = try o.optionalInteger("raw") {
                guard raw <= 0xFF_FFFF else { throw JSONError(o.childPath("raw"), "must fit in 24 bits") }
                self.init(rawValue: raw)
            } else {
                let label: UInt32 = try o.integer("label")
                guard label <= 0xF_FFFF else { throw JSONError(o.childPath("label"), "must fit in 20 bits") }
                self.init(label: label, bottomOfStack: try o.bool("bottomOfStack", default: true))
            }
        } else {
            let raw: UInt32 = try JSON.integer(json, path: path)
            guard raw <= 0xFF_FFFF else { throw JSONError(path, "must fit in 24 bits") }
            self.init(rawValue: raw)
        }
    }
}

extension LabelStack {
    var json: JSON { .array(map(\.labelJSON)) }

    /// The labels of a labeled NLRI whose other fields take `otherBits`: the NLRI length octet counts them all,
    /// so together they must stay within 255 bits (RFC 8277 §2).
    init(_ o: JSONReader, otherBits: Int) throws(JSONError) {
        let fields = try o.map("labels") { (j, p) throws(JSONError) in try LabelField(labelJSON: j, path: p) }
        guard (1...LabelStack.capacity).contains(fields.count) else {
            throw JSONError(o.childPath("labels"), "1 to \(LabelStack.capacity) labels")
        }
        guard otherBits + 24 * fields.count <= 255 else {
            throw JSONError(
                o.childPath("labels"), "\(fields.count) labels do not fit the NLRI length octet with this prefix")
        }
        self.init(fields)
    }
}

extension IPv4PrefixNLRI {
    public var json: JSON { withPathID(pathID, [("prefix", .string(prefix.description))]) }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        self.init(
            pathID: try o.optionalInteger("pathId"), prefix: try o.parsed("prefix", "an IPv4 prefix") { IPv4Prefix($0) }
        )
    }
}

extension IPv6PrefixNLRI {
    public var json: JSON { withPathID(pathID, [("prefix", .string(prefix.description))]) }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        self.init(
            pathID: try o.optionalInteger("pathId"), prefix: try o.parsed("prefix", "an IPv6 prefix") { IPv6Prefix($0) }
        )
    }
}

extension LabeledIPv4NLRI {
    public var json: JSON { withPathID(pathID, [("labels", labels.json), ("prefix", .string(prefix.description))]) }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let prefix = try o.parsed("prefix", "an IPv4 prefix") { IPv4Prefix($0) }
        self.init(
            pathID: try o.optionalInteger("pathId"), labels: try LabelStack(o, otherBits: Int(prefix.length)),
            prefix: prefix)
    }
}

extension LabeledIPv6NLRI {
    public var json: JSON { withPathID(pathID, [("labels", labels.json), ("prefix", .string(prefix.description))]) }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let prefix = try o.parsed("prefix", "an IPv6 prefix") { IPv6Prefix($0) }
        self.init(
            pathID: try o.optionalInteger("pathId"), labels: try LabelStack(o, otherBits: Int(prefix.length)),
            prefix: prefix)
    }
}

extension VPNIPv4NLRI {
    public var json: JSON {
        withPathID(
            pathID,
            [
                ("labels", labels.json), ("routeDistinguisher", .string(routeDistinguisher.description)),
                ("prefix", .string(prefix.description)),
            ])
    }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let prefix = try o.parsed("prefix", "an IPv4 prefix") { IPv4Prefix($0) }
        self.init(
            pathID: try o.optionalInteger("pathId"), labels: try LabelStack(o, otherBits: 64 + Int(prefix.length)),
            routeDistinguisher: try o.parsed("routeDistinguisher", "a route distinguisher") { RouteDistinguisher($0) },
            prefix: prefix)
    }
}

extension VPNIPv6NLRI {
    public var json: JSON {
        withPathID(
            pathID,
            [
                ("labels", labels.json), ("routeDistinguisher", .string(routeDistinguisher.description)),
                ("prefix", .string(prefix.description)),
            ])
    }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let prefix = try o.parsed("prefix", "an IPv6 prefix") { IPv6Prefix($0) }
        self.init(
            pathID: try o.optionalInteger("pathId"), labels: try LabelStack(o, otherBits: 64 + Int(prefix.length)),
            routeDistinguisher: try o.parsed("routeDistinguisher", "a route distinguisher") { RouteDistinguisher($0) },
            prefix: prefix)
    }
}

extension RTCNLRI {
    /// `{"default": true}` or `{"prefixLength", "originAs", "routeTarget": <extended community>}`.
    public var json: JSON {
        if isDefault { return withPathID(pathID, [("default", .bool(true))]) }
        return withPathID(
            pathID,
            [("prefixLength", JSON(prefixLength)), ("originAs", JSON(originAS)), ("routeTarget", routeTarget.json)])
    }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let pathID: UInt32? = try o.optionalInteger("pathId")
        if try o.bool("default") {
            self = .default(pathID: pathID)
            return
        }
        let length: UInt8 = try o.optionalInteger("prefixLength") ?? 96
        guard (32...96).contains(length) else {
            throw JSONError(o.childPath("prefixLength"), "must be 32...96 (or use default)")
        }
        self.init(
            pathID: pathID, originAS: try o.integer("originAs"),
            routeTarget: try ExtendedCommunity(json: try o.value("routeTarget"), path: o.childPath("routeTarget")),
            prefixLength: length)
    }
}

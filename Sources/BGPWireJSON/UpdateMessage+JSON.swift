public import BGPWire

extension UpdateMessage {
    var jsonMembers: [(String, JSON)] {
        [
            ("withdrawnRoutes", .array(withdrawnRoutes.map(\.json))),
            ("pathAttributes", .array(pathAttributes.map(\.json))),
            ("nlri", .array(nlri.map(\.json))),
        ]
    }

    init(_ o: JSONReader) throws(JSONError) {
        func prefixes(_ key: String) throws(JSONError) -> [IPv4PrefixNLRI] {
            guard o.optional(key) != nil else { return [] }
            return try o.map(key) { (j, path) throws(JSONError) in try IPv4PrefixNLRI(json: j, path: path) }
        }
        self.init(
            withdrawnRoutes: try prefixes("withdrawnRoutes"),
            pathAttributes: o.optional("pathAttributes") == nil
                ? []
                : try o.map("pathAttributes") { (j, path) throws(JSONError) in try PathAttribute(json: j, path: path) },
            nlri: try prefixes("nlri"))
    }
}

extension PathAttribute {
    public var json: JSON {
        .object([
            ("typeCode", JSON(typeCode)), ("name", .string(TypeCode.name(typeCode))), ("flags", JSON(flags.rawValue)),
            ("value", valueJSON),
        ])
    }

    var valueJSON: JSON {
        switch value {
        case .origin(let o): .string(o.name)
        case .asPath(let p), .as4Path(let p): p.json
        case .nextHop(let a), .originatorID(let a): .string(a.description)
        case .multiExitDisc(let v), .localPref(let v), .onlyToCustomer(let v): JSON(v)
        case .atomicAggregate: .null
        case .aggregator(let a), .as4Aggregator(let a):
            .object([("asn", JSON(a.asn)), ("address", .string(a.address.description))])
        case .communities(let l): .array(l.map { .string($0.description) })
        case .clusterList(let l): .array(l.map { .string($0.description) })
        case .mpReachNLRI(let m):
            .object(
                familyMembers(m.family) + [("nextHop", m.nextHop.json)]
                    + (m.reserved == 0 ? [] : [("reserved", JSON(m.reserved))]) + [("nlri", m.nlri.json)])
        case .mpUnreachNLRI(let m): .object(familyMembers(m.family) + [("withdrawnRoutes", m.withdrawnRoutes.json)])
        case .extendedCommunities(let l): .array(l.map(\.json))
        case .pmsiTunnel(let p): p.json
        case .tunnelEncapsulation(let t): t.json
        case .largeCommunities(let l): .array(l.map { .string($0.description) })
        case .unknown(_, let v): .string(Hex.encode(v))
        }
    }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let code: UInt8
        if let c: UInt8 = try o.optionalInteger("typeCode") {
            code = c
        } else if let name = try o.optionalString("name"),
            let c = (0...255).first(where: { TypeCode.name(UInt8($0)) == name })
        {
            code = UInt8(c)
        } else {
            throw JSONError(o.childPath("typeCode"), "missing (or give a known attribute name)")
        }
        let valuePath = o.childPath("value")
        let v = o.optional("value") ?? .null
        let value: Value
        func text<T>(_ what: String, _ parse: (String) -> T?) throws(JSONError) -> T {
            guard case .string(let s) = v, let t = parse(s) else { throw JSONError(valuePath, "expected \(what)") }
            return t
        }
        func list(_ what: String) throws(JSONError) -> [JSON] {
            guard case .array(let a) = v else { throw JSONError(valuePath, "expected an array of \(what)") }
            return a
        }
        func strings<T>(_ what: String, _ parse: (String) -> T?) throws(JSONError) -> [T] {
            var out: [T] = []
            for (i, e) in try list(what).enumerated() {
                guard case .string(let s) = e, let t = parse(s) else {
                    throw JSONError("\(valuePath)[\(i)]", "expected \(what)")
                }
                out.append(t)
            }
            return out
        }
        switch code {
        case TypeCode.origin:
            value = .origin(
                try text("IGP, EGP or INCOMPLETE") { s in
                    PathAttribute.Origin.allCases.first { $0.name == s.uppercased() }
                })
        case TypeCode.asPath: value = .asPath(try ASPath(json: v, path: valuePath))
        case TypeCode.as4Path: value = .as4Path(try ASPath(json: v, path: valuePath))
        case TypeCode.nextHop: value = .nextHop(try text("an IPv4 address") { IPv4Address($0) })
        case TypeCode.originatorID: value = .originatorID(try text("an IPv4 address") { IPv4Address($0) })
        case TypeCode.multiExitDisc: value = .multiExitDisc(try JSON.integer(v, path: valuePath))
        case TypeCode.localPref: value = .localPref(try JSON.integer(v, path: valuePath))
        case TypeCode.onlyToCustomer: value = .onlyToCustomer(try JSON.integer(v, path: valuePath))
        case TypeCode.atomicAggregate: value = .atomicAggregate
        case TypeCode.aggregator, TypeCode.as4Aggregator:
            let a = try JSONReader(v, path: valuePath)
            let agg = Aggregator(
                asn: try a.integer("asn"), address: try a.parsed("address", "an IPv4 address") { IPv4Address($0) })
            value = code == TypeCode.aggregator ? .aggregator(agg) : .as4Aggregator(agg)
        case TypeCode.communities: value = .communities(try strings("communities like 65000:1") { Community($0) })
        case TypeCode.clusterList: value = .clusterList(try strings("IPv4 addresses") { IPv4Address($0) })
        case TypeCode.largeCommunities:
            value = .largeCommunities(try strings("large communities like 1:2:3") { LargeCommunity($0) })
        case TypeCode.extendedCommunities:
            var l: [ExtendedCommunity] = []
            for (i, e) in try list("extended communities").enumerated() {
                l.append(try ExtendedCommunity(json: e, path: "\(valuePath)[\(i)]"))
            }
            value = .extendedCommunities(l)
        case TypeCode.mpReachNLRI:
            let m = try JSONReader(v, path: valuePath)
            let family = try AddressFamily(m)
            value = .mpReachNLRI(
                MPReachNLRI(
                    family: family,
                    nextHop: try NextHop(
                        json: m.optional("nextHop") ?? .null, family: family, path: m.childPath("nextHop")),
                    reserved: try m.optionalInteger("reserved") ?? 0,
                    nlri: try NLRIList(
                        json: m.optional("nlri") ?? .array([]), family: family, path: m.childPath("nlri"))))
        case TypeCode.mpUnreachNLRI:
            let m = try JSONReader(v, path: valuePath)
            let family = try AddressFamily(m)
            value = .mpUnreachNLRI(
                MPUnreachNLRI(
                    family: family,
                    withdrawnRoutes: try NLRIList(
                        json: m.optional("withdrawnRoutes") ?? .array([]), family: family,
                        path: m.childPath("withdrawnRoutes"))))
        case TypeCode.pmsiTunnel: value = .pmsiTunnel(try PMSITunnel(json: v, path: valuePath))
        case TypeCode.tunnelEncapsulation:
            value = .tunnelEncapsulation(try TunnelEncapsulation(json: v, path: valuePath))
        default:
            value = .unknown(typeCode: code, value: try text("hex octets") { Hex.decode($0) })
        }
        if let flags: UInt8 = try o.optionalInteger("flags") {
            self.init(flags: AttributeFlags(rawValue: flags), value: value)
        } else {
            self.init(value)
        }
    }
}

extension ASPath {
    var json: JSON {
        .array(segments.map { .object([("type", .string($0.type.name)), ("asns", .array($0.asns.map { JSON($0) }))]) })
    }

    init(json: JSON, path: String) throws(JSONError) {
        guard case .array(let a) = json else { throw JSONError(path, "expected an array of segments") }
        var segments: [Segment] = []
        for (i, e) in a.enumerated() {
            let s = try JSONReader(e, path: "\(path)[\(i)]")
            let name = try s.string("type")
            guard let type = SegmentType.allCases.first(where: { $0.name == name.uppercased() }) else {
                throw JSONError(
                    s.childPath("type"), "\"\(name)\" is not AS_SET, AS_SEQUENCE, AS_CONFED_SEQUENCE or AS_CONFED_SET")
            }
            let asns = try s.map("asns") { (j, p) throws(JSONError) -> UInt32 in try JSON.integer(j, path: p) }
            guard !asns.isEmpty else { throw JSONError(s.childPath("asns"), "a segment needs at least one AS") }
            segments.append(Segment(type, asns))
        }
        self.init(segments)
    }
}

extension NextHop {
    /// null, `"address"`, `["global", "link-local"]`, or `{"raw": hex}` for unknown families. VPN families
    /// imply the RD-prefixed form.
    var json: JSON {
        switch self {
        case .none: .null
        case .ipv4(let a), .vpnIPv4(let a): .string(a.description)
        case .ipv6(let a, let ll), .vpnIPv6(let a, let ll):
            ll.map { .array([.string(a.description), .string($0.description)]) } ?? .string(a.description)
        case .raw(let b): .object([("raw", .string(Hex.encode(b)))])
        }
    }

    init(json: JSON, family: AddressFamily, path: String) throws(JSONError) {
        let vpn = family.safi == .mplsVPN
        switch json {
        case .null: self = .none
        case .string(let s):
            if let a = IPv4Address(s) {
                self = vpn ? .vpnIPv4(a) : .ipv4(a)
            } else if let a = IPv6Address(s) {
                self = vpn ? .vpnIPv6(a, linkLocal: nil) : .ipv6(a, linkLocal: nil)
            } else {
                throw JSONError(path, "\"\(s)\" is not an IP address")
            }
        case .array(let a):
            guard a.count == 2, case .string(let g) = a[0], case .string(let l) = a[1], let global = IPv6Address(g),
                let ll = IPv6Address(l)
            else { throw JSONError(path, "expected [global IPv6, link-local IPv6]") }
            self = vpn ? .vpnIPv6(global, linkLocal: ll) : .ipv6(global, linkLocal: ll)
        case .object:
            self = .raw(try JSONReader(json, path: path).hex("raw"))
        default: throw JSONError(path, "expected an address, a pair of addresses, null or {\"raw\": hex}")
        }
    }
}

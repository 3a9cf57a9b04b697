import BGPWire

// JSON view of EVPN NLRI (RFC 7432 §7, RFC 9136 §3), members named after the RFC fields in lower camel case:
//
//     {"pathId": 1, "routeType": 2, "routeTypeName": "MAC/IP Advertisement", "routeDistinguisher": "65000:1",
//      "esi": "00:00:00:00:00:00:00:00:00:00", "ethernetTagId": 0, "macAddress": "aa:bb:cc:dd:ee:ff",
//      "ipAddress": "10.0.0.1", "mplsLabel1": {"raw": 100, "label": 6, "bottomOfStack": false}}
//
// Label fields are read back from "raw" (the 24 bits as sent); "label" and "bottomOfStack" are informative, as
// is "routeTypeName". A route type the codec does not know is {"routeType": N, "value": "<hex>"}.

extension EVPNNLRI {
    /// The route's members, preceded by `pathId` when the NLRI has one.
    public var json: JSON {
        guard let pathID, case .object(let members) = route.json else { return route.json }
        return .object([("pathId", JSON(pathID))] + members.map { ($0.key, $0.value) })
    }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        self.init(pathID: try o.optionalInteger("pathId"), route: try EVPNRoute(json: json, path: path))
    }
}

extension EVPNRoute {
    public var json: JSON {
        var m: [(String, JSON)] = [("routeType", JSON(type))]
        func add(_ key: String, _ value: JSON) { m.append((key, value)) }
        if case .unknown(_, let value) = self {
            add("value", .string(Hex.encode(value)))
            return .object(m)
        }
        if let name = EVPNRoute.name(ofType: type) { add("routeTypeName", .string(name)) }
        if let rd = routeDistinguisher { add("routeDistinguisher", .string(rd.description)) }
        switch self {
        case .ethernetAutoDiscovery(let r):
            add("esi", r.esi.json)
            add("ethernetTagId", JSON(r.ethernetTagID))
            add("mplsLabel", evpnLabelJSON(r.label))
        case .macIPAdvertisement(let r):
            add("esi", r.esi.json)
            add("ethernetTagId", JSON(r.ethernetTagID))
            add("macAddress", .string(r.macAddress.description))
            if let ip = r.ipAddress { add("ipAddress", .string(ip.description)) }
            add("mplsLabel1", evpnLabelJSON(r.label1))
            if let label2 = r.label2 { add("mplsLabel2", evpnLabelJSON(label2)) }
        case .inclusiveMulticastEthernetTag(let r):
            add("ethernetTagId", JSON(r.ethernetTagID))
            add("originatingRouterIp", .string(r.originatingRouterIP.description))
        case .ethernetSegment(let r):
            add("esi", r.esi.json)
            add("originatingRouterIp", .string(r.originatingRouterIP.description))
        case .ipPrefix(let r):
            add("esi", r.esi.json)
            add("ethernetTagId", JSON(r.ethernetTagID))
            add("ipPrefix", .string(r.prefix.description))
            add("gatewayIpAddress", .string(r.gatewayIP.description))
            add("mplsLabel", evpnLabelJSON(r.label))
        case .unknown:
            break
        }
        return .object(m)
    }

    /// Reads the form ``json`` writes. `esi` may be left out (0, a single-homed site), and so may
    /// `gatewayIpAddress` of an IP Prefix route (0.0.0.0 or ::, no overlay index); a `value` member makes
    /// the route raw whatever its type.
    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let type: UInt8 = try o.integer("routeType")
        if o.optional("value") != nil || EVPNRoute.name(ofType: type) == nil {
            let value = try o.hex("value")
            guard value.count <= 255 else {
                throw JSONError(o.childPath("value"), "\(value.count) octets, an EVPN route has at most 255")
            }
            self = .unknown(type: type, value: value)
            return
        }
        let rd = try o.parsed("routeDistinguisher", "a route distinguisher") { RouteDistinguisher($0) }
        let esi = try o.optional("esi").map { (v) throws(JSONError) in
            try EthernetSegmentIdentifier(json: v, path: o.childPath("esi"))
        }
        switch type {
        case 1:
            self = .ethernetAutoDiscovery(
                .init(
                    routeDistinguisher: rd, esi: esi ?? .zero, ethernetTagID: try o.integer("ethernetTagId"),
                    label: try readEVPNLabel(o, "mplsLabel")))
        case 2:
            self = .macIPAdvertisement(
                .init(
                    routeDistinguisher: rd, esi: esi ?? .zero, ethernetTagID: try o.integer("ethernetTagId"),
                    macAddress: try o.parsed("macAddress", "a MAC address") { MACAddress($0) },
                    ipAddress: try o.optional("ipAddress") == nil ? nil : readEVPNIP(o, "ipAddress"),
                    label1: try readEVPNLabel(o, "mplsLabel1"),
                    label2: try o.optional("mplsLabel2") == nil ? nil : readEVPNLabel(o, "mplsLabel2")))
        case 3:
            self = .inclusiveMulticastEthernetTag(
                .init(
                    routeDistinguisher: rd, ethernetTagID: try o.integer("ethernetTagId"),
                    originatingRouterIP: try readEVPNIP(o, "originatingRouterIp")))
        case 4:
            self = .ethernetSegment(
                .init(
                    routeDistinguisher: rd, esi: esi ?? .zero,
                    originatingRouterIP: try readEVPNIP(o, "originatingRouterIp")))
        default:
            let prefix = try o.parsed("ipPrefix", "an IP prefix") { IPPrefix($0) }
            let bits =
                switch prefix {
                case .v4: 32
                case .v6: 128
                }
            var gateway: IPAddress = bits == 32 ? .v4(.zero) : .v6(.zero)
            if o.optional("gatewayIpAddress") != nil {
                gateway = try readEVPNIP(o, "gatewayIpAddress")
                // RFC 9136 §3.1: prefix and gateway are of one family (the route length says which).
                guard gateway.bitLength == bits else {
                    throw JSONError(
                        o.childPath("gatewayIpAddress"), "\(gateway) is not of the family of ipPrefix \(prefix)")
                }
            }
            self = .ipPrefix(
                .init(
                    routeDistinguisher: rd, esi: esi ?? .zero, ethernetTagID: try o.integer("ethernetTagId"),
                    prefix: prefix, gatewayIP: gateway, label: try readEVPNLabel(o, "mplsLabel")))
        }
    }
}

extension EthernetSegmentIdentifier {
    /// The 10 octets as colon-separated hex pairs.
    public var json: JSON { .string(description) }

    public init(json: JSON, path: String) throws(JSONError) {
        guard case .string(let s) = json else { throw JSONError(path, "expected a string") }
        guard let esi = EthernetSegmentIdentifier(s) else {
            throw JSONError(path, "\"\(s)\" is not an ESI (10 hex octets separated by colons)")
        }
        self = esi
    }
}

/// A label field: the raw 24 bits, and their reading as an MPLS label (RFC 3032 §2.1) for people.
private func evpnLabelJSON(_ field: LabelField) -> JSON {
    .object([
        ("raw", JSON(field.rawValue)), ("label", JSON(field.label)), ("bottomOfStack", .bool(field.bottomOfStack)),
    ])
}

private func readEVPNIP(_ o: JSONReader, _ key: String) throws(JSONError) -> IPAddress {
    try o.parsed(key, "an IP address") { IPAddress($0) }
}

/// Reads the label field object at `key` from its `raw` member.
private func readEVPNLabel(_ o: JSONReader, _ key: String) throws(JSONError) -> LabelField {
    let field = try o.object(key)
    let raw: UInt32 = try field.integer("raw")
    guard raw <= 0xFF_FFFF else { throw JSONError(field.childPath("raw"), "\(raw) does not fit in 24 bits") }
    return LabelField(rawValue: raw)
}

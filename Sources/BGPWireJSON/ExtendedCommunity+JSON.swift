import BGPWire

extension ExtendedCommunity {
    /// `{"type": "route-target", "value": "65000:100", "raw": "0002FDE800000064"}`: the kind, its fields (see
    /// ``TypedExtendedCommunity``), and the 8 octets in hex. `reserved` appears only when not zero.
    public var json: JSON {
        var m: [(String, JSON)] = []
        func add(_ key: String, _ value: JSON) { m.append((key, value)) }
        func reserved(_ r: UInt64) { if r != 0 { add("reserved", JSON(r)) } }
        let typed = self.typed
        add("type", .string(typed.kindName))
        switch typed {
        case .routeTarget(let rt), .routeOrigin(let rt), .routeTargetRecord(let rt), .redirect(let rt):
            add("value", .string(rt.description))
        case .color(let color, let flags):
            add("color", JSON(color))
            add("flags", JSON(flags))
        case .encapsulation(let t, let r):
            add("tunnelType", JSON(t.rawValue))
            if let name = t.name { add("tunnelTypeName", .string(name)) }
            reserved(r)
        case .defaultGateway(let r): reserved(r)
        case .consistentHashSortOrder(let order, let r):
            add("order", JSON(order))
            reserved(r)
        case .macMobility(let sequence, let sticky, let r):
            add("sequence", JSON(sequence))
            add("sticky", .bool(sticky))
            reserved(r)
        case .esiLabel(let label, let singleActive, let r):
            add("label", label.labelJSON)
            add("singleActive", .bool(singleActive))
            reserved(r)
        case .esImportRouteTarget(let mac), .routerMAC(let mac): add("mac", .string(mac.description))
        case .trafficRateBytes(let rate), .trafficRatePackets(let rate):
            add("id", JSON(rate.id))
            add("rate", .string(rate.rate.description))
            add("rateBits", JSON(rate.bitPattern))
        case .trafficAction(let terminal, let sample, let r):
            add("terminal", .bool(terminal))
            add("sample", .bool(sample))
            reserved(r)
        case .trafficMarking(let dscp, let r):
            add("dscp", JSON(dscp))
            reserved(r)
        case .unknown:
            add("typeCode", JSON(type))
            add("subtype", JSON(subtype))
        }
        add("raw", .string(Hex.encode(bytes)))
        return .object(m)
    }

    /// From `raw` (8 octets in hex) when present: it wins, so JSON that came from ``json`` gives back the
    /// very same octets. Otherwise from `type` and the kind's members, as a person would write it:
    /// `{"type": "route-target", "value": "65000:100"}`, `{"type": "encapsulation", "tunnelTypeName": "vxlan"}`.
    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        if o.optional("raw") != nil {
            let bytes = try o.hex("raw")
            guard bytes.count == 8 else {
                throw JSONError(o.childPath("raw"), "\(bytes.count) octets; an extended community has 8")
            }
            self.init(rawValue: bytes.reduce(0) { $0 << 8 | UInt64($1) })
            return
        }
        self = try TypedExtendedCommunity(fields: o).community
    }

    /// The 8 octets, most significant first.
    fileprivate var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(56 - 8 * $0)) } }
}

extension TypedExtendedCommunity {
    /// The `type` member of the JSON form.
    var kindName: String {
        switch self {
        case .routeTarget: "route-target"
        case .routeOrigin: "route-origin"
        case .routeTargetRecord: "rt-record"
        case .color: "color"
        case .encapsulation: "encapsulation"
        case .defaultGateway: "default-gateway"
        case .consistentHashSortOrder: "consistent-hash-sort-order"
        case .macMobility: "mac-mobility"
        case .esiLabel: "esi-label"
        case .esImportRouteTarget: "es-import-route-target"
        case .routerMAC: "router-mac"
        case .trafficRateBytes: "traffic-rate-bytes"
        case .trafficRatePackets: "traffic-rate-packets"
        case .trafficAction: "traffic-action"
        case .redirect: "redirect"
        case .trafficMarking: "traffic-marking"
        case .unknown: "unknown"
        }
    }

    /// The typed value from `type` and the members of its kind.
    fileprivate init(fields o: JSONReader) throws(JSONError) {
        let kind = try o.string("type")
        func target() throws(JSONError) -> RouteTarget {
            try o.parsed("value", "a route target (65000:100, 192.0.2.1:5, 4200000000:5)") { RouteTarget($0) }
        }
        func reserved() throws(JSONError) -> UInt64 {
            let r: UInt64 = try o.optionalInteger("reserved") ?? 0
            guard r <= 0xFFFF_FFFF_FFFF else { throw JSONError(o.childPath("reserved"), "must fit in 48 bits") }
            return r
        }
        func mac() throws(JSONError) -> MACAddress { try o.parsed("mac", "a MAC address") { MACAddress($0) } }
        switch kind {
        case "route-target": self = .routeTarget(try target())
        case "route-origin": self = .routeOrigin(try target())
        case "rt-record": self = .routeTargetRecord(try target())
        case "redirect": self = .redirect(try target())
        case "color": self = .color(try o.integer("color"), flags: try o.optionalInteger("flags") ?? 0)
        case "encapsulation": self = .encapsulation(try o.encapsulationTunnelType(), reserved: try reserved())
        case "default-gateway": self = .defaultGateway(reserved: try reserved())
        case "consistent-hash-sort-order":
            self = .consistentHashSortOrder(try o.integer("order"), reserved: try reserved())
        case "mac-mobility":
            self = .macMobility(
                sequence: try o.integer("sequence"), sticky: try o.bool("sticky"), reserved: try reserved())
        case "esi-label":
            let label = try LabelField(labelJSON: try o.value("label"), path: o.childPath("label"))
            self = .esiLabel(label, singleActive: try o.bool("singleActive"), reserved: try reserved())
        case "es-import-route-target": self = .esImportRouteTarget(try mac())
        case "router-mac": self = .routerMAC(try mac())
        case "traffic-rate-bytes": self = .trafficRateBytes(try o.trafficRate())
        case "traffic-rate-packets": self = .trafficRatePackets(try o.trafficRate())
        case "traffic-action":
            self = .trafficAction(
                terminal: try o.bool("terminal"), sample: try o.bool("sample"), reserved: try reserved())
        case "traffic-marking":
            let dscp: UInt8 = try o.integer("dscp")
            guard dscp < 64 else { throw JSONError(o.childPath("dscp"), "\(dscp) does not fit in 6 bits") }
            self = .trafficMarking(dscp: dscp, reserved: try reserved())
        case "unknown": throw JSONError(o.childPath("raw"), "missing: an unknown community is given by its 8 octets")
        default: throw JSONError(o.childPath("type"), "\"\(kind)\" is not a known kind; give \"raw\" instead")
        }
    }
}

extension JSONReader {
    /// `tunnelType` (a number) or, when it is absent, `tunnelTypeName` (`vxlan`, `mpls`, ...).
    func encapsulationTunnelType() throws(JSONError) -> TunnelType {
        if let n: UInt16 = try optionalInteger("tunnelType") { return TunnelType(n) }
        return try parsed("tunnelTypeName", "a tunnel type name or number") { TunnelType($0) }
    }

    /// `rateBits` (the exact 32 bits) or, when it is absent, `rate` (a number or a decimal string).
    fileprivate func trafficRate() throws(JSONError) -> TrafficRate {
        let id: UInt16 = try optionalInteger("id") ?? 0
        if let bits: UInt32 = try optionalInteger("rateBits") { return TrafficRate(id: id, bitPattern: bits) }
        switch try value("rate") {
        case .string(let s):
            guard let rate = Float(s) else { throw JSONError(childPath("rate"), "\"\(s)\" is not a number") }
            return TrafficRate(id: id, rate: rate)
        case let v:
            let n: Int64 = try JSON.integer(v, path: childPath("rate"))
            return TrafficRate(id: id, rate: Float(n))
        }
    }
}

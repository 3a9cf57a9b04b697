import BGPWire

extension TunnelEncapsulation {
    /// `{"tlvs": [{"tunnelType": 8, "tunnelTypeName": "vxlan", "subTlvs": [{"type": 1, "typeName":
    /// "encapsulation", "value": "80...", "identifier": 100}]}]}`: every sub-TLV with its raw `value` in hex
    /// and, for the kinds with a typed view, the fields read from it.
    public var json: JSON {
        .object([("tlvs", .array(tunnels.map(\.json)))])
    }

    /// Reads the form ``json`` writes. A sub-TLV's `value` (hex) wins when present; otherwise it is built
    /// from the typed members of its type (see ``TunnelEncapsulation/Tunnel/init(json:path:)``).
    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        self.init(tunnels: try o.map("tlvs") { (j, p) throws(JSONError) in try Tunnel(json: j, path: p) })
    }
}

extension TunnelEncapsulation.Tunnel {
    var json: JSON {
        var m: [(String, JSON)] = [("tunnelType", JSON(type.rawValue))]
        if let name = type.name { m.append(("tunnelTypeName", .string(name))) }
        m.append(("subTlvs", .array(subTLVs.map { subTLVJSON($0) })))
        return .object(m)
    }

    /// The sub-TLV with its typed members, read in the context of this tunnel's type.
    private func subTLVJSON(_ sub: TunnelEncapsulation.SubTLV) -> JSON {
        typealias Types = TunnelEncapsulation.SubTLVType
        var m: [(String, JSON)] = [("type", JSON(sub.type))]
        func add(_ key: String, _ value: JSON) { m.append((key, value)) }
        switch sub.type {
        case Types.encapsulation:
            add("typeName", .string("encapsulation"))
            let single = TunnelEncapsulation.Tunnel(type: type, subTLVs: [sub])
            if let vn = single.virtualNetwork {
                add("flags", JSON(vn.flags))
                if let id = vn.identifier { add("identifier", JSON(id)) }
                if let mac = vn.mac { add("mac", .string(mac.description)) }
            } else if let key = single.greKey {
                add("key", JSON(key))
            }
        case Types.protocolType:
            add("typeName", .string("protocol-type"))
            if let ethertype = sub.protocolType { add("ethertype", JSON(ethertype)) }
        case Types.color:
            add("typeName", .string("color"))
            if let color = sub.color { add("color", JSON(color)) }
        case Types.tunnelEgressEndpoint:
            add("typeName", .string("tunnel-egress-endpoint"))
            if let endpoint = sub.egressEndpoint {
                add("address", endpoint.address.map { .string($0.description) } ?? .null)
            }
        case Types.udpDestinationPort:
            add("typeName", .string("udp-destination-port"))
            if let port = sub.udpDestinationPort { add("port", JSON(port)) }
        default: break
        }
        add("value", .string(Hex.encode(sub.value)))
        return .object(m)
    }

    /// `tunnelType` (or `tunnelTypeName`) and `subTlvs` (may be omitted for none).
    init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let type = try o.encapsulationTunnelType()
        var subTLVs: [TunnelEncapsulation.SubTLV] = []
        for (i, j) in (try o.optionalArray("subTlvs") ?? []).enumerated() {
            subTLVs.append(try Self.subTLV(json: j, path: "\(o.childPath("subTlvs"))[\(i)]", tunnelType: type))
        }
        let length = subTLVs.reduce(0) { $0 + ($1.hasTwoOctetLength ? 3 : 2) + $1.value.count }
        guard length <= 0xFFFF else {
            throw JSONError(o.childPath("subTlvs"), "\(length) octets; a tunnel TLV holds at most 65535")
        }
        self.init(type: type, subTLVs: subTLVs)
    }

    /// One sub-TLV from `type` and `value` (hex), or from the typed members of `type` when `value` is absent:
    /// 1 (encapsulation): `identifier`, `mac` for VXLAN and NVGRE, `key` for GRE and MPLS-in-GRE;
    /// 2: `ethertype`; 4: `color`; 6: `address` (absent or null for "the next hop"); 8: `port`.
    private static func subTLV(
        json: JSON, path: String, tunnelType: TunnelType
    ) throws(JSONError)
        -> TunnelEncapsulation.SubTLV
    {
        typealias Types = TunnelEncapsulation.SubTLVType
        typealias SubTLV = TunnelEncapsulation.SubTLV
        let o = try JSONReader(json, path: path)
        let type: UInt8 = try o.integer("type")
        let sub: SubTLV
        if o.optional("value") != nil {
            sub = SubTLV(type: type, value: try o.hex("value"))
        } else {
            switch type {
            case Types.encapsulation where tunnelType == .vxlan || tunnelType == .nvgre:
                let id: UInt32? = try o.optionalInteger("identifier")
                if let id, id > 0xFF_FFFF { throw JSONError(o.childPath("identifier"), "must fit in 24 bits") }
                let mac = try o.optionalString("mac").map { (s) throws(JSONError) -> MACAddress in
                    guard let mac = MACAddress(s) else { throw JSONError(o.childPath("mac"), "not a MAC address") }
                    return mac
                }
                sub = .encapsulation(TunnelEncapsulation.VirtualNetwork(identifier: id, mac: mac))
            case Types.encapsulation where tunnelType == .gre || tunnelType == .mplsInGRE:
                sub = .greKey(try o.integer("key"))
            case Types.protocolType: sub = .protocolType(try o.integer("ethertype"))
            case Types.color: sub = .color(try o.integer("color"))
            case Types.tunnelEgressEndpoint:
                let address = try o.optionalString("address").map { (s) throws(JSONError) -> IPAddress in
                    guard let a = IPAddress(s) else { throw JSONError(o.childPath("address"), "not an IP address") }
                    return a
                }
                sub = .egressEndpoint(TunnelEncapsulation.EgressEndpoint(address: address))
            case Types.udpDestinationPort: sub = .udpDestinationPort(try o.integer("port"))
            default:
                throw JSONError(o.childPath("value"), "missing: sub-TLV type \(type) is given by its octets in hex")
            }
        }
        guard sub.value.count <= sub.maximumValueLength else {
            throw JSONError(
                o.childPath("value"),
                "\(sub.value.count) octets; sub-TLV type \(type) holds at most \(sub.maximumValueLength)")
        }
        return sub
    }
}

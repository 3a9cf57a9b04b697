import BGPWire

/// A validated `attach_localport` body (§6.2): everything the VPN manager needs, typed. Parsing checks the
/// request itself, in the original's order and with its messages; checks that depend on state (VNI in use, MAC
/// on two ports, ...) belong to the ``LocalPortService``.
public struct AttachRequest: Hashable, Sendable {
    /// External id; every attachment with the same id shares one VPN instance.
    public var vpnInstanceID: String
    public var vpnType: VPNType
    public var macAddress: MACAddress
    /// Mandatory for ipvpn; nil for an evpn MAC-only attachment.
    public var ipAddress: EndpointAddress?
    /// Advertise ``ipAddress`` with its prefix length instead of as a host route.
    public var advertiseSubnet: Bool
    /// Present (possibly null, hence nil) for ipvpn; used only when the instance is created.
    public var gatewayIP: IPAddress?
    public var localPort: LocalPort
    /// Replace the instance's RTs on every attach (§4.1 step 8). Duplicates removed, order kept.
    public var importRTs: [RouteTarget]
    public var exportRTs: [RouteTarget]
    /// Used only when the instance is created.
    public var readvertise: Readvertise?
    /// In force only with ``readvertise`` or its own `to_rt` (see ``AttractTraffic``); creation only.
    public var attractTraffic: AttractTraffic?
    /// Consistent-hash sort order (CHSO extended community; OVS bucket id hint).
    public var lbConsistentHashOrder: UInt32
    /// LOCAL_PREF of this endpoint's route; nil means 100.
    public var localPref: UInt32?
    /// Non-zero forces the instance's label/VNI (creation only; unique across instances).
    public var vni: UInt32
    /// evpn only: an existing Linux bridge (always nil for ipvpn, which ignores it).
    public var linuxbr: String?
    public var direction: Direction
    /// ipvpn `ovs` driver: what to do on a VRF lookup miss.
    public var fallback: Fallback?
    /// Stored on the instance; an attach without it clears it, as in the original (§4.1 step 7).
    public var instanceDescription: String?
    /// Stored per endpoint; any JSON (the Neutron agent sends `{"port": "<uuid>"}`).
    public var description: JSONValue?

    public init(
        vpnInstanceID: String, vpnType: VPNType, macAddress: MACAddress, ipAddress: EndpointAddress?,
        advertiseSubnet: Bool = false, gatewayIP: IPAddress?, localPort: LocalPort, importRTs: [RouteTarget],
        exportRTs: [RouteTarget], readvertise: Readvertise? = nil, attractTraffic: AttractTraffic? = nil,
        lbConsistentHashOrder: UInt32 = 0, localPref: UInt32? = nil, vni: UInt32 = 0, linuxbr: String? = nil,
        direction: Direction = .both, fallback: Fallback? = nil, instanceDescription: String? = nil,
        description: JSONValue? = nil
    ) {
        self.vpnInstanceID = vpnInstanceID
        self.vpnType = vpnType
        self.macAddress = macAddress
        self.ipAddress = ipAddress
        self.advertiseSubnet = advertiseSubnet
        self.gatewayIP = gatewayIP
        self.localPort = localPort
        self.importRTs = importRTs
        self.exportRTs = exportRTs
        self.readvertise = readvertise
        self.attractTraffic = attractTraffic
        self.lbConsistentHashOrder = lbConsistentHashOrder
        self.localPref = localPref
        self.vni = vni
        self.linuxbr = linuxbr
        self.direction = direction
        self.fallback = fallback
        self.instanceDescription = instanceDescription
        self.description = description
    }

    /// Parses and validates the raw body of `POST /attach_localport`.
    public init(body: some Collection<UInt8>) throws(RequestRejection) {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .notJSON }
        do { try self.init(json: json) } catch { throw .invalid(error) }
    }

    /// Validates a body in the original's order (§6.2 "Validation order", then the manager's conversions).
    public init(json: JSONValue) throws(APIError) {
        guard case .object(let body) = json else { throw APIError("the request body must be a JSON object") }
        let c = try CommonFields(body, alsoMandatory: ["import_rt", "export_rt"])
        let f = BodyFields(body)
        vpnInstanceID = c.vpnInstanceID
        vpnType = c.vpnType
        macAddress = c.macAddress
        ipAddress = c.ipAddress
        localPort = c.localPort
        advertiseSubnet = try f.bool("advertise_subnet") ?? false
        lbConsistentHashOrder = UInt32(try f.integer("lb_consistent_hash_order", in: 0...0xFFFF_FFFF) ?? 0)
        vni = UInt32(try f.integer("vni", in: 0...0xFF_FFFF) ?? 0)
        // `params.get('direction') or 'both'`: absent, null and "" all mean both.
        switch body["direction"] {
        case nil, .null?, .string("")?: direction = .both
        case .string(let s)? where Direction(rawValue: s) != nil: direction = Direction(rawValue: s)!
        default:
            throw APIError("direction should be one of: " + Direction.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if vpnType == .ipvpn, body["gateway_ip"] == nil { throw APIError.missingParameter("gateway_ip") }
        if let g = try f.string("gateway_ip") {
            guard let a = IPAddress(g.trimmingSpaces) else {
                throw APIError("'gateway_ip' \(g) is not a valid IP address")
            }
            gatewayIP = a
        } else {
            gatewayIP = nil
        }
        // The manager converts the RTs after validation (§4.1 step 3).
        importRTs = try f.routeTargets("import_rt") ?? []
        exportRTs = try f.routeTargets("export_rt") ?? []
        readvertise = try Self.readvertise(f)
        attractTraffic = try Self.attractTraffic(f, readvertise: readvertise)
        localPref = try f.integer("local_pref", in: 0...0xFFFF_FFFF).map { UInt32($0) }
        linuxbr = vpnType == .evpn ? try f.string("linuxbr") : nil
        fallback = try Self.fallback(f)
        instanceDescription = try f.string("instance_description")
        description = f.value("description")
    }

    static func readvertise(_ f: BodyFields) throws(APIError) -> Readvertise? {
        guard let v = f.value("readvertise"), v.isTruthy else { return nil }
        guard let r = try f.object("readvertise") else { return nil }
        for key in ["from_rt", "to_rt"] where r.object[key] == nil {
            throw APIError("Wrong 'readvertise' parameters: '\(key)'")
        }
        return Readvertise(fromRTs: try r.routeTargets("from_rt") ?? [], toRTs: try r.routeTargets("to_rt") ?? [])
    }

    /// §4.2 "Attract-traffic config", checked on every attach rather than only at instance creation.
    static func attractTraffic(_ f: BodyFields, readvertise: Readvertise?) throws(APIError) -> AttractTraffic? {
        guard let v = f.value("attract_traffic"), v.isTruthy else { return nil }
        guard let a = try f.object("attract_traffic") else { return nil }
        guard a.object["redirect_rts"] != nil else {
            throw APIError("Wrong 'attract_traffic' parameters: 'redirect_rts'")
        }
        let redirectRTs = try a.routeTargets("redirect_rts") ?? []
        let attractToRTs = try a.routeTargets("to_rt") ?? []
        guard readvertise != nil || !attractToRTs.isEmpty else { return nil }
        var toRTs = readvertise?.toRTs ?? []
        var staticPrefixes: [IPPrefix] = []
        if !attractToRTs.isEmpty {
            if readvertise != nil, attractToRTs != toRTs {
                throw APIError("if both are set, then 'attract_traffic/to_rt' and 'readvertise/to_rt' have to be equal")
            }
            toRTs = attractToRTs
            guard a.object["static_destination_prefixes"] != nil else {
                throw APIError("'attract_traffic/to_rt' specified without 'static_destination_prefixes'")
            }
            staticPrefixes = try a.prefixes("static_destination_prefixes") ?? []
        }
        guard toRTs.count == 1 else {
            throw APIError(
                "attract_traffic requires exactly one RT to be provided in 'readvertise/to_rt' and "
                    + "'attract_traffic/to_rt'")
        }
        guard a.object["classifier"] != nil else { throw APIError("'attract_traffic' specified with no 'classifier'") }
        let c = try a.object("classifier") ?? BodyFields([:], path: "attract_traffic/classifier/")
        func prefix(_ key: String) throws(APIError) -> IPPrefix? {
            guard let s = try c.string(key) else { return nil }
            guard let p = EndpointAddress(s.trimmingSpaces)?.prefix else {
                throw APIError("'\(c.name(key))': \(s) is not a valid IP prefix")
            }
            return p
        }
        func port(_ key: String) throws(APIError) -> PortRange? {
            let text: String
            switch c.value(key) {
            case nil, .string("")?: return nil
            case .string(let s)?: text = s
            case .int(let i)?: text = String(i)
            case let v?: text = v.pythonRepr
            }
            guard let r = PortRange(text.trimmingSpaces) else {
                throw APIError("'\(c.name(key))': \(text) is not a port or a port range")
            }
            return r
        }
        let classifier = TrafficClassifier(
            sourcePrefix: try prefix("sourcePrefix"), destinationPrefix: try prefix("destinationPrefix"),
            sourcePort: try port("sourcePort"), destinationPort: try port("destinationPort"),
            protocol: try c.string("protocol") ?? "tcp")
        return AttractTraffic(
            redirectRTs: redirectRTs, classifier: classifier, toRT: toRTs[0], staticDestinationPrefixes: staticPrefixes)
    }

    static func fallback(_ f: BodyFields) throws(APIError) -> Fallback? {
        guard let v = f.value("fallback"), v.isTruthy, let o = try f.object("fallback") else { return nil }
        return Fallback(
            srcMAC: try o.mac("src_mac"), dstMAC: try o.mac("dst_mac"),
            ovsPortNumber: try o.integer("ovs_port_number", in: 0...0xFFFF_FFFF).map { Int($0) },
            ovsPortName: try o.string("ovs_port_name"), ovsResubmit: try o.string("ovs_resubmit"))
    }
}

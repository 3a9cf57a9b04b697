public import BGPRouting
public import BGPWire

/// The VPN instances of a bagpipe-bgp (bagpipe-bgp.md §4.1): attach and detach local ports, and turn the routes
/// the engine delivers into dataplane calls. A value with no I/O: each call returns the effects to carry out, in
/// order, and a refused call changes nothing (the original rolled back by hand, and not everywhere).
public struct VPNManager: Sendable {
    public struct Configuration: Sendable {
        /// The BGP local address: the administrator field of our route distinguishers (type 1, RFC 4364 §4.2)
        /// and the originating router of Inclusive Multicast routes (RFC 7432 §7.3).
        public var bgpLocalAddress: IPv4Address
        public var drivers: [VPNType: DriverTraits]

        public init(bgpLocalAddress: IPv4Address, drivers: [VPNType: DriverTraits]) {
            self.bgpLocalAddress = bgpLocalAddress
            self.drivers = drivers
        }
    }

    public let configuration: Configuration
    public internal(set) var instances: [String: VPNInstance] = [:]
    /// Instance label (VNI) → external id: a forced `vni` must not be in use (§4.1).
    public private(set) var instanceByLabel: [UInt32: String] = [:]
    var instanceBySubscriber: [SubscriberID: String] = [:]
    /// Instance labels and per-MAC port labels (§2.2).
    public private(set) var labels = IdentifierAllocator(minimum: 16, maximum: (1 << 20) - 1)
    /// Route distinguisher numbers under the BGP local address (§2.2); released when no longer used (the
    /// original never released instance RDs, §11.3 item 6).
    public private(set) var routeDistinguishers = IdentifierAllocator(minimum: 0, maximum: 65535)
    var nextInstanceID: UInt32 = 1

    public init(configuration: Configuration) { self.configuration = configuration }

    public var instanceCount: Int { instances.count }

    public func instance(subscriber: SubscriberID) -> VPNInstance? {
        instanceBySubscriber[subscriber].flatMap { instances[$0] }
    }

    // MARK: - Attach

    /// `attach_localport` (§4.1 `plug_vif_to_vpn`).
    public mutating func attach(_ a: Attachment) throws(VPNError) -> [VPNEffect] {
        // Every refusal is found before anything changes; then the change cannot fail. (Working on a copy would
        // copy the instance's tables on every attach: O(endpoints) each.)
        try validate(a)
        var out: [VPNEffect] = []
        try plug(a, &out)
        return out
    }

    /// The checks of an attach, in the original's order, without changing anything; including whether the
    /// identifiers it needs are left.
    func validate(_ a: Attachment) throws(VPNError) {
        guard let traits = configuration.drivers[a.type] else { throw .noDriver(a.type) }
        if a.type == .ipvpn {
            guard a.ip != nil else { throw .missingIPAddress }
            guard a.gatewayIP != nil else { throw .missingGatewayIP }
        }
        guard a.port.linuxInterface != nil || a.port.evpnLink != nil else { throw .missingLinuxInterface }
        guard traits.directions.contains(a.direction) else {
            throw .unsupportedDirection(a.direction, driver: traits.name)
        }
        let existing = instances[a.instanceID]
        var labelsNeeded = 0
        var rdsNeeded = 0
        if let existing {
            guard existing.type == a.type else {
                throw .typeMismatch(instance: a.instanceID, existing: existing.type, requested: a.type)
            }
        } else {
            if let vni = a.vni, vni != 0, instanceByLabel[vni] != nil || labels.allocated[vni] != nil {
                throw .vniAlreadyUsed(vni)
            }
            _ = try Self.attractConfiguration(a)
            if (a.vni ?? 0) == 0 { labelsNeeded += 1 }
            rdsNeeded += 1
        }
        var portName = a.port.linuxInterface
        if let link = a.port.evpnLink {
            guard a.type == .ipvpn else { throw .evpnLink("local_port 'evpn' is only for an ipvpn attachment") }
            guard a.port.linuxInterface == nil else {
                throw .evpnLink("local_port cannot have both 'linuxif' and 'evpn'")
            }
            guard let evi = instances[link] else {
                throw .evpnLink("no E-VPN instance \(link) to plug into \(a.instanceID)")
            }
            guard evi.type == .evpn else { throw .evpnLink("\(link) is not an E-VPN instance") }
            if let current = existing?.evpnLink, current.instance != link {
                throw .evpnLink("\(a.instanceID) is already plugged to E-VPN instance \(current.instance)")
            }
            if let gw = evi.gatewayPort, gw.instance != a.instanceID {
                throw .evpnLink("E-VPN instance \(link) already has a gateway port (to \(gw.instance))")
            }
            portName = existing.map { $0.evpnLink?.interface ?? "ipvpn\($0.id)-evpn\(evi.id)" }
        }
        if let existing {
            if let bound = existing.macs[a.mac], let portName, bound.port.linuxInterface != portName {
                throw .macBoundToAnotherPort(mac: "\(a.mac)", port: bound.port.linuxInterface)
            }
            if let ip = a.ip?.address,
                let other = existing.endpoints.keys.first(where: { $0.ip == ip && $0.mac != a.mac })
            {
                throw .ipBoundToAnotherMAC(ip: "\(ip)", mac: "\(other.mac)")
            }
            if a.type == .ipvpn, existing.macs[a.mac] == nil { labelsNeeded += 1 }
            if existing.endpoints[EndpointKey(mac: a.mac, ip: a.ip?.address)] == nil {
                rdsNeeded += 1
            }
            // A changed endpoint releases its own RD before taking one again: at most one more is needed.
            else {
                rdsNeeded += 1
            }
        } else {
            if a.type == .ipvpn { labelsNeeded += 1 }
            rdsNeeded += 1
        }
        guard labels.available >= labelsNeeded else { throw .internalError("no label left") }
        guard routeDistinguishers.available >= rdsNeeded else { throw .internalError("no route distinguisher left") }
    }

    private mutating func plug(_ a: Attachment, _ out: inout [VPNEffect]) throws(VPNError) {
        guard let traits = configuration.drivers[a.type] else { throw .noDriver(a.type) }
        if a.type == .ipvpn {
            guard a.ip != nil else { throw .missingIPAddress }
            guard a.gatewayIP != nil else { throw .missingGatewayIP }
        }
        guard a.port.linuxInterface != nil || a.port.evpnLink != nil else { throw .missingLinuxInterface }
        guard traits.directions.contains(a.direction) else {
            throw .unsupportedDirection(a.direction, driver: traits.name)
        }
        var instance: VPNInstance
        let isNew: Bool
        // Taken out of the table while it changes, so that its tables are changed in place, not copied.
        if let existing = instances.removeValue(forKey: a.instanceID) {
            instance = existing
            isNew = false
        } else {
            instance = try create(a, traits, &out)
            isNew = true
        }
        // `validate(_:)` found every refusal; a failure here is internal (the instance goes back as it is).
        defer { instances[a.instanceID] = instance }
        instance.description = a.instanceDescription
        // §4.2: the fallback follows every attach when it changes (and is given).
        if instance.type == .ipvpn, let f = a.fallback, f != instance.fallback {
            instance.fallback = f
            out.append(.dataplane(instance.dataplane, .updateFallback(f)))
        }
        updateRouteTargets(&instance, a.importRouteTargets, a.exportRouteTargets, traits, isNew: isNew, &out)
        var port: LocalPort
        if let link = a.port.evpnLink {
            port = try stitch(&instance, to: link, &out)
        } else {
            port = LocalPort(linuxInterface: a.port.linuxInterface!, vlan: a.port.vlan)
        }
        port.vlan = a.port.vlan
        try plugEndpoint(&instance, a, port, traits, &out)
        if isNew, instance.type == .evpn { advertiseInclusiveMulticast(&instance, traits, &out) }
    }

    mutating func create(
        _ a: Attachment, _ traits: DriverTraits, _ out: inout [VPNEffect]
    ) throws(VPNError)
        -> VPNInstance
    {
        if let vni = a.vni, vni != 0, instanceByLabel[vni] != nil { throw .vniAlreadyUsed(vni) }
        let (readvertise, attract) = try Self.attractConfiguration(a)
        let id = nextInstanceID
        guard id < UInt32.max else { throw .internalError("no VPN instance id left") }
        let name = "\(a.type == .ipvpn ? "VRF" : "EVI")-\(id)"
        let forced = (a.vni ?? 0) != 0
        let label: UInt32
        let rdNumber: UInt32
        do {
            if forced {
                label = a.vni!
                // Reserved in the allocator when in its range, so that no later instance or port gets it.
                if label >= labels.minimum, label <= labels.maximum {
                    _ = try labels.allocate(hint: label, owner: name)
                }
            } else {
                label = try labels.allocate(owner: name)
            }
            rdNumber = try routeDistinguishers.allocate(owner: name)
        } catch {
            throw .internalError("\(error)")
        }
        nextInstanceID += 1
        let instance = VPNInstance(
            type: a.type, id: id, externalID: a.instanceID, importRouteTargets: [], exportRouteTargets: [],
            gatewayIP: a.gatewayIP, prefixLength: a.ip?.length, label: label, forcedLabel: forced,
            routeDistinguisher: .ipv4(configuration.bgpLocalAddress, UInt16(rdNumber)), rdNumber: rdNumber,
            linuxBridge: a.type == .evpn ? a.linuxBridge : nil, readvertise: readvertise, attractTraffic: attract)
        instanceByLabel[label] = a.instanceID
        instanceBySubscriber[instance.subscriber] = a.instanceID
        out.append(.dataplane(instance.dataplane, .initialize(instance.dataplane)))
        return instance
    }

    /// `readvertise` and `attract_traffic` as the instance uses them (§4.2): attract mode needs `readvertise` or
    /// its own `to` (which then is the readvertise target, with static prefixes); the two `to` must agree, and there
    /// is exactly one.
    static func attractConfiguration(_ a: Attachment) throws(VPNError) -> (Readvertise?, AttractTraffic?) {
        var readvertise = a.readvertise
        guard let attract = a.attractTraffic, a.type == .ipvpn, readvertise != nil || attract.to != nil else {
            return (readvertise, nil)
        }
        if let to = attract.to {
            if let r = readvertise, r.to != [to] {
                throw .attractTraffic("attract_traffic 'to_rt' must be the readvertise 'to_rt' (\(r.to))")
            }
            guard !attract.staticDestinationPrefixes.isEmpty else {
                throw .attractTraffic("attract_traffic 'to_rt' requires 'static_destination_prefixes'")
            }
            readvertise = readvertise ?? Readvertise(from: [], to: [to])
        }
        guard readvertise?.to.count == 1 else {
            throw .attractTraffic("attract_traffic needs exactly one readvertise 'to_rt'")
        }
        guard !attract.redirectRouteTargets.isEmpty else {
            throw .attractTraffic("attract_traffic requires 'redirect_rts'")
        }
        return (readvertise, attract)
    }

    /// Instance route targets are those of the latest attach (§4.1 step 8). A changed export list re-advertises
    /// every route of the instance, the Inclusive Multicast route included (the original left it with the old
    /// ones, §11.3 item 4).
    func updateRouteTargets(
        _ instance: inout VPNInstance, _ imports: [RouteTarget], _ exports: [RouteTarget], _ traits: DriverTraits,
        isNew: Bool, _ out: inout [VPNEffect]
    ) {
        let old = Set(instance.importRouteTargets)
        let new = Set(imports)
        let readvertised = Set(instance.readvertise?.from ?? [])
        for rt in instance.importRouteTargets where !new.contains(rt) && !readvertised.contains(rt) {
            for f in instance.families {
                out.append(.unsubscribe(Subscription(instance.subscriber, family: f, routeTarget: rt)))
            }
        }
        instance.importRouteTargets = imports
        for rt in imports where !old.contains(rt) {
            for f in instance.families {
                out.append(
                    .subscribe(
                        Subscription(instance.subscriber, family: f, routeTarget: rt, multipath: traits.supportsECMP)))
            }
        }
        if let from = instance.readvertise?.from, isNew {
            for rt in from where !new.contains(rt) {
                for f in instance.families {
                    out.append(
                        .subscribe(
                            Subscription(
                                instance.subscriber, family: f, routeTarget: rt, multipath: traits.supportsECMP)))
                }
            }
        }
        guard instance.exportRouteTargets != exports else { return }
        instance.exportRouteTargets = exports
        for key in instance.endpoints.keys.sorted() {
            guard let e = instance.endpoints[key], e.advertised != nil else { continue }
            out.append(.advertise(route(for: e, in: instance, traits), instance.subscriber))
            if e.prefixRoute != nil, let p = prefixRoute(for: e, in: instance, traits) {
                out.append(.advertise(p, instance.subscriber))
            }
        }
        if instance.inclusiveMulticast != nil { advertiseInclusiveMulticast(&instance, traits, &out) }
    }

    private mutating func plugEndpoint(
        _ instance: inout VPNInstance, _ a: Attachment, _ port: LocalPort, _ traits: DriverTraits,
        _ out: inout [VPNEffect]
    ) throws(VPNError) {
        let key = EndpointKey(mac: a.mac, ip: a.ip?.address)
        if let bound = instance.macs[a.mac], bound.port.linuxInterface != port.linuxInterface {
            throw .macBoundToAnotherPort(mac: "\(a.mac)", port: bound.port.linuxInterface)
        }
        if let ip = a.ip?.address, let other = instance.endpoints.keys.first(where: { $0.ip == ip && $0.mac != a.mac })
        {
            throw .ipBoundToAnotherMAC(ip: "\(ip)", mac: "\(other.mac)")
        }
        var endpoint: Endpoint
        if let existing = instance.endpoints[key] {
            // The same endpoint again: its route follows the new parameters. A MAC that had moved away is back:
            // it must outnumber the routes of its other places (RFC 7432 §15.1).
            endpoint = existing
            if instance.type == .evpn, existing.advertised == nil, let seq = mobilitySequence(for: a.mac, in: instance)
            {
                endpoint.mobilitySequence = seq
            }
            // What the dataplane was told changes: unplug the old, plug the new, and choose the RD again.
            if existing.advertiseSubnet != a.advertiseSubnet || existing.direction != a.direction
                || existing.ip?.length != a.ip?.length || existing.port != port
            {
                out.append(
                    .dataplane(
                        instance.dataplane,
                        .vifUnplugged(
                            mac: existing.key.mac, ip: existing.ip.map { $0.prefix(subnet: existing.advertiseSubnet) },
                            port: existing.port, label: existing.label, direction: existing.direction,
                            lastEndpoint: false)))
                out.append(
                    .dataplane(
                        instance.dataplane,
                        .vifPlugged(
                            mac: a.mac, ip: a.ip.map { $0.prefix(subnet: a.advertiseSubnet) }, port: port,
                            label: existing.label, direction: a.direction)))
                releaseRD(existing)
                endpoint.ownRD = nil
                endpoint.routeDistinguisher = nil
                endpoint.port = port
            }
        } else {
            let label: UInt32
            if let bound = instance.macs[a.mac] {
                label = bound.label
            } else if instance.type == .evpn {
                label = instance.label
            } else {
                do { label = try labels.allocate(owner: "\(instance.name) \(a.mac)") } catch {
                    throw .internalError("\(error)")
                }
            }
            endpoint = Endpoint(
                key: key, ip: a.ip, advertiseSubnet: a.advertiseSubnet, port: port, label: label,
                routeDistinguisher: nil, ownRD: nil, localPreference: a.localPreference, direction: a.direction,
                consistentHashOrder: a.consistentHashOrder, description: a.endpointDescription, advertised: nil,
                mobilitySequence: instance.type == .evpn ? mobilitySequence(for: a.mac, in: instance) : nil)
            let isNewMAC = instance.macs[a.mac] == nil
            instance.macs[a.mac, default: MACBinding(port: port, label: label, endpoints: 0)].endpoints += 1
            if isNewMAC, instance.type == .evpn { reelectMAC(a.mac, in: &instance, &out) }
            out.append(
                .dataplane(
                    instance.dataplane,
                    .vifPlugged(
                        mac: a.mac, ip: a.ip.map { $0.prefix(subnet: a.advertiseSubnet) }, port: port, label: label,
                        direction: a.direction)))
        }
        endpoint.localPreference = a.localPreference
        endpoint.consistentHashOrder = a.consistentHashOrder
        endpoint.description = a.endpointDescription
        endpoint.advertiseSubnet = a.advertiseSubnet
        endpoint.ip = a.ip
        let isNewEndpoint = instance.endpoints[key] == nil
        if a.direction.forwardsToPort {
            if endpoint.routeDistinguisher == nil {
                // Readvertised copies go out through each endpoint under an RD of its own (§4.3).
                if !isHostRoute(endpoint) || instance.readvertise != nil {
                    do {
                        endpoint.ownRD = try routeDistinguishers.allocate(owner: "\(instance.name) \(key)")
                    } catch { throw .internalError("\(error)") }
                }
                endpoint.routeDistinguisher =
                    isHostRoute(endpoint)
                    ? instance.routeDistinguisher : .ipv4(configuration.bgpLocalAddress, UInt16(endpoint.ownRD!))
            }
            let r = route(for: endpoint, in: instance, traits)
            if let previous = endpoint.advertised, previous != r.nlri.key(family: r.family) {
                out.append(.withdraw(previous, instance.subscriber))
            }
            endpoint.advertised = r.nlri.key(family: r.family)
            out.append(.advertise(r, instance.subscriber))
            let p = prefixRoute(for: endpoint, in: instance, traits)
            if let previous = endpoint.prefixRoute, previous != p?.nlri.key(family: .evpn) {
                out.append(.withdraw(previous, instance.subscriber))
            }
            endpoint.prefixRoute = p?.nlri.key(family: .evpn)
            if let p { out.append(.advertise(p, instance.subscriber)) }
        } else {
            for previous in [endpoint.advertised, endpoint.prefixRoute].compactMap({ $0 }) {
                out.append(.withdraw(previous, instance.subscriber))
            }
            endpoint.advertised = nil
            endpoint.prefixRoute = nil
        }
        endpoint.direction = a.direction
        instance.endpoints[key] = endpoint
        if isNewEndpoint { syncLeaks(&instance, traits, &out) }
        // §4.2 step 7: a MAC/IP endpoint replaces the MAC-only one of the same MAC.
        if key.ip != nil, let wildcard = instance.endpoints[EndpointKey(mac: a.mac, ip: nil)] {
            if let k = wildcard.advertised { out.append(.withdraw(k, instance.subscriber)) }
            releaseRD(wildcard)
            instance.endpoints[wildcard.key] = nil
            instance.macs[a.mac]?.endpoints -= 1
        }
    }

    /// A host route (or a MAC-only route) uses the instance RD; a subnet gets an RD of its own, so that two
    /// nodes advertising the same subnet are two routes (§2.1).
    private func isHostRoute(_ e: Endpoint) -> Bool {
        // A MAC-only E-VPN endpoint gets an RD of its own too (§2.1).
        guard let ip = e.ip else { return false }
        return !e.advertiseSubnet || ip.length == ip.hostLength
    }

    private mutating func releaseRD(_ e: Endpoint) {
        if let n = e.ownRD { try? routeDistinguishers.release(n) }
    }

    // MARK: - Routes

    /// The route advertised for a local endpoint (§2.1).
    func route(for e: Endpoint, in instance: VPNInstance, _ traits: DriverTraits) -> LocalRoute {
        let rd = e.routeDistinguisher ?? instance.routeDistinguisher
        var communities = traits.encapsulations.map { ExtendedCommunity(TypedExtendedCommunity.encapsulation($0)) }
        communities.append(ExtendedCommunity(TypedExtendedCommunity.consistentHashSortOrder(e.consistentHashOrder)))
        if let sequence = e.mobilitySequence {
            communities.append(ExtendedCommunity(TypedExtendedCommunity.macMobility(sequence: sequence, sticky: false)))
        }
        let attributes: [PathAttribute] = [
            PathAttribute(.extendedCommunities(communities)),
            PathAttribute(.localPref(e.localPreference ?? 100)),
        ]
        switch instance.type {
        case .ipvpn:
            // RFC 8277 form even over VXLAN (the 20-bit label is the VNI): a raw 24-bit VNI, as E-VPN uses
            // (RFC 8365 §5.1.3), would leave the bottom-of-stack bit to chance in a VPN-IPv4 route.
            let field = LabelField(label: e.label)
            let prefix = e.ip!.prefix(subnet: e.advertiseSubnet)
            switch prefix {
            case .v4(let p):
                return LocalRoute(
                    family: .vpnIPv4,
                    nlri: .vpnIPv4(VPNIPv4NLRI(labels: LabelStack(field), routeDistinguisher: rd, prefix: p)),
                    nextHop: vpnNextHop(traits.localAddress, v6: false), attributes: attributes,
                    routeTargets: instance.exportRouteTargets)
            case .v6(let p):
                return LocalRoute(
                    family: .vpnIPv6,
                    nlri: .vpnIPv6(VPNIPv6NLRI(labels: LabelStack(field), routeDistinguisher: rd, prefix: p)),
                    nextHop: vpnNextHop(traits.localAddress, v6: true), attributes: attributes,
                    routeTargets: instance.exportRouteTargets)
            }
        case .evpn:
            let field = traits.usesVNI ? LabelField(vni: instance.label) : LabelField(label: instance.label)
            let route = EVPNRoute.macIPAdvertisement(
                .init(
                    routeDistinguisher: rd, ethernetTagID: 0, macAddress: e.key.mac, ipAddress: e.key.ip,
                    label1: field))
            return LocalRoute(
                family: .evpn, nlri: .evpn(EVPNNLRI(route: route)), nextHop: plainNextHop(traits.localAddress),
                attributes: attributes, routeTargets: instance.exportRouteTargets)
        }
    }

    /// The IP Prefix route (type 5, RFC 9136 §3) of an E-VPN endpoint attached with `advertise_subnet`: its subnet,
    /// in the endpoint's RD, with the instance VNI and no gateway (the next hop is the VTEP, §4.4.1); nil for a
    /// host address or an IP VPN instance.
    func prefixRoute(for e: Endpoint, in instance: VPNInstance, _ traits: DriverTraits) -> LocalRoute? {
        guard instance.type == .evpn, e.advertiseSubnet, let ip = e.ip, ip.length < ip.hostLength,
            let rd = e.routeDistinguisher
        else { return nil }
        let prefix = ip.prefix(subnet: true)
        let gateway: IPAddress
        switch prefix {
        case .v4: gateway = .v4(IPv4Address(0))
        case .v6: gateway = .v6(IPv6Address(high: 0, low: 0))
        }
        let field = traits.usesVNI ? LabelField(vni: instance.label) : LabelField(label: instance.label)
        let route = EVPNRoute.ipPrefix(
            .init(routeDistinguisher: rd, ethernetTagID: 0, prefix: prefix, gatewayIP: gateway, label: field))
        let communities = traits.encapsulations.map { ExtendedCommunity(TypedExtendedCommunity.encapsulation($0)) }
        return LocalRoute(
            family: .evpn, nlri: .evpn(EVPNNLRI(route: route)), nextHop: plainNextHop(traits.localAddress),
            attributes: [
                PathAttribute(.extendedCommunities(communities)), PathAttribute(.localPref(e.localPreference ?? 100)),
            ], routeTargets: instance.exportRouteTargets)
    }

    /// The Inclusive Multicast Ethernet Tag route of an EVI, with ingress replication to our VTEP
    /// (RFC 7432 §7.3, §11.2; RFC 8365 §5.1.3 puts the VNI in the PMSI label).
    private func advertiseInclusiveMulticast(
        _ instance: inout VPNInstance, _ traits: DriverTraits, _ out: inout [VPNEffect]
    ) {
        let field = traits.usesVNI ? LabelField(vni: instance.label) : LabelField(label: instance.label)
        let origin = IPAddress.v4(configuration.bgpLocalAddress)
        let route = EVPNRoute.inclusiveMulticastEthernetTag(
            .init(routeDistinguisher: instance.routeDistinguisher, ethernetTagID: 0, originatingRouterIP: origin))
        let communities = traits.encapsulations.map { ExtendedCommunity(TypedExtendedCommunity.encapsulation($0)) }
        let local = LocalRoute(
            family: .evpn, nlri: .evpn(EVPNNLRI(route: route)), nextHop: plainNextHop(origin),
            attributes: [
                PathAttribute(.extendedCommunities(communities)),
                PathAttribute(.pmsiTunnel(.ingressReplication(endpoint: traits.localAddress, label: field))),
            ], routeTargets: instance.exportRouteTargets)
        instance.inclusiveMulticast = local.nlri.key(family: .evpn)
        out.append(.advertise(local, instance.subscriber))
    }

    func plainNextHop(_ a: IPAddress) -> NextHop {
        switch a {
        case .v4(let v4): .ipv4(v4)
        case .v6(let v6): .ipv6(v6, linkLocal: nil)
        }
    }

    /// VPN next hops (RFC 4364 §4.3.2, RFC 4659 §3.2.1.2: an IPv4 next hop of a VPN-IPv6 route is IPv4-mapped).
    func vpnNextHop(_ a: IPAddress, v6: Bool) -> NextHop {
        switch (a, v6) {
        case (.v4(let v4), false): .vpnIPv4(v4)
        case (.v4(let v4), true):
            .vpnIPv6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.value)), linkLocal: nil)
        case (.v6(let v6), _): .vpnIPv6(v6, linkLocal: nil)
        }
    }

    // MARK: - Detach

    /// `detach_localport` (§4.1 `unplug_vif_from_vpn`). The instance goes when its last endpoint does.
    public mutating func detach(_ d: Detachment) throws(VPNError) -> [VPNEffect] {
        var out: [VPNEffect] = []
        try unplug(d, &out)
        return out
    }

    private mutating func unplug(_ d: Detachment, _ out: inout [VPNEffect]) throws(VPNError) {
        guard let found = instances[d.instanceID] else { throw .vpnNotFound(d.instanceID) }
        guard found.type == d.type else {
            throw .typeMismatch(instance: d.instanceID, existing: found.type, requested: d.type)
        }
        if d.type == .ipvpn, d.ip == nil { throw .missingIPAddress }
        guard d.port.linuxInterface != nil || d.port.evpnLink != nil else { throw .missingLinuxInterface }
        let keys: [EndpointKey]
        if let ip = d.ip {
            keys = [EndpointKey(mac: d.mac, ip: ip.address)]
        } else {
            // Every IP of the MAC, then the MAC itself (§6.3).
            keys =
                found.macs[d.mac] == nil
                ? []
                : found.endpoints.keys.filter { $0.mac == d.mac }.sorted {
                    ($0.ip == nil ? 1 : 0) < ($1.ip == nil ? 1 : 0)
                }
        }
        guard !keys.isEmpty else { throw .notPluggedYet(mac: "\(d.mac)", ip: nil) }
        guard keys.allSatisfy({ found.endpoints[$0] != nil }) else {
            throw .notPluggedYet(mac: "\(d.mac)", ip: d.ip.map { "\($0.address)" })
        }
        // Nothing can fail from here on. Taken out of the table while it changes, so its tables change in place.
        var instance = instances.removeValue(forKey: d.instanceID)!
        for key in keys {
            let e = instance.endpoints[key]!
            for k in [e.advertised, e.prefixRoute].compactMap({ $0 }) { out.append(.withdraw(k, instance.subscriber)) }
            instance.endpoints[key] = nil
            if let traits = configuration.drivers[instance.type] { syncLeaks(&instance, traits, &out) }
            let last = !instance.endpoints.values.contains { $0.port.linuxInterface == e.port.linuxInterface }
            // Unlike the original, from-port endpoints are unplugged too (§11.3 item 5).
            out.append(
                .dataplane(
                    instance.dataplane,
                    .vifUnplugged(
                        mac: e.key.mac, ip: e.ip.map { $0.prefix(subnet: e.advertiseSubnet) }, port: e.port,
                        label: e.label, direction: e.direction, lastEndpoint: last)))
            releaseRD(e)
            instance.macs[e.key.mac]?.endpoints -= 1
            if let binding = instance.macs[e.key.mac], binding.endpoints <= 0 {
                instance.macs[e.key.mac] = nil
                if instance.type == .ipvpn { try? labels.release(binding.label) }
                if instance.type == .evpn, !instance.endpoints.isEmpty { reelectMAC(e.key.mac, in: &instance, &out) }
            }
            if let link = instance.evpnLink, last, e.port.linuxInterface == link.interface {
                unstitch(&instance, &out)
            }
        }
        // An EVI with a VRF stitched to it stays until the VRF lets go (§4.5).
        if instance.endpoints.isEmpty, instance.gatewayPort == nil {
            stop(instance, &out)
        } else {
            instances[d.instanceID] = instance
        }
    }

    /// Removes an instance: its routes and subscriptions from the engine, everything from the dataplane, its
    /// identifiers back to the allocators.
    mutating func stop(_ instance: VPNInstance, _ out: inout [VPNEffect]) {
        // Its redirections go first, so that a redirect instance it alone used goes too.
        var stopping = instance
        for key in stopping.redirects.keys.sorted(by: { "\($0)" < "\($1)" }) {
            removeRedirect(key, from: &stopping, &out)
        }
        out.append(.removeSubscriber(instance.subscriber))
        out.append(.dataplane(instance.dataplane, .cleanup))
        // A forced VNI in the label range was reserved in the allocator too.
        if labels.allocated[instance.label] != nil { try? labels.release(instance.label) }
        try? routeDistinguishers.release(instance.rdNumber)
        instanceByLabel[instance.label] = nil
        instanceBySubscriber[instance.subscriber] = nil
        instances[instance.externalID] = nil
    }

    // MARK: - E-VPN ↔ IP VPN stitching (§4.5)

    private mutating func stitch(
        _ vrf: inout VPNInstance, to eviID: String, _ out: inout [VPNEffect]
    ) throws(VPNError)
        -> LocalPort
    {
        guard var evi = instances[eviID] else {
            throw .evpnLink("no E-VPN instance \(eviID) to plug into \(vrf.externalID)")
        }
        guard evi.type == .evpn else { throw .evpnLink("\(eviID) is not an E-VPN instance") }
        if let link = vrf.evpnLink {
            guard link.instance == eviID else {
                throw .evpnLink("\(vrf.externalID) is already plugged to E-VPN instance \(link.instance)")
            }
            return LocalPort(linuxInterface: link.interface)
        }
        if let gw = evi.gatewayPort, gw.instance != vrf.externalID {
            throw .evpnLink("E-VPN instance \(eviID) already has a gateway port (to \(gw.instance))")
        }
        let eviSide = "evpn\(evi.id)-ipvpn\(vrf.id)"
        let vrfSide = "ipvpn\(vrf.id)-evpn\(evi.id)"
        vrf.evpnLink = Link(instance: eviID, interface: vrfSide)
        evi.gatewayPort = Link(instance: vrf.externalID, interface: eviSide)
        out.append(
            .dataplane(
                evi.dataplane,
                .setGatewayPort(linuxInterface: eviSide, peerInterface: vrfSide, gatewayIP: vrf.gatewayIP!)))
        instances[eviID] = evi
        return LocalPort(linuxInterface: vrfSide)
    }

    private mutating func unstitch(_ vrf: inout VPNInstance, _ out: inout [VPNEffect]) {
        guard let link = vrf.evpnLink else { return }
        vrf.evpnLink = nil
        guard var evi = instances[link.instance], let gw = evi.gatewayPort else { return }
        evi.gatewayPort = nil
        out.append(.dataplane(evi.dataplane, .gatewayPortDown(linuxInterface: gw.interface)))
        if evi.endpoints.isEmpty {
            stop(evi, &out)
        } else {
            instances[link.instance] = evi
        }
    }
}

extension IPAddress {
    var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }
}

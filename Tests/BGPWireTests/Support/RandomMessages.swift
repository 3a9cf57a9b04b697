import SeededRandom

@testable import BGPWire

/// Builds random well-formed messages: everything the codec can say, within what the RFCs allow, so that
/// decode(encode(m)) == m must hold.
struct RandomMessages {
    var rng: SplitMix64
    /// Whether AS numbers are 4 octets on the simulated session.
    let fourOctetAS: Bool
    /// Set while generating withdrawn NLRI.
    var withdrawal = false

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
        fourOctetAS = seed % 4 != 0
    }

    var options: DecodingOptions { DecodingOptions(fourOctetAS: fourOctetAS, extendedMessage: true, maximumLabels: 3) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func u8() -> UInt8 { UInt8.random(in: 0...255, using: &rng) }
    mutating func u16() -> UInt16 { UInt16.random(in: 0...UInt16.max, using: &rng) }
    mutating func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
    mutating func u64() -> UInt64 { rng.next() }
    mutating func bytes(_ n: ClosedRange<Int>) -> [UInt8] { (0..<int(n)).map { _ in u8() } }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    mutating func list<T>(_ n: ClosedRange<Int>, _ make: (inout RandomMessages) -> T) -> [T] {
        (0..<int(n)).map { _ in make(&self) }
    }

    mutating func asn() -> UInt32 {
        fourOctetAS ? UInt32.random(in: 1...UInt32.max, using: &rng) : UInt32(int(1...65535))
    }
    mutating func ipv4() -> IPv4Address { IPv4Address(u32()) }
    /// A usable next hop (RFC 4271 §6.3 rules out 0/8, 127/8 and 224/3).
    mutating func unicastIPv4() -> IPv4Address { IPv4Address(UInt32(int(1...126)) << 24 | u32() & 0xFF_FFFF) }
    mutating func ipv6() -> IPv6Address { IPv6Address(high: u64(), low: u64()) }
    mutating func ip() -> IPAddress { bool() ? .v4(ipv4()) : .v6(ipv6()) }
    mutating func rd() -> RouteDistinguisher {
        RouteDistinguisher(rawValue: UInt64(int(0...2)) << 48 | u64() & 0xFFFF_FFFF_FFFF)
    }
    /// A label stack that fits the 1-octet length with a prefix of `prefixBits` and `otherBits` more (RD).
    mutating func labels(prefixBits: Int = 32, otherBits: Int = 0) -> LabelStack {
        // Withdrawals carry one label field (RFC 8277 §2.4).
        let n = withdrawal ? 1 : int(1...min(3, (255 - prefixBits - otherBits) / 24))
        return LabelStack((0..<n).map { i in LabelField(label: u32() & 0xF_FFFF, bottomOfStack: i == n - 1) })
    }
    mutating func pathID(_ addPath: Bool) -> UInt32? { addPath ? u32() : nil }
    mutating func v4prefix() -> IPv4Prefix { IPv4Prefix(ipv4(), length: UInt8(int(0...32))) }
    mutating func v6prefix() -> IPv6Prefix { IPv6Prefix(ipv6(), length: UInt8(int(0...128))) }
    mutating func esi() -> EthernetSegmentIdentifier { EthernetSegmentIdentifier(octets: bytes(10...10))! }

    // MARK: - NLRI

    mutating func evpnRoute() -> EVPNRoute {
        switch int(0...5) {
        case 0:
            return .ethernetAutoDiscovery(
                .init(routeDistinguisher: rd(), esi: esi(), ethernetTagID: u32(), label: LabelField(rawValue: u32())))
        case 1:
            return .macIPAdvertisement(
                .init(
                    routeDistinguisher: rd(), esi: esi(), ethernetTagID: u32(), macAddress: MACAddress(u64()),
                    ipAddress: bool() ? ip() : nil, label1: LabelField(rawValue: u32()),
                    label2: bool() ? LabelField(rawValue: u32()) : nil))
        case 2:
            return .inclusiveMulticastEthernetTag(
                .init(routeDistinguisher: rd(), ethernetTagID: u32(), originatingRouterIP: ip()))
        case 3: return .ethernetSegment(.init(routeDistinguisher: rd(), esi: esi(), originatingRouterIP: ip()))
        case 4:
            let v4 = bool()
            return .ipPrefix(
                .init(
                    routeDistinguisher: rd(), esi: esi(), ethernetTagID: u32(),
                    prefix: v4 ? .v4(v4prefix()) : .v6(v6prefix()),
                    gatewayIP: v4 ? .v4(ipv4()) : .v6(ipv6()), label: LabelField(rawValue: u32())))
        default: return .unknown(type: UInt8(int(6...255)), value: bytes(0...40))
        }
    }

    mutating func numericOperators() -> [NumericOperator] {
        list(1...4) { r in
            NumericOperator(
                and: r.bool(), lessThan: r.bool(), greaterThan: r.bool(), equal: r.bool(), value: UInt64(r.u16()),
                length: r.pick([FlowspecValueLength.two, .four, .eight]))
        }
    }

    mutating func bitmaskOperators(max: UInt64) -> [BitmaskOperator] {
        list(1...3) { r in
            BitmaskOperator(and: r.bool(), not: r.bool(), match: r.bool(), value: UInt64(r.int(0...Int(max))))
        }
    }

    mutating func flowspec(ipv6: Bool, vpn: Bool, addPath: Bool) -> FlowspecNLRI {
        var components: [FlowspecComponent] = []
        func prefix(_ r: inout RandomMessages) -> FlowspecPrefix {
            if ipv6 {
                let length = UInt8(r.int(1...128))
                return .ipv6(FlowspecIPv6Prefix(r.ipv6(), length: length, offset: UInt8(r.int(0...Int(length) - 1)))!)
            }
            return .ipv4(r.v4prefix())
        }
        for type in 1...(ipv6 ? 13 : 12) where bool() || (type == 1 && components.isEmpty && bool()) {
            switch type {
            case 1: components.append(.destinationPrefix(prefix(&self)))
            case 2: components.append(.sourcePrefix(prefix(&self)))
            case 3: components.append(.ipProtocol(numericOperators()))
            case 4: components.append(.port(numericOperators()))
            case 5: components.append(.destinationPort(numericOperators()))
            case 6: components.append(.sourcePort(numericOperators()))
            case 7: components.append(.icmpType(numericOperators()))
            case 8: components.append(.icmpCode(numericOperators()))
            case 9: components.append(.tcpFlags(bitmaskOperators(max: 0xFF)))
            case 10: components.append(.packetLength(numericOperators()))
            case 11:
                components.append(
                    .dscp(
                        numericOperators().map {
                            var o = $0; o.length = .one; o.value &= 0x3F; return o
                        }))
            case 12: components.append(.fragment(bitmaskOperators(max: 0xF)))
            default: components.append(.flowLabel(numericOperators()))
            }
        }
        if components.isEmpty { components = [.ipProtocol([NumericOperator(equal: true, value: 6)])] }
        return FlowspecNLRI(pathID: pathID(addPath), routeDistinguisher: vpn ? rd() : nil, components: components)
    }

    mutating func nlri(_ family: AddressFamily, addPath: Bool, count: ClosedRange<Int>) -> NLRIList {
        switch NLRIList.empty(for: family) {
        case .ipv4: return .ipv4(list(count) { r in IPv4PrefixNLRI(pathID: r.pathID(addPath), prefix: r.v4prefix()) })
        case .ipv6: return .ipv6(list(count) { r in IPv6PrefixNLRI(pathID: r.pathID(addPath), prefix: r.v6prefix()) })
        case .labeledIPv4:
            return .labeledIPv4(
                list(count) { r in LabeledIPv4NLRI(pathID: r.pathID(addPath), labels: r.labels(), prefix: r.v4prefix())
                })
        case .labeledIPv6:
            return .labeledIPv6(
                list(count) { r in
                    let p = r.v6prefix()
                    return LabeledIPv6NLRI(
                        pathID: r.pathID(addPath), labels: r.labels(prefixBits: Int(p.length)), prefix: p)
                })
        case .vpnIPv4:
            return .vpnIPv4(
                list(count) { r in
                    VPNIPv4NLRI(
                        pathID: r.pathID(addPath), labels: r.labels(), routeDistinguisher: r.rd(), prefix: r.v4prefix())
                })
        case .vpnIPv6:
            return .vpnIPv6(
                list(count) { r in
                    let p = r.v6prefix()
                    return VPNIPv6NLRI(
                        pathID: r.pathID(addPath), labels: r.labels(prefixBits: Int(p.length), otherBits: 64),
                        routeDistinguisher: r.rd(), prefix: p)
                })
        case .evpn: return .evpn(list(count) { r in EVPNNLRI(pathID: r.pathID(addPath), route: r.evpnRoute()) })
        case .rtc:
            return .rtc(
                list(count) { r in
                    r.int(0...5) == 0
                        ? .default(pathID: r.pathID(addPath))
                        : RTCNLRI(
                            pathID: r.pathID(addPath), originAS: r.u32(),
                            routeTarget: ExtendedCommunity(rawValue: r.u64()),
                            prefixLength: UInt8(r.int(32...96)))
                })
        case .flowspec:
            return .flowspec(
                list(count) { r in
                    r.flowspec(ipv6: family.afi == .ipv6, vpn: family.safi == .flowspecVPN, addPath: addPath)
                })
        case .raw: return .raw(bytes(0...30))
        }
    }

    mutating func nextHop(_ family: AddressFamily) -> NextHop {
        switch (family.afi, family.safi) {
        case (_, .flowspec), (_, .flowspecVPN): return .none
        case (.ipv4, .mplsVPN): return .vpnIPv4(unicastIPv4())
        case (.ipv6, .mplsVPN): return .vpnIPv6(ipv6(), linkLocal: bool() ? ipv6() : nil)
        case (.ipv4, .routeTargetConstraint): return .ipv4(unicastIPv4())
        default:
            if NLRIList.Kind(family) == .raw { return .raw(bytes(0...20)) }
            return bool() ? .ipv4(unicastIPv4()) : .ipv6(ipv6(), linkLocal: bool() ? ipv6() : nil)
        }
    }

    // MARK: - Attributes and messages

    mutating func asPath(width4: Bool) -> ASPath {
        ASPath(
            list(0...3) { r in
                ASPath.Segment(
                    r.pick(ASPath.SegmentType.allCases),
                    r.list(1...6) { r in width4 ? UInt32.random(in: 1...UInt32.max, using: &r.rng) : r.asn() })
            })
    }

    mutating func update() -> (UpdateMessage, Set<AddressFamily>) {
        var addPath: Set<AddressFamily> = []
        var attributes: [PathAttribute] = []
        var u = UpdateMessage()
        let traditional = int(0...2) == 0
        if traditional {
            if bool() { addPath.insert(.ipv4Unicast) }
            if case .ipv4(let l) = nlri(.ipv4Unicast, addPath: addPath.contains(.ipv4Unicast), count: 0...5) {
                u.withdrawnRoutes = l
            }
            if case .ipv4(let l) = nlri(.ipv4Unicast, addPath: addPath.contains(.ipv4Unicast), count: 1...5) {
                u.nlri = l
            }
        }
        let families = AddressFamily.known + [AddressFamily(.ipv4, SAFI(99))]
        var reachFamily: AddressFamily? = nil
        if bool() {
            let f = pick(families)
            // One ADD-PATH decision per family for the whole message, as a session has.
            let ap = f == .ipv4Unicast && traditional ? addPath.contains(f) : bool() && NLRIList.Kind(f) != .raw
            if ap { addPath.insert(f) }
            reachFamily = f
            attributes.append(
                PathAttribute(
                    .mpReachNLRI(MPReachNLRI(family: f, nextHop: nextHop(f), nlri: nlri(f, addPath: ap, count: 1...4))))
            )
        }
        if bool() {
            let f = pick(families.filter { $0 != reachFamily })
            let decided = (f == .ipv4Unicast && traditional) || f == reachFamily
            let ap = decided ? addPath.contains(f) : bool() && NLRIList.Kind(f) != .raw
            if ap { addPath.insert(f) }
            withdrawal = true
            let withdrawn = nlri(f, addPath: ap, count: 0...4)
            withdrawal = false
            attributes.append(PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: f, withdrawnRoutes: withdrawn))))
        }
        let announces = !u.nlri.isEmpty || reachFamily != nil
        if announces || bool() { attributes.append(PathAttribute(.origin(pick(PathAttribute.Origin.allCases)))) }
        if announces || bool() { attributes.append(PathAttribute(.asPath(asPath(width4: false)))) }
        if !u.nlri.isEmpty || bool() { attributes.append(PathAttribute(.nextHop(unicastIPv4()))) }
        if bool() { attributes.append(PathAttribute(.multiExitDisc(u32()))) }
        if bool() { attributes.append(PathAttribute(.localPref(u32()))) }
        if bool() { attributes.append(PathAttribute(.atomicAggregate)) }
        if bool() { attributes.append(PathAttribute(.aggregator(Aggregator(asn: asn(), address: ipv4())))) }
        if bool() { attributes.append(PathAttribute(.communities(list(1...5) { r in Community(rawValue: r.u32()) }))) }
        if bool() { attributes.append(PathAttribute(.originatorID(ipv4()))) }
        if bool() { attributes.append(PathAttribute(.clusterList(list(1...4) { r in r.ipv4() }))) }
        if bool() {
            attributes.append(
                PathAttribute(.extendedCommunities(list(1...6) { r in ExtendedCommunity(rawValue: r.u64()) })))
        }
        if bool() { attributes.append(PathAttribute(.as4Path(asPath(width4: true)))) }
        if bool() {
            attributes.append(
                PathAttribute(
                    .as4Aggregator(Aggregator(asn: UInt32.random(in: 1...UInt32.max, using: &rng), address: ipv4()))))
        }
        if bool() {
            attributes.append(
                PathAttribute(.pmsiTunnel(.ingressReplication(endpoint: ip(), label: LabelField(rawValue: u32())))))
        }
        if bool() {
            attributes.append(
                PathAttribute(.largeCommunities(list(1...3) { r in LargeCommunity(r.u32(), r.u32(), r.u32()) })))
        }
        if bool() { attributes.append(PathAttribute(.onlyToCustomer(u32()))) }
        if bool() {
            attributes.append(
                PathAttribute(
                    flags: AttributeFlags(rawValue: pick([0xC0, 0xE0, 0x80, 0xD0])),
                    value: .unknown(typeCode: UInt8(int(200...250)), value: bytes(0...300))))
        }
        if bool() { attributes.shuffle(using: &rng) }
        // Extended length on a random short attribute (legal, RFC 4271 §4.3).
        if !attributes.isEmpty, bool() { attributes[int(0...attributes.count - 1)].flags.insert(.extendedLength) }
        // Canonical form: Extended Length is implied (not stored) on values over 255 octets.
        for i in attributes.indices {
            var w = ByteWriter()
            attributes[i].writeValue(to: &w, options: EncodingOptions(fourOctetAS: fourOctetAS))
            if w.count > 255 { attributes[i].flags.remove(.extendedLength) }
        }
        u.pathAttributes = attributes
        return (u, addPath)
    }

    mutating func capability() -> Capability {
        switch int(0...11) {
        case 0: return .multiprotocol(pick(AddressFamily.known))
        case 1: return .routeRefresh
        case 2:
            return .extendedNextHop(
                list(0...3) { r in .init(nlriAFI: .ipv4, nlriSAFI: UInt16(r.u8()), nextHopAFI: .ipv6) })
        case 3: return .extendedMessage
        case 4: return .role(UInt8(int(0...4)))
        case 5:
            return .gracefulRestart(
                .init(
                    restartFlags: UInt8(int(0...15)), restartTime: UInt16(int(0...4095)),
                    families: list(0...3) { r in .init(r.pick(AddressFamily.known), flags: r.u8()) }))
        case 6: return .fourOctetAS(UInt32.random(in: 1...UInt32.max, using: &rng) | 0x10000)
        case 7:
            return .addPath(list(1...3) { r in .init(r.pick(AddressFamily.known), sendReceive: UInt8(r.int(1...3))) })
        case 8: return .enhancedRouteRefresh
        case 9:
            return .longLivedGracefulRestart(
                list(1...3) { r in .init(r.pick(AddressFamily.known), flags: r.u8(), staleTime: r.u32() & 0xFF_FFFF) })
        case 10: return .fqdn(.init(hostNameBytes: bytes(0...20), domainNameBytes: bytes(0...20)))
        default: return .unknown(code: UInt8(int(100...127)), value: bytes(0...10))
        }
    }

    mutating func message() -> (BGPMessage, DecodingOptions) {
        var o = options
        switch int(0...5) {
        case 0:
            var parameters: [OpenMessage.OptionalParameter] = list(1...3) { r in
                .capabilities(r.list(0...6) { r in r.capability() })
            }
            if bool() { parameters.append(.unknown(type: UInt8(int(3...200)), value: bytes(0...8))) }
            var open = OpenMessage(
                myAutonomousSystem: UInt16(int(1...65535)), holdTime: pick([0, 3, 90, 180, 65535]),
                bgpIdentifier: IPv4Address(UInt32(int(1...Int(UInt32.max)))),
                optionalParameters: parameters, extendedParameters: int(0...4) == 0)
            // Parameters over 255 octets go out in the RFC 9072 form whatever the flag says, and are read back
            // with it set: generate the message as the decoder will see it (about 1 in 150,000 seeds).
            let classic = BGPMessage.open(open).encode(options: EncodingOptions(o))
            if classic[28] == 255, classic[29] == 255 { open.extendedParameters = true }
            return (.open(open), o)
        case 1:
            let code = UInt8(int(1...9))
            return (.notification(NotificationMessage(errorCode: code, errorSubcode: u8(), data: bytes(0...40))), o)
        case 2: return (.keepalive, o)
        case 3:
            let subtype = UInt8(int(0...2))
            return (
                .routeRefresh(
                    RouteRefreshMessage(
                        family: pick(AddressFamily.known), rawSubtype: subtype,
                        orfEntries: subtype == 0 ? bytes(0...10) : [])), o
            )
        default:
            let (u, addPath) = update()
            o.addPathReceive = addPath
            return (.update(u), o)
        }
    }
}

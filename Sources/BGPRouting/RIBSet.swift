import BGPWire

/// An operation over one family's table, written once for every key type.
protocol RIBVisitor {
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore)
}

/// One table per family, each with its own key type.
struct RIBSet: Sendable {
    /// IPv4 unicast and multicast.
    var ipv4: [AddressFamily: FamilyRIB<IPv4Key>] = [:]
    var ipv6: [AddressFamily: FamilyRIB<IPv6Key>] = [:]
    var labeledIPv4 = FamilyRIB<LabeledIPv4Key>(family: .ipv4LabeledUnicast)
    var labeledIPv6 = FamilyRIB<LabeledIPv6Key>(family: .ipv6LabeledUnicast)
    var vpnIPv4 = FamilyRIB<VPNIPv4Key>(family: .vpnIPv4)
    var vpnIPv6 = FamilyRIB<VPNIPv6Key>(family: .vpnIPv6)
    var evpn = FamilyRIB<EVPNKey>(family: .evpn)
    var rtc = FamilyRIB<RTCKey>(family: .routeTargetConstraint)
    /// IPv4, IPv6 and their VPN forms.
    var flowspec: [AddressFamily: FamilyRIB<FlowspecKey>] = [:]

    /// Whether the engine keeps routes of `family`.
    static func isSupported(_ family: AddressFamily) -> Bool {
        switch (family.afi, family.safi) {
        case (.ipv4, .unicast), (.ipv4, .multicast), (.ipv6, .unicast), (.ipv6, .multicast),
            (.ipv4, .labeledUnicast), (.ipv6, .labeledUnicast), (.ipv4, .mplsVPN), (.ipv6, .mplsVPN),
            (.l2vpn, .evpn), (.ipv4, .routeTargetConstraint), (.ipv4, .flowspec), (.ipv6, .flowspec),
            (.ipv4, .flowspecVPN), (.ipv6, .flowspecVPN):
            true
        default: false
        }
    }

    /// Runs `visitor` on the table of `family` (made on first use); false for an unsupported family.
    @discardableResult
    mutating func visit<V: RIBVisitor>(_ family: AddressFamily, _ visitor: inout V, _ core: inout EngineCore) -> Bool {
        switch (family.afi, family.safi) {
        case (.ipv4, .unicast), (.ipv4, .multicast):
            if ipv4[family] == nil { ipv4[family] = core.newRIB(family) }
            visitor.visit(&ipv4[family]!, &core)
        case (.ipv6, .unicast), (.ipv6, .multicast):
            if ipv6[family] == nil { ipv6[family] = core.newRIB(family) }
            visitor.visit(&ipv6[family]!, &core)
        case (.ipv4, .labeledUnicast): visitor.visit(&labeledIPv4, &core)
        case (.ipv6, .labeledUnicast): visitor.visit(&labeledIPv6, &core)
        case (.ipv4, .mplsVPN): visitor.visit(&vpnIPv4, &core)
        case (.ipv6, .mplsVPN): visitor.visit(&vpnIPv6, &core)
        case (.l2vpn, .evpn): visitor.visit(&evpn, &core)
        case (.ipv4, .routeTargetConstraint): visitor.visit(&rtc, &core)
        case (.ipv4, .flowspec), (.ipv6, .flowspec), (.ipv4, .flowspecVPN), (.ipv6, .flowspecVPN):
            if flowspec[family] == nil { flowspec[family] = core.newRIB(family) }
            visitor.visit(&flowspec[family]!, &core)
        default: return false
        }
        return true
    }

    /// Runs `visitor` on every table that exists: RT membership first (so that membership changes made by a
    /// visit apply before the VPN families are visited), then the others in family order.
    mutating func visitAll<V: RIBVisitor>(_ visitor: inout V, _ core: inout EngineCore) {
        visitor.visit(&rtc, &core)
        for family in ipv4.keys.sorted() { visitor.visit(&ipv4[family]!, &core) }
        for family in ipv6.keys.sorted() { visitor.visit(&ipv6[family]!, &core) }
        visitor.visit(&labeledIPv4, &core)
        visitor.visit(&labeledIPv6, &core)
        visitor.visit(&vpnIPv4, &core)
        visitor.visit(&vpnIPv6, &core)
        visitor.visit(&evpn, &core)
        for family in flowspec.keys.sorted() { visitor.visit(&flowspec[family]!, &core) }
    }
}

/// A read-only operation over one family's table.
protocol RIBReader {
    mutating func read<K: FamilyKey>(_ rib: FamilyRIB<K>, _ core: EngineCore)
}

extension RIBSet {
    /// Runs `reader` on the table of `family` if it exists.
    func read<R: RIBReader>(_ family: AddressFamily, _ reader: inout R, _ core: EngineCore) {
        switch (family.afi, family.safi) {
        case (.ipv4, .unicast), (.ipv4, .multicast): if let r = ipv4[family] { reader.read(r, core) }
        case (.ipv6, .unicast), (.ipv6, .multicast): if let r = ipv6[family] { reader.read(r, core) }
        case (.ipv4, .labeledUnicast): reader.read(labeledIPv4, core)
        case (.ipv6, .labeledUnicast): reader.read(labeledIPv6, core)
        case (.ipv4, .mplsVPN): reader.read(vpnIPv4, core)
        case (.ipv6, .mplsVPN): reader.read(vpnIPv6, core)
        case (.l2vpn, .evpn): reader.read(evpn, core)
        case (.ipv4, .routeTargetConstraint): reader.read(rtc, core)
        case (.ipv4, .flowspec), (.ipv6, .flowspec), (.ipv4, .flowspecVPN), (.ipv6, .flowspecVPN):
            if let r = flowspec[family] { reader.read(r, core) }
        default: break
        }
    }

    func readAll<R: RIBReader>(_ reader: inout R, _ core: EngineCore) {
        reader.read(rtc, core)
        for family in ipv4.keys.sorted() { reader.read(ipv4[family]!, core) }
        for family in ipv6.keys.sorted() { reader.read(ipv6[family]!, core) }
        reader.read(labeledIPv4, core)
        reader.read(labeledIPv6, core)
        reader.read(vpnIPv4, core)
        reader.read(vpnIPv6, core)
        reader.read(evpn, core)
        for family in flowspec.keys.sorted() { reader.read(flowspec[family]!, core) }
    }
}

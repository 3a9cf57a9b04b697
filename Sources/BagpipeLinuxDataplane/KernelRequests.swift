import BGPWire
public import BagpipeVPN
public import LinuxNetlink

/// rtnetlink requests LinuxNetlink has no typed builder for: lightweight-tunnel routes (VXLAN and MPLS encap),
/// `tun_id` rules, a collect-metadata VXLAN device, per-device IPv4 sysctls, VRF devices and AF_MPLS routes.
/// Pure: bytes only, sent by the drivers through `NetlinkSocket`. Numbers from linux/rtnetlink.h, lwtunnel.h,
/// fib_rules.h, if_link.h, ip.h, mpls_iptunnel.h.
public enum KernelRequests {
    enum RTA {
        static let dst: UInt16 = 1
        static let oif: UInt16 = 4
        static let gateway: UInt16 = 5
        static let multipath: UInt16 = 9
        static let table: UInt16 = 15
        static let via: UInt16 = 18
        static let encapType: UInt16 = 21
        static let encap: UInt16 = 22
    }
    enum Encap {
        static let mpls: UInt16 = 1
        static let ip: UInt16 = 2
        static let ipID: UInt16 = 1
        static let ipDst: UInt16 = 2
        static let mplsDst: UInt16 = 1
    }
    enum FRA {
        static let dst: UInt16 = 1
        static let src: UInt16 = 2
        static let iifname: UInt16 = 3
        static let ipProto: UInt16 = 22
        static let sportRange: UInt16 = 23
        static let dportRange: UInt16 = 24
        static let priority: UInt16 = 6
        static let tunID: UInt16 = 12
        static let table: UInt16 = 15
    }
    enum IFLA {
        static let address: UInt16 = 1
        static let ifname: UInt16 = 3
        static let linkinfo: UInt16 = 18
        static let afSpec: UInt16 = 26
        static let infoKind: UInt16 = 1
        static let infoData: UInt16 = 2
        static let vxlanLocal: UInt16 = 4
        static let vxlanLearning: UInt16 = 7
        static let vxlanPort: UInt16 = 15
        static let vxlanCollectMetadata: UInt16 = 25
        static let vrfTable: UInt16 = 1
        static let inetConf: UInt16 = 1
    }
    /// IPV4_DEVCONF_* indexes (linux/ip.h).
    public enum IPv4DeviceConfiguration: UInt16, Sendable {
        case forwarding = 1
        case proxyARP = 3
        case reversePathFilter = 8
        case arpIgnore = 19
        case proxyARPPrivateVLAN = 25
    }
    static let familyMPLS: UInt8 = 28
    static let onLinkFlag: UInt8 = 0x4
    static let createExclusive: NetlinkFlags = [.create, .exclusive]
    static let createReplace: NetlinkFlags = [.create, .replace]

    /// One leg of a VXLAN lightweight-tunnel route: `encap ip id <vni> dst <vtep> via <vtep> dev <vx> onlink`.
    /// The gateway is the VTEP itself: its neighbour entry on the VXLAN device carries the VTEP's device MAC
    /// (``LinuxIPVPNDriver/deviceMAC(for:)``), which is the inner destination MAC the receiver accepts.
    public struct TunnelNextHop: Hashable, Sendable, Comparable {
        public var vni: UInt32
        public var vtep: InetAddress
        public init(vni: UInt32, vtep: InetAddress) {
            self.vni = vni
            self.vtep = vtep
        }
        public static func < (a: Self, b: Self) -> Bool { (a.vtep, a.vni) < (b.vtep, b.vni) }
    }

    /// `ip route replace <prefix> table <t> proto 19 [nexthop] encap ip id <vni> dst <vtep> via <vtep> dev <vx> onlink`;
    /// several hops become RTA_MULTIPATH (ECMP). An IPv6 prefix goes `via` the VTEP's link-local stand-in
    /// (``overlayGateway(for:family:)``): an IPv6 route needs an IPv6 gateway, the tunnel stays IPv4.
    public static func vxlanRoute(
        _ prefix: InetPrefix, table: UInt32, hops: [TunnelNextHop], deviceIndex: Int32
    ) throws(NetlinkError) -> NetlinkRequest {
        guard !hops.isEmpty else { throw .invalidArgument("route \(prefix): no next hop") }
        for hop in hops {
            guard case .v4 = hop.vtep else {
                throw .invalidArgument("route \(prefix) via \(hop.vtep): an IPv6 tunnel endpoint is not supported")
            }
        }
        func gateway(_ hop: TunnelNextHop) -> [UInt8] { overlayGateway(for: hop.vtep, family: prefix.family).bytes }
        var w = NetlinkWriter(capacity: 112)
        routeHeader(prefix, table: table, flags: hops.count == 1 ? UInt32(onLinkFlag) : 0, into: &w)
        if hops.count == 1 {
            w.attribute(RTA.gateway, gateway(hops[0]))
            w.attribute(RTA.oif, i32: deviceIndex)
            ipEncap(hops[0], into: &w)
        } else {
            multipath(hops.count, into: &w) { i, leg in
                leg.attribute(RTA.gateway, gateway(hops[i]))
                ipEncap(hops[i], into: &leg)
                return (deviceIndex, onLinkFlag)
            }
        }
        let text = hops.map { "encap ip id \($0.vni) dst \($0.vtep)" }.joined(separator: ", ")
        return NetlinkRequest(
            type: NetlinkMessageType.newRoute, flags: createReplace, body: w.bytes,
            summary: "RTM_NEWROUTE replace \(prefix) table \(table) \(text) dev \(deviceIndex) onlink")
    }

    /// The gateway of overlay routes towards `vtep` (IPv4): the VTEP itself for IPv4 routes; for IPv6 routes the
    /// link-local `fe80::bb:<vtep>`, whose neighbour entry on the VXLAN device carries the VTEP's device MAC.
    public static func overlayGateway(for vtep: InetAddress, family: UInt8) -> InetAddress {
        guard family == AddressFamily.inet6 else { return vtep }
        return .v6([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbb] + vtep.bytes.suffix(4))
    }

    /// `ip [-6] rule add|del tun_id <vni> lookup <table> pref <priority>`: traffic received with this VNI (on a
    /// collect-metadata VXLAN device) is looked up in that table. Rules are per family.
    public static func tunnelRule(
        vni: UInt32, table: UInt32, priority: UInt32, family: UInt8 = AddressFamily.inet, delete: Bool = false
    )
        -> NetlinkRequest
    {
        var w = NetlinkWriter(capacity: 48)
        w.append(family)
        w.append(contentsOf: [0, 0, 0, 0, 0, 0] as [UInt8])  // dst_len src_len tos table res1 res2
        w.append(UInt8(1))  // FR_ACT_TO_TBL
        w.append(UInt32(0))
        w.attribute(FRA.tunID, withUnsafeBytes(of: UInt64(vni).bigEndian) { Array($0) })
        w.attribute(FRA.table, u32: table)
        w.attribute(FRA.priority, u32: priority)
        return NetlinkRequest(
            type: delete ? NetlinkMessageType.delRule : NetlinkMessageType.newRule,
            flags: delete ? [] : createExclusive, body: w.bytes,
            summary:
                "\(delete ? "RTM_DELRULE" : "RTM_NEWRULE") \(family == AddressFamily.inet6 ? "-6 " : "")pref \(priority) "
                + "tun_id \(vni) lookup \(table)")
    }

    /// `ip [-6] rule add|del iif <port> [from <src>] [to <dst>] [ipproto <p>] [sport a-b] [dport a-b] lookup <table>`:
    /// a Flowspec redirect-to-VRF (RFC 8955 §7.4, RFC 8956 for IPv6) of the port's traffic to another VRF's table.
    /// Rules are per family: a classifier with prefixes has theirs; one without applies to each of `families`.
    public static func classifierRules(
        port: String, _ classifier: TrafficClassifier, table: UInt32, priority: UInt32,
        families: [UInt8] = [AddressFamily.inet, AddressFamily.inet6], delete: Bool = false
    ) throws(NetlinkError) -> [NetlinkRequest] {
        var requests: [NetlinkRequest] = []
        for family in try classifierFamilies(classifier, available: families) {
            requests.append(
                classifierRule(
                    port: port, classifier, family: family, table: table, priority: priority, delete: delete))
        }
        return requests
    }

    /// The families of a classifier's rules: its prefixes' family, or every available one when it has none.
    public static func classifierFamilies(
        _ classifier: TrafficClassifier, available: [UInt8]
    ) throws(NetlinkError) -> [UInt8] {
        let prefixes = [classifier.destinationPrefix, classifier.sourcePrefix].compactMap { $0 }.map(InetPrefix.init)
        let own = Set(prefixes.map(\.family))
        guard own.count <= 1 else {
            throw .invalidArgument("classifier \(classifier): an IPv4 and an IPv6 prefix in one rule")
        }
        guard let family = own.first else { return available }
        guard available.contains(family) else {
            throw .invalidArgument("classifier \(classifier): this kernel does not route IPv6")
        }
        return [family]
    }

    static func classifierRule(
        port: String, _ classifier: TrafficClassifier, family: UInt8, table: UInt32, priority: UInt32, delete: Bool
    ) -> NetlinkRequest {
        let destination = classifier.destinationPrefix.map(InetPrefix.init)
        let source = classifier.sourcePrefix.map(InetPrefix.init)
        var w = NetlinkWriter(capacity: 96)
        w.append(family)
        w.append(destination?.length ?? 0)
        w.append(source?.length ?? 0)
        w.append(contentsOf: [0, 0, 0, 0] as [UInt8])  // tos table res1 res2
        w.append(UInt8(1))  // FR_ACT_TO_TBL
        w.append(UInt32(0))
        if let destination { w.attribute(FRA.dst, destination.address.bytes) }
        if let source { w.attribute(FRA.src, source.address.bytes) }
        w.attribute(FRA.iifname, string: port)
        if let proto = classifier.ipProtocol { w.attribute(FRA.ipProto, u8: proto) }
        for (type, range) in [(FRA.sportRange, classifier.sourcePort), (FRA.dportRange, classifier.destinationPort)] {
            guard let range else { continue }
            var payload = NetlinkWriter(capacity: 4)
            payload.append(range.lower)
            payload.append(range.upper)
            w.attribute(type, payload.bytes)
        }
        w.attribute(FRA.table, u32: table)
        w.attribute(FRA.priority, u32: priority)
        return NetlinkRequest(
            type: delete ? NetlinkMessageType.delRule : NetlinkMessageType.newRule,
            flags: delete ? [] : createExclusive, body: w.bytes,
            summary:
                "\(delete ? "RTM_DELRULE" : "RTM_NEWRULE") \(family == AddressFamily.inet6 ? "-6 " : "")pref \(priority) "
                + "iif \(port) \(classifier) lookup \(table)")
    }

    /// `ip link add <name> address <mac> up type vxlan external local <ip> dstport <port> nolearning`.
    public static func metadataVXLAN(
        name: String, address: EthernetAddress, local: InetAddress, port: UInt16
    ) -> NetlinkRequest {
        var w = NetlinkWriter(capacity: 96)
        linkHeader(index: 0, up: true, into: &w)
        w.attribute(IFLA.ifname, string: name)
        w.attribute(IFLA.address, address.bytes)
        w.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, unterminated: "vxlan")
            info.nested(IFLA.infoData) { data in
                data.attribute(IFLA.vxlanCollectMetadata, u8: 1)
                data.attribute(IFLA.vxlanLocal, local.bytes)
                data.attribute(IFLA.vxlanLearning, u8: 0)
                data.attribute(IFLA.vxlanPort, withUnsafeBytes(of: port.bigEndian) { Array($0) })
            }
        }
        return NetlinkRequest(
            type: NetlinkMessageType.newLink, flags: createExclusive, body: w.bytes,
            summary: "RTM_NEWLINK add \(name) type vxlan external local \(local) dstport \(port)")
    }

    /// `sysctl net.ipv4.conf.<dev>.<knob>=<value>` through RTM_SETLINK IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF, which
    /// works in any namespace the socket is in (no /proc/sys of our own namespace).
    public static func ipv4Configuration(
        deviceIndex: Int32, _ values: [(IPv4DeviceConfiguration, UInt32)]
    ) -> NetlinkRequest {
        var w = NetlinkWriter(capacity: 64)
        linkHeader(index: deviceIndex, up: nil, into: &w)
        w.nested(IFLA.afSpec) { spec in
            spec.nested(UInt16(AddressFamily.inet)) { inet in
                inet.nested(IFLA.inetConf) { conf in
                    for (knob, value) in values { conf.attribute(knob.rawValue, u32: value) }
                }
            }
        }
        return NetlinkRequest(
            type: NetlinkMessageType.setLink, flags: [], body: w.bytes,
            summary: "RTM_SETLINK \(deviceIndex) ipv4 conf "
                + values.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    }

    // MARK: MPLS (the original `linux` IP VPN driver, §5.3)

    /// The 4-byte label stack entry, bottom of stack set (RFC 3032 §2.1).
    static func labelEntry(_ label: UInt32) -> [UInt8] {
        withUnsafeBytes(of: (label << 12 | 0x100).bigEndian) { Array($0) }
    }

    /// `ip link add <name> type vrf table <table>`.
    public static func vrfDevice(name: String, table: UInt32) -> NetlinkRequest {
        var w = NetlinkWriter(capacity: 64)
        linkHeader(index: 0, up: true, into: &w)
        w.attribute(IFLA.ifname, string: name)
        w.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, unterminated: "vrf")
            info.nested(IFLA.infoData) { $0.attribute(IFLA.vrfTable, u32: table) }
        }
        return NetlinkRequest(
            type: NetlinkMessageType.newLink, flags: createExclusive, body: w.bytes,
            summary: "RTM_NEWLINK add \(name) type vrf table \(table)")
    }

    /// `ip -f mpls route replace <label> via inet <ip> dev <port> proto 19`: the ILM entry popping the label
    /// towards the local VM (§5.3 vif_plugged step 5).
    public static func mplsLabelRoute(
        label: UInt32, via: InetAddress, deviceIndex: Int32, delete: Bool = false
    )
        -> NetlinkRequest
    {
        var w = NetlinkWriter(capacity: 48)
        w.append(familyMPLS)
        w.append(UInt8(20))
        w.append(contentsOf: [0, 0] as [UInt8])
        w.append(UInt8(RouteTable.main))
        w.append(delete ? RouteProtocol.unspec : RouteProtocol.bagpipe)
        w.append(delete ? RouteScope.nowhere.rawValue : RouteScope.universe.rawValue)
        w.append(delete ? RouteType.unspec.rawValue : RouteType.unicast.rawValue)
        w.append(UInt32(0))
        w.attribute(RTA.dst, labelEntry(label))
        if !delete {
            w.attribute(RTA.via, withUnsafeBytes(of: UInt16(via.family)) { Array($0) } + via.bytes)
            w.attribute(RTA.oif, i32: deviceIndex)
        }
        return NetlinkRequest(
            type: delete ? NetlinkMessageType.delRoute : NetlinkMessageType.newRoute,
            flags: delete ? [] : createReplace, body: w.bytes,
            summary: delete
                ? "RTM_DELROUTE mpls \(label)" : "RTM_NEWROUTE replace mpls \(label) via \(via) dev \(deviceIndex)")
    }

    /// `ip route replace <prefix> table <t> proto 19 nexthop encap mpls <label> via <pe> dev <mpls_if> ...`.
    public static func mplsRoute(
        _ prefix: InetPrefix, table: UInt32, hops: [(label: UInt32, gateway: InetAddress)], deviceIndex: Int32
    ) throws(NetlinkError) -> NetlinkRequest {
        guard !hops.isEmpty else { throw .invalidArgument("route \(prefix): no next hop") }
        var w = NetlinkWriter(capacity: 96)
        routeHeader(prefix, table: table, flags: 0, into: &w)
        // Always RTA_MULTIPATH, as the original (`multipath: [nh]`, §5.3).
        multipath(hops.count, into: &w) { i, leg in
            leg.attribute(RTA.gateway, hops[i].gateway.bytes)
            leg.attribute(RTA.encapType, u16: Encap.mpls)
            leg.nested(RTA.encap) { $0.attribute(Encap.mplsDst, labelEntry(hops[i].label)) }
            return (deviceIndex, 0)
        }
        return NetlinkRequest(
            type: NetlinkMessageType.newRoute, flags: createReplace, body: w.bytes,
            summary: "RTM_NEWROUTE replace \(prefix) table \(table) "
                + hops.map { "encap mpls \($0.label) via \($0.gateway)" }.joined(separator: ", "))
    }

    // MARK: helpers

    static func routeHeader(_ prefix: InetPrefix, table: UInt32, flags: UInt32, into w: inout NetlinkWriter) {
        w.append(prefix.family)
        w.append(prefix.length)
        w.append(UInt8(0))
        w.append(UInt8(0))
        w.append(table < 256 ? UInt8(table) : 0)
        w.append(RouteProtocol.bagpipe)
        w.append(RouteScope.universe.rawValue)
        w.append(RouteType.unicast.rawValue)
        w.append(flags)
        w.attribute(RTA.table, u32: table)
        if prefix.length > 0 { w.attribute(RTA.dst, prefix.address.bytes) }
    }

    static func ipEncap(_ hop: TunnelNextHop, into w: inout NetlinkWriter) {
        w.attribute(RTA.encapType, u16: Encap.ip)
        w.nested(RTA.encap) { e in
            e.attribute(Encap.ipID, withUnsafeBytes(of: UInt64(hop.vni).bigEndian) { Array($0) })
            e.attribute(Encap.ipDst, hop.vtep.bytes)
        }
    }

    /// RTA_MULTIPATH: struct rtnexthop (len, flags, hops = weight - 1, ifindex) followed by the leg's attributes.
    static func multipath(
        _ count: Int, into w: inout NetlinkWriter, leg: (Int, inout NetlinkWriter) -> (Int32, UInt8)
    ) {
        var body = NetlinkWriter(capacity: 64 * count)
        for i in 0..<count {
            var attributes = NetlinkWriter(capacity: 64)
            let (index, flags) = leg(i, &attributes)
            body.append(UInt16(8 + attributes.count))
            body.append(flags)
            body.append(UInt8(0))
            body.append(index)
            body.append(contentsOf: attributes.bytes)
        }
        w.attribute(RTA.multipath, body.bytes)
    }

    static func linkHeader(index: Int32, up: Bool?, into w: inout NetlinkWriter) {
        w.append(AddressFamily.unspec)
        w.append(UInt8(0))
        w.append(UInt16(0))
        w.append(index)
        w.append(up == true ? InterfaceFlags.up : 0)
        w.append(up == nil ? 0 : InterfaceFlags.up)
    }
}

public import BGPWire
public import BagpipeVPN
public import LinuxNetlink
public import Logging

#if canImport(Glibc)
import Glibc
#endif

/// IP VPN over VXLAN for a kernel without VRF devices or MPLS routing (interop-lab §7.2, §7.3). Each VRF is a
/// routing table (`tableBase + instance id`):
///
/// * from a port: `ip rule iif <port> lookup <table>`; the gateway IP on the port (`noprefixroute`) and proxy
///   ARP answer the VM's ARP for its gateway and for any address the table routes elsewhere (§4.7);
/// * to a remote PE: `<prefix> encap ip id <vni> dst <pe> via <pe> dev <vx> onlink` through one
///   collect-metadata VXLAN device per node; several PEs make an ECMP route;
/// * from the fabric: `ip rule tun_id <label> lookup <label table>` (each port's label is its VNI), whose only
///   route is `default via <vm> dev <port> onlink`: as the original's MPLS dataplane popped a port's label to the
///   port, a packet goes to the VM whatever its destination, so a VM that routes (behind prefixes readvertised
///   through its port, §4.3, or a port association's prefix routes) gets its traffic, and not the VRF's table.
///
/// The inner destination MAC is the one the receiving node gives its VXLAN device, derived from its tunnel
/// address (``deviceMAC(for:)``): the sender's neighbour entry for `<pe>` on the VXLAN device carries it. A
/// shared MAC does not work: the VXLAN receive path drops frames whose source MAC is its own (loop check).
///
/// IPv6 tenants (VPN-IPv6, RFC 4659) over the same IPv4 tunnels: IPv6 rules beside the IPv4 ones (`iif` and
/// `tun_id` rules are per family, so a port's IPv6 never falls through to `main`), IPv6 routes `via` a link-local
/// stand-in for the PE (``KernelRequests/overlayGateway(for:family:)``), a `nodad` IPv6 gateway address on the
/// ports, proxy NDP for the other hosts of the gateway's subnet (`LinuxIPVPNDriver+ProxyNDP.swift`). IPv6
/// forwarding: the host-wide `net.ipv6.conf.all.forwarding`, or else the per-device `force_forwarding` of Linux
/// 6.17+, which the driver sets on its ports and VXLAN device; it never flips the host-wide switch itself.
public final class LinuxIPVPNDriver: DataplaneDriver {
    public let type = VPNType.ipvpn
    public let name = "linux-vxlan"
    public let supportedEncapsulations: [TunnelType] = [.vxlan]
    public let supportsECMP = true
    public let supportedDirections: Set<Direction> = Set(Direction.allCases)
    public let localAddress: IPAddress
    public let vxlanPort: UInt16
    public let tableBase: UInt32
    /// `pref` of the `iif` and `tun_id` rules (before `main` at 32766; after `local` at 0).
    public let rulePriority: UInt32
    /// The node's collect-metadata VXLAN device. Not `vxlan--*`, which the E-VPN driver's reset removes.
    public let deviceName: String

    let netlink: Netlink
    let logger: Logger
    /// Whether `net.ipv6.conf.all.forwarding` was seen on (then every device forwards already).
    var hostWideIPv6Forwarding: Bool { ipv6ForwardingSeen }
    private var deviceIndex: Int32?
    private var vrfs: [String: VRFState] = [:]
    /// Neighbour entries for remote PEs on the VXLAN device, shared by all VRFs: PE and route family → number of
    /// routes using it (IPv6 routes use the PE's link-local stand-in, a neighbour of its own).
    private var peUsers: [PENeighbor: Int] = [:]
    /// Set once `net.ipv6.conf.all.forwarding` was seen on.
    private var ipv6ForwardingSeen = false
    /// Ports (and the VXLAN device) whose IPv6 `force_forwarding` we turned on, with the value it had.
    private var forcedForwarding: [String: String] = [:]

    struct PENeighbor: Hashable {
        var pe: InetAddress
        var family: UInt8
    }

    public init(
        netlink: Netlink, localAddress: IPAddress, vxlanPort: UInt16 = 4789, tableBase: UInt32 = 20000,
        rulePriority: UInt32 = 20000, deviceName: String = "vxlan-ipvpn",
        logger: Logger = Logger(label: "bagpipe.dataplane.ipvpn.linux-vxlan")
    ) throws {
        guard case .v4 = localAddress else {
            throw LinuxDataplaneError.notSupported(driver: "IP VPN linux-vxlan", what: "an IPv6 tunnel address")
        }
        self.netlink = netlink
        self.localAddress = localAddress
        self.vxlanPort = vxlanPort
        self.tableBase = tableBase
        self.rulePriority = rulePriority
        self.deviceName = deviceName
        self.logger = logger
    }

    struct VRFState {
        var table: UInt32
        var gateway: InterfaceAddress?
        /// Port → (MAC, IP) endpoints plugged on it.
        var ports: [String: Set<PluggedEndpoint>] = [:]
        var portIndexes: [String: Int32] = [:]
        var fromPortRules: Set<String> = []
        /// Label and family → the port and VM host its label table sends to.
        var labels: [LabelKey: LabelTarget] = [:]
        var routes: [IPPrefix: Set<KernelRequests.TunnelNextHop>] = [:]
        /// Flowspec redirect-to-VRF: classifier → the target VRF's table, one rule per from-port port.
        var classifiers: [TrafficClassifier: UInt32] = [:]
        /// Proxy NDP (``LinuxIPVPNDriver/syncProxies(for:_:)``): ports that answer for other hosts (value: the
        /// sysctls we changed, with the values they had), the entries each has, and the remote IPv6 host routes.
        var ndpPorts: [String: [String: String]] = [:]
        var proxied: [String: Set<InetAddress>] = [:]
        var remoteIPv6Hosts: Set<InetAddress> = []
    }

    /// The redirect rules go just before the VRF's own `iif` rule.
    var classifierPriority: UInt32 { rulePriority - 1 }

    private func classifierRules(
        _ classifier: TrafficClassifier, _ table: UInt32, ports: some Sequence<String>, delete: Bool = false
    ) throws -> [NetlinkRequest] {
        var requests: [NetlinkRequest] = []
        for port in ports.sorted() {
            requests += try KernelRequests.classifierRules(
                port: port, classifier, table: table, priority: classifierPriority, families: families, delete: delete)
        }
        return requests
    }

    struct LabelTarget: Hashable {
        var deviceIndex: Int32
        var host: InetAddress
    }

    struct LabelKey: Hashable {
        var label: UInt32
        var family: UInt8
    }

    /// The families this kernel routes: IPv4, and IPv6 unless the kernel was booted without it
    /// (`ipv6.disable=1`), where every IPv6 rule or route request would fail and take IPv4 users down with it.
    private var families = [AddressFamily.inet, AddressFamily.inet6]
    private var familiesProbed = false

    private func probeFamilies() throws {
        guard !familiesProbed else { return }
        do {
            _ = try netlink.rules.rules(family: AddressFamily.inet6)
        } catch {
            guard let code = error.errno, code == EAFNOSUPPORT || code == EOPNOTSUPP else { throw error }
            families = [AddressFamily.inet]
            logger.notice("IPv6 policy routing unavailable (\(error)): IPv4 VRFs only")
        }
        familiesProbed = true
    }

    /// Label tables start above the VRF tables (`tableBase + 65535`): labels are 20-bit.
    static let labelTableOffset: UInt32 = 0x10_0000
    func labelTable(_ label: UInt32) -> UInt32 { tableBase + Self.labelTableOffset + label }

    struct PluggedEndpoint: Hashable {
        var mac: MACAddress
        var ip: IPPrefix?
        var label: UInt32
        var direction: Direction
    }

    /// The VXLAN device MAC of the node whose tunnel address is `vtep`: `02:bb:` + the IPv4 address.
    public static func deviceMAC(for vtep: InetAddress) -> EthernetAddress {
        EthernetAddress(bytes: [0x02, 0xbb] + vtep.bytes.suffix(4))!
    }

    public func apply(_ call: DataplaneCall, instance: DataplaneInstance) throws {
        let n = instance.name
        if case .initialize = call {
            try initialize(instance)
            return
        }
        // Taken out of the dictionary while it changes, so its collections are not copied on every call.
        guard var vrf = vrfs.removeValue(forKey: n) else { throw LinuxDataplaneError.notInitialized(instance: n) }
        var keep = true
        defer { if keep { vrfs[n] = vrf } }
        switch call {
        case .initialize: break
        case .vifPlugged(let mac, let ip, let port, let label, let direction):
            let endpoint = PluggedEndpoint(mac: mac, ip: ip, label: label, direction: direction)
            let before = vrf
            do {
                try plug(endpoint, port.linuxInterface, &vrf)
            } catch {
                // Part of the batch may have gone in (e.g. IPv6 refused on the port): take it out and forget the
                // endpoint, so that the same call again plugs it from scratch.
                try? unplug(endpoint, port.linuxInterface, last: before.ports[port.linuxInterface] == nil, &vrf)
                vrf = before
                throw error
            }
        case .vifUnplugged(let mac, let ip, let port, let label, let direction, let last):
            try unplug(
                PluggedEndpoint(mac: mac, ip: ip, label: label, direction: direction), port.linuxInterface,
                last: last, &vrf)
        case .setupRemoteEndpoint(let endpoint):
            let (prefix, hop) = try tunnelHop(endpoint)
            guard vrf.routes[prefix]?.contains(hop) != true else { break }
            let pe = PENeighbor(pe: hop.vtep, family: InetPrefix(prefix).family)
            try retain(pe)
            vrf.routes[prefix, default: []].insert(hop)
            do {
                try installRoute(prefix, vrf)
            } catch {
                // Forgotten, so that the same call again tries afresh; the kernel kept the route it had.
                vrf.routes[prefix]?.remove(hop)
                if vrf.routes[prefix]?.isEmpty == true { vrf.routes[prefix] = nil }
                try? release(pe)
                throw error
            }
            if let host = Self.ipv6Host(prefix), vrf.remoteIPv6Hosts.insert(host).inserted {
                try syncProxies(for: [host], &vrf)
            }
        case .removeRemoteEndpoint(let endpoint):
            let (prefix, hop) = try tunnelHop(endpoint)
            if vrf.routes[prefix]?.remove(hop) != nil {
                if vrf.routes[prefix]!.isEmpty {
                    vrf.routes[prefix] = nil
                    try ignoring(ESRCH) {
                        try netlink.routes.apply([.delete(Route(destination: InetPrefix(prefix), table: vrf.table))])
                    }
                    if let host = Self.ipv6Host(prefix), vrf.remoteIPv6Hosts.remove(host) != nil {
                        try syncProxies(for: [host], &vrf)
                    }
                } else {
                    try installRoute(prefix, vrf)
                }
                try release(PENeighbor(pe: hop.vtep, family: InetPrefix(prefix).family))
            }
        case .addFloodEndpoint, .removeFloodEndpoint, .setGatewayPort, .gatewayPortDown:
            throw LinuxDataplaneError.notSupported(driver: "IP VPN linux-vxlan", what: "\(call)")
        case .addTrafficClassifier(let classifier, let target):
            guard vrfs[target.name] != nil || target.name == n else {
                throw LinuxDataplaneError.notInitialized(instance: target.name)
            }
            // Refused now rather than at the next port's plug (a mixed or unroutable classifier).
            _ = try KernelRequests.classifierFamilies(classifier, available: families)
            let table = tableBase + target.id
            if let old = vrf.classifiers[classifier], old != table {
                try applyTolerating(try classifierRules(classifier, old, ports: vrf.fromPortRules, delete: true))
            }
            try netlink.socket.apply(try classifierRules(classifier, table, ports: vrf.fromPortRules))
            vrf.classifiers[classifier] = table
        case .removeTrafficClassifier(let classifier):
            if let table = vrf.classifiers.removeValue(forKey: classifier) {
                try applyTolerating(try classifierRules(classifier, table, ports: vrf.fromPortRules, delete: true))
            }
        case .updateFallback:
            // As the original's default (§5.1): a warning, the attachment goes on.
            logger.warning("\(n): fallback is not supported by the linux-vxlan driver; ignored")
        case .cleanup:
            try cleanup(vrf)
            keep = false
        }
    }

    public func state(of instance: DataplaneInstance) -> [String: String] {
        guard let vrf = vrfs[instance.name] else { return [:] }
        return [
            "route_table": "\(vrf.table)",
            "vxlan_if": deviceName,
            "ports": vrf.ports.keys.sorted().joined(separator: ", "),
            "routes": vrf.routes.map {
                "\($0.key) via " + $0.value.sorted().map { "\($0.vtep)/\($0.vni)" }.joined(separator: ",")
            }
            .sorted().joined(separator: "; "),
        ]
    }

    /// Removes what a previous run left: the VXLAN device (its routes go with it), our rules (VRF tables
    /// `tableBase...tableBase+65535` and label tables, at ``rulePriority``) and the bagpipe-protocol routes of those
    /// tables.
    public func resetState() throws {
        try probeFamilies()
        try netlink.links.deleteIfPresent(.name(deviceName))
        deviceIndex = nil
        forcedForwarding[deviceName] = nil
        let vrfTables = tableBase...(tableBase + 65535)
        let labelTables = labelTable(0)...labelTable(0xF_FFFF)
        func ours(_ table: UInt32) -> Bool { vrfTables.contains(table) || labelTables.contains(table) }
        for family in families {
            let rules = try netlink.rules.rules(family: family).filter {
                [rulePriority, classifierPriority].contains($0.priority ?? 0) && $0.table.map(ours) == true
            }
            // Deleting by priority + table removes one matching rule (iif, tun_id or redirect) per request.
            try netlink.socket.apply(
                rules.map { RuleRequest.delete(Rule(family: family, priority: $0.priority, table: $0.table)) })
        }
        let routes = try families.flatMap { family in
            try netlink.routes.routes(family: family, protocol: RouteProtocol.bagpipe).filter { ours($0.table) }
        }
        let failures = try netlink.socket.executeBatch(routes.map(RouteRequest.delete)).filter { $0.errno != ESRCH }
        if !failures.isEmpty { throw NetlinkError.batch(failures: failures, total: routes.count) }
    }

    // MARK: -

    private func ensureDevice() throws -> Int32 {
        if let deviceIndex { return deviceIndex }
        try resetState()
        let local = InetAddress(localAddress)
        try netlink.socket.execute(
            KernelRequests.metadataVXLAN(
                name: deviceName, address: Self.deviceMAC(for: local), local: local, port: vxlanPort))
        let index = try netlink.links.index(of: deviceName)
        // Decapsulated packets are forwarded to the ports; the reverse path of a VM source is a VRF table the
        // rp_filter lookup cannot see.
        try netlink.socket.execute(
            KernelRequests.ipv4Configuration(deviceIndex: index, [(.forwarding, 1), (.reversePathFilter, 0)]))
        deviceIndex = index
        return index
    }

    private func initialize(_ instance: DataplaneInstance) throws {
        _ = try ensureDevice()
        guard vrfs[instance.name] == nil else { return }
        let table = tableBase + instance.id
        // Without them a lookup that misses the VRF would fall through to `main` (interop-lab §7.3).
        try netlink.routes.apply(
            families.map { $0 == AddressFamily.inet6 ? InetPrefix.defaultV6 : .defaultV4 }.map {
                .replace(Route(destination: $0, table: table, type: .unreachable, protocol: RouteProtocol.bagpipe))
            })
        var gateway: InterfaceAddress?
        if let ip = instance.gatewayIP {
            let v6 = if case .v6 = ip { true } else { false }
            gateway = InterfaceAddress(
                prefix: InetPrefix(address: InetAddress(ip), length: instance.prefixLength ?? (v6 ? 128 : 32))!,
                deviceIndex: 0, noPrefixRoute: true, noDAD: v6)
        }
        vrfs[instance.name] = VRFState(table: table, gateway: gateway)
    }

    private func plug(_ endpoint: PluggedEndpoint, _ port: String, _ vrf: inout VRFState) throws {
        guard let link = try netlink.links.link(.name(port)) else { throw LinuxDataplaneError.noSuchInterface(port) }
        if let ip = endpoint.ip, case .v6 = ip {
            guard families.contains(AddressFamily.inet6) else {
                throw LinuxDataplaneError.kernelUnsupported(driver: "IP VPN linux-vxlan", missing: ["IPv6"])
            }
            try enableIPv6Forwarding(for: ip, port)
        }
        var requests: [NetlinkRequest] = []
        if vrf.ports[port] == nil {
            if !link.isUp { requests.append(try LinkRequest.set(.index(link.index), LinkChanges(up: true))) }
            requests.append(
                KernelRequests.ipv4Configuration(
                    deviceIndex: link.index,
                    [(.forwarding, 1), (.proxyARP, 1), (.proxyARPPrivateVLAN, 1), (.reversePathFilter, 0)]))
            if var gateway = vrf.gateway {
                gateway.deviceIndex = link.index
                requests.append(NetlinkChange.replace(gateway).request)
            }
        }
        if endpoint.direction.forwardsFromPort && !vrf.fromPortRules.contains(port) {
            for family in families {
                requests.append(
                    try RuleRequest.add(
                        Rule(family: family, priority: rulePriority, table: vrf.table, inputInterface: port)))
            }
            vrf.fromPortRules.insert(port)
            for (classifier, table) in vrf.classifiers {
                requests += try classifierRules(classifier, table, ports: [port])
            }
        }
        if endpoint.direction.forwardsToPort {
            if let ip = endpoint.ip {
                requests.append(
                    NetlinkChange.replace(
                        Neighbor(
                            address: hostPrefix(ip).address, mac: EthernetAddress(endpoint.mac),
                            deviceIndex: link.index)
                    ).request)
                requests.append(
                    NetlinkChange.replace(
                        Route(
                            destination: hostPrefix(ip), table: vrf.table, protocol: RouteProtocol.bagpipe,
                            nextHops: [NextHop(gateway: nil, deviceIndex: link.index)])
                    ).request)
            }
        }
        vrf.ports[port, default: []].insert(endpoint)
        vrf.portIndexes[port] = link.index
        if endpoint.direction.forwardsToPort { requests += labelRequests(endpoint.label, &vrf) }
        try netlink.socket.apply(requests)
        // Also for IPv4: a port that becomes from-port may start answering for the VRF's IPv6 hosts.
        try syncProxies(for: Self.ipv6Hosts(of: endpoint), &vrf)
    }

    /// The rules and the routes of a label's table, per family, from the endpoints that now have that label (the
    /// first VM host of them, in a stable order); none left for a family: its rule and route go.
    private func labelRequests(_ label: UInt32, _ vrf: inout VRFState) -> [NetlinkRequest] {
        families.flatMap { labelRequests(LabelKey(label: label, family: $0), &vrf) }
    }

    private func labelRequests(_ key: LabelKey, _ vrf: inout VRFState) -> [NetlinkRequest] {
        var target: LabelTarget?
        for port in vrf.ports.keys.sorted() {
            guard let index = vrf.portIndexes[port] else { continue }
            let hosts = (vrf.ports[port] ?? []).filter { $0.label == key.label && $0.direction.forwardsToPort }
                .compactMap { $0.ip.map { hostPrefix($0) } }
                .filter { $0.family == key.family }.map(\.address)
            if let host = hosts.min() {
                target = LabelTarget(deviceIndex: index, host: host)
                break
            }
        }
        let current = vrf.labels[key]
        guard target != current else { return [] }
        let table = labelTable(key.label)
        let anywhere: InetPrefix = key.family == AddressFamily.inet6 ? .defaultV6 : .defaultV4
        var requests: [NetlinkRequest] = []
        if let target {
            requests.append(
                NetlinkChange.replace(
                    Route(
                        destination: anywhere, table: table, protocol: RouteProtocol.bagpipe,
                        nextHops: [NextHop(gateway: target.host, deviceIndex: target.deviceIndex, onLink: true)])
                ).request)
            if current == nil {
                requests.append(
                    KernelRequests.tunnelRule(vni: key.label, table: table, priority: rulePriority, family: key.family))
            }
            vrf.labels[key] = target
        } else {
            requests.append(
                KernelRequests.tunnelRule(
                    vni: key.label, table: table, priority: rulePriority, family: key.family, delete: true))
            requests.append(NetlinkChange.delete(Route(destination: anywhere, table: table)).request)
            vrf.labels[key] = nil
        }
        return requests
    }

    private func unplug(_ endpoint: PluggedEndpoint, _ port: String, last: Bool, _ vrf: inout VRFState) throws {
        guard vrf.ports[port]?.remove(endpoint) != nil, let index = vrf.portIndexes[port] else { return }
        var requests: [NetlinkRequest] = []
        if endpoint.direction.forwardsToPort, let ip = endpoint.ip {
            requests.append(
                NetlinkChange.delete(Route(destination: hostPrefix(ip), table: vrf.table)).request)
            requests.append(
                NetlinkChange.delete(
                    Neighbor(address: hostPrefix(ip).address, mac: EthernetAddress(endpoint.mac), deviceIndex: index)
                ).request)
        }
        if last || vrf.ports[port]?.isEmpty == true {
            requests += portTeardown(port, index, &vrf)
        }
        for label in Set([endpoint.label] + vrf.labels.filter { $0.value.deviceIndex == index }.map(\.key.label)) {
            requests += labelRequests(label, &vrf)
        }
        try applyTolerating(requests)
        try syncProxies(for: Self.ipv6Hosts(of: endpoint), &vrf)
    }

    private func portTeardown(_ port: String, _ index: Int32, _ vrf: inout VRFState) -> [NetlinkRequest] {
        var requests: [NetlinkRequest] = []
        for endpoint in vrf.ports[port] ?? [] where endpoint.direction.forwardsToPort {
            if let ip = endpoint.ip {
                requests.append(NetlinkChange.delete(Route(destination: hostPrefix(ip), table: vrf.table)).request)
                requests.append(
                    NetlinkChange.delete(
                        Neighbor(
                            address: hostPrefix(ip).address, mac: EthernetAddress(endpoint.mac), deviceIndex: index)
                    ).request)
            }
        }
        requests += leaveProxyNDP(port, index, &vrf)
        vrf.ports[port] = nil
        vrf.portIndexes[port] = nil
        if let prior = forcedForwarding.removeValue(forKey: port) {
            _ = try? netlink.writeSysctl(net: "ipv6/conf/\(port)/force_forwarding", prior)
        }
        if vrf.fromPortRules.remove(port) != nil {
            for family in families {
                requests.append(
                    RuleRequest.delete(
                        Rule(family: family, priority: rulePriority, table: vrf.table, inputInterface: port)))
            }
            for (classifier, table) in vrf.classifiers {
                requests += (try? classifierRules(classifier, table, ports: [port], delete: true)) ?? []
            }
        }
        if var gateway = vrf.gateway {
            gateway.deviceIndex = index
            requests.append(NetlinkChange.delete(gateway).request)
        }
        requests.append(
            KernelRequests.ipv4Configuration(deviceIndex: index, [(.proxyARP, 0), (.proxyARPPrivateVLAN, 0)]))
        return requests
    }

    private func cleanup(_ vrf: VRFState) throws {
        var vrf = vrf
        var requests: [NetlinkRequest] = []
        for (port, index) in vrf.portIndexes { requests += portTeardown(port, index, &vrf) }
        for label in Set(vrf.labels.keys.map(\.label)) { requests += labelRequests(label, &vrf) }
        try applyTolerating(requests)
        for (prefix, hops) in vrf.routes {
            for hop in hops { try release(PENeighbor(pe: hop.vtep, family: InetPrefix(prefix).family)) }
        }
        for family in families { try netlink.routes.flush(family: family, table: vrf.table) }
    }

    private func tunnelHop(_ endpoint: RemoteEndpoint) throws -> (IPPrefix, KernelRequests.TunnelNextHop) {
        guard case .prefix(let prefix) = endpoint.destination else {
            throw LinuxDataplaneError.notSupported(driver: "IP VPN linux-vxlan", what: "a MAC route")
        }
        guard endpoint.encapsulations.isEmpty || endpoint.encapsulations.contains(.vxlan) else {
            throw LinuxDataplaneError.notSupported(
                driver: "IP VPN linux-vxlan", what: "encapsulation \(endpoint.encapsulations)")
        }
        return (prefix, KernelRequests.TunnelNextHop(vni: endpoint.label, vtep: InetAddress(endpoint.nextHop)))
    }

    private func installRoute(_ prefix: IPPrefix, _ vrf: VRFState) throws {
        let hops = (vrf.routes[prefix] ?? []).sorted()
        try netlink.socket.execute(
            try KernelRequests.vxlanRoute(InetPrefix(prefix), table: vrf.table, hops: hops, deviceIndex: ensureDevice())
        )
    }

    /// The PE's neighbour entry on the VXLAN device, made by its first route of a family.
    private func retain(_ key: PENeighbor) throws {
        if let users = peUsers[key] {
            peUsers[key] = users + 1
            return
        }
        try netlink.neighbors.apply([.replace(peNeighbor(key, deviceIndex: try ensureDevice()))])
        peUsers[key] = 1
    }

    private func release(_ key: PENeighbor) throws {
        guard let users = peUsers[key] else { return }
        if users > 1 {
            peUsers[key] = users - 1
            return
        }
        peUsers[key] = nil
        guard let deviceIndex else { return }
        try ignoring(ENOENT) { try netlink.neighbors.apply([.delete(peNeighbor(key, deviceIndex: deviceIndex))]) }
    }

    private func peNeighbor(_ key: PENeighbor, deviceIndex: Int32) -> Neighbor {
        Neighbor(
            address: KernelRequests.overlayGateway(for: key.pe, family: key.family), mac: Self.deviceMAC(for: key.pe),
            deviceIndex: deviceIndex)
    }

    /// IPv6 is forwarded when `net.ipv6.conf.all.forwarding` is on, or (Linux 6.17+) when the device a packet came
    /// in on has `force_forwarding` (IPv6's per-device `forwarding` only switches host/router behaviour). The driver
    /// turns `force_forwarding` on for the port and its VXLAN device, as it turns IPv4's per-device `forwarding` on.
    /// On an older kernel only the host-wide switch remains, which also changes how every interface treats Router
    /// Advertisements: the operator's call, so the attachment is refused with what to do. `all.forwarding`, once
    /// seen on, is not read again.
    private func enableIPv6Forwarding(for ip: IPPrefix, _ port: String) throws {
        guard !ipv6ForwardingSeen else { return }
        if try netlink.forwarding(family: AddressFamily.inet6) {
            ipv6ForwardingSeen = true
            return
        }
        _ = try ensureDevice()
        for device in [port, deviceName] where forcedForwarding[device] == nil {
            guard let prior = try netlink.readSysctl(net: "ipv6/conf/\(device)/force_forwarding") else {
                throw LinuxDataplaneError.ipv6ForwardingOff(endpoint: "\(ip)", port: port)
            }
            // Already on (the operator's doing): left as it is, and not turned off when the port goes.
            guard prior != "1" else { continue }
            try netlink.writeSysctl(net: "ipv6/conf/\(device)/force_forwarding", "1")
            forcedForwarding[device] = prior
        }
    }

    /// Teardown: an entry already gone (its port was deleted, taking routes and neighbours along) is fine.
    private func applyTolerating(_ requests: [NetlinkRequest]) throws {
        let failures = try netlink.socket.executeBatch(requests).filter {
            ![ENOENT, ESRCH, ENODEV, EADDRNOTAVAIL].contains($0.errno)
        }
        if !failures.isEmpty { throw NetlinkError.batch(failures: failures, total: requests.count) }
    }
}

public import BGPWire
public import BagpipeVPN
public import LinuxNetlink
public import Logging

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel offers for the original's MPLS IP VPN driver (§5.3).
public struct KernelFeatures: Hashable, Sendable {
    public var mplsRouting: Bool
    public var vrfDevice: Bool

    public init(mplsRouting: Bool, vrfDevice: Bool) {
        self.mplsRouting = mplsRouting
        self.vrfDevice = vrfDevice
    }

    /// MPLS routing: `/proc/sys/net/mpls` exists (CONFIG_MPLS_ROUTING; this reads our own namespace's view, the
    /// same kernel). VRF: a `vrf` link can be created (then deleted) through `netlink`; this kernel answers
    /// EOPNOTSUPP "Unknown device type".
    public static func probe(netlink: Netlink) -> KernelFeatures {
        let mpls = access("/proc/sys/net/mpls/platform_labels", F_OK) == 0
        let name = "bpvrfprobe\(getpid() % 10000)"
        var vrf = false
        if (try? netlink.socket.execute(KernelRequests.vrfDevice(name: name, table: 0xFFFF_FF00))) != nil {
            vrf = true
            _ = try? netlink.links.deleteIfPresent(.name(name))
        }
        return KernelFeatures(mplsRouting: mpls, vrfDevice: vrf)
    }

    /// What is missing, as words for the refusal.
    public var missing: [String] {
        (mplsRouting ? [] : ["MPLS routing (CONFIG_MPLS_ROUTING: /proc/sys/net/mpls is absent)"])
            + (vrfDevice ? [] : ["VRF devices (CONFIG_NET_VRF: RTM_NEWLINK kind vrf is refused)"])
    }
}

/// The kernel programming of the original `linux` IP VPN driver (§5.3) as pure request lists: a VRF device per
/// VRF with its table and rules, ports enslaved to it, an MPLS label route per port, `encap mpls` routes to
/// remote PEs. ``LinuxMPLSIPVPNDriver`` sends them.
public enum MPLSVRFPlan {
    public static func deviceName(_ id: UInt32) -> String { interfaceName("bvrf-", "\(id)") }
    public static func table(_ id: UInt32) -> UInt32 { 1000 + id }

    /// The VRF device, and rules sending its traffic to its table with no fall-through to `main`.
    public static func initialize(id: UInt32) throws(NetlinkError) -> [NetlinkRequest] {
        let device = deviceName(id)
        let t = table(id)
        return [
            KernelRequests.vrfDevice(name: device, table: t),
            try RuleRequest.add(Rule(priority: 100, table: t, inputInterface: device)),
            try RuleRequest.add(Rule(priority: 100, table: t, outputInterface: device)),
            try RuleRequest.add(Rule(priority: 101, action: .unreachable, inputInterface: device)),
            try RuleRequest.add(Rule(priority: 101, action: .unreachable, outputInterface: device)),
        ]
    }

    /// §5.3 vif_plugged: enslave and up, permanent neighbour, proxy ARP, gateway address, label route.
    public static func vifPlugged(
        portIndex: Int32, vrfIndex: Int32, mac: MACAddress, ip: IPPrefix?, label: UInt32, gateway: InetPrefix?
    ) throws(NetlinkError) -> [NetlinkRequest] {
        var requests = [
            try LinkRequest.set(.index(portIndex), LinkChanges(up: true, master: .some(vrfIndex))),
            KernelRequests.ipv4Configuration(deviceIndex: portIndex, [(.proxyARP, 1), (.proxyARPPrivateVLAN, 1)]),
        ]
        if let gateway {
            requests.append(NetlinkChange.replace(InterfaceAddress(prefix: gateway, deviceIndex: portIndex)).request)
        }
        if let ip {
            let host = hostPrefix(ip).address
            requests.append(
                NetlinkChange.replace(Neighbor(address: host, mac: EthernetAddress(mac), deviceIndex: portIndex))
                    .request)
            requests.append(KernelRequests.mplsLabelRoute(label: label, via: host, deviceIndex: portIndex))
        }
        return requests
    }

    public static func vifUnplugged(
        portIndex: Int32, label: UInt32, gateway: InetPrefix?
    ) throws(NetlinkError)
        -> [NetlinkRequest]
    {
        var requests = [
            try LinkRequest.set(.index(portIndex), LinkChanges(up: false, master: .some(nil))),
            KernelRequests.ipv4Configuration(deviceIndex: portIndex, [(.proxyARP, 0), (.proxyARPPrivateVLAN, 0)]),
            KernelRequests.mplsLabelRoute(label: label, via: .v4([0, 0, 0, 0]), deviceIndex: portIndex, delete: true),
        ]
        if let gateway {
            requests.append(NetlinkChange.delete(InterfaceAddress(prefix: gateway, deviceIndex: portIndex)).request)
        }
        return requests
    }

    /// The route to `prefix` with one `encap mpls <label> via <pe>` leg per PE (ECMP), out of `mplsIndex`.
    public static func remoteRoute(
        _ prefix: IPPrefix, id: UInt32, hops: [(label: UInt32, pe: IPAddress)], mplsIndex: Int32
    ) throws(NetlinkError) -> NetlinkRequest {
        try KernelRequests.mplsRoute(
            InetPrefix(prefix), table: table(id), hops: hops.map { ($0.label, InetAddress($0.pe)) },
            deviceIndex: mplsIndex)
    }
}

/// The original `linux` IP VPN driver (§5.3): kernel MPLS plus VRF devices. It refuses to start on a kernel
/// without them (this project's CI kernel: interop-lab §7.2), naming what is missing; use
/// ``LinuxIPVPNDriver`` (VXLAN, policy routing) there.
public final class LinuxMPLSIPVPNDriver: DataplaneDriver {
    public let type = VPNType.ipvpn
    public let name = "linux"
    public let supportedEncapsulations: [TunnelType] = [.mpls]
    public let supportsECMP = true
    public let supportedDirections: Set<Direction> = [.both]
    public let localAddress: IPAddress
    let netlink: Netlink
    let mplsIndex: Int32
    let logger: Logger
    private var routes: [String: [IPPrefix: [RemoteEndpoint]]] = [:]
    private var vrfIndexes: [String: Int32] = [:]

    public init(
        netlink: Netlink, localAddress: IPAddress, mplsInterface: String, features: KernelFeatures? = nil,
        logger: Logger = Logger(label: "bagpipe.dataplane.ipvpn.linux")
    ) throws {
        self.logger = logger
        let features = features ?? KernelFeatures.probe(netlink: netlink)
        guard features.missing.isEmpty else {
            throw LinuxDataplaneError.kernelUnsupported(driver: "IP VPN linux (MPLS)", missing: features.missing)
        }
        if mplsInterface.contains("gre") {
            throw LinuxDataplaneError.notSupported(driver: "IP VPN linux (MPLS)", what: "MPLS over GRE")
        }
        self.netlink = netlink
        self.localAddress = localAddress
        mplsIndex = try netlink.links.index(of: mplsInterface)
    }

    public func apply(_ call: DataplaneCall, instance: DataplaneInstance) throws {
        let n = instance.name
        let gateway = instance.gatewayIP.flatMap {
            InetPrefix(address: InetAddress($0), length: instance.prefixLength ?? 32)
        }
        if case .initialize = call {
            try netlink.socket.apply(try MPLSVRFPlan.initialize(id: instance.id))
            vrfIndexes[n] = try netlink.links.index(of: MPLSVRFPlan.deviceName(instance.id))
            return
        }
        guard let vrfIndex = vrfIndexes[n] else { throw LinuxDataplaneError.notInitialized(instance: n) }
        switch call {
        case .initialize: break
        case .vifPlugged(let mac, let ip, let port, let label, _):
            let index = try netlink.links.index(of: port.linuxInterface)
            try netlink.socket.apply(
                try MPLSVRFPlan.vifPlugged(
                    portIndex: index, vrfIndex: vrfIndex, mac: mac, ip: ip, label: label, gateway: gateway))
        case .vifUnplugged(_, _, let port, let label, _, _):
            let index = try netlink.links.index(of: port.linuxInterface)
            try netlink.socket.apply(try MPLSVRFPlan.vifUnplugged(portIndex: index, label: label, gateway: gateway))
        case .setupRemoteEndpoint(let e), .removeRemoteEndpoint(let e):
            guard case .prefix(let prefix) = e.destination else {
                throw LinuxDataplaneError.notSupported(driver: "IP VPN linux (MPLS)", what: "a MAC route")
            }
            var hops = routes[n, default: [:]][prefix, default: []].filter { $0 != e }
            if case .setupRemoteEndpoint = call { hops.append(e) }
            routes[n, default: [:]][prefix] = hops.isEmpty ? nil : hops
            if hops.isEmpty {
                try netlink.routes.apply([
                    .delete(Route(destination: InetPrefix(prefix), table: MPLSVRFPlan.table(instance.id)))
                ])
            } else {
                try netlink.socket.execute(
                    try MPLSVRFPlan.remoteRoute(
                        prefix, id: instance.id, hops: hops.map { ($0.label, $0.nextHop) }, mplsIndex: mplsIndex))
            }
        case .cleanup:
            try netlink.links.deleteIfPresent(.index(vrfIndex))
            try netlink.routes.flush(table: MPLSVRFPlan.table(instance.id))
            vrfIndexes[n] = nil
            routes[n] = nil
        case .updateFallback:
            logger.warning("\(n): fallback is not supported by the linux MPLS driver; ignored")
        default:
            throw LinuxDataplaneError.notSupported(driver: "IP VPN linux (MPLS)", what: "\(call)")
        }
    }

    public func state(of instance: DataplaneInstance) -> [String: String] {
        [
            "vrf_if": MPLSVRFPlan.deviceName(instance.id), "route_table": "\(MPLSVRFPlan.table(instance.id))",
            "routes": "\(routes[instance.name]?.count ?? 0)",
        ]
    }
}

public import BGPWire
public import BagpipeVPN
public import LinuxNetlink
public import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The E-VPN `linux` driver (bagpipe-bgp.md §5.6): per EVI a Linux bridge and a VXLAN device (`nolearning`);
/// local ports are bridge ports, remote MACs are FDB entries `dst <vtep> vni <vni>` on the VXLAN device (and
/// bridge entries on its port), the flood list is `00:00:00:00:00:00` entries appended per VTEP (RFC 7432 §11,
/// ingress replication), and MAC+IP routes become permanent neighbour entries of the bridge, which answers ARP/ND
/// for them (`neigh_suppress` on the VXLAN port; RFC 7432 §10, interop-lab.md §7.0) and floods the others.
///
/// Unlike the original (§4.7), the VXLAN device has no `proxy` flag: with it the device consumes every ARP packet
/// it is given to send (requests it cannot answer, and every reply), so a VTEP that advertises MAC-only routes, as
/// FRR does for hosts it knows only from its bridge, could never resolve our VMs.
///
/// Everything goes through one netlink socket; with ``deferEntries`` FDB and neighbour changes are queued and
/// sent in batches (``flush()``) instead of one request per call.
public final class LinuxEVPNDriver: DataplaneDriver {
    public let type = VPNType.evpn
    public let name = "linux"
    public let supportedEncapsulations: [TunnelType] = [.vxlan]
    public let supportsECMP = false
    public let supportedDirections: Set<Direction> = [.both]
    public let localAddress: IPAddress
    /// UDP destination port of the VXLAN devices (the original's `vxlan_dst_port`, default 4789).
    public let vxlanPort: UInt16
    /// When set, FDB and neighbour changes wait in a queue until ``flush()`` (or the queue reaches
    /// ``batchLimit``, or a link-level call needs the kernel to be current).
    public var deferEntries = false
    public var batchLimit = 8192
    /// Before the first `initialize`, remove what a previous run left (`evpn---*` bridges, `vxlan--*` devices),
    /// as the original's `reset_state` (§5.1).
    public var resetBeforeFirstInitialize = true

    let netlink: Netlink
    let logger: Logger
    private var instances: [String: EVIState] = [:]
    private var pending: [NetlinkRequest] = []
    private var didReset = false

    public static let bridgePrefix = "evpn---"
    public static let vxlanPrefix = "vxlan--"

    public init(
        netlink: Netlink, localAddress: IPAddress, vxlanPort: UInt16 = 4789,
        logger: Logger = Logger(label: "bagpipe.dataplane.evpn.linux")
    ) {
        self.netlink = netlink
        self.localAddress = localAddress
        self.vxlanPort = vxlanPort
        self.logger = logger
    }

    /// What the driver made and installed for one EVI.
    struct EVIState {
        var bridge: String
        var bridgeIndex: Int32
        var ownsBridge: Bool
        var vxlan: String
        var vxlanIndex: Int32
        var ownsVXLAN: Bool
        var vni: UInt32
        /// Plugged port → MACs plugged on it.
        var ports: [String: Set<MACAddress>] = [:]
        /// A MAC may be announced by several routes (MAC-only and MAC+IP): the FDB entry stays while one remains.
        var remote: [MACAddress: Set<RemoteEndpoint>] = [:]
        var installed: [MACAddress: RemoteEndpoint] = [:]
        var flood: [IPAddress: UInt32] = [:]
        var gatewayPorts: Set<String> = []
    }

    public func apply(_ call: DataplaneCall, instance: DataplaneInstance) throws {
        let n = instance.name
        if case .initialize = call {
            try initialize(instance)
            return
        }
        // Taken out of the dictionary while it changes, so its collections are not copied on every call.
        guard var evi = instances.removeValue(forKey: n) else { throw LinuxDataplaneError.notInitialized(instance: n) }
        var keep = true
        defer { if keep { instances[n] = evi } }
        switch call {
        case .initialize: break
        case .vifPlugged(let mac, _, let port, _, _):
            try flush()
            let index = try portIndex(port.linuxInterface)
            if evi.ownsBridge {
                try netlink.links.set(.index(index), LinkChanges(up: true, master: .some(evi.bridgeIndex)))
            }
            try netlink.fdb.apply([.replace(.local(mac: EthernetAddress(mac), portIndex: index))])
            evi.ports[port.linuxInterface, default: []].insert(mac)
        case .vifUnplugged(let mac, _, let port, _, _, let last):
            try flush()
            if let link = try netlink.links.link(.name(port.linuxInterface)), link.masterIndex == evi.bridgeIndex {
                try ignoring(ENOENT) {
                    try netlink.fdb.apply([.delete(.local(mac: EthernetAddress(mac), portIndex: link.index))])
                }
                if last && evi.ownsBridge { try netlink.links.release(.index(link.index)) }
            }
            evi.ports[port.linuxInterface]?.remove(mac)
            if last || evi.ports[port.linuxInterface]?.isEmpty == true { evi.ports[port.linuxInterface] = nil }
            // The VM moved away while its remote route was already here (MAC mobility): the bridge's entry on
            // the VXLAN port, skipped while the MAC was local, is what suppression and unicast now need.
            if evi.installed[mac] != nil, !isPluggedHere(mac, evi) { try send([bridgeFDBRequest(.replace, mac, evi)]) }
        case .setupRemoteEndpoint(let endpoint):
            try setupRemote(endpoint, &evi)
        case .removeRemoteEndpoint(let endpoint):
            try removeRemote(endpoint, &evi)
        case .addFloodEndpoint(let nextHop, let label, _):
            if evi.flood[nextHop] == nil {
                try send([
                    NetlinkChange.append(
                        FDBEntry.flood(vxlanIndex: evi.vxlanIndex, vtep: InetAddress(nextHop), vni: label)
                    ).request
                ])
                evi.flood[nextHop] = label
            }
        case .removeFloodEndpoint(let nextHop, _):
            if let label = evi.flood.removeValue(forKey: nextHop) {
                try send([
                    NetlinkChange.delete(
                        FDBEntry.flood(vxlanIndex: evi.vxlanIndex, vtep: InetAddress(nextHop), vni: label)
                    ).request
                ])
            }
        case .setGatewayPort(let interface, let peer, _):
            try flush()
            if try netlink.links.link(.name(interface)) == nil {
                try netlink.links.createVethPair(name: interface, peerName: peer)
                evi.gatewayPorts.insert(interface)
            }
            try netlink.links.set(.name(interface), LinkChanges(up: true, master: .some(evi.bridgeIndex)))
            // Every node's gateway port has the same MAC (the original's DEFAULT_GATEWAY_MAC, §8.3): a VM keeps
            // its gateway's ARP entry when it moves, and whichever node answers its ARP, the bridge delivers the
            // routed traffic to the local gateway port.
            try netlink.links.set(.name(peer), LinkChanges(up: true, address: Self.gatewayMAC))
        case .gatewayPortDown(let interface):
            try flush()
            if evi.gatewayPorts.remove(interface) != nil {
                try netlink.links.deleteIfPresent(.name(interface))
            } else if try netlink.links.link(.name(interface)) != nil {
                try netlink.links.release(.name(interface))
            }
        case .addTrafficClassifier, .removeTrafficClassifier:
            throw LinuxDataplaneError.notSupported(driver: "E-VPN linux", what: "a traffic classifier")
        case .updateFallback:
            // As the original's default (§5.1): a warning, the attachment goes on.
            logger.warning("\(n): fallback is not supported by the E-VPN linux driver; ignored")
        case .cleanup:
            try cleanup(evi)
            keep = false
        }
    }

    public func state(of instance: DataplaneInstance) -> [String: String] {
        guard let evi = instances[instance.name] else { return [:] }
        return [
            "linux_bridge": evi.bridge,
            "vxlan_if": evi.vxlan,
            "vni": "\(evi.vni)",
            "ports": evi.ports.keys.sorted().joined(separator: ", "),
            "remote_macs": "\(evi.installed.count)",
            "flood_list": evi.flood.keys.map(\.description).sorted().joined(separator: ", "),
        ]
    }

    /// Sends every queued FDB and neighbour change.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        try netlink.socket.apply(batch)
    }

    /// Deletes every `evpn---*` bridge and `vxlan--*` VXLAN device (the original's `reset_state`); a bridge
    /// given as `linuxBridge` is never touched because it does not carry our prefix.
    public func resetState() throws {
        didReset = true
        for link in try netlink.links.list() {
            let ours: Bool
            switch link.kind {
            case .bridge: ours = link.name.hasPrefix(Self.bridgePrefix)
            case .vxlan: ours = link.name.hasPrefix(Self.vxlanPrefix)
            default: ours = false
            }
            if ours {
                logger.info("removing stale \(link.name)")
                try netlink.links.deleteIfPresent(.index(link.index))
            }
        }
    }

    // MARK: -

    /// `00:00:5e:00:43:64`, bagpipe's default gateway MAC (bagpipe-bgp.md §8.3).
    static let gatewayMAC = EthernetAddress(bytes: [0x00, 0x00, 0x5e, 0x00, 0x43, 0x64])!

    private func initialize(_ instance: DataplaneInstance) throws {
        if resetBeforeFirstInitialize && !didReset {
            do { try resetState() } catch { logger.error("reset_state failed: \(error)") }
        }
        didReset = true
        try flush()
        if let existing = instances[instance.name], existing.vni == instance.label { return }
        let bridgeName = instance.linuxBridge ?? interfaceName(Self.bridgePrefix, "\(instance.id)")
        let bridgeExisted = try netlink.links.link(.name(bridgeName)) != nil
        let bridge = try netlink.links.ensureBridge(named: bridgeName)
        do {
            try setUp(instance, bridgeName: bridgeName, bridge: bridge, bridgeExisted: bridgeExisted)
        } catch {
            // The instance is not registered, so no cleanup will come for it: a bridge made here goes now.
            if !bridgeExisted { _ = try? netlink.links.deleteIfPresent(.name(bridgeName)) }
            throw error
        }
    }

    private func setUp(
        _ instance: DataplaneInstance, bridgeName: String, bridge: LinuxNetlink.Link, bridgeExisted: Bool
    ) throws {
        if !bridgeExisted || instance.linuxBridge == nil {
            // The bridge has no address: it must not answer the VMs' ARP for the node's own addresses (a VRF's
            // gateway on a stitched port, §4.5, or the underlay), which would draw their traffic into the node's
            // main table. arp_ignore 8: no reply for any local address.
            try send([KernelRequests.ipv4Configuration(deviceIndex: bridge.index, [(.arpIgnore, 8)])])
        }
        // Reuse a VXLAN port of the bridge with this VNI (a Neutron linuxbridge network, §5.6).
        let reused = try netlink.links.ports(ofMaster: bridge.index).first { $0.vxlan?.vni == instance.label }
        let vxlan: LinuxNetlink.Link
        if let reused {
            vxlan = reused
        } else {
            let name = interfaceName(Self.vxlanPrefix, "\(instance.id)")
            let existed = try netlink.links.link(.name(name)) != nil
            vxlan = try netlink.links.ensureVXLAN(
                named: name,
                VXLANOptions(
                    vni: instance.label, local: InetAddress(localAddress), port: vxlanPort, learning: false,
                    proxy: false),
                masterIndex: bridge.index)
            // Adopted from a previous run: drop its remote entries; the manager re-installs what is current.
            if existed { try purgeRemoteEntries(vxlanIndex: vxlan.index, bridgeIndex: bridge.index) }
        }
        do {
            try netlink.links.setBridgePort(index: vxlan.index, learning: false, neighborSuppression: true)
        } catch {
            logger.warning("neigh_suppress on \(vxlan.name): \(error); ARP for remote hosts is flooded")
        }
        instances[instance.name] = EVIState(
            bridge: bridgeName, bridgeIndex: bridge.index, ownsBridge: !bridgeExisted || instance.linuxBridge == nil,
            vxlan: vxlan.name, vxlanIndex: vxlan.index, ownsVXLAN: reused == nil, vni: instance.label)
    }

    /// The remote entries a previous run left: the VXLAN device's entries with a destination, the bridge entries
    /// of those MACs on its port, and the bridge's permanent neighbours with those MACs.
    private func purgeRemoteEntries(vxlanIndex: Int32, bridgeIndex: Int32) throws {
        let entries = try netlink.fdb.entries(deviceIndex: vxlanIndex)
        let remote = entries.filter { $0.destination != nil }
        let macs = Set(remote.map(\.mac)).subtracting([.zero])
        let bridged = entries.filter { $0.destination == nil && $0.masterIndex != nil && macs.contains($0.mac) }
        let arp = try netlink.neighbors.entries(family: AddressFamily.inet, deviceIndex: bridgeIndex)
        let nd = try netlink.neighbors.entries(family: AddressFamily.inet6, deviceIndex: bridgeIndex)
        let neighbors = (arp + nd).filter { $0.state.contains(.permanent) && $0.mac.map(macs.contains) == true }
        try netlink.socket.apply(
            remote.map { NetlinkChange.delete($0).request }
                + bridged.map { NetlinkChange.delete(FDBEntry.local(mac: $0.mac, portIndex: vxlanIndex)).request }
                + neighbors.map { NetlinkChange.delete($0).request })
    }

    private func setupRemote(_ endpoint: RemoteEndpoint, _ evi: inout EVIState) throws {
        guard case .mac(let mac, let ip) = endpoint.destination else {
            throw LinuxDataplaneError.notSupported(driver: "E-VPN linux", what: "an IP prefix route (type 5)")
        }
        evi.remote[mac, default: []].insert(endpoint)
        var requests: [NetlinkRequest] = []
        if evi.installed[mac] == nil, !isPluggedHere(mac, evi) {
            // The bridge's own entry: its neighbour suppression answers only for MACs it knows on the VXLAN port.
            requests.append(bridgeFDBRequest(.replace, mac, evi))
        }
        if evi.installed[mac]?.nextHop != endpoint.nextHop || evi.installed[mac]?.label != endpoint.label {
            requests.append(fdbRequest(.replace, endpoint, mac, evi))
            evi.installed[mac] = endpoint
        }
        if let ip { requests.append(NetlinkChange.replace(neighbor(ip, mac, evi)).request) }
        try send(requests)
    }

    private func removeRemote(_ endpoint: RemoteEndpoint, _ evi: inout EVIState) throws {
        guard case .mac(let mac, let ip) = endpoint.destination,
            evi.remote[mac]?.remove(endpoint) != nil
        else { return }
        let remaining = evi.remote[mac] ?? []
        var requests: [NetlinkRequest] = []
        if let ip, !remaining.contains(where: { if case .mac(_, ip) = $0.destination { true } else { false } }) {
            requests.append(NetlinkChange.delete(neighbor(ip, mac, evi)).request)
        }
        if remaining.isEmpty {
            evi.remote[mac] = nil
            if let installed = evi.installed.removeValue(forKey: mac) {
                requests.append(fdbRequest(.delete, installed, mac, evi))
                // A port plugged here with this MAC has taken the bridge entry over (`vifPlugged` replaces it).
                if !isPluggedHere(mac, evi) { requests.append(bridgeFDBRequest(.delete, mac, evi)) }
            }
        } else if let next = remaining.min(by: { "\($0.nextHop)" < "\($1.nextHop)" }),
            evi.installed[mac]?.nextHop != next.nextHop || evi.installed[mac]?.label != next.label
        {
            // The MAC moved behind another VTEP while the other route lingers: keep the FDB entry, re-point it.
            requests.append(fdbRequest(.replace, next, mac, evi))
            evi.installed[mac] = next
        }
        try send(requests)
    }

    private enum FDBVerb { case replace, delete }

    private func fdbRequest(
        _ verb: FDBVerb, _ endpoint: RemoteEndpoint, _ mac: MACAddress, _ evi: EVIState
    )
        -> NetlinkRequest
    {
        let entry = FDBEntry.remote(
            mac: EthernetAddress(mac), vxlanIndex: evi.vxlanIndex, vtep: InetAddress(endpoint.nextHop),
            vni: endpoint.label)
        return verb == .replace ? NetlinkChange.replace(entry).request : NetlinkChange.delete(entry).request
    }

    /// `bridge fdb replace|del <mac> dev <vxlan> master static`.
    private func bridgeFDBRequest(_ verb: FDBVerb, _ mac: MACAddress, _ evi: EVIState) -> NetlinkRequest {
        let entry = FDBEntry.local(mac: EthernetAddress(mac), portIndex: evi.vxlanIndex)
        return verb == .replace ? NetlinkChange.replace(entry).request : NetlinkChange.delete(entry).request
    }

    /// `ip neigh ... <ip> lladdr <mac> dev <bridge> nud permanent`: where the bridge's ARP/ND suppression looks.
    private func neighbor(_ ip: IPAddress, _ mac: MACAddress, _ evi: EVIState) -> Neighbor {
        Neighbor(address: InetAddress(ip), mac: EthernetAddress(mac), deviceIndex: evi.bridgeIndex)
    }

    private func isPluggedHere(_ mac: MACAddress, _ evi: EVIState) -> Bool {
        evi.ports.values.contains { $0.contains(mac) }
    }

    private func cleanup(_ evi: EVIState) throws {
        try flush()
        var requests: [NetlinkRequest] = []
        if !evi.ownsBridge {
            // Our neighbours on a bridge that stays.
            for case .mac(let mac, let ip?) in evi.remote.values.flatMap({ $0 }).map(\.destination) {
                requests.append(NetlinkChange.delete(neighbor(ip, mac, evi)).request)
            }
        }
        if evi.ownsVXLAN {
            // Its FDB entries go with it (the original never deleted it: §11.3 item 10).
            try netlink.links.deleteIfPresent(.index(evi.vxlanIndex))
        } else {
            for (mac, endpoint) in evi.installed {
                requests.append(fdbRequest(.delete, endpoint, mac, evi))
                if !isPluggedHere(mac, evi) { requests.append(bridgeFDBRequest(.delete, mac, evi)) }
            }
            for (vtep, label) in evi.flood {
                requests.append(
                    NetlinkChange.delete(
                        FDBEntry.flood(vxlanIndex: evi.vxlanIndex, vtep: InetAddress(vtep), vni: label)
                    )
                    .request)
            }
        }
        if !requests.isEmpty {
            let failures = try netlink.socket.executeBatch(Array(Set(requests))).filter { $0.errno != ENOENT }
            if !failures.isEmpty { throw NetlinkError.batch(failures: failures, total: requests.count) }
        }
        for interface in evi.gatewayPorts { try netlink.links.deleteIfPresent(.name(interface)) }
        if evi.ownsBridge {
            try netlink.links.deleteIfPresent(.index(evi.bridgeIndex))
        } else {
            for (interface, macs) in evi.ports {
                guard let link = try netlink.links.link(.name(interface)), link.masterIndex == evi.bridgeIndex else {
                    continue
                }
                for mac in macs {
                    try ignoring(ENOENT) {
                        try netlink.fdb.apply([.delete(.local(mac: EthernetAddress(mac), portIndex: link.index))])
                    }
                }
            }
        }
    }

    private func send(_ requests: [NetlinkRequest]) throws {
        guard !requests.isEmpty else { return }
        if deferEntries {
            pending += requests
            if pending.count >= batchLimit { try flush() }
        } else {
            try netlink.socket.apply(requests)
        }
    }

    private func portIndex(_ name: String) throws -> Int32 {
        guard let link = try netlink.links.link(.name(name)) else { throw LinuxDataplaneError.noSuchInterface(name) }
        return link.index
    }
}

/// Runs `body`, treating a single-request failure with errno `code` as success (e.g. deleting what is gone).
func ignoring(_ code: Int32, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as NetlinkError where error.requestErrno == code {
        return
    }
}

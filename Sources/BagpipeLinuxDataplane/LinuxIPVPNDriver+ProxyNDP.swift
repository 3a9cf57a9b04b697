import BGPWire
import LinuxNetlink

/// Proxy NDP: the IPv6 stand-in for the proxy ARP of IPv4 ports. IPv6 has no "answer for any address routed
/// elsewhere" switch, only per-address proxy entries (RFC 4861 §7.2.8). So each port of a VRF with an IPv6 gateway
/// gets an entry for every other IPv6 host of the VRF in the gateway's subnet: remote host routes, and the VMs of
/// the VRF's other ports. A VM's Neighbor Solicitation for a host of its subnet on another node is answered by the
/// port, and what follows is routed, as for IPv4. The kernel answers for proxy entries only on an interface with
/// IPv6 `forwarding` and `proxy_ndp` on; both are per device, set while the port has IPv6 endpoints.
extension LinuxIPVPNDriver {
    /// The subnet of the VRF's IPv6 gateway, if it has one.
    static func ndpSubnet(_ vrf: VRFState) -> InetPrefix? {
        guard let gateway = vrf.gateway, gateway.prefix.family == AddressFamily.inet6 else { return nil }
        return gateway.prefix
    }

    /// The address of an IPv6 host route.
    static func ipv6Host(_ prefix: IPPrefix) -> InetAddress? {
        guard case .v6(let p) = prefix, p.length == 128 else { return nil }
        return InetAddress(.v6(p.address))
    }

    static func ipv6Hosts(on port: String, _ vrf: VRFState) -> Set<InetAddress> {
        Set(
            (vrf.ports[port] ?? []).compactMap { $0.ip.map { hostPrefix($0) } }
                .filter { $0.family == AddressFamily.inet6 }.map(\.address))
    }

    /// Should `port` answer for `host`: in the subnet, neither the gateway nor the port's own VM, and reachable in
    /// the VRF (a remote host route, or a VM of another port)?
    static func answers(_ host: InetAddress, on port: String, _ vrf: VRFState, subnet: InetPrefix) -> Bool {
        guard subnet.contains(host), host != subnet.address, !ipv6Hosts(on: port, vrf).contains(host) else {
            return false
        }
        return vrf.remoteIPv6Hosts.contains(host)
            || vrf.ports.keys.contains { $0 != port && ipv6Hosts(on: $0, vrf).contains(host) }
    }

    /// Brings the proxy entries of every port up to date for `hosts` (the ones that just changed); a port that gains
    /// or loses its IPv6 endpoints joins or leaves with all its entries. Failures are logged, not thrown: the
    /// route or port they follow is in place, and only on-link resolution across nodes depends on them.
    func syncProxies(for hosts: Set<InetAddress>, _ vrf: inout VRFState) throws {
        guard let subnet = Self.ndpSubnet(vrf) else { return }
        var requests: [NetlinkRequest] = []
        for port in vrf.ports.keys.sorted() {
            guard let index = vrf.portIndexes[port] else { continue }
            let wanted = vrf.fromPortRules.contains(port) && !Self.ipv6Hosts(on: port, vrf).isEmpty
            if wanted, vrf.ndpPorts[port] == nil {
                try enterProxyNDP(port, &vrf)
                let candidates = vrf.remoteIPv6Hosts.union(vrf.ports.keys.flatMap { Self.ipv6Hosts(on: $0, vrf) })
                requests += proxyChanges(port, index, candidates, subnet, &vrf)
            } else if !wanted, vrf.ndpPorts[port] != nil {
                requests += leaveProxyNDP(port, index, &vrf)
            } else if wanted {
                requests += proxyChanges(port, index, hosts, subnet, &vrf)
            }
        }
        let failures = try netlink.socket.executeBatch(requests)
        for failure in failures { logger.warning("proxy NDP: \(failure)") }
    }

    private func proxyChanges(
        _ port: String, _ index: Int32, _ hosts: Set<InetAddress>, _ subnet: InetPrefix, _ vrf: inout VRFState
    ) -> [NetlinkRequest] {
        var requests: [NetlinkRequest] = []
        for host in hosts.sorted() {
            let has = vrf.proxied[port]?.contains(host) == true
            let wants = Self.answers(host, on: port, vrf, subnet: subnet)
            guard has != wants else { continue }
            let entry = Neighbor(address: host, mac: nil, deviceIndex: index, flags: .proxy)
            if wants {
                requests.append(NetlinkChange.replace(entry).request)
                vrf.proxied[port, default: []].insert(host)
            } else {
                requests.append(NetlinkChange.delete(entry).request)
                vrf.proxied[port]?.remove(host)
            }
        }
        return requests
    }

    private func enterProxyNDP(_ port: String, _ vrf: inout VRFState) throws {
        try netlink.writeSysctl(net: "ipv6/conf/\(port)/proxy_ndp", "1")
        let setForwarding = !hostWideIPv6Forwarding
        if setForwarding { try netlink.writeSysctl(net: "ipv6/conf/\(port)/forwarding", "1") }
        vrf.ndpPorts[port] = setForwarding
    }

    /// The port's proxy entries go, and its `proxy_ndp` (and `forwarding`, if we turned it on) are set back.
    func leaveProxyNDP(_ port: String, _ index: Int32, _ vrf: inout VRFState) -> [NetlinkRequest] {
        guard let setForwarding = vrf.ndpPorts.removeValue(forKey: port) else { return [] }
        _ = try? netlink.writeSysctl(net: "ipv6/conf/\(port)/proxy_ndp", "0")
        if setForwarding { _ = try? netlink.writeSysctl(net: "ipv6/conf/\(port)/forwarding", "0") }
        let entries = vrf.proxied.removeValue(forKey: port) ?? []
        return entries.sorted().map {
            NetlinkChange.delete(Neighbor(address: $0, mac: nil, deviceIndex: index, flags: .proxy)).request
        }
    }
}

import BGPWire
import LinuxNetlink
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Proxy NDP: the IPv6 stand-in for the proxy ARP of IPv4 ports. IPv6 has no "answer for any address routed
/// elsewhere" switch, only per-address proxy entries (RFC 4861 §7.2.8). So each port of a VRF with an IPv6 gateway
/// gets an entry for every other IPv6 host the VRF routes to in the gateway's subnet: remote host routes, and the
/// to-port VMs of the VRF's other ports. A VM's Neighbor Solicitation for a host of its subnet on another node is
/// answered by the port, and what follows is routed, as for IPv4. The kernel answers for proxy entries only on an
/// interface with IPv6 `forwarding` and `proxy_ndp` on; both are per device, set while the port has IPv6 endpoints
/// and restored afterwards.
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

    static func ipv6Hosts(of endpoint: PluggedEndpoint) -> Set<InetAddress> {
        guard let ip = endpoint.ip, case .v6 = ip else { return [] }
        return [hostPrefix(ip).address]
    }

    /// Per port, its IPv6 hosts (a port never answers for its own VM) and those the VRF routes to (to-port
    /// endpoints: a from-port-only VM has no host route, so nobody answers for it).
    struct PortHosts {
        var own: [String: Set<InetAddress>] = [:]
        var routed: [String: Set<InetAddress>] = [:]

        init(_ vrf: VRFState) {
            for (port, endpoints) in vrf.ports {
                for endpoint in endpoints {
                    guard let host = LinuxIPVPNDriver.ipv6Hosts(of: endpoint).first else { continue }
                    own[port, default: []].insert(host)
                    if endpoint.direction.forwardsToPort { routed[port, default: []].insert(host) }
                }
            }
        }

        func answers(_ host: InetAddress, on port: String, _ vrf: VRFState, subnet: InetPrefix) -> Bool {
            guard subnet.contains(host), host != subnet.address, own[port]?.contains(host) != true else { return false }
            return vrf.remoteIPv6Hosts.contains(host) || routed.contains { $0.key != port && $0.value.contains(host) }
        }
    }

    struct ProxyChange {
        var port: String
        var host: InetAddress
        var add: Bool
        var request: NetlinkRequest
    }

    /// Brings the proxy entries up to date for `hosts` (the IPv6 hosts that just changed); a port that gains or
    /// loses its IPv6 endpoints (or its from-port rule) joins or leaves with all its entries. A failure is logged and
    /// the state keeps what the kernel has, so the next change of that host tries again: the route or port it
    /// follows is in place, and only on-link resolution across nodes depends on it.
    func syncProxies(for hosts: Set<InetAddress>, _ vrf: inout VRFState) throws {
        guard let subnet = Self.ndpSubnet(vrf) else { return }
        let portHosts = PortHosts(vrf)
        let changed = hosts.filter { subnet.contains($0) }
        var changes: [ProxyChange] = []
        var removals: [NetlinkRequest] = []
        for (port, index) in vrf.portIndexes.sorted(by: { $0.key < $1.key }) {
            let wanted = vrf.fromPortRules.contains(port) && portHosts.own[port]?.isEmpty == false
            if wanted, vrf.ndpPorts[port] == nil {
                guard enterProxyNDP(port, index, &vrf) else { continue }
                let candidates = vrf.remoteIPv6Hosts.union(portHosts.routed.values.joined())
                changes += proxyChanges(port, index, candidates, subnet, vrf, portHosts)
            } else if !wanted, vrf.ndpPorts[port] != nil {
                removals += leaveProxyNDP(port, index, &vrf)
            } else if wanted, !changed.isEmpty {
                changes += proxyChanges(port, index, changed, subnet, vrf, portHosts)
            }
        }
        guard !changes.isEmpty || !removals.isEmpty else { return }
        let failures = try netlink.socket.executeBatch(changes.map(\.request) + removals)
        let failed = Set(failures.map(\.index))
        for failure in failures where !(failure.index >= changes.count && failure.errno == ENOENT) {
            logger.warning("proxy NDP: \(failure)")
        }
        for (i, change) in changes.enumerated() where !failed.contains(i) {
            if change.add {
                vrf.proxied[change.port, default: []].insert(change.host)
            } else {
                vrf.proxied[change.port]?.remove(change.host)
            }
        }
    }

    private func proxyChanges(
        _ port: String, _ index: Int32, _ hosts: some Sequence<InetAddress>, _ subnet: InetPrefix, _ vrf: VRFState,
        _ portHosts: PortHosts
    ) -> [ProxyChange] {
        var changes: [ProxyChange] = []
        for host in Set(hosts).sorted() {
            let has = vrf.proxied[port]?.contains(host) == true
            let wants = portHosts.answers(host, on: port, vrf, subnet: subnet)
            guard has != wants else { continue }
            let entry = Neighbor(address: host, mac: nil, deviceIndex: index, flags: .proxy)
            changes.append(
                ProxyChange(
                    port: port, host: host, add: wants,
                    request: wants ? NetlinkChange.replace(entry).request : NetlinkChange.delete(entry).request))
        }
        return changes
    }

    /// Turns the port's `proxy_ndp` (and, without host-wide forwarding, its IPv6 `forwarding`, which proxy answers
    /// need) on, remembering what they were, and removes proxy entries a previous run left on the port (it is the
    /// VM's own). False, logged, when the kernel refuses: the next change tries again.
    private func enterProxyNDP(_ port: String, _ index: Int32, _ vrf: inout VRFState) -> Bool {
        var changed: [String: String] = [:]
        do {
            let stale = try netlink.neighbors.entries(family: AddressFamily.inet6, deviceIndex: index, proxy: true)
            _ = try netlink.socket.executeBatch(stale.map { NetlinkChange.delete($0).request })
            var knobs = ["proxy_ndp"]
            if !hostWideIPv6Forwarding { knobs.append("forwarding") }
            for knob in knobs {
                let key = "ipv6/conf/\(port)/\(knob)"
                guard let prior = try netlink.readSysctl(net: key) else { throw NetlinkError.linkNotFound(port) }
                guard prior != "1" else { continue }
                try netlink.writeSysctl(net: key, "1")
                changed[knob] = prior
            }
        } catch {
            logger.warning("proxy NDP on \(port): \(error)")
            restore(port, changed)
            return false
        }
        vrf.ndpPorts[port] = changed
        vrf.proxied[port] = []
        return true
    }

    /// The port's proxy entries go (as requests), and its sysctls are set back to what they were.
    func leaveProxyNDP(_ port: String, _ index: Int32, _ vrf: inout VRFState) -> [NetlinkRequest] {
        guard let changed = vrf.ndpPorts.removeValue(forKey: port) else { return [] }
        restore(port, changed)
        let entries = vrf.proxied.removeValue(forKey: port) ?? []
        return entries.sorted().map {
            NetlinkChange.delete(Neighbor(address: $0, mac: nil, deviceIndex: index, flags: .proxy)).request
        }
    }

    private func restore(_ port: String, _ changed: [String: String]) {
        for (knob, prior) in changed {
            _ = try? netlink.writeSysctl(net: "ipv6/conf/\(port)/\(knob)", prior)
        }
    }
}

import BGPWire
import BagpipeLinuxDataplane
import BagpipeVPN
import Foundation
import LinuxNetlink
import Testing

@Suite(.serialized)
struct LinuxIPVPNDriverTests {
    /// VRF A and VRF B use the same addresses: 10.1.1.5 behind node 1, 10.1.2.5 behind node 2.
    struct Side {
        var vrf: String
        var id: UInt32
        var labels: [Int: UInt32]
        var macs: [Int: String]
    }
    static let a = Side(
        vrf: "A", id: 1, labels: [1: 1001, 2: 1002], macs: [1: "52:54:00:00:a1:01", 2: "52:54:00:00:a2:01"])
    static let b = Side(
        vrf: "B", id: 2, labels: [1: 2001, 2: 2002], macs: [1: "52:54:00:00:b1:01", 2: "52:54:00:00:b2:01"])

    func instance(_ side: Side, node: Int) -> DataplaneInstance {
        DataplaneInstance(
            type: .ipvpn, id: side.id, name: "VRF-\(side.id)", externalID: "vpn-\(side.vrf)", label: 0,
            gatewayIP: IPAddress("10.1.\(node).1"), prefixLength: 24)
    }

    func remote(
        _ side: Side, to node: Int, prefix: String? = nil, via pe: String? = nil, label: UInt32? = nil
    )
        -> RemoteEndpoint
    {
        RemoteEndpoint(
            destination: .prefix(IPPrefix(prefix ?? "10.1.\(node).5/32")!),
            nextHop: IPAddress(pe ?? "10.0.0.1\(node)")!, label: label ?? side.labels[node]!, encapsulations: [.vxlan])
    }

    @Test("VMs in different subnets of one VRF on two nodes ping; two VRFs with the same addresses stay apart")
    func overlappingVRFs() throws {
        let lab = try NamespaceLab("i")
        defer { lab.teardown() }
        var drivers: [Int: LinuxIPVPNDriver] = [:]
        var netlinks: [Int: Netlink] = [:]
        for node in 1...2 {
            let nl = try Netlink(namespaceNamed: lab.node(node))
            netlinks[node] = nl
            drivers[node] = try LinuxIPVPNDriver(netlink: nl, localAddress: IPAddress(lab.underlayAddress(node))!)
            for side in [Self.a, Self.b] {
                let port = "tap\(side.vrf)\(node)"
                try lab.addVM(
                    "\(side.vrf)\(node)", node: node, port: port, mac: side.macs[node]!, address: "10.1.\(node).5/24",
                    gateway: "10.1.\(node).1")
                let vrf = instance(side, node: node)
                try drivers[node]!.apply(.initialize(vrf), instance: vrf)
                try drivers[node]!.apply(
                    .vifPlugged(
                        mac: MACAddress(side.macs[node]!)!, ip: IPPrefix("10.1.\(node).5/32"),
                        port: LocalPort(linuxInterface: port), label: side.labels[node]!, direction: .both),
                    instance: vrf)
            }
        }
        for side in [Self.a, Self.b] {
            try drivers[1]!.apply(.setupRemoteEndpoint(remote(side, to: 2)), instance: instance(side, node: 1))
            try drivers[2]!.apply(.setupRemoteEndpoint(remote(side, to: 1)), instance: instance(side, node: 2))
        }
        #expect(lab.ping(from: "A1", "10.1.2.5"))
        #expect(lab.ping(from: "B1", "10.1.2.5"))
        #expect(lab.ping(from: "A2", "10.1.1.5"))

        // Isolation: A's traffic reaches A2 only, B2 sees none of it.
        let beforeB2 = try lab.rxPackets("B2")
        for _ in 0..<3 { #expect(lab.ping(from: "A1", "10.1.2.5")) }
        #expect(try lab.rxPackets("B2") == beforeB2)
        // Flowspec redirect-to-VRF: ICMP from A1's port to 10.1.2.5 is looked up in VRF B, so it reaches B2
        // (whose answer goes back through VRF B, to B1: A1 gets no reply). Removing the classifier restores A.
        let redirect = TrafficClassifier(destinationPrefix: IPPrefix("10.1.2.5/32"), ipProtocol: 1)
        let beforeRedirect = (a2: try lab.rxPackets("A2"), b2: try lab.rxPackets("B2"))
        try drivers[1]!.apply(
            .addTrafficClassifier(redirect, redirectTo: instance(Self.b, node: 1)), instance: instance(Self.a, node: 1))
        #expect(!lab.ping(from: "A1", "10.1.2.5"))
        #expect(try lab.rxPackets("B2") > beforeRedirect.b2)
        let a2 = try lab.rxPackets("A2")
        let b2 = try lab.rxPackets("B2")
        #expect(a2 == beforeRedirect.a2, "A2 \(beforeRedirect.a2)→\(a2), B2 \(beforeRedirect.b2)→\(b2)")
        let rules = try lab.ip("-n", lab.node(1), "rule", "show")
        #expect(rules.contains("to 10.1.2.5 iif tapA1 ipproto icmp lookup 20002"), "\(rules)")
        try drivers[1]!.apply(.removeTrafficClassifier(redirect), instance: instance(Self.a, node: 1))
        #expect(lab.ping(from: "A1", "10.1.2.5"))

        // Withdrawing B's route on node 1 cuts B only.
        try drivers[1]!.apply(.removeRemoteEndpoint(remote(Self.b, to: 2)), instance: instance(Self.b, node: 1))
        #expect(!lab.ping(from: "B1", "10.1.2.5"))
        #expect(lab.ping(from: "A1", "10.1.2.5"))
        // The tenant cannot reach the underlay.
        #expect(!lab.ping(from: "B1", "10.0.0.12"))

        // ECMP: a second PE for the /24 makes a two-leg route; removing it leaves one leg.
        let a1 = instance(Self.a, node: 1)
        try drivers[1]!.apply(.setupRemoteEndpoint(remote(Self.a, to: 2, prefix: "10.1.2.0/24")), instance: a1)
        try drivers[1]!.apply(
            .setupRemoteEndpoint(remote(Self.a, to: 2, prefix: "10.1.2.0/24", via: "10.0.0.13", label: 1003)),
            instance: a1)
        let table = try lab.ip("-n", lab.node(1), "route", "show", "table", "20001")
        #expect(table.components(separatedBy: "nexthop").count - 1 == 2, "\(table)")
        #expect(table.contains("encap ip id 1003") && table.contains("dst 10.0.0.13"))
        try drivers[1]!.apply(
            .removeRemoteEndpoint(remote(Self.a, to: 2, prefix: "10.1.2.0/24", via: "10.0.0.13", label: 1003)),
            instance: a1)
        let after = try lab.ip("-n", lab.node(1), "route", "show", "table", "20001")
        #expect(!after.contains("nexthop") && !after.contains("10.0.0.13"))

        // Unplug + cleanup: no rule, route, neighbour or address of ours remains; ping fails.
        for node in 1...2 {
            for side in [Self.a, Self.b] {
                let vrf = instance(side, node: node)
                try drivers[node]!.apply(
                    .vifUnplugged(
                        mac: MACAddress(side.macs[node]!)!, ip: IPPrefix("10.1.\(node).5/32"),
                        port: LocalPort(linuxInterface: "tap\(side.vrf)\(node)"), label: side.labels[node]!,
                        direction: .both, lastEndpoint: true), instance: vrf)
                try drivers[node]!.apply(.cleanup, instance: vrf)
            }
        }
        #expect(!lab.ping(from: "A1", "10.1.2.5"))
        let nl = netlinks[1]!
        #expect(try nl.rules.rules().filter { ($0.table ?? 0) >= 20000 && ($0.table ?? 0) < 90000 }.isEmpty)
        #expect(try nl.routes.routes(protocol: RouteProtocol.bagpipe).isEmpty)
        #expect(try nl.neighbors.entries().filter { $0.state.contains(.permanent) }.isEmpty)
        let tap = try nl.links.index(of: "tapA1")
        #expect(try nl.addresses.addresses(family: AddressFamily.inet, deviceIndex: tap).isEmpty)
    }

    @Test("IPv6 tenants over the IPv4 tunnels: VMs of one VRF on two nodes ping, by per-device or host-wide forwarding")
    func ipv6Tenants() throws {
        let lab = try NamespaceLab("6")
        defer { lab.teardown() }
        let side = Self.a
        func vrf(_ node: Int) -> DataplaneInstance {
            DataplaneInstance(
                type: .ipvpn, id: side.id, name: "VRF-\(side.id)", externalID: "vpn-v6", label: 0,
                gatewayIP: IPAddress("2001:db8:\(node)::1"), prefixLength: 64)
        }
        func plugged(_ node: Int) -> DataplaneCall {
            .vifPlugged(
                mac: MACAddress(side.macs[node]!)!, ip: IPPrefix("2001:db8:\(node)::5/128"),
                port: LocalPort(linuxInterface: "tap6\(node)"), label: side.labels[node]!, direction: .both)
        }
        var drivers: [Int: LinuxIPVPNDriver] = [:]
        var netlinks: [Int: Netlink] = [:]
        for node in 1...2 {
            let nl = try Netlink(namespaceNamed: lab.node(node))
            netlinks[node] = nl
            drivers[node] = try LinuxIPVPNDriver(netlink: nl, localAddress: IPAddress(lab.underlayAddress(node))!)
            try lab.addVM(
                "v6\(node)", node: node, port: "tap6\(node)", mac: side.macs[node]!,
                address: "2001:db8:\(node)::5/64", gateway: "2001:db8:\(node)::1", ipv6: true)
            try drivers[node]!.apply(.initialize(vrf(node)), instance: vrf(node))
        }
        // Node 1 without host-wide IPv6 forwarding: the driver turns on the port's and its VXLAN device's
        // force_forwarding (Linux 6.17+), or, on an older kernel, refuses and says what to do. Node 2 has it on.
        try lab.setIPv6Forwarding(node: 1, false)
        try lab.setIPv6Forwarding(node: 2, true)
        let perDevice = FileManager.default.fileExists(atPath: "/proc/sys/net/ipv6/conf/all/force_forwarding")
        func forced(_ device: String) throws -> String {
            try lab.ip("netns", "exec", lab.node(1), "cat", "/proc/sys/net/ipv6/conf/\(device)/force_forwarding")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if !perDevice {
            #expect(throws: LinuxDataplaneError.ipv6ForwardingOff(endpoint: "2001:db8:1::5/128", port: "tap61")) {
                try drivers[1]!.apply(plugged(1), instance: vrf(1))
            }
            try lab.setIPv6Forwarding(node: 1, true)
        }
        // A route whose PE neighbour the kernel refuses (IPv6 off on node 2's VXLAN device) is not remembered as
        // installed: the same call below installs it, neighbour included.
        try lab.ip("netns", "exec", lab.node(2), "sysctl", "-qw", "net.ipv6.conf.vxlan-ipvpn.disable_ipv6=1")
        let toNode1 = RemoteEndpoint(
            destination: .prefix(IPPrefix("2001:db8:1::5/128")!), nextHop: IPAddress(lab.underlayAddress(1))!,
            label: side.labels[1]!, encapsulations: [.vxlan])
        #expect(throws: NetlinkError.self) { try drivers[2]!.apply(.setupRemoteEndpoint(toNode1), instance: vrf(2)) }
        try lab.ip("netns", "exec", lab.node(2), "sysctl", "-qw", "net.ipv6.conf.vxlan-ipvpn.disable_ipv6=0")
        for node in 1...2 {
            try drivers[node]!.apply(plugged(node), instance: vrf(node))
            let other = 3 - node
            try drivers[node]!.apply(
                .setupRemoteEndpoint(
                    RemoteEndpoint(
                        destination: .prefix(IPPrefix("2001:db8:\(other)::5/128")!),
                        nextHop: IPAddress(lab.underlayAddress(other))!, label: side.labels[other]!,
                        encapsulations: [.vxlan])), instance: vrf(node))
        }
        #expect(lab.ping(from: "v61", "2001:db8:2::5"))
        #expect(lab.ping(from: "v62", "2001:db8:1::5"))
        if perDevice {
            #expect(try forced("tap61") == "1" && forced("vxlan-ipvpn") == "1")
            #expect(try forced("all") == "0")
        }
        let rules = try lab.ip("-n", lab.node(1), "-6", "rule", "show")
        #expect(rules.contains("iif tap61 lookup 20001"), "\(rules)")
        #expect(rules.contains("tun_id 1001 lookup"), "\(rules)")
        let table = try lab.ip("-n", lab.node(1), "-6", "route", "show", "table", "20001")
        #expect(table.contains("encap ip id 1002 ") && table.contains("via fe80::bb:a00:c dev vxlan-ipvpn"), "\(table)")
        // Not routed: an address the VRF does not have is unreachable, not looked up in `main` (which has a
        // default route for the occasion).
        try lab.ip("-n", lab.node(1), "-6", "route", "add", "default", "dev", "eth0")
        let lookup = try lab.run([
            "ip", "-n", lab.node(1), "-6", "route", "get", "2001:db8:9::9", "from", "2001:db8:1::5", "iif", "tap61",
        ])
        #expect(lookup.status != 0 && lookup.output.contains("No route to host"), "\(lookup)")
        #expect(!lab.ping(from: "v61", "2001:db8:9::9"))

        // One PE with an IPv4 and an IPv6 route: a neighbour each on the VXLAN device; removing the IPv6 route
        // removes only the IPv6 one.
        let v4Route = RemoteEndpoint(
            destination: .prefix(IPPrefix("10.9.9.0/24")!), nextHop: IPAddress("10.0.0.12")!, label: 1002,
            encapsulations: [.vxlan])
        let v6Route = RemoteEndpoint(
            destination: .prefix(IPPrefix("2001:db8:2::5/128")!), nextHop: IPAddress("10.0.0.12")!, label: 1002,
            encapsulations: [.vxlan])
        try drivers[1]!.apply(.setupRemoteEndpoint(v4Route), instance: vrf(1))
        func peNeighbors() throws -> String { try lab.ip("-n", lab.node(1), "neigh", "show", "dev", "vxlan-ipvpn") }
        #expect(try peNeighbors().contains("10.0.0.12 lladdr 02:bb:0a:00:00:0c PERMANENT"))
        #expect(try peNeighbors().contains("fe80::bb:a00:c lladdr 02:bb:0a:00:00:0c PERMANENT"))
        try drivers[1]!.apply(.removeRemoteEndpoint(v6Route), instance: vrf(1))
        #expect(try !peNeighbors().contains("fe80::bb:a00:c") && peNeighbors().contains("10.0.0.12"))
        #expect(!lab.ping(from: "v61", "2001:db8:2::5"))
        try drivers[1]!.apply(.removeRemoteEndpoint(v4Route), instance: vrf(1))
        #expect(try peNeighbors().isEmpty)
        try drivers[1]!.apply(.setupRemoteEndpoint(v6Route), instance: vrf(1))
        #expect(lab.ping(from: "v61", "2001:db8:2::5"))

        // Flowspec redirect-to-VRF (RFC 8956): an IPv6 prefix gives an IPv6 rule only; no prefix, one per family.
        let icmp6 = TrafficClassifier(destinationPrefix: IPPrefix("2001:db8:2::5/128"), ipProtocol: 58)
        let udp = TrafficClassifier(ipProtocol: 17)
        for classifier in [icmp6, udp] {
            try drivers[1]!.apply(.addTrafficClassifier(classifier, redirectTo: vrf(1)), instance: vrf(1))
        }
        let rules6 = try lab.ip("-n", lab.node(1), "-6", "rule", "show")
        let rules4 = try lab.ip("-n", lab.node(1), "-4", "rule", "show")
        #expect(rules6.contains("to 2001:db8:2::5 iif tap61 ipproto ipv6-icmp lookup 20001"), "\(rules6)")
        #expect(!rules4.contains("ipv6-icmp"), "\(rules4)")
        #expect(rules6.contains("iif tap61 ipproto udp lookup 20001") && rules4.contains("iif tap61 ipproto udp"))
        for classifier in [icmp6, udp] {
            try drivers[1]!.apply(.removeTrafficClassifier(classifier), instance: vrf(1))
        }
        let after6 = try lab.ip("-n", lab.node(1), "-6", "rule", "show")
        #expect(!after6.contains("ipproto"), "\(after6)")
        #expect(lab.ping(from: "v61", "2001:db8:2::5"))

        // A plug the kernel refuses half-way (IPv6 off on the port) leaves nothing behind, and the same call,
        // once the port has IPv6, plugs it whole.
        try lab.addVM(
            "v63", node: 1, port: "tap63", mac: "52:54:00:00:a1:03", address: "2001:db8:1::7/64",
            gateway: "2001:db8:1::1", ipv6: true)
        func sysctl(_ node: Int, _ setting: String) throws {
            try lab.ip("netns", "exec", lab.node(node), "sysctl", "-qw", setting)
        }
        let third = DataplaneCall.vifPlugged(
            mac: MACAddress("52:54:00:00:a1:03")!, ip: IPPrefix("2001:db8:1::7/128"),
            port: LocalPort(linuxInterface: "tap63"), label: 1003, direction: .both)
        try sysctl(1, "net.ipv6.conf.tap63.disable_ipv6=1")
        #expect(throws: NetlinkError.self) { try drivers[1]!.apply(third, instance: vrf(1)) }
        for family in ["-4", "-6"] {
            let rules = try lab.ip("-n", lab.node(1), family, "rule", "show")
            #expect(!rules.contains("tap63") && !rules.contains("tun_id 1003"), "\(rules)")
        }
        try sysctl(1, "net.ipv6.conf.tap63.disable_ipv6=0")
        try drivers[1]!.apply(third, instance: vrf(1))
        let toThird = RemoteEndpoint(
            destination: .prefix(IPPrefix("2001:db8:1::7/128")!), nextHop: IPAddress("10.0.0.11")!, label: 1003,
            encapsulations: [.vxlan])
        try drivers[2]!.apply(.setupRemoteEndpoint(toThird), instance: vrf(2))
        #expect(lab.ping(from: "v63", "2001:db8:2::5"))
        try drivers[2]!.apply(.removeRemoteEndpoint(toThird), instance: vrf(2))
        try drivers[1]!.apply(
            .vifUnplugged(
                mac: MACAddress("52:54:00:00:a1:03")!, ip: IPPrefix("2001:db8:1::7/128"),
                port: LocalPort(linuxInterface: "tap63"), label: 1003, direction: .both, lastEndpoint: true),
            instance: vrf(1))

        for node in 1...2 {
            try drivers[node]!.apply(
                .vifUnplugged(
                    mac: MACAddress(side.macs[node]!)!, ip: IPPrefix("2001:db8:\(node)::5/128"),
                    port: LocalPort(linuxInterface: "tap6\(node)"), label: side.labels[node]!, direction: .both,
                    lastEndpoint: true), instance: vrf(node))
            try drivers[node]!.apply(.cleanup, instance: vrf(node))
        }
        #expect(!lab.ping(from: "v61", "2001:db8:2::5"))
        let nl = netlinks[1]!
        for family in [AddressFamily.inet, AddressFamily.inet6] {
            #expect(try nl.rules.rules(family: family).filter { ($0.table ?? 0) >= 20000 }.isEmpty)
            #expect(try nl.routes.routes(family: family, protocol: RouteProtocol.bagpipe).isEmpty)
            #expect(try nl.neighbors.entries(family: family).filter { $0.state.contains(.permanent) }.isEmpty)
        }
        let tap = try nl.links.index(of: "tap61")
        #expect(
            try nl.addresses.addresses(family: AddressFamily.inet6, deviceIndex: tap).allSatisfy {
                $0.prefix.address.bytes.starts(with: [0xfe, 0x80])
            })
        if perDevice { #expect(try forced("tap61") == "0") }
    }

    @Test("IPv6 VMs of one subnet on two nodes: the ports answer Neighbor Solicitations for each other (proxy NDP)")
    func ipv6SameSubnet() throws {
        let lab = try NamespaceLab("n")
        defer { lab.teardown() }
        let vrf = DataplaneInstance(
            type: .ipvpn, id: 2, name: "VRF-2", externalID: "vpn-same6", label: 0,
            gatewayIP: IPAddress("2001:db8:5::1"), prefixLength: 64)
        func host(_ node: Int) -> String { "2001:db8:5::1\(node)" }
        func plugged(_ node: Int) -> DataplaneCall {
            .vifPlugged(
                mac: MACAddress(Self.b.macs[node]!)!, ip: IPPrefix("\(host(node))/128"),
                port: LocalPort(linuxInterface: "tapS\(node)"), label: Self.b.labels[node]!, direction: .both)
        }
        func route(to node: Int) -> RemoteEndpoint {
            RemoteEndpoint(
                destination: .prefix(IPPrefix("\(host(node))/128")!), nextHop: IPAddress(lab.underlayAddress(node))!,
                label: Self.b.labels[node]!, encapsulations: [.vxlan])
        }
        func sysctl(_ node: Int, _ key: String) throws -> String {
            try lab.ip("netns", "exec", lab.node(node), "cat", "/proc/sys/net/ipv6/conf/\(key)")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Node 1 relies on per-device forwarding where the kernel has it; node 2 has the host-wide switch.
        let perDevice = FileManager.default.fileExists(atPath: "/proc/sys/net/ipv6/conf/all/force_forwarding")
        try lab.setIPv6Forwarding(node: 1, !perDevice)
        try lab.setIPv6Forwarding(node: 2, true)
        var drivers: [Int: LinuxIPVPNDriver] = [:]
        for node in 1...2 {
            drivers[node] = try LinuxIPVPNDriver(
                netlink: Netlink(namespaceNamed: lab.node(node)), localAddress: IPAddress(lab.underlayAddress(node))!)
            // The VM has the whole /64 on link and no route: only Neighbor Discovery takes it anywhere.
            try lab.addVM(
                "s\(node)", node: node, port: "tapS\(node)", mac: Self.b.macs[node]!, address: "\(host(node))/64",
                ipv6: true)
            if node == 1 {
                // Left by an earlier run on the VM's port: removed when the port starts answering.
                try lab.ip("-n", lab.node(1), "-6", "neigh", "add", "proxy", "2001:db8:5::99", "dev", "tapS1")
            } else {
                // The operator's own setting: kept, and left as it was afterwards.
                try lab.ip("netns", "exec", lab.node(2), "sysctl", "-qw", "net.ipv6.conf.tapS2.proxy_ndp=1")
            }
            try drivers[node]!.apply(.initialize(vrf), instance: vrf)
            try drivers[node]!.apply(plugged(node), instance: vrf)
            try drivers[node]!.apply(.setupRemoteEndpoint(route(to: 3 - node)), instance: vrf)
        }
        func pings(_ vm: String, _ address: String) -> Bool {
            // A proxied answer waits up to proxy_delay (0.8 s): a few tries.
            (0..<4).contains { _ in lab.ping(from: vm, address) }
        }
        #expect(pings("s1", host(2)))
        #expect(pings("s2", host(1)))
        let proxies = try lab.ip("-n", lab.node(1), "-6", "neigh", "show", "proxy")
        #expect(proxies.contains("\(host(2)) dev tapS1 proxy") && !proxies.contains("::99"), "\(proxies)")
        // A from-port-only VM has no route in the VRF: nobody answers for it.
        try lab.addVM("s3", node: 1, port: "tapS3", mac: "52:54:00:00:b1:03", address: "2001:db8:5::13/64", ipv6: true)
        let fromPortOnly = DataplaneCall.vifPlugged(
            mac: MACAddress("52:54:00:00:b1:03")!, ip: IPPrefix("2001:db8:5::13/128"),
            port: LocalPort(linuxInterface: "tapS3"), label: 2003, direction: .fromPort)
        try drivers[1]!.apply(fromPortOnly, instance: vrf)
        let withThird = try lab.ip("-n", lab.node(1), "-6", "neigh", "show", "proxy")
        #expect(!withThird.contains("2001:db8:5::13 dev tapS1"), "\(withThird)")
        #expect(withThird.contains("\(host(2)) dev tapS3 proxy"), "\(withThird)")
        try drivers[1]!.apply(
            .vifUnplugged(
                mac: MACAddress("52:54:00:00:b1:03")!, ip: IPPrefix("2001:db8:5::13/128"),
                port: LocalPort(linuxInterface: "tapS3"), label: 2003, direction: .fromPort, lastEndpoint: true),
            instance: vrf)
        #expect(try sysctl(1, "tapS1/proxy_ndp") == "1" && sysctl(1, "tapS1/forwarding") == "1")
        // The route goes: so does the port's answer for it.
        try drivers[1]!.apply(.removeRemoteEndpoint(route(to: 2)), instance: vrf)
        let after = try lab.ip("-n", lab.node(1), "-6", "neigh", "show", "proxy")
        #expect(!after.contains(host(2)), "\(after)")
        #expect(!lab.ping(from: "s1", host(2)))
        try drivers[1]!.apply(.setupRemoteEndpoint(route(to: 2)), instance: vrf)
        #expect(pings("s1", host(2)))
        // Unplug and cleanup: no proxy entry, proxy_ndp off, and the port's forwarding as it was.
        for node in 1...2 {
            try drivers[node]!.apply(
                .vifUnplugged(
                    mac: MACAddress(Self.b.macs[node]!)!, ip: IPPrefix("\(host(node))/128"),
                    port: LocalPort(linuxInterface: "tapS\(node)"), label: Self.b.labels[node]!, direction: .both,
                    lastEndpoint: true), instance: vrf)
            try drivers[node]!.apply(.cleanup, instance: vrf)
        }
        #expect(try lab.ip("-n", lab.node(1), "-6", "neigh", "show", "proxy").isEmpty)
        #expect(try sysctl(1, "tapS1/proxy_ndp") == "0")
        #expect(try sysctl(1, "tapS1/forwarding") == (perDevice ? "0" : "1"))
        #expect(try sysctl(2, "tapS2/proxy_ndp") == "1")
    }

    @Test("calls this driver cannot honour are refused with a precise error")
    func refusals() throws {
        let lab = try NamespaceLab("x")
        defer { lab.teardown() }
        let driver = try LinuxIPVPNDriver(
            netlink: Netlink(namespaceNamed: lab.node(1)), localAddress: IPAddress("10.0.0.11")!)
        let vrf = instance(Self.a, node: 1)
        #expect(throws: LinuxDataplaneError.notInitialized(instance: "VRF-1")) {
            try driver.apply(.setupRemoteEndpoint(remote(Self.a, to: 2)), instance: vrf)
        }
        try driver.apply(.initialize(vrf), instance: vrf)
        let classifier = TrafficClassifier(destinationPrefix: IPPrefix("10.9.0.0/16"))
        #expect(throws: LinuxDataplaneError.notInitialized(instance: "VRF-2")) {
            try driver.apply(.addTrafficClassifier(classifier, redirectTo: instance(Self.b, node: 1)), instance: vrf)
        }
        #expect(
            throws: LinuxDataplaneError.notSupported(driver: "IP VPN linux-vxlan", what: "add_bum 10.0.0.12 label 1")
        ) {
            try driver.apply(
                .addFloodEndpoint(nextHop: IPAddress("10.0.0.12")!, label: 1, encapsulations: []), instance: vrf)
        }
        let mpls = RemoteEndpoint(
            destination: .prefix(IPPrefix("10.9.0.0/16")!), nextHop: IPAddress("10.0.0.12")!, label: 16,
            encapsulations: [.mpls])
        #expect(throws: LinuxDataplaneError.self) { try driver.apply(.setupRemoteEndpoint(mpls), instance: vrf) }
        try driver.apply(.cleanup, instance: vrf)
    }
}

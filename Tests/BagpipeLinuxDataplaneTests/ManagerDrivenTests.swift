import BGPWire
import BagpipeLinuxDataplane
import BagpipeTestSupport
import BagpipeVPN
import LinuxNetlink
import Testing

/// Two namespaces driven by real VPN managers exchanging BGP routes through a reflector: attach/detach as the
/// REST API would, and the Linux drivers do the rest.
struct ManagerDrivenTests {
    @Test("E-VPN and IP VPN attachments on two nodes: VMs ping; after detach they do not")
    func attachPingDetach() throws {
        let lab = try NamespaceLab("g")
        defer { lab.teardown() }
        var drivers: [(address: IPv4Address, evpn: LinuxEVPNDriver, ipvpn: LinuxIPVPNDriver)] = []
        var netlinks: [Netlink] = []
        for node in 1...2 {
            let nl = try Netlink(namespaceNamed: lab.node(node))
            netlinks.append(nl)
            let address = IPv4Address(lab.underlayAddress(node))!
            // The IP VPN overlay uses its own UDP port: a collect-metadata VXLAN device cannot share 4789 with
            // the E-VPN per-VNI devices (EADDRINUSE, docs/dataplane.md).
            drivers.append(
                (
                    address, LinuxEVPNDriver(netlink: nl, localAddress: .v4(address)),
                    try LinuxIPVPNDriver(netlink: nl, localAddress: .v4(address), vxlanPort: 4790)
                ))
        }
        // The shared in-memory network of Tests/BagpipeTestSupport, with the Linux drivers: the managers'
        // dataplane calls program the node namespaces.
        var network = VPNTestNetwork(drivers: drivers)
        let rt = RouteTarget.as2(64512, 77)
        let rt3 = RouteTarget.as2(64512, 78)
        for node in 1...2 {
            try lab.addVM(
                "e\(node)", node: node, port: "te\(node)", mac: "52:54:00:00:0e:0\(node)",
                address: "192.168.77.\(node)/24")
            try lab.addVM(
                "i\(node)", node: node, port: "ti\(node)", mac: "52:54:00:00:0f:0\(node)",
                address: "10.3.\(node).5/24", gateway: "10.3.\(node).1")
            try network.attach(
                node - 1,
                Attachment(
                    instanceID: "net-77", type: .evpn, mac: MACAddress("52:54:00:00:0e:0\(node)")!,
                    ip: IPPrefixWithHost("192.168.77.\(node)/24"), port: PortSpec(linuxInterface: "te\(node)"),
                    importRouteTargets: [rt], exportRouteTargets: [rt], vni: 7700))
            try network.attach(
                node - 1,
                Attachment(
                    instanceID: "vpn-78", type: .ipvpn, mac: MACAddress("52:54:00:00:0f:0\(node)")!,
                    ip: IPPrefixWithHost("10.3.\(node).5/24"), gatewayIP: IPAddress("10.3.\(node).1"),
                    port: PortSpec(linuxInterface: "ti\(node)"), importRouteTargets: [rt3], exportRouteTargets: [rt3]))
        }
        #expect(network.failures.isEmpty, "\(network.failures)")
        #expect(lab.ping(from: "e1", "192.168.77.2"))
        #expect(lab.ping(from: "i1", "10.3.2.5"))
        #expect(lab.ping(from: "i2", "10.3.1.5"))

        try network.detach(
            1,
            Detachment(
                instanceID: "net-77", type: .evpn, mac: MACAddress("52:54:00:00:0e:02")!,
                port: PortSpec(linuxInterface: "te2")))
        try network.detach(
            1,
            Detachment(
                instanceID: "vpn-78", type: .ipvpn, mac: MACAddress("52:54:00:00:0f:02")!,
                ip: IPPrefixWithHost("10.3.2.5/24"), port: PortSpec(linuxInterface: "ti2")))
        #expect(network.failures.isEmpty, "\(network.failures)")
        try lab.ip("-n", lab.vm("e1"), "neigh", "flush", "all")
        #expect(!lab.ping(from: "e1", "192.168.77.2"))
        #expect(!lab.ping(from: "i1", "10.3.2.5"))
        // Node 2 had its last port detached: the instances are gone, and with them every kernel entry.
        let nl2 = netlinks[1]
        #expect(try nl2.links.list().filter { $0.name.hasPrefix("evpn---") || $0.name.hasPrefix("vxlan--") }.isEmpty)
        #expect(try nl2.routes.routes(protocol: RouteProtocol.bagpipe).isEmpty)
        #expect(try nl2.rules.rules().filter { ($0.table ?? 0) >= 20000 && ($0.table ?? 0) < 90000 }.isEmpty)
        // Node 1 no longer has a route to node 2's VM.
        let table = try lab.ip("-n", lab.node(1), "route", "show", "table", "all")
        #expect(!table.contains("10.3.2.5"))
    }
}

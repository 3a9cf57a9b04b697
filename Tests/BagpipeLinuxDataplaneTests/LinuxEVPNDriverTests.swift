import BGPWire
import BagpipeLinuxDataplane
import BagpipeVPN
import LinuxNetlink
import Testing

@Suite(.serialized)
struct LinuxEVPNDriverTests {
    static let mac1 = MACAddress("52:54:00:00:01:01")!
    static let mac2 = MACAddress("52:54:00:00:02:01")!
    static let vni: UInt32 = 1010
    static let evi = DataplaneInstance(type: .evpn, id: 7, name: "EVI-7", externalID: "net-7", label: vni)

    func remote(_ mac: MACAddress, _ ip: String?, via node: Int) -> RemoteEndpoint {
        RemoteEndpoint(
            destination: .mac(mac, ip: ip.flatMap { IPAddress($0) }), nextHop: IPAddress("10.0.0.1\(node)")!,
            label: Self.vni, encapsulations: [.vxlan])
    }

    @Test("two nodes: ARP suppression, unicast FDB, flood list, double MAC install, removal and cleanup")
    func twoNodesPing() throws {
        let lab = try NamespaceLab("e")
        defer { lab.teardown() }
        try lab.addVM("vm1", node: 1, port: "tap1", mac: "\(Self.mac1)", address: "192.168.10.1/24")
        try lab.addVM("vm2", node: 2, port: "tap2", mac: "\(Self.mac2)", address: "192.168.10.2/24")
        let nl1 = try Netlink(namespaceNamed: lab.node(1))
        let nl2 = try Netlink(namespaceNamed: lab.node(2))
        let d1 = LinuxEVPNDriver(netlink: nl1, localAddress: IPAddress("10.0.0.11")!)
        let d2 = LinuxEVPNDriver(netlink: nl2, localAddress: IPAddress("10.0.0.12")!)
        let port1 = LocalPort(linuxInterface: "tap1")
        let port2 = LocalPort(linuxInterface: "tap2")
        for (d, mac, port) in [(d1, Self.mac1, port1), (d2, Self.mac2, port2)] {
            try d.apply(.initialize(Self.evi), instance: Self.evi)
            try d.apply(
                .vifPlugged(
                    mac: mac, ip: IPPrefix("192.168.10.\(mac == Self.mac1 ? 1 : 2)/32"), port: port,
                    label: Self.vni, direction: .both), instance: Self.evi)
        }
        let vx1 = try #require(try nl1.links.link(.name("vxlan--7")))
        #expect(vx1.vxlan?.vni == Self.vni && vx1.vxlan?.proxy == false && vx1.vxlan?.learning == false)
        #expect(try nl1.links.link(.name("tap1"))?.masterIndex == nl1.links.index(of: "evpn---7"))

        // 1. MAC+IP routes, no flood list: ARP can only be answered locally (the bridge's neigh_suppress, from its
        // neighbour entries).
        try d1.apply(.setupRemoteEndpoint(remote(Self.mac2, "192.168.10.2", via: 2)), instance: Self.evi)
        try d2.apply(.setupRemoteEndpoint(remote(Self.mac1, "192.168.10.1", via: 1)), instance: Self.evi)
        #expect(lab.ping(from: "vm1", "192.168.10.2"))
        let bridge1 = try nl1.links.index(of: "evpn---7")
        let arp = try nl1.neighbors.entries(deviceIndex: bridge1).filter { $0.state.contains(.permanent) }
        #expect(arp.map { "\($0.address)" } == ["192.168.10.2"])

        // 2. Node 1 now only has a MAC-only route for vm2 (node 2 keeps vm1's MAC+IP, so vm2 can answer).
        // A broadcast ping crosses only once the flood list is installed (RFC 7432 §11 ingress replication).
        try d1.apply(.setupRemoteEndpoint(remote(Self.mac2, nil, via: 2)), instance: Self.evi)
        try d1.apply(.removeRemoteEndpoint(remote(Self.mac2, "192.168.10.2", via: 2)), instance: Self.evi)
        // The MAC-only route remains: the FDB entry must stay, the neighbour entry must go.
        #expect(try remoteFDB(nl1, vx1.index) == ["\(Self.mac2) 10.0.0.12"])
        #expect(try nl1.neighbors.entries(deviceIndex: bridge1).filter { $0.state.contains(.permanent) }.isEmpty)
        try lab.ip("netns", "exec", lab.vm("vm2"), "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_broadcasts=0")
        #expect(!lab.broadcastPing(from: "vm1", "192.168.10.255"), "no flood list yet: broadcast must not cross")
        try d1.apply(
            .addFloodEndpoint(nextHop: IPAddress("10.0.0.12")!, label: Self.vni, encapsulations: [.vxlan]),
            instance: Self.evi)
        try d2.apply(
            .addFloodEndpoint(nextHop: IPAddress("10.0.0.11")!, label: Self.vni, encapsulations: [.vxlan]),
            instance: Self.evi)
        #expect(lab.broadcastPing(from: "vm1", "192.168.10.255"))
        #expect(try remoteFDB(nl1, vx1.index) == ["00:00:00:00:00:00 10.0.0.12", "\(Self.mac2) 10.0.0.12"])
        // MAC+IP again, then the MAC-only route goes: unicast still works through the remaining route.
        try d1.apply(.setupRemoteEndpoint(remote(Self.mac2, "192.168.10.2", via: 2)), instance: Self.evi)
        try d1.apply(.removeRemoteEndpoint(remote(Self.mac2, nil, via: 2)), instance: Self.evi)
        #expect(try remoteFDB(nl1, vx1.index) == ["00:00:00:00:00:00 10.0.0.12", "\(Self.mac2) 10.0.0.12"])
        #expect(lab.ping(from: "vm1", "192.168.10.2"))

        // 3. Withdrawals: nothing left on the VXLAN device, no ping.
        try d1.apply(.removeRemoteEndpoint(remote(Self.mac2, "192.168.10.2", via: 2)), instance: Self.evi)
        try d1.apply(.removeFloodEndpoint(nextHop: IPAddress("10.0.0.12")!, label: Self.vni), instance: Self.evi)
        #expect(try remoteFDB(nl1, vx1.index).isEmpty)
        #expect(try nl1.neighbors.entries(deviceIndex: bridge1).filter { $0.state.contains(.permanent) }.isEmpty)
        try lab.ip("-n", lab.vm("vm1"), "neigh", "flush", "all")
        #expect(!lab.ping(from: "vm1", "192.168.10.2"))

        // 4. Unplug and cleanup: our bridge and VXLAN device are gone, the port is left alone.
        try d1.apply(
            .vifUnplugged(
                mac: Self.mac1, ip: IPPrefix("192.168.10.1/32"), port: port1, label: Self.vni,
                direction: .both, lastEndpoint: true), instance: Self.evi)
        #expect(try nl1.links.link(.name("tap1"))?.masterIndex == nil)
        try d1.apply(.cleanup, instance: Self.evi)
        #expect(try nl1.links.link(.name("vxlan--7")) == nil)
        #expect(try nl1.links.link(.name("evpn---7")) == nil)
        #expect(try nl1.links.link(.name("tap1")) != nil)
    }

    @Test("a restarted driver removes what the previous run left and never touches a given linuxbr bridge")
    func restartAndExistingBridge() throws {
        let lab = try NamespaceLab("r")
        defer { lab.teardown() }
        let nl = try Netlink(namespaceNamed: lab.node(1))
        let first = LinuxEVPNDriver(netlink: nl, localAddress: IPAddress("10.0.0.11")!)
        try first.apply(.initialize(Self.evi), instance: Self.evi)
        try first.apply(.setupRemoteEndpoint(remote(Self.mac2, "192.168.10.2", via: 2)), instance: Self.evi)
        let staleIndex = try nl.links.index(of: "vxlan--7")
        #expect(try remoteFDB(nl, staleIndex).count == 1)
        // The process dies; a new one starts and sets the same instance up again.
        let second = LinuxEVPNDriver(netlink: nl, localAddress: IPAddress("10.0.0.11")!)
        try second.apply(.initialize(Self.evi), instance: Self.evi)
        let index = try nl.links.index(of: "vxlan--7")
        #expect(try remoteFDB(nl, index).isEmpty)
        #expect(
            try nl.neighbors.entries(deviceIndex: nl.links.index(of: "evpn---7")).filter {
                $0.state.contains(.permanent)
            }.isEmpty)
        try second.apply(.cleanup, instance: Self.evi)

        // An existing Neutron-style bridge: used, never deleted.
        _ = try nl.links.ensureBridge(named: "brqexisting")
        var withBridge = Self.evi
        withBridge.linuxBridge = "brqexisting"
        try second.apply(.initialize(withBridge), instance: withBridge)
        try second.apply(.cleanup, instance: withBridge)
        #expect(try nl.links.link(.name("brqexisting")) != nil)
        #expect(try nl.links.link(.name("vxlan--7")) == nil)
    }

    /// The VXLAN device's remote entries as "mac vtep", sorted.
    func remoteFDB(_ nl: Netlink, _ index: Int32) throws -> [String] {
        try nl.fdb.entries(deviceIndex: index).compactMap { entry in
            entry.destination.map { "\(entry.mac) \($0)" }
        }.sorted()
    }
}

import BGPRouting
import BGPWire
import BagpipeTestSupport
import BagpipeVPN
import Testing

@Suite("E-VPN instances (RFC 7432/8365) over a route reflector")
struct EVITests {
    @Test(
        "Attach on two nodes: each dataplane gets the other's MAC/IP (VNI, VTEP) and flood entry; detach removes them")
    func attachDetach() throws {
        var net = SimulatedNetwork(nodes: 2)
        try net.attach(0, evpnAttachment("net1", mac: 1, ip: "10.0.0.1", port: "tap1", rt: 1))
        try net.attach(1, evpnAttachment("net1", mac: 2, ip: "10.0.0.2", port: "tap2", rt: 1))
        let a = try #require(net.nodes[0].manager.instances["net1"])
        let b = try #require(net.nodes[1].manager.instances["net1"])
        #expect(
            net.nodes[1].evpn.remote["EVI-1"] == [
                RemoteEndpoint(
                    destination: .mac(.test(1), ip: IPAddress("10.0.0.1")), nextHop: IPAddress("192.0.2.1")!,
                    label: a.label, encapsulations: [.vxlan])
            ])
        #expect(
            net.nodes[0].evpn.remote["EVI-1"] == [
                RemoteEndpoint(
                    destination: .mac(.test(2), ip: IPAddress("10.0.0.2")), nextHop: IPAddress("192.0.2.2")!,
                    label: b.label, encapsulations: [.vxlan])
            ])
        #expect(net.nodes[0].evpn.flood["EVI-1"] == [IPAddress("192.0.2.2")!])
        #expect(net.nodes[1].evpn.flood["EVI-1"] == [IPAddress("192.0.2.1")!])
        #expect(net.nodes[0].evpn.ports["EVI-1"] == ["tap1"])

        try net.detach(
            0,
            Detachment(
                instanceID: "net1", type: .evpn, mac: .test(1), ip: IPPrefixWithHost("10.0.0.1"),
                port: PortSpec(linuxInterface: "tap1")))
        #expect(net.nodes[1].evpn.remote["EVI-1"]?.isEmpty != false)
        #expect(net.nodes[1].evpn.flood["EVI-1"]?.isEmpty != false)
        #expect(net.nodes[0].manager.instances.isEmpty)
        #expect(net.nodes[0].evpn.instances.isEmpty)
        #expect(net.nodes[0].manager.labels.count == 0)
        #expect(net.nodes[0].manager.routeDistinguishers.count == 0)
        #expect(
            !net.nodes[0].engine.bestPaths(family: .evpn).contains {
                if case .local = $0.route.source { true } else { false }
            })
    }

    @Test(
        "The routes on the wire: type 2 with the VNI in label 1 and the VXLAN encapsulation, type 3 with ingress replication"
    )
    func wireRoutes() throws {
        var net = SimulatedNetwork(nodes: 2)
        try net.attach(0, evpnAttachment("net1", mac: 1, ip: "10.0.0.1", port: "tap1", rt: 1, vni: 5001))
        try net.attach(1, evpnAttachment("net1", mac: 2, ip: nil, port: "tap2", rt: 1, vni: 5001))
        let routes = net.nodes[1].engine.bestPaths(family: .evpn).map(\.route).filter {
            if case .peer = $0.source { true } else { false }
        }
        var sawMAC = false
        var sawIMET = false
        for r in routes {
            guard case .evpn(let n) = r.nlri else { continue }
            switch n.route {
            case .macIPAdvertisement(let m):
                sawMAC = true
                #expect(m.label1 == LabelField(vni: 5001))
                #expect(m.macAddress == .test(1))
                #expect(m.routeDistinguisher == .ipv4(IPv4Address(192, 0, 2, 1), 0))
                #expect(r.attributes.routeTargets == [.test(1)])
                #expect(r.nextHop == .ipv4(IPv4Address(192, 0, 2, 1)))
            case .inclusiveMulticastEthernetTag(let t):
                sawIMET = true
                #expect(t.originatingRouterIP == IPAddress("192.0.2.1"))
                let pmsi = r.attributes.attribute(PathAttribute.TypeCode.pmsiTunnel)
                #expect(
                    pmsi?.value
                        == .pmsiTunnel(
                            .ingressReplication(endpoint: IPAddress("192.0.2.1")!, label: LabelField(vni: 5001))))
            default:
                break
            }
            let ext = r.attributes.attribute(PathAttribute.TypeCode.extendedCommunities)
            if case .extendedCommunities(let list)? = ext?.value {
                #expect(list.contains(ExtendedCommunity(TypedExtendedCommunity.encapsulation(.vxlan))))
            } else {
                Issue.record("no extended communities on \(r)")
            }
        }
        #expect(sawMAC && sawIMET)
        // A MAC-only endpoint on node 1 uses an RD of its own (§2.1).
        let b = try #require(net.nodes[1].manager.instances["net1"])
        #expect(b.endpoints.values.first?.routeDistinguisher != b.routeDistinguisher)
    }

    @Test("A subnet attached with advertise_subnet becomes an IP Prefix route (type 5, RFC 9136) installed remotely")
    func ipPrefixRoute() throws {
        var net = SimulatedNetwork(nodes: 2)
        var subnet = evpnAttachment("net1", mac: 1, ip: "10.30.0.5/24", port: "tap1", rt: 1, vni: 5030)
        subnet.advertiseSubnet = true
        try net.attach(0, subnet)
        try net.attach(1, evpnAttachment("net1", mac: 2, ip: "10.30.0.6", port: "tap2", rt: 1, vni: 5030))
        let expected = RemoteEndpoint(
            destination: .prefix(IPPrefix("10.30.0.0/24")!), nextHop: IPAddress("192.0.2.1")!, label: 5030,
            encapsulations: [.vxlan])
        #expect(net.nodes[1].evpn.remote["EVI-1"]?.contains(expected) == true)
        let type5 = net.nodes[1].engine.bestPaths(family: .evpn).compactMap { b -> EVPNRoute.IPPrefixRoute? in
            guard case .evpn(let n) = b.route.nlri, case .ipPrefix(let r) = n.route else { return nil }
            return r
        }
        #expect(type5.map(\.label) == [LabelField(vni: 5030)])
        #expect(type5.first?.gatewayIP == IPAddress("0.0.0.0"))
        try net.detach(
            0, Detachment(instanceID: "net1", type: .evpn, mac: .test(1), port: PortSpec(linuxInterface: "tap1")))
        #expect(net.nodes[1].evpn.remote["EVI-1"]?.contains(expected) == false)
    }

    @Test("A new export route target re-advertises the Inclusive Multicast route too (upstream bug §11.3 item 4)")
    func exportChangeRefreshesIMET() throws {
        var net = SimulatedNetwork(nodes: 2)
        try net.attach(0, evpnAttachment("net1", mac: 1, ip: "10.0.0.1", port: "tap1", rt: 1))
        try net.attach(1, evpnAttachment("net1", mac: 2, ip: "10.0.0.2", port: "tap2", rt: 1))
        #expect(net.nodes[1].evpn.flood["EVI-1"] == [IPAddress("192.0.2.1")!])
        // Node 0 now exports RT 7 only, which node 1 does not import: both its routes leave node 1.
        try net.attach(0, evpnAttachment("net1", mac: 1, ip: "10.0.0.1", port: "tap1", rt: 1, exportRT: 7))
        #expect(net.nodes[1].evpn.flood["EVI-1"]?.isEmpty != false)
        #expect(net.nodes[1].evpn.remote["EVI-1"]?.isEmpty != false)
    }

    @Test(
        "MAC mobility: a MAC attached on a second node wins with sequence 1; the first node withdraws its route, then detaches"
    )
    func macMobility() throws {
        var net = SimulatedNetwork(nodes: 3)
        try net.attach(0, evpnAttachment("net1", mac: 9, ip: "10.0.0.9", port: "tap9", rt: 1))
        try net.attach(1, evpnAttachment("net1", mac: 5, ip: "10.0.0.5", port: "tap5", rt: 1))
        try net.attach(2, evpnAttachment("net1", mac: 3, ip: "10.0.0.3", port: "tap3", rt: 1))
        let viaNode0 = net.nodes[2].evpn.remote["EVI-1"]?.first {
            if case .mac(.test(9), _) = $0.destination { true } else { false }
        }
        #expect(viaNode0?.nextHop == IPAddress("192.0.2.1"))
        // The VM moves to node 1: attached there before node 0 detaches it.
        try net.attach(1, evpnAttachment("net1", mac: 9, ip: "10.0.0.9", port: "tapX", rt: 1))
        let moved = try #require(
            net.nodes[1].manager.instances["net1"]?.endpoints[EndpointKey(mac: .test(9), ip: IPAddress("10.0.0.9"))])
        #expect(moved.mobilitySequence == 1)
        var at = net.nodes[2].evpn.remote["EVI-1"]?.filter {
            if case .mac(.test(9), _) = $0.destination { true } else { false }
        }
        #expect(at?.map(\.nextHop) == [IPAddress("192.0.2.2")!])
        try net.detach(
            0, Detachment(instanceID: "net1", type: .evpn, mac: .test(9), port: PortSpec(linuxInterface: "tap9")))
        at = net.nodes[2].evpn.remote["EVI-1"]?.filter {
            if case .mac(.test(9), _) = $0.destination { true } else { false }
        }
        #expect(at?.map(\.nextHop) == [IPAddress("192.0.2.2")!])
        // Node 1 never installed a remote entry for the MAC it has locally.
        #expect(
            net.nodes[1].evpn.remote["EVI-1"]?.contains {
                if case .mac(.test(9), _) = $0.destination { true } else { false }
            } == false)
    }
}

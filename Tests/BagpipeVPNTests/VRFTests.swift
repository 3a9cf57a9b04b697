import BGPRouting
import BGPWire
import BagpipeTestSupport
import BagpipeVPN
import Testing

@Suite("IP VPN instances (RFC 4364) over a route reflector")
struct VRFTests {
    func prefixes(_ d: RecordingDataplane, _ name: String = "VRF-1") -> [String: [String]] {
        var out: [String: [String]] = [:]
        for e in d.remote[name] ?? [] {
            guard case .prefix(let p) = e.destination else { continue }
            out["\(p)", default: []].append("\(e.nextHop)")
        }
        return out.mapValues { $0.sorted() }
    }

    @Test("Two subnets on two nodes: each VRF gets the other's /32 with its per-MAC label; detach removes it")
    func attachDetach() throws {
        var net = SimulatedNetwork(nodes: 2)
        try net.attach(0, ipvpnAttachment("vrfA", mac: 1, ip: "10.0.0.2/24", port: "tap1", rt: 10))
        try net.attach(1, ipvpnAttachment("vrfA", mac: 2, ip: "10.1.0.2/24", port: "tap2", rt: 10))
        #expect(prefixes(net.nodes[0].ipvpn) == ["10.1.0.2/32": ["192.0.2.2"]])
        #expect(prefixes(net.nodes[1].ipvpn) == ["10.0.0.2/32": ["192.0.2.1"]])
        let label = try #require(net.nodes[1].manager.instances["vrfA"]?.endpoints.values.first?.label)
        #expect(net.nodes[0].ipvpn.remote["VRF-1"]?.first?.label == label)
        #expect(label >= 16)
        try net.detach(
            1,
            Detachment(
                instanceID: "vrfA", type: .ipvpn, mac: .test(2), ip: IPPrefixWithHost("10.1.0.2"),
                port: PortSpec(linuxInterface: "tap2")))
        #expect(prefixes(net.nodes[0].ipvpn).isEmpty)
        #expect(net.nodes[1].manager.instances.isEmpty)
        #expect(net.nodes[1].manager.labels.count == 0)
    }

    @Test("The same subnet advertised by two nodes (own RDs): ECMP installs both next hops, LOCAL_PREF decides first")
    func ecmpAcrossRouteDistinguishers() throws {
        var net = SimulatedNetwork(nodes: 3)
        try net.attach(0, ipvpnAttachment("svc", mac: 1, ip: "10.9.0.0/24", port: "tap1", rt: 20, subnet: true))
        try net.attach(1, ipvpnAttachment("svc", mac: 2, ip: "10.9.0.0/24", port: "tap2", rt: 20, subnet: true))
        try net.attach(2, ipvpnAttachment("svc", mac: 3, ip: "10.2.0.2", port: "tap3", rt: 20))
        #expect(prefixes(net.nodes[2].ipvpn)["10.9.0.0/24"] == ["192.0.2.1", "192.0.2.2"])
        // A higher LOCAL_PREF on node 1 takes node 0 out of the set.
        try net.attach(
            1, ipvpnAttachment("svc", mac: 2, ip: "10.9.0.0/24", port: "tap2", rt: 20, subnet: true, localPref: 200))
        #expect(prefixes(net.nodes[2].ipvpn)["10.9.0.0/24"] == ["192.0.2.2"])
    }

    @Test("Without ECMP one next hop is chosen, and it is the same choice on every run")
    func noECMPIsDeterministic() throws {
        func chosen() throws -> [String]? {
            var net = SimulatedNetwork(nodes: 3, ecmp: false)
            try net.attach(0, ipvpnAttachment("svc", mac: 1, ip: "10.9.0.0/24", port: "tap1", rt: 20, subnet: true))
            try net.attach(1, ipvpnAttachment("svc", mac: 2, ip: "10.9.0.0/24", port: "tap2", rt: 20, subnet: true))
            try net.attach(2, ipvpnAttachment("svc", mac: 3, ip: "10.2.0.2", port: "tap3", rt: 20))
            return prefixes(net.nodes[2].ipvpn)["10.9.0.0/24"]
        }
        let first = try chosen()
        #expect(first?.count == 1)
        #expect(try chosen() == first)
    }

    @Test("VXLAN IP VPN: the 20-bit label carries the VNI, with the encapsulation community (RFC 9012)")
    func vxlanLabel() throws {
        var net = SimulatedNetwork(nodes: 2, ipvpnEncapsulations: [.vxlan])
        try net.attach(0, ipvpnAttachment("vrfA", mac: 1, ip: "10.0.0.2", port: "tap1", rt: 10))
        try net.attach(1, ipvpnAttachment("vrfA", mac: 2, ip: "10.0.0.3", port: "tap2", rt: 10))
        let label = try #require(net.nodes[0].manager.instances["vrfA"]?.endpoints.values.first?.label)
        let route = try #require(
            net.nodes[1].engine.bestPaths(family: .vpnIPv4).first {
                if case .peer = $0.route.source { true } else { false }
            })
        // The RFC 8277 form (bottom of stack set), the 20-bit label being the VNI.
        #expect(route.route.labels.first == LabelField(label: label))
        #expect(net.nodes[1].ipvpn.remote["VRF-1"]?.first?.label == label)
        #expect(net.nodes[1].ipvpn.remote["VRF-1"]?.first?.encapsulations == [.vxlan])
    }

    @Test("Readvertise leaks exactly the `from` routes into `to` through the local ports, not into the dataplane")
    func readvertise() throws {
        var net = SimulatedNetwork(nodes: 3)
        try net.attach(0, ipvpnAttachment("red", mac: 1, ip: "10.0.0.2", port: "r1", rt: 1))
        try net.attach(0, ipvpnAttachment("other", mac: 9, ip: "10.9.9.9", port: "o1", rt: 9))
        var leaking = ipvpnAttachment("blue", mac: 2, ip: "10.5.0.2", port: "b1", rt: 2)
        leaking.readvertise = Readvertise(from: [.test(1)], to: [.test(3)])
        try net.attach(1, leaking)
        try net.attach(2, ipvpnAttachment("green", mac: 3, ip: "10.6.0.2", port: "g1", rt: 3))
        let blue = try #require(net.nodes[1].manager.instances["blue"])
        let green = try #require(net.nodes[2].manager.instances["green"]?.name)
        // Green reaches red's 10.0.0.2 through blue's port on node 1, with that port's label; nothing else leaks.
        let leaked = try #require(
            net.nodes[2].ipvpn.remote[green]?.first { $0.destination == .prefix(IPPrefix("10.0.0.2/32")!) })
        #expect(leaked.nextHop == IPAddress("192.0.2.2"))
        #expect(leaked.label == blue.endpoints.values.first?.label)
        #expect(prefixes(net.nodes[2].ipvpn, green).keys.sorted() == ["10.0.0.2/32"])
        // Blue only readvertises red's route: it does not import it.
        #expect(prefixes(net.nodes[1].ipvpn, blue.name).isEmpty)
        #expect(blue.readvertised.keys.map { "\($0)" } == ["10.0.0.2/32"])
        // The copy carries an RT-Record of RT 1.
        let copy = try #require(
            net.nodes[2].engine.bestPaths(family: .vpnIPv4).first {
                guard case .vpnIPv4(let n) = $0.route.nlri else { return false }
                return n.prefix == IPv4Prefix("10.0.0.2/32") && $0.route.nextHop == .vpnIPv4(IPv4Address(192, 0, 2, 2))
            })
        let records = copy.route.attributes.attribute(PathAttribute.TypeCode.extendedCommunities)
        if case .extendedCommunities(let list)? = records?.value {
            #expect(list.contains(ExtendedCommunity(TypedExtendedCommunity.routeTargetRecord(.test(1)))))
        }
        // Red's route goes: so does the leaked copy.
        try net.detach(
            0,
            Detachment(
                instanceID: "red", type: .ipvpn, mac: .test(1), ip: IPPrefixWithHost("10.0.0.2"),
                port: PortSpec(linuxInterface: "r1")))
        #expect(prefixes(net.nodes[2].ipvpn, green).isEmpty)
        #expect(net.nodes[1].manager.instances["blue"]?.readvertised.isEmpty == true)
    }

    @Test("attract_traffic: default route through the port, Flowspec redirect routes; the consumer redirects to a VRF")
    func attractTraffic() throws {
        var net = SimulatedNetwork(nodes: 2)
        var service = ipvpnAttachment("svc", mac: 1, ip: "10.50.0.2", port: "sv1", rt: 50)
        service.attractTraffic = AttractTraffic(
            redirectRouteTargets: [.test(51)],
            classifier: TrafficClassifier(destinationPort: PortRange(80), ipProtocol: 6), to: .test(60),
            staticDestinationPrefixes: [IPPrefix("10.99.0.0/16")!])
        try net.attach(0, service)
        // The consumer imports the redirect route target.
        try net.attach(1, ipvpnAttachment("client", mac: 2, ip: "10.51.0.2", port: "c1", rt: 51))

        // On the wire: the default route via node 0 with RT 60, and the Flowspec route with redirect to RT 60.
        let flow = try #require(net.nodes[1].engine.bestPaths(family: .vpnIPv4Flowspec).first)
        guard case .flowspec(let nlri) = flow.route.nlri else { Issue.record("not flowspec"); return }
        #expect(nlri.components.contains(.destinationPrefix(.ipv4(IPv4Prefix("10.99.0.0/16")!))))
        #expect(flow.route.attributes.routeTargets == [.test(51)])

        // The consumer: classifier → the redirect VRF, which imports RT 60 and so has the default route via node 0.
        let client = try #require(net.nodes[1].manager.instances["client"]?.name)
        let redirectID = "redirect-to-ipvpn-64512_60"
        let redirect = try #require(net.nodes[1].manager.instances[redirectID])
        #expect(net.nodes[1].ipvpn.classifiers[client]?.values.first == redirect.name)
        let classifier = try #require(net.nodes[1].ipvpn.classifiers[client]?.keys.first)
        #expect(classifier.destinationPort == PortRange(80) && classifier.ipProtocol == 6)
        #expect(prefixes(net.nodes[1].ipvpn, redirect.name) == ["0.0.0.0/0": ["192.0.2.1"]])

        // The service port goes: the redirection and the redirect VRF go too.
        try net.detach(
            0,
            Detachment(
                instanceID: "svc", type: .ipvpn, mac: .test(1), ip: IPPrefixWithHost("10.50.0.2"),
                port: PortSpec(linuxInterface: "sv1")))
        #expect(net.nodes[1].ipvpn.classifiers[client]?.isEmpty != false)
        #expect(net.nodes[1].manager.instances[redirectID] == nil)
    }

    @Test("A consumer's last port goes: its redirections and the redirect VRF go with it (no label or RD left)")
    func redirectReleasedWithConsumer() throws {
        var net = SimulatedNetwork(nodes: 2)
        var service = ipvpnAttachment("svc", mac: 1, ip: "10.50.0.2", port: "sv1", rt: 50)
        service.attractTraffic = AttractTraffic(
            redirectRouteTargets: [.test(51)], classifier: TrafficClassifier(destinationPort: PortRange(80)),
            to: .test(60), staticDestinationPrefixes: [IPPrefix("10.99.0.0/16")!])
        try net.attach(0, service)
        try net.attach(1, ipvpnAttachment("client", mac: 2, ip: "10.51.0.2", port: "c1", rt: 51))
        #expect(net.nodes[1].manager.instances["redirect-to-ipvpn-64512_60"] != nil)
        try net.detach(
            1,
            Detachment(
                instanceID: "client", type: .ipvpn, mac: .test(2), ip: IPPrefixWithHost("10.51.0.2"),
                port: PortSpec(linuxInterface: "c1")))
        #expect(net.nodes[1].manager.instances.isEmpty)
        #expect(net.nodes[1].manager.labels.count == 0)
        #expect(net.nodes[1].manager.routeDistinguishers.count == 0)
        #expect(net.nodes[1].ipvpn.instances.isEmpty)
    }

    @Test("A redirect to the receiving VRF's own route target is ignored (no second instance)")
    func selfRedirectIgnored() throws {
        var net = SimulatedNetwork(nodes: 2)
        var service = ipvpnAttachment("svc", mac: 1, ip: "10.50.0.2", port: "sv1", rt: 50)
        service.attractTraffic = AttractTraffic(
            redirectRouteTargets: [.test(60)], classifier: TrafficClassifier(), to: .test(60),
            staticDestinationPrefixes: [IPPrefix("10.99.0.0/16")!])
        try net.attach(0, service)
        try net.attach(1, ipvpnAttachment("redirect-to-ipvpn-64512_60", mac: 2, ip: "10.51.0.2", port: "c1", rt: 60))
        #expect(net.nodes[1].manager.instanceCount == 1)
    }

    @Test("Re-attaching an endpoint with advertise_subnet re-plugs it and gives it an RD of its own")
    func reattachWithSubnet() throws {
        var m = VPNManagerTests().manager()
        _ = try m.attach(ipvpnAttachment("v", mac: 1, ip: "10.0.0.2/24", port: "tap1", rt: 1))
        let instanceRD = try #require(m.instances["v"]?.routeDistinguisher)
        let effects = try m.attach(ipvpnAttachment("v", mac: 1, ip: "10.0.0.2/24", port: "tap1", rt: 1, subnet: true))
        #expect(
            effects.contains {
                if case .dataplane(_, .vifUnplugged(_, let ip, _, _, _, _)) = $0 {
                    ip == IPPrefix("10.0.0.2/32")
                } else {
                    false
                }
            })
        #expect(
            effects.contains {
                if case .dataplane(_, .vifPlugged(_, let ip, _, _, _)) = $0 {
                    ip == IPPrefix("10.0.0.0/24")
                } else {
                    false
                }
            })
        let e = try #require(m.instances["v"]?.endpoints.values.first)
        #expect(e.routeDistinguisher != instanceRD)
        _ = try m.detach(
            Detachment(
                instanceID: "v", type: .ipvpn, mac: .test(1), ip: IPPrefixWithHost("10.0.0.2"),
                port: PortSpec(linuxInterface: "tap1")))
        #expect(m.routeDistinguishers.count == 0 && m.labels.count == 0)
    }

    @Test("attract_traffic with a `to_rt` different from readvertise's is refused, and nothing is created")
    func attractTrafficRefused() throws {
        var net = SimulatedNetwork(nodes: 1)
        var a = ipvpnAttachment("svc", mac: 1, ip: "10.50.0.2", port: "sv1", rt: 50)
        a.readvertise = Readvertise(from: [.test(1)], to: [.test(2)])
        a.attractTraffic = AttractTraffic(
            redirectRouteTargets: [.test(51)], classifier: TrafficClassifier(), to: .test(3),
            staticDestinationPrefixes: [IPPrefix("10.0.0.0/8")!])
        #expect(throws: VPNError.self) { try net.attach(0, a) }
        #expect(net.nodes[0].manager.instances.isEmpty)
    }

    @Test("Two VRFs with overlapping addresses on the same nodes stay apart")
    func isolation() throws {
        var net = SimulatedNetwork(nodes: 2)
        try net.attach(0, ipvpnAttachment("red", mac: 1, ip: "10.0.0.2", port: "r1", rt: 1))
        try net.attach(0, ipvpnAttachment("blue", mac: 2, ip: "10.0.0.2", port: "b1", rt: 2))
        try net.attach(1, ipvpnAttachment("red", mac: 3, ip: "10.0.0.3", port: "r2", rt: 1))
        try net.attach(1, ipvpnAttachment("blue", mac: 4, ip: "10.0.0.4", port: "b2", rt: 2))
        let red = try #require(net.nodes[1].manager.instances["red"]?.name)
        let blue = try #require(net.nodes[1].manager.instances["blue"]?.name)
        #expect(prefixes(net.nodes[1].ipvpn, red) == ["10.0.0.2/32": ["192.0.2.1"]])
        #expect(prefixes(net.nodes[1].ipvpn, blue) == ["10.0.0.2/32": ["192.0.2.1"]])
        let redLabel = net.nodes[1].ipvpn.remote[red]?.first?.label
        let blueLabel = net.nodes[1].ipvpn.remote[blue]?.first?.label
        #expect(redLabel != blueLabel)
    }
}

@Suite("VPN manager: bad requests change nothing, identifiers are not leaked")
struct VPNManagerTests {
    func manager() -> VPNManager {
        let traits = DriverTraits(name: "dummy", encapsulations: [.mpls], localAddress: IPAddress("192.0.2.1")!)
        let evpn = DriverTraits(name: "dummy", encapsulations: [.vxlan], localAddress: IPAddress("192.0.2.1")!)
        return VPNManager(
            configuration: .init(bgpLocalAddress: IPv4Address(192, 0, 2, 1), drivers: [.ipvpn: traits, .evpn: evpn]))
    }

    @Test("Refused attaches and detaches: the precise error, and the manager unchanged")
    func refusals() throws {
        var m = manager()
        _ = try m.attach(ipvpnAttachment("v", mac: 1, ip: "10.0.0.2", port: "tap1", rt: 1))
        let before = m.instances
        #expect(throws: VPNError.macBoundToAnotherPort(mac: "02:00:00:00:00:01", port: "tap1")) {
            try m.attach(ipvpnAttachment("v", mac: 1, ip: "10.0.0.3", port: "tap2", rt: 1))
        }
        #expect(throws: VPNError.ipBoundToAnotherMAC(ip: "10.0.0.2", mac: "02:00:00:00:00:01")) {
            try m.attach(ipvpnAttachment("v", mac: 5, ip: "10.0.0.2", port: "tap5", rt: 1))
        }
        #expect(throws: VPNError.typeMismatch(instance: "v", existing: .ipvpn, requested: .evpn)) {
            try m.attach(evpnAttachment("v", mac: 1, ip: nil, port: "tap1", rt: 1))
        }
        #expect(throws: VPNError.vpnNotFound("nope")) {
            try m.detach(
                Detachment(
                    instanceID: "nope", type: .ipvpn, mac: .test(1), ip: IPPrefixWithHost("10.0.0.2"),
                    port: PortSpec(linuxInterface: "tap1")))
        }
        #expect(throws: VPNError.notPluggedYet(mac: "02:00:00:00:00:09", ip: "10.0.0.9")) {
            try m.detach(
                Detachment(
                    instanceID: "v", type: .ipvpn, mac: .test(9), ip: IPPrefixWithHost("10.0.0.9"),
                    port: PortSpec(linuxInterface: "tap1")))
        }
        var noGateway = ipvpnAttachment("w", mac: 1, ip: "10.0.0.2", port: "tap1", rt: 1)
        noGateway.gatewayIP = nil
        #expect(throws: VPNError.missingGatewayIP) { try m.attach(noGateway) }
        _ = try m.attach(evpnAttachment("e", mac: 1, ip: nil, port: "tapE", rt: 3, vni: 777))
        let labels = m.labels
        #expect(throws: VPNError.vniAlreadyUsed(777)) {
            try m.attach(evpnAttachment("f", mac: 2, ip: nil, port: "tapF", rt: 3, vni: 777))
        }
        #expect(m.labels == labels)
        #expect(m.instances["v"] == before["v"])
        // fallback (§6.2) reaches the dataplane when it changes, not on every attach.
        var withFallback = ipvpnAttachment("v", mac: 1, ip: "10.0.0.2", port: "tap1", rt: 1)
        withFallback.fallback = Fallback(destinationMAC: .test(99), ovsPortNumber: 4)
        let first = try m.attach(withFallback)
        #expect(
            first.contains {
                if case .dataplane(_, .updateFallback(let f)) = $0 { f.ovsPortNumber == 4 } else { false }
            })
        let again = try m.attach(withFallback)
        #expect(!again.contains { if case .dataplane(_, .updateFallback) = $0 { true } else { false } })
        #expect(m.instances.count == 2)
        #expect(m.instances["v"]?.fallback?.ovsPortNumber == 4)
        // A forced VNI in the label range is reserved: no later instance gets it as its label.
        // (Labels so far: 16 for "v", 17 for its MAC, 777 forced for "e": the next free one is 18.)
        _ = try m.attach(evpnAttachment("g", mac: 3, ip: nil, port: "tapG", rt: 3, vni: 18))
        _ = try m.attach(evpnAttachment("h", mac: 4, ip: nil, port: "tapH", rt: 3))
        #expect(m.instances["h"]?.label == 19)
        #expect(throws: VPNError.vniAlreadyUsed(18)) {
            try m.attach(evpnAttachment("i", mac: 5, ip: nil, port: "tapI", rt: 3, vni: 18))
        }
        _ = try m.detach(
            Detachment(instanceID: "g", type: .evpn, mac: .test(3), port: PortSpec(linuxInterface: "tapG")))
        _ = try m.detach(
            Detachment(instanceID: "h", type: .evpn, mac: .test(4), port: PortSpec(linuxInterface: "tapH")))
    }

    @Test("10,000 attachments then 10,000 detachments leave no instance, label, RD or route behind")
    func attachDetachAtScale() throws {
        var net = SimulatedNetwork(nodes: 2)
        // 100 VRFs and 100 EVIs of 50 endpoints each on node 0; one peer endpoint per instance on node 1.
        for i in 0..<100 {
            try net.attach(
                1,
                ipvpnAttachment(
                    "vrf\(i)", mac: UInt64(900_000 + i), ip: "10.200.\(i).1", port: "p\(i)", rt: UInt32(1000 + i)))
            try net.attach(
                1, evpnAttachment("evi\(i)", mac: UInt64(800_000 + i), ip: nil, port: "q\(i)", rt: UInt32(2000 + i)))
        }
        for i in 0..<100 {
            for j in 0..<50 {
                let n = UInt64(i * 50 + j)
                try net.attach(
                    0,
                    ipvpnAttachment(
                        "vrf\(i)", mac: n, ip: "10.\(i).\(j / 250).\(j % 250 + 2)", port: "t\(n)", rt: UInt32(1000 + i))
                )
                try net.attach(
                    0,
                    evpnAttachment(
                        "evi\(i)", mac: 100_000 + n, ip: "10.\(i).\(j / 250).\(j % 250 + 2)", port: "u\(n)",
                        rt: UInt32(2000 + i)))
            }
        }
        #expect(net.nodes[0].manager.instanceCount == 200)
        #expect(net.nodes[1].ipvpn.remote.values.reduce(0) { $0 + $1.count } == 5000)
        #expect(net.nodes[1].evpn.remote.values.reduce(0) { $0 + $1.count } == 5000)
        for i in 0..<100 {
            for j in 0..<50 {
                let n = UInt64(i * 50 + j)
                try net.detach(
                    0,
                    Detachment(
                        instanceID: "vrf\(i)", type: .ipvpn, mac: .test(n),
                        ip: IPPrefixWithHost("10.\(i).\(j / 250).\(j % 250 + 2)"),
                        port: PortSpec(linuxInterface: "t\(n)")))
                try net.detach(
                    0,
                    Detachment(
                        instanceID: "evi\(i)", type: .evpn, mac: .test(100_000 + n),
                        port: PortSpec(linuxInterface: "u\(n)")))
            }
        }
        let m = net.nodes[0].manager
        #expect(m.instanceCount == 0)
        #expect(m.labels.count == 0)
        #expect(m.routeDistinguishers.count == 0)
        #expect(net.nodes[0].ipvpn.instances.isEmpty && net.nodes[0].evpn.instances.isEmpty)
        let local = [AddressFamily.vpnIPv4, .evpn].flatMap { net.nodes[0].engine.bestPaths(family: $0) }.filter {
            if case .local = $0.route.source { true } else { false }
        }
        #expect(local.isEmpty)
        #expect(net.nodes[1].ipvpn.remote.values.reduce(0) { $0 + $1.count } == 0)
        #expect(net.nodes[1].evpn.remote.values.reduce(0) { $0 + $1.count } == 0)
        #expect(net.nodes[1].evpn.flood.values.reduce(0) { $0 + $1.count } == 0)
    }
}

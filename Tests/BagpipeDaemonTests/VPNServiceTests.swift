import BGPRouting
import BGPSession
import BGPSpeaker
import BGPWire
import BagpipeConfig
import BagpipeDaemon
import BagpipeVPN
import Logging
import Testing

/// Three bagpipe-bgp speakers on loopback, our route reflector between two compute nodes, each node with a VPN
/// service and recording dataplanes.
@Suite("VPN service over real sessions: attach on one node, dataplane on the other")
struct VPNServiceTests {
    static func configuration(local: String, reflector: Bool, peers: [(String, [String])]) throws -> BGPConfiguration {
        var text = """
            [BGP]
            local_address = \(local)
            my_as = 64512
            enable_rtc = true
            families = ipv4-vpn, evpn
            connect_retry_time = 1

            """
        if reflector { text += "listen = true\nroute_reflector = true\ncluster_id = 127.0.0.150\n" }
        for (address, lines) in peers {
            text += "\n[BGP_PEER \(address)]\n" + lines.map { $0 + "\n" }.joined()
        }
        var c = try BGPConfiguration(parsing: text)
        c.bgp.listenPort = 0
        return c
    }

    static let options = BGPSpeaker.Options(
        idleHold: IdleHoldBackoff(initial: 0.2, maximum: 1, stableTime: 60), closeTimeout: .seconds(2))

    func node(_ address: String, reflectorPort: Int) async throws -> (BGPSpeaker, VPNService) {
        let speaker = BGPSpeaker(
            configuration: try Self.configuration(
                local: address, reflector: false, peers: [("127.0.0.150", ["port = \(reflectorPort)"])]),
            options: Self.options)
        let local = IPAddress(address)!
        let drivers: [VPNType: any DataplaneDriver] = [
            .evpn: RecordingDataplane(type: .evpn, localAddress: local),
            .ipvpn: RecordingDataplane(type: .ipvpn, localAddress: local),
        ]
        let service = VPNService(
            speaker: speaker, bgpLocalAddress: IPv4Address(address)!, drivers: drivers,
            logger: Logger(label: "test.vpn.\(address)"))
        try await speaker.start()
        return (speaker, service)
    }

    func remote(_ service: VPNService, _ type: VPNType, _ instance: String) async -> Set<RemoteEndpoint> {
        await service.withDriver(type) { ($0 as? RecordingDataplane)?.remote[instance] ?? [] } ?? []
    }

    func flood(_ service: VPNService, _ instance: String) async -> Set<IPAddress> {
        await service.withDriver(.evpn) { ($0 as? RecordingDataplane)?.flood[instance] ?? [] } ?? []
    }

    func eventually(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    @Test("E-VPN and IP VPN: attach on A → B's dataplane has A's endpoint; detach → gone, A's instance removed")
    func attachAcrossNodes() async throws {
        let rr = BGPSpeaker(
            configuration: try Self.configuration(
                local: "127.0.0.150", reflector: true,
                peers: [("127.0.0.151", ["passive = true"]), ("127.0.0.152", ["passive = true"])]),
            options: Self.options)
        try await rr.start()
        let port = try #require(await rr.listeningPort)
        let (a, vpnA) = try await node("127.0.0.151", reflectorPort: port)
        let (b, vpnB) = try await node("127.0.0.152", reflectorPort: port)
        defer {
            Task {
                await vpnA.stop()
                await vpnB.stop()
                await a.shutdown()
                await b.shutdown()
                await rr.shutdown()
            }
        }
        let rt = RouteTarget.as2(64512, 77)
        let mac = MACAddress(0x02_00_00_00_01_51)
        try await vpnA.attach(
            Attachment(
                instanceID: "net", type: .evpn, mac: mac, ip: IPPrefixWithHost("10.7.0.1"),
                port: PortSpec(linuxInterface: "tapA"), importRouteTargets: [rt], exportRouteTargets: [rt]))
        try await vpnB.attach(
            Attachment(
                instanceID: "net", type: .evpn, mac: MACAddress(0x02_00_00_00_01_52), ip: IPPrefixWithHost("10.7.0.2"),
                port: PortSpec(linuxInterface: "tapB"), importRouteTargets: [rt], exportRouteTargets: [rt]))
        try await vpnA.attach(
            Attachment(
                instanceID: "vrf", type: .ipvpn, mac: MACAddress(0x02_00_00_00_02_51),
                ip: IPPrefixWithHost("10.8.0.1/24"),
                gatewayIP: IPAddress("10.8.0.254"), port: PortSpec(linuxInterface: "tapC"),
                importRouteTargets: [.as2(64512, 78)], exportRouteTargets: [.as2(64512, 78)]))
        try await vpnB.attach(
            Attachment(
                instanceID: "vrf", type: .ipvpn, mac: MACAddress(0x02_00_00_00_02_52),
                ip: IPPrefixWithHost("10.8.1.1/24"),
                gatewayIP: IPAddress("10.8.1.254"), port: PortSpec(linuxInterface: "tapD"),
                importRouteTargets: [.as2(64512, 78)], exportRouteTargets: [.as2(64512, 78)]))

        let eviB = try #require(await vpnB.state.instances["net"]?.name)
        let vrfB = try #require(await vpnB.state.instances["vrf"]?.name)
        let viaA = IPAddress("127.0.0.151")!
        #expect(
            await eventually {
                await remote(vpnB, .evpn, eviB).contains {
                    $0.destination == .mac(mac, ip: IPAddress("10.7.0.1")) && $0.nextHop == viaA
                }
            })
        #expect(
            await eventually {
                await remote(vpnB, .ipvpn, vrfB).contains {
                    $0.destination == .prefix(IPPrefix("10.8.0.1/32")!) && $0.nextHop == viaA
                }
            })
        #expect(
            await eventually {
                await flood(vpnB, eviB) == [viaA]
            })

        try await vpnA.detach(
            Detachment(
                instanceID: "net", type: .evpn, mac: mac, ip: IPPrefixWithHost("10.7.0.1"),
                port: PortSpec(linuxInterface: "tapA")))
        try await vpnA.detach(
            Detachment(
                instanceID: "vrf", type: .ipvpn, mac: MACAddress(0x02_00_00_00_02_51), ip: IPPrefixWithHost("10.8.0.1"),
                port: PortSpec(linuxInterface: "tapC")))
        #expect(await eventually { await remote(vpnB, .evpn, eviB).isEmpty })
        #expect(await eventually { await remote(vpnB, .ipvpn, vrfB).isEmpty })
        #expect(
            await eventually { await flood(vpnB, eviB).isEmpty })
        #expect(await vpnA.state.instanceCount == 0)
        #expect(await vpnA.state.labels.count == 0)
    }
}

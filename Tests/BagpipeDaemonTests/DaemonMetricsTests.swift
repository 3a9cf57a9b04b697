import BGPSpeaker
import BGPWire
import BagpipeConfig
import BagpipeDaemon
import BagpipeVPN
import Logging
import Testing

@Suite("Prometheus metrics")
struct DaemonMetricsTests {
    @Test("Counters and gauges in the text format: attachments, instances, endpoints, routes, sessions")
    func scrape() async throws {
        var configuration = try BGPConfiguration(
            parsing: "[BGP]\nlocal_address = 127.0.0.160\nmy_as = 64512\nfamilies = ipv4-vpn, evpn\n")
        configuration.bgp.listenPort = 0
        let speaker = BGPSpeaker(configuration: configuration)
        let drivers: [VPNType: any DataplaneDriver] = [
            .evpn: RecordingDataplane(type: .evpn, localAddress: IPAddress("127.0.0.160")!),
            .ipvpn: RecordingDataplane(type: .ipvpn, localAddress: IPAddress("127.0.0.160")!),
        ]
        let vpn = VPNService(
            speaker: speaker, bgpLocalAddress: IPv4Address(127, 0, 0, 160), drivers: drivers,
            logger: Logger(label: "test.metrics"))
        let metrics = DaemonMetrics()
        let rt = RouteTarget.as2(64512, 5)
        for n in 1...3 {
            try await vpn.attach(
                Attachment(
                    instanceID: "net", type: .evpn, mac: MACAddress(UInt64(n)), ip: IPPrefixWithHost("10.1.0.\(n)"),
                    port: PortSpec(linuxInterface: "tap\(n)"), importRouteTargets: [rt], exportRouteTargets: [rt]))
            metrics.attached(ok: true)
        }
        metrics.attached(ok: false)
        // The local routes reach the engine through the service's queue.
        var text = ""
        for _ in 0..<100 {
            text = await metrics.scrape(speaker: speaker, vpn: vpn)
            if text.contains("bagpipe_bgp_routes{afi_safi=\"l2vpn/evpn\"} 4") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(text.contains("bagpipe_attachments_total 3"))
        #expect(text.contains("bagpipe_attach_errors_total 1"))
        #expect(text.contains("bagpipe_vpn_instances{vpn_type=\"evpn\"} 1"))
        #expect(text.contains("bagpipe_vpn_endpoints{vpn_type=\"evpn\"} 3"))
        // Three MAC/IP routes and the Inclusive Multicast route.
        #expect(text.contains("bagpipe_bgp_routes{afi_safi=\"l2vpn/evpn\"} 4"))
        #expect(text.contains("bagpipe_bgp_sessions_established 0"))
        #expect(text.contains("# TYPE bagpipe_attachments_total counter"))
        await vpn.stop()
    }
}

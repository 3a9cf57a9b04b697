import BGPWire
import BagpipeConfig
import Testing

@Suite("Rendering bgp.conf")
struct RenderTests {
    @Test("The sample renders to a commented file that parses back, without warnings, to the sample")
    func sample() throws {
        let text = BGPConfiguration.sample.renderINI()
        let result = BGPConfiguration.parse(text)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.isEmpty)
        #expect(result.configuration == BGPConfiguration.sample)
        let lines = text.split(separator: "\n").map(String.init)
        for header in ["[BGP]", "[API]", "[COMMON]", "[DATAPLANE_DRIVER_IPVPN]", "[DATAPLANE_DRIVER_EVPN]"] {
            #expect(lines.contains(header))
        }
        for line in [
            "local_address = 192.0.2.1", "my_as = 64512", "peers = 192.0.2.254", "#enable_rtc = true",
            "#hold_time = 180", "#families = ipv4-vpn, evpn, ipv4-flowspec-vpn, rtc", "host = localhost",
            "#port = 8082", "mpls_interface = *gre*",
        ] {
            #expect(lines.contains(line), "\(line)")
        }
    }

    @Test("A configuration with every option changed round-trips")
    func everything() throws {
        let text =
            minimalBGP + """
                peers = 192.0.2.10, 2001:db8::10
                enable_rtc = false
                bgp_port = 1179
                peer_as = 65000
                passive = true
                listen = true
                listen_address = 192.0.2.1
                listen_port = 1179
                listen_ranges = 198.51.100.0/24
                listen_range_peer_as = 65001
                md5_password = " two words "
                hold_time = 0
                connect_retry_time = 9
                families = evpn, ipv6-vpn
                route_reflector = true
                cluster_id = 1.2.3.4
                graceful_restart_time = 300
                router_id = 10.0.0.1
                enhanced_route_refresh = true
                extended_message = true
                [BGP_PEER 2001:db8::10]
                passive = false
                md5_password =
                description = "quoted"
                [BGP_PEER 192.0.2.99]
                hold_time = 3
                [API]
                host = ::1
                port = 18082
                [COMMON]
                root_helper =
                root_helper_daemon = sudo rootwrap-daemon
                [DATAPLANE_DRIVER_IPVPN]
                dataplane_driver = ovs
                dataplane_local_address = eth1
                hash_fields = nw_src
                extra = 1
                [DATAPLANE_DRIVER_EVPN]
                dataplane_driver = linux
                vxlan_dst_port = 8472
                """
        let configuration = try #require(parsed(text))
        #expect(configuration.bgp.md5Password == " two words ")
        #expect(configuration.bgp.peers.count == 3)
        #expect(configuration.bgp.peers[1].description == "quoted")
        let rendered = configuration.renderINI()
        #expect(BGPConfiguration.parse(rendered).configuration == configuration)
        #expect(rendered.contains("md5_password = \" two words \""))
        #expect(rendered.contains("[BGP_PEER 2001:db8::10]\npassive = false\nmd5_password =\ndescription = quoted"))
    }

    @Test("Values are quoted exactly when the reader would change them")
    func quoting() {
        for value in ["plain", " lead", "trail ", "\"both\"", "'both'", "\"", "'", "\"open", "a # b ; c = d: e"] {
            let text = "[S]\nk = \(INIWriterProbe.format(value))\n"
            #expect(INIFile(parsing: text).section("S")?["k"]?.value == value, "\(value)")
        }
    }

    @Test("Random valid configurations round-trip through renderINI", arguments: 0..<8)
    func randomRoundTrip(batch: Int) {
        for index in 0..<100 {
            let seed = UInt64(batch * 100 + index)
            var random = RandomConfiguration(seed: seed)
            let configuration = random.configuration()
            let text = configuration.renderINI()
            let result = BGPConfiguration.parse(text)
            #expect(result.errors.isEmpty, "seed \(seed): \(result.errors)\n\(text)")
            #expect(result.configuration == configuration, "seed \(seed)\n\(text)")
            if result.configuration != configuration { return }
        }
    }
}

/// Writes a value the way ``BGPConfiguration/renderINI()`` does, through a one-option configuration.
enum INIWriterProbe {
    static func format(_ value: String) -> String {
        var configuration = BGPConfiguration.sample
        configuration.privsep = ["k": value]
        let line = configuration.renderINI().split(separator: "\n").first { $0.hasPrefix("k =") }!
        return String(line.dropFirst(3).drop { $0 == " " })
    }
}

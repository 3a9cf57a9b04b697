import BGPWire
import BagpipeConfig
import Testing

@Suite("[BGP] options")
struct BGPOptionTests {
    @Test("Every Bagpipe addition is read")
    func everyAddition() throws {
        let bgp = try #require(
            parsed(
                minimalBGP + """
                    peers = 192.0.2.254, 2001:db8::1
                    bgp_port = 1179
                    peer_as = 4200000000
                    passive = yes
                    listen = on
                    listen_address = 2001:db8::2
                    listen_port = 10179
                    listen_ranges = 198.51.100.0/24, 2001:db8:1::/48
                    listen_range_peer_as = 65001
                    md5_password = s3cret = #;
                    hold_time = 90
                    connect_retry_time = 30
                    families = ipv4-vpn, ipv6-vpn, evpn, ipv4-flowspec-vpn, ipv6/flowspec-vpn
                    route_reflector = true
                    cluster_id = 10.0.0.1
                    graceful_restart_time = 120
                    router_id = 198.51.100.1
                    enhanced_route_refresh = 1
                    extended_message = TRUE
                    """)
        ).bgp
        #expect(bgp.bgpPort == 1179)
        #expect(bgp.peerAS == 4_200_000_000)
        #expect(bgp.passive && bgp.listen)
        #expect(bgp.listenAddress == IPAddress("2001:db8::2"))
        #expect(bgp.listenPort == 10179)
        #expect(bgp.listenRanges == [IPPrefix("198.51.100.0/24")!, IPPrefix("2001:db8:1::/48")!])
        #expect(bgp.listenRangePeerAS == 65001)
        #expect(bgp.md5Password == "s3cret = #;")
        #expect(bgp.holdTime == 90)
        #expect(bgp.connectRetryTime == 30)
        #expect(
            bgp.families == [.vpnIPv4, .vpnIPv6, .evpn, .vpnIPv4Flowspec, .vpnIPv6Flowspec, .routeTargetConstraint])
        #expect(bgp.routeReflector)
        #expect(bgp.clusterID == IPv4Address(10, 0, 0, 1))
        #expect(bgp.gracefulRestartTime == 120)
        #expect(bgp.routerID == IPv4Address(198, 51, 100, 1))
        #expect(bgp.effectiveRouterID == IPv4Address(198, 51, 100, 1))
        #expect(bgp.enhancedRouteRefresh && bgp.extendedMessage)
        let expectedPeer = PeerSettings(
            address: .v4(IPv4Address(192, 0, 2, 254)), peerAS: 4_200_000_000, passive: true,
            md5Password: "s3cret = #;", holdTime: 90, port: 1179, families: bgp.families)
        #expect(bgp.peers.first == expectedPeer)
        #expect(bgp.peers.map(\.address) == [.v4(IPv4Address(192, 0, 2, 254)), IPAddress("2001:db8::1")!])
    }

    @Test("my_as takes 4-octet AS numbers, which the original refused")
    func fourOctetAS() throws {
        let text = "[BGP]\nlocal_address = 192.0.2.1\nmy_as = 4294967295\n"
        #expect(try #require(parsed(text)).bgp.myAS == UInt32.max)
        #expect(try #require(parsed(text)).bgp.peerAS == UInt32.max)
    }

    @Test("Integers are read like Python's int(): sign, underscores between digits")
    func pythonIntegers() throws {
        #expect(try #require(parsed(minimalBGP + "hold_time = +1_80\n")).bgp.holdTime == 180)
        #expect(
            errors(minimalBGP + "hold_time = 1__80\n") == [
                "[BGP] hold_time = 1__80 (line 4): not 0 or an integer in 3...65535"
            ])
        #expect(errors(minimalBGP + "hold_time = _180\n").count == 1)
    }

    @Test(
        "Booleans take oslo.config's forms in any case",
        arguments: [
            ("true", true), ("TRUE", true), ("Yes", true), ("on", true), ("1", true),
            ("false", false), ("False", false), ("NO", false), ("off", false), ("0", false),
        ])
    func booleans(text: String, value: Bool) throws {
        let bgp = try #require(parsed(minimalBGP + "enable_rtc = \(text)\nlisten = \(text)\n")).bgp
        #expect(bgp.enableRTC == value)
        #expect(bgp.listen == value)
    }

    @Test("Lists take spaces around items, a trailing comma and continuation lines")
    func lists() throws {
        let bgp = try #require(
            parsed(
                minimalBGP + """
                    peers =   192.0.2.10 ,192.0.2.11,   192.0.2.12  ,
                        192.0.2.13,
                    """)
        ).bgp
        #expect(bgp.peers.map(\.address.description) == ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"])
        #expect(try #require(parsed(minimalBGP + "peers =\n")).bgp.peers.isEmpty)
    }

    @Test("A peer listed twice is kept once, with a warning")
    func duplicatePeers() throws {
        let result = BGPConfiguration.parse(minimalBGP + "peers = 192.0.2.10, 192.0.2.10\n")
        #expect(result.configuration?.bgp.peers.count == 1)
        #expect(result.warnings.map(\.description) == ["[BGP] peers (line 4): 192.0.2.10 listed twice"])
    }

    @Test("local_address may name an interface, kept unresolved")
    func interfaceName() throws {
        for name in ["eth0", "br-mpls", "enp0s31f6", "vlan.100", "a23456789012345"] {
            let text = "[BGP]\nlocal_address = \(name)\nmy_as = 1\n"
            #expect(try #require(parsed(text)).bgp.localAddress == .interface(name))
        }
    }

    @Test("Family names: short, GoBGP, AFI-SAFI and AFI/SAFI, in any case")
    func familyNames() throws {
        let text = minimalBGP + "families = EVPN, l3vpn-ipv4-unicast, 2/128, ipv4-unicast, l2vpn/evpn, vpnv6, rtc\n"
        let result = BGPConfiguration.parse(text)
        #expect(
            result.configuration?.bgp.families == [.evpn, .vpnIPv4, .vpnIPv6, .ipv4Unicast, .routeTargetConstraint])
        #expect(
            result.warnings.map(\.description) == [
                "[BGP] families (line 4): l2vpn/evpn listed twice",
                "[BGP] families (line 4): ipv6/mpls-vpn listed twice",
            ])
    }

    @Test("enable_rtc = true adds ipv4/rtc to the families given")
    func rtcAdded() throws {
        let bgp = try #require(parsed(minimalBGP + "families = evpn\n")).bgp
        #expect(bgp.families == [.evpn, .routeTargetConstraint])
    }

    @Test("Host bits in a listen range are cleared, with a warning")
    func listenRangeHostBits() throws {
        let result = BGPConfiguration.parse(minimalBGP + "listen = true\nlisten_ranges = 198.51.100.7/24\n")
        #expect(result.configuration?.bgp.listenRanges == [IPPrefix("198.51.100.0/24")!])
        #expect(
            result.warnings.map(\.description) == [
                "[BGP] listen_ranges (line 5): host bits set in a prefix; using 198.51.100.0/24"
            ])
    }

    @Test("cluster_id also takes an integer")
    func clusterIDInteger() throws {
        let bgp = try #require(parsed(minimalBGP + "route_reflector = true\ncluster_id = 16909060\n")).bgp
        #expect(bgp.clusterID == IPv4Address(1, 2, 3, 4))
    }

    @Test("Empty optional values mean unset")
    func emptyOptionals() throws {
        let bgp = try #require(
            parsed(minimalBGP + "router_id =\ncluster_id =\nlisten_address =\nmd5_password =\n")
        ).bgp
        #expect(bgp.routerID == nil && bgp.clusterID == nil && bgp.listenAddress == nil && bgp.md5Password == nil)
    }

    @Test("Settings without effect get a warning")
    func ineffective() {
        #expect(
            warnings(minimalBGP + "listen_port = 1179\ncluster_id = 1.1.1.1\nlisten_range_peer_as = 5\n") == [
                "[BGP] listen_port (line 4): has no effect without listen = true",
                "[BGP] cluster_id (line 5): has no effect without route_reflector = true",
                "[BGP] listen_range_peer_as (line 6): has no effect without listen_ranges",
            ])
    }

    @Test("Unknown options and sections are ignored with a warning naming them")
    func unknown() {
        let text = """
            [BGP]
            local_address = 192.0.2.1
            my_sa = 64512
            my_as = 64512
            colour = blue
            [ API ]
            [default]
            [BGP_PERR 192.0.2.1]
            [DATAPLANE_DRIVER]
            dataplane_driver = ovs
            [API]
            api_port = 9000
            [DEFAULT]
            my_as = 1
            """
        let result = BGPConfiguration.parse(text)
        #expect(result.errors.isEmpty)
        #expect(result.configuration?.api.port == 9000)
        #expect(
            result.warnings.map(\.description) == [
                "[BGP] my_sa (line 3): unknown option, ignored (did you mean my_as?)",
                "[BGP] colour (line 5): unknown option, ignored",
                "[ API ] (line 6): unknown section, ignored (did you mean [API]? spaces inside the brackets are part of the name)",
                "[default] (line 7): unknown section, ignored (only [DEFAULT], in upper case, is the default section)",
                "[BGP_PERR 192.0.2.1] (line 8): unknown section, ignored",
                "[DATAPLANE_DRIVER] (line 9): obsolete section, ignored: use [DATAPLANE_DRIVER_IPVPN] and [DATAPLANE_DRIVER_EVPN]",
                "[API] api_port (line 12): deprecated name; use port",
                "[DEFAULT] my_as (line 14): ignored: this option belongs in [BGP] ([DEFAULT] values are not inherited by other sections)",
            ])
    }

    @Test("[API] takes the deprecated names api_host and api_port; the current names win")
    func deprecatedAPINames() throws {
        let result = BGPConfiguration.parse(minimalBGP + "[API]\napi_host = 0.0.0.0\nhost = 10.0.0.1\n")
        #expect(result.configuration?.api.host == "10.0.0.1")
        #expect(
            result.warnings.map(\.description) == [
                "[API] api_host (line 5): deprecated name, ignored: host is also set"
            ])
    }
}

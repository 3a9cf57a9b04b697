import BGPWire
import BagpipeConfig
import Testing

@Suite("[BGP_PEER <address>] sections")
struct PeerSectionTests {
    @Test("A peer section overrides every [BGP] default for its peer only")
    func overrides() throws {
        let bgp = try #require(
            parsed(
                minimalBGP + """
                    peers = 192.0.2.10, 192.0.2.11
                    md5_password = global
                    listen = true

                    [BGP_PEER 192.0.2.11]
                    peer_as = 65010
                    passive = true
                    md5_password = peer-secret
                    hold_time = 0
                    port = 1179
                    families = evpn
                    description = rack 11 route reflector
                    """)
        ).bgp
        let all: [AddressFamily] = [.vpnIPv4, .evpn, .vpnIPv4Flowspec, .routeTargetConstraint]
        #expect(
            bgp.peers == [
                PeerSettings(
                    address: .v4(IPv4Address(192, 0, 2, 10)), peerAS: 64512, md5Password: "global", families: all),
                PeerSettings(
                    address: .v4(IPv4Address(192, 0, 2, 11)), peerAS: 65010, passive: true,
                    md5Password: "peer-secret", holdTime: 0, port: 1179, families: [.evpn, .routeTargetConstraint],
                    description: "rack 11 route reflector"),
            ])
    }

    @Test("A peer section declares its peer when peers does not list it; the order is peers, then sections")
    func declares() throws {
        let bgp = try #require(
            parsed(
                minimalBGP + """
                    peers = 192.0.2.20
                    [bgp_peer 2001:DB8::7]
                    peer_as = 65007
                    [BGP_PEER 192.0.2.30]
                    [BGP_PEER   192.0.2.20  ]
                    description = listed
                    """)
        ).bgp
        #expect(bgp.peers.map(\.address.description) == ["192.0.2.20", "2001:db8::7", "192.0.2.30"])
        #expect(bgp.peers.map(\.peerAS) == [64512, 65007, 64512])
        #expect(bgp.peers[0].description == "listed")
    }

    @Test("An empty md5_password turns the global password off for one peer")
    func md5Off() throws {
        let bgp = try #require(
            parsed(minimalBGP + "md5_password = global\n[BGP_PEER 192.0.2.1]\nmd5_password =\n")
        ).bgp
        #expect(bgp.md5Password == "global")
        #expect(bgp.peers.first?.md5Password == nil)
    }

    @Test("Peers inherit global eBGP settings: peer_as, port, hold time, families")
    func inherits() throws {
        let bgp = try #require(
            parsed(
                minimalBGP + """
                    peer_as = 65000
                    bgp_port = 2179
                    hold_time = 30
                    enable_rtc = false
                    families = ipv6-vpn
                    [BGP_PEER 192.0.2.1]
                    description = x
                    """)
        ).bgp
        #expect(
            bgp.peers == [
                PeerSettings(
                    address: .v4(IPv4Address(192, 0, 2, 1)), peerAS: 65000, holdTime: 30, port: 2179,
                    families: [.vpnIPv6], description: "x")
            ])
    }

    @Test("Unknown options in a peer section are warned about")
    func unknownOption() {
        #expect(
            warnings(minimalBGP + "[BGP_PEER 192.0.2.1]\nhold-time = 3\n") == [
                "[BGP_PEER 192.0.2.1] hold-time (line 5): unknown option, ignored (did you mean hold_time?)"
            ])
    }
}

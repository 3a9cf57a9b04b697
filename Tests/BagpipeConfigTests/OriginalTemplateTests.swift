import BGPWire
import BagpipeConfig
import Testing

/// `etc/bagpipe-bgp/bgp.conf.template` of the original, rebuilt from bagpipe-bgp.md §7.2, with its placeholders
/// filled with documentation addresses.
let originalTemplate = """
    [BGP]
    local_address=192.0.2.1
    peers=192.0.2.254
    my_as=64512
    enable_rtc=True

    [API]
    # BGP component API IP address and port
    host=localhost
    port=8082

    [DATAPLANE_DRIVER_IPVPN]
    # IP VPN dataplane driver class
    dataplane_driver = dummy

    # MPLS outgoing interface
    mpls_interface=*gre*

    # OVS bridge to use (defaults to br-int)
    ovsbr_interfaces_mtu=4000

    [DATAPLANE_DRIVER_EVPN]
    # EVPN dataplane driver class
    dataplane_driver = dummy

    """

@Suite("The original bagpipe-bgp configuration")
struct OriginalTemplateTests {
    @Test("The original template parses, without warnings, to the sample configuration")
    func template() throws {
        let result = BGPConfiguration.parse(originalTemplate)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.isEmpty)
        #expect(result.configuration == BGPConfiguration.sample)
    }

    @Test("Options left out get the original's defaults")
    func originalDefaults() throws {
        let c = try #require(parsed(minimalBGP))
        #expect(c.bgp.localAddress == .ipv4(IPv4Address(192, 0, 2, 1)))
        #expect(c.bgp.myAS == 64512)
        #expect(c.bgp.peers.isEmpty)
        #expect(c.bgp.enableRTC)
        #expect(c.bgp.bgpPort == 179)
        #expect(c.api == APISettings(host: "127.0.0.1", port: 8082))
        #expect(c.common == CommonSettings(rootHelper: "sudo", rootHelperDaemon: nil))
        #expect(c.ipvpn == IPVPNDataplaneSettings(driver: .dummy, localAddress: nil, options: [:]))
        #expect(c.evpn == EVPNDataplaneSettings(driver: .dummy, localAddress: nil, options: [:]))
        #expect(c.defaults.isEmpty && c.privsep.isEmpty)
    }

    @Test("Our additions default to the original's behaviour: iBGP, connect only, its timers, families and OPEN")
    func additionsDefaults() throws {
        let bgp = try #require(parsed(minimalBGP + "peers = 192.0.2.254\n")).bgp
        #expect(bgp.peerAS == 64512)
        #expect(!bgp.passive && !bgp.listen)
        #expect(bgp.listenAddress == nil && bgp.listenPort == 179 && bgp.listenRanges.isEmpty)
        #expect(bgp.listenRangePeerAS == 64512)
        #expect(bgp.md5Password == nil)
        #expect(bgp.holdTime == 180)
        #expect(bgp.connectRetryTime == 5)
        #expect(bgp.families == [.vpnIPv4, .evpn, .vpnIPv4Flowspec, .routeTargetConstraint])
        #expect(!bgp.routeReflector && bgp.clusterID == nil)
        #expect(bgp.gracefulRestartTime == 0)
        #expect(bgp.routerID == nil && bgp.effectiveRouterID == IPv4Address(192, 0, 2, 1))
        #expect(!bgp.enhancedRouteRefresh && !bgp.extendedMessage)
        #expect(
            bgp.peers == [
                PeerSettings(
                    address: .v4(IPv4Address(192, 0, 2, 254)), peerAS: 64512, passive: false, md5Password: nil,
                    holdTime: 180, port: 179, families: [.vpnIPv4, .evpn, .vpnIPv4Flowspec, .routeTargetConstraint])
            ])
    }

    @Test("enable_rtc = false leaves ipv4/rtc out of the default families")
    func noRTC() throws {
        let bgp = try #require(parsed(minimalBGP + "enable_rtc = False\n")).bgp
        #expect(!bgp.enableRTC)
        #expect(bgp.families == [.vpnIPv4, .evpn, .vpnIPv4Flowspec])
    }

    @Test("devstack's bgp.conf: OVS drivers, API on all addresses, rootwrap helpers")
    func devstack() throws {
        let c = try #require(
            parsed(
                """
                [BGP]
                local_address = eth1
                peers = 198.51.100.10
                my_as = 64512

                [API]
                host = 0.0.0.0
                port = 8082

                [DATAPLANE_DRIVER_IPVPN]
                dataplane_driver = ovs
                mpls_interface = eth2
                ovs_bridge = br-mpls
                arp_responder = True
                proxy_arp = False

                [DATAPLANE_DRIVER_EVPN]
                dataplane_driver = ovs

                [COMMON]
                root_helper = sudo /usr/local/bin/neutron-rootwrap /etc/bagpipe-bgp/rootwrap.conf
                root_helper_daemon = sudo /usr/local/bin/neutron-rootwrap-daemon /etc/bagpipe-bgp/rootwrap.conf
                """))
        #expect(c.bgp.localAddress == .interface("eth1"))
        #expect(c.bgp.effectiveRouterID == nil)
        #expect(c.api.host == "0.0.0.0")
        #expect(c.ipvpn.driver == .ovs(OVSMPLSOptions(mplsInterface: "eth2", arpResponder: true)))
        #expect(c.evpn.driver == .ovs(OVSEVPNOptions(ovsBridge: "br-tun")))
        #expect(c.common.rootHelper == "sudo /usr/local/bin/neutron-rootwrap /etc/bagpipe-bgp/rootwrap.conf")
        #expect(c.common.rootHelperDaemon?.hasSuffix("rootwrap-daemon /etc/bagpipe-bgp/rootwrap.conf") == true)
    }

    @Test("[DEFAULT] and [privsep] are kept as written for the daemon's shell")
    func librarySections() throws {
        let c = try #require(
            parsed(
                """
                [DEFAULT]
                debug = True
                log_file = /var/log/bagpipe-bgp.log
                \(minimalBGP)
                [privsep]
                helper_command = sudo privsep-helper
                """))
        #expect(c.defaults == ["debug": "True", "log_file": "/var/log/bagpipe-bgp.log"])
        #expect(c.privsep == ["helper_command": "sudo privsep-helper"])
    }
}

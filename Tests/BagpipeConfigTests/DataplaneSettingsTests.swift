import BGPWire
import BagpipeConfig
import Testing

@Suite("Dataplane driver sections")
struct DataplaneSettingsTests {
    @Test("The OVS IP VPN driver's options are typed, with the original's defaults")
    func ovsOptions() throws {
        let c = try #require(
            parsed(
                minimalBGP + """
                    [DATAPLANE_DRIVER_IPVPN]
                    dataplane_driver = ovs
                    dataplane_local_address = 198.51.100.1
                    mpls_interface = eth2
                    mpls_over_gre = False
                    proxy_arp = true
                    arp_responder = true
                    vxlan_encap = true
                    ovs_bridge = br-vpn
                    input_table = 10
                    ovs_table_id_start = 20
                    gre_tunnel = gre0
                    gre_tunnel_options = packet_type=legacy_l3, key=flow
                    ovsbr_interfaces_mtu = 1500
                    hash_method = hash
                    hash_method_param = 7
                    hash_fields = nw_src, nw_dst
                    """))
        #expect(c.ipvpn.localAddress == .ipv4(IPv4Address(198, 51, 100, 1)))
        #expect(
            c.ipvpn.driver
                == .ovs(
                    OVSMPLSOptions(
                        mplsInterface: "eth2", mplsOverGRE: .false, proxyARP: true, arpResponder: true,
                        vxlanEncap: true, ovsBridge: "br-vpn", inputTable: 10, ovsTableIDStart: 20, greTunnel: "gre0",
                        greTunnelOptions: ["packet_type=legacy_l3", "key=flow"], ovsbrInterfacesMTU: 1500,
                        hashMethod: .hash, hashMethodParam: 7, hashFields: ["nw_src", "nw_dst"])))
        #expect(c.ipvpn.options.isEmpty)
        let defaults = try #require(parsed(minimalBGP + "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = ovs\n"))
        #expect(defaults.ipvpn.driver == .ovs(OVSMPLSOptions()))
        #expect(OVSMPLSOptions().ovsBridge == "br-mpls" && OVSMPLSOptions().greTunnel == "mpls_gre")
    }

    @Test("The Linux drivers' options")
    func linuxOptions() throws {
        let c = try #require(
            parsed(
                minimalBGP + """
                    [DATAPLANE_DRIVER_IPVPN]
                    dataplane_driver = linux
                    mpls_interface = eth3
                    [DATAPLANE_DRIVER_EVPN]
                    dataplane_driver = linux
                    vxlan_dst_port = 8472
                    dataplane_local_address = vxlan-if
                    """))
        #expect(c.ipvpn.driver == .linux(LinuxMPLSOptions(mplsInterface: "eth3")))
        #expect(c.evpn.driver == .linux(LinuxVXLANOptions(vxlanDstPort: 8472)))
        #expect(c.evpn.localAddress == .interface("vxlan-if"))
    }

    @Test("Legacy driver class names are accepted with a warning")
    func legacyNames() throws {
        let result = BGPConfiguration.parse(
            minimalBGP + """
                [DATAPLANE_DRIVER_IPVPN]
                dataplane_driver = bagpipe.bgp.vpn.ipvpn.mpls_ovs_dataplane.MPLSOVSDataplaneDriver
                [DATAPLANE_DRIVER_EVPN]
                dataplane_driver = DummyDataplaneDriver
                """)
        #expect(result.configuration?.ipvpn.driver == .ovs(OVSMPLSOptions()))
        #expect(result.configuration?.evpn.driver == .dummy)
        #expect(
            result.warnings.map(\.description) == [
                "[DATAPLANE_DRIVER_IPVPN] dataplane_driver (line 5): legacy driver name; use ovs",
                "[DATAPLANE_DRIVER_EVPN] dataplane_driver (line 7): legacy driver name; use dummy",
            ])
    }

    @Test("Options the driver has no typed setting for go to the driver as they are")
    func passedThrough() throws {
        let result = BGPConfiguration.parse(
            minimalBGP + """
                [DATAPLANE_DRIVER_IPVPN]
                dataplane_driver = linux
                arp_responder = True
                vendor_knob = 42
                [DATAPLANE_DRIVER_EVPN]
                dataplane_driver = ovs
                vxlan_dst_port = 4790
                """)
        #expect(result.errors.isEmpty)
        #expect(result.configuration?.ipvpn.options == ["arp_responder": "True", "vendor_knob": "42"])
        #expect(result.configuration?.evpn.options == ["vxlan_dst_port": "4790"])
        #expect(
            result.warnings.map(\.description) == [
                "[DATAPLANE_DRIVER_IPVPN] vendor_knob (line 7): not an option of any ipvpn driver; passed to the driver as it is"
            ])
    }

    @Test("mpls_over_gre = false means false (the original forced GRE for it)")
    func mplsOverGREFalse() throws {
        let c = try #require(
            parsed(minimalBGP + "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = ovs\nmpls_over_gre = no\n"))
        #expect(c.ipvpn.driver == .ovs(OVSMPLSOptions(mplsOverGRE: .false)))
    }
}

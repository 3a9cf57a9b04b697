import BagpipeConfig
import Testing

/// A configuration text and the exact errors it must give.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var errors: [String]
    var testDescription: String { name }
}

let errorCases: [ErrorCase] = [
    ErrorCase(
        name: "my_as not a number",
        text: "# bgp.conf\n[BGP]\nlocal_address = 192.0.2.1\nmy_as = 70000x\n",
        errors: ["[BGP] my_as = 70000x (line 4): not an integer in 1...4294967295"]),
    ErrorCase(
        name: "my_as 0", text: "[BGP]\nlocal_address = 192.0.2.1\nmy_as = 0\n",
        errors: ["[BGP] my_as = 0 (line 3): not an integer in 1...4294967295"]),
    ErrorCase(
        name: "my_as beyond 32 bits", text: "[BGP]\nlocal_address = 192.0.2.1\nmy_as = 4294967296\n",
        errors: ["[BGP] my_as = 4294967296 (line 3): not an integer in 1...4294967295"]),
    ErrorCase(
        name: "local_address missing", text: "[BGP]\nmy_as = 1\n",
        errors: ["[BGP] local_address missing (required)"]),
    ErrorCase(
        name: "empty file", text: "",
        errors: ["[BGP] local_address missing (required)", "[BGP] my_as missing (required)"]),
    ErrorCase(
        name: "peer section with a bad address", text: minimalBGP + "[BGP_PEER 10.0.0.300]\n",
        errors: ["[BGP_PEER 10.0.0.300] (line 4): \"10.0.0.300\" is not an IPv4 or IPv6 address"]),
    ErrorCase(
        name: "peer section without an address", text: minimalBGP + "[BGP_PEER]\n",
        errors: ["[BGP_PEER] (line 4): no peer address (write [BGP_PEER <address>])"]),
    ErrorCase(
        name: "two sections for one peer",
        text: minimalBGP + "[BGP_PEER 192.0.2.1]\n[BGP_PEER 192.0.2.01]\n",
        errors: ["[BGP_PEER 192.0.2.01] (line 5): 192.0.2.1 already has a section: [BGP_PEER 192.0.2.1] (line 4)"]),
    ErrorCase(
        name: "boolean", text: minimalBGP + "enable_rtc = maybe\n",
        errors: ["[BGP] enable_rtc = maybe (line 4): not a boolean (true/false, yes/no, on/off, 1/0)"]),
    ErrorCase(
        name: "port 0", text: minimalBGP + "bgp_port = 0\n",
        errors: ["[BGP] bgp_port = 0 (line 4): not a port number in 1...65535"]),
    ErrorCase(
        name: "hold time 2", text: minimalBGP + "hold_time = 2\n",
        errors: ["[BGP] hold_time = 2 (line 4): not 0 or an integer in 3...65535"]),
    ErrorCase(
        name: "connect retry 0", text: minimalBGP + "connect_retry_time = 0\n",
        errors: ["[BGP] connect_retry_time = 0 (line 4): not an integer in 1...65535"]),
    ErrorCase(
        name: "graceful restart beyond 12 bits", text: minimalBGP + "graceful_restart_time = 4096\n",
        errors: ["[BGP] graceful_restart_time = 4096 (line 4): not an integer in 0...4095"]),
    ErrorCase(
        name: "local_address with a bad IPv4 address", text: "[BGP]\nlocal_address = 10.0.0.300\nmy_as = 1\n",
        errors: ["[BGP] local_address = 10.0.0.300 (line 2): \"10.0.0.300\" is not a valid IPv4 address"]),
    ErrorCase(
        name: "local_address IPv6", text: "[BGP]\nlocal_address = 2001:db8::1\nmy_as = 1\n",
        errors: [
            "[BGP] local_address = 2001:db8::1 (line 2): \"2001:db8::1\" is an IPv6 address; this must be an IPv4 "
                + "address (it is also the router ID and the route distinguisher prefix) or an interface name"
        ]),
    ErrorCase(
        name: "local_address too long for an interface name",
        text: "[BGP]\nlocal_address = a234567890123456\nmy_as = 1\n",
        errors: [
            "[BGP] local_address = a234567890123456 (line 2): \"a234567890123456\" is neither an IPv4 address nor an "
                + "interface name (1 to 15 characters, no \"/\", \":\" or spaces)"
        ]),
    ErrorCase(
        name: "local_address 0.0.0.0", text: "[BGP]\nlocal_address = 0.0.0.0\nmy_as = 1\n",
        errors: ["[BGP] local_address = 0.0.0.0 (line 2): 0.0.0.0 cannot be a local address"]),
    ErrorCase(
        name: "router ID 0.0.0.0", text: minimalBGP + "router_id = 0.0.0.0\n",
        errors: ["[BGP] router_id = 0.0.0.0 (line 4): 0.0.0.0 is not a valid BGP identifier"]),
    ErrorCase(
        name: "bad and empty list items", text: minimalBGP + "peers = 192.0.2.1,,192.0.2.x\n",
        errors: [
            "[BGP] peers = 192.0.2.1,,192.0.2.x (line 4): empty item in the list",
            "[BGP] peers = 192.0.2.1,,192.0.2.x (line 4): \"192.0.2.x\" is not an IPv4 or IPv6 address",
        ]),
    ErrorCase(
        name: "listen range", text: minimalBGP + "listen = true\nlisten_ranges = 10.0.0.0/33\n",
        errors: [
            "[BGP] listen_ranges = 10.0.0.0/33 (line 5): \"10.0.0.0/33\" is not an IPv4 or IPv6 prefix (address/length)"
        ]),
    ErrorCase(
        name: "MD5 password too long, not shown",
        text: minimalBGP + "md5_password = \(String(repeating: "k", count: 81))\n",
        errors: ["[BGP] md5_password (line 4): 81 bytes long; TCP-MD5 keys are at most 80 bytes"]),
    ErrorCase(
        name: "unknown family", text: minimalBGP + "families = evpn, ipv4-foo\n",
        errors: [
            "[BGP] families = evpn, ipv4-foo (line 4): \"ipv4-foo\" is not an address family (use ipv4-vpn, ipv6-vpn, "
                + "evpn, rtc, ipv4-flowspec-vpn, ipv6-flowspec-vpn, or AFI/SAFI like ipv4/mpls-vpn)"
        ]),
    ErrorCase(
        name: "unsupported family", text: minimalBGP + "families = 1/200\n",
        errors: [
            "[BGP] families = 1/200 (line 4): \"1/200\" (ipv4/safi-200) is not an address family this speaker supports"
        ]),
    ErrorCase(
        name: "no family", text: minimalBGP + "families =\n",
        errors: ["[BGP] families = \"\" (line 4): empty list: at least one address family is needed"]),
    ErrorCase(
        name: "rtc without enable_rtc", text: minimalBGP + "enable_rtc = no\nfamilies = evpn, rtc\n",
        errors: ["[BGP] families = evpn, rtc (line 5): ipv4/rtc needs [BGP] enable_rtc = true"]),
    ErrorCase(
        name: "rtc for a peer without enable_rtc",
        text: minimalBGP + "enable_rtc = no\n[BGP_PEER 192.0.2.1]\nfamilies = rtc\n",
        errors: ["[BGP_PEER 192.0.2.1] families = rtc (line 6): ipv4/rtc needs [BGP] enable_rtc = true"]),
    ErrorCase(
        name: "passive without listen", text: minimalBGP + "passive = true\n",
        errors: ["[BGP] passive = true (line 4): passive peers need listen = true (nothing would open their sessions)"]),
    ErrorCase(
        name: "passive peer without listen", text: minimalBGP + "[BGP_PEER 192.0.2.1]\npassive = on\n",
        errors: [
            "[BGP_PEER 192.0.2.1] passive = on (line 5): a passive peer needs [BGP] listen = true (nothing would open "
                + "the session)"
        ]),
    ErrorCase(
        name: "listen ranges without listen", text: minimalBGP + "listen_ranges = 10.0.0.0/8\n",
        errors: ["[BGP] listen_ranges = 10.0.0.0/8 (line 4): listen_ranges needs listen = true"]),
    ErrorCase(
        name: "inline comment", text: "[BGP]\nlocal_address = 192.0.2.1\nmy_as = 64512  # our AS\n",
        errors: [
            "[BGP] my_as = 64512  # our AS (line 3): not an integer in 1...4294967295 (oslo.config has no inline "
                + "comments: all the text after \"=\" is the value)"
        ]),
    ErrorCase(
        name: "API port", text: minimalBGP + "[API]\nport = http\n",
        errors: ["[API] port = http (line 5): not a port number in 0...65535"]),
    ErrorCase(
        name: "unknown driver", text: minimalBGP + "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = vpp\n",
        errors: [
            "[DATAPLANE_DRIVER_IPVPN] dataplane_driver = vpp (line 5): "
                + "not a dataplane driver (dummy, linux, ovs, linux-vxlan)"
        ]
    ),
    ErrorCase(
        name: "dataplane local address",
        text: minimalBGP + "[DATAPLANE_DRIVER_EVPN]\ndataplane_local_address = 300.1.1.1\n",
        errors: [
            "[DATAPLANE_DRIVER_EVPN] dataplane_local_address = 300.1.1.1 (line 5): \"300.1.1.1\" is not a valid IPv4 "
                + "address"
        ]),
    ErrorCase(
        name: "OVS tables overlap",
        text: minimalBGP + "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = ovs\ninput_table = 2\n",
        errors: [
            "[DATAPLANE_DRIVER_IPVPN] input_table = 2 (line 6): the driver's tables 1 and 2 must differ from input_table 2"
        ]),
    ErrorCase(
        name: "OVS options",
        text: minimalBGP
            + "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = ovs\nmpls_over_gre = sometimes\n"
            + "gre_tunnel_options = packet_type\nhash_method = random\novs_bridge =\n",
        errors: [
            "[DATAPLANE_DRIVER_IPVPN] mpls_over_gre = sometimes (line 6): not auto, true or false",
            "[DATAPLANE_DRIVER_IPVPN] gre_tunnel_options = packet_type (line 7): \"packet_type\" is not key=value",
            "[DATAPLANE_DRIVER_IPVPN] hash_method = random (line 8): not hash or dp_hash",
            "[DATAPLANE_DRIVER_IPVPN] ovs_bridge = \"\" (line 9): empty value",
        ]),
    ErrorCase(
        name: "EVPN VXLAN port",
        text: minimalBGP + "[DATAPLANE_DRIVER_EVPN]\ndataplane_driver = linux\nvxlan_dst_port = -1\n",
        errors: ["[DATAPLANE_DRIVER_EVPN] vxlan_dst_port = -1 (line 6): not a port number in 1...65535"]),
]

@Suite("Error messages")
struct ErrorMessageTests {
    @Test("Each error names the section, key, value, line and problem", arguments: errorCases)
    func message(_ c: ErrorCase) {
        let result = BGPConfiguration.parse(c.text)
        #expect(result.errors.map(\.description) == c.errors)
        #expect(result.configuration == nil)
    }

    @Test("All errors are collected, in file order, missing options last")
    func collected() {
        let text = """
            [BGP]
            my_as = 64512x
            enable_rtc = perhaps
            peers = 192.0.2.1, bogus
            [API]
            port = 99999
            [BGP_PEER 192.0.2.1]
            hold_time = 1
            broken line
            [DATAPLANE_DRIVER_IPVPN]
            dataplane_driver = fast
            """
        #expect(
            errors(text) == [
                "[BGP] my_as = 64512x (line 2): not an integer in 1...4294967295",
                "[BGP] enable_rtc = perhaps (line 3): not a boolean (true/false, yes/no, on/off, 1/0)",
                "[BGP] peers = 192.0.2.1, bogus (line 4): \"bogus\" is not an IPv4 or IPv6 address",
                "[API] port = 99999 (line 6): not a port number in 0...65535",
                "[BGP_PEER 192.0.2.1] hold_time = 1 (line 8): not 0 or an integer in 3...65535",
                "[BGP_PEER 192.0.2.1] (line 9): \"broken line\" has no \"=\" or \":\" (not an assignment, section or comment)",
                "[DATAPLANE_DRIVER_IPVPN] dataplane_driver = fast (line 11): not a dataplane driver (dummy, linux, ovs, linux-vxlan)",
                "[BGP] local_address missing (required)",
            ])
    }

    @Test("Errors carry their parts, and get() throws them all with the warnings")
    func structured() throws {
        let text = "[BGP]\nlocal_address = 192.0.2.1\nmy_as = x\nfoo = 1\n"
        let error = try #require(BGPConfiguration.parse(text).errors.first)
        #expect(
            error
                == ConfigurationError(
                    .invalidValue, section: "BGP", key: "my_as", value: "x", line: 3,
                    problem: "not an integer in 1...4294967295"))
        #expect(throws: ConfigurationFailure.self) { try BGPConfiguration(parsing: text) }
        do {
            _ = try BGPConfiguration(parsing: text)
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.warnings.map(\.description) == ["[BGP] foo (line 4): unknown option, ignored"])
            #expect(error.description == "[BGP] my_as = x (line 3): not an integer in 1...4294967295")
        }
    }

    @Test("Secrets never appear in messages")
    func secrets() {
        let secret = "hunter2-" + String(repeating: "x", count: 80)
        let text = minimalBGP + "md5_password = \(secret)\n[BGP_PEER 192.0.2.1]\nmd5_password = a\u{7}\n"
        let all = BGPConfiguration.parse(text).errors.map(\.description)
        #expect(all.count == 2)
        #expect(!all.joined().contains("hunter2"))
        #expect(
            all.last == "[BGP_PEER 192.0.2.1] md5_password (line 6): contains a line break or another control character"
        )
    }
}

import BGPWire

extension BGPConfiguration {
    /// The original's `etc/bagpipe-bgp/bgp.conf.template` (bagpipe-bgp.md §7.2) with documentation addresses for
    /// its placeholders: local address 192.0.2.1, one peer 192.0.2.254, AS 64512, API on `localhost`, dummy
    /// drivers, and the template's `mpls_interface=*gre*` and `ovsbr_interfaces_mtu=4000`.
    public static let sample = BGPConfiguration(
        bgp: BGPSettings(
            localAddress: .ipv4(IPv4Address(192, 0, 2, 1)), myAS: 64512, peers: [.v4(IPv4Address(192, 0, 2, 254))]),
        api: APISettings(host: "localhost"),
        ipvpn: IPVPNDataplaneSettings(options: ["mpls_interface": "*gre*", "ovsbr_interfaces_mtu": "4000"]))

    /// The configuration as a commented `bgp.conf`, our `etc/bgp.conf.sample`: every option with its help;
    /// options at their default are written commented out. ``parse(_:)`` reads it back to this configuration.
    ///
    /// Driver options whose key is one of the chosen driver's typed options, and keys that cannot be written as
    /// INI keys, are left out of ``IPVPNDataplaneSettings/options`` and ``EVPNDataplaneSettings/options``.
    public func renderINI() -> String {
        var w = INIWriter()
        w.comment(
            """
            bgp.conf: configuration of the Bagpipe BGP VPN speaker, compatible with bagpipe-bgp's.

            Syntax, as oslo.config reads it: "key = value" lines under [SECTION] headers. Lines starting with
            "#" or ";" are comments; there are no inline comments (everything after "=" is the value). Lines
            starting with a space continue the value above. Lists are comma separated.
            Options written commented out are at their default value.
            Options marked (Bagpipe) are additions the original bagpipe-bgp does not know (it ignores them).
            """)
        if !defaults.isEmpty {
            w.section("DEFAULT")
            w.comment("Options without a group: oslo.log's debug, log_file, log_config_append, ...")
            for key in defaults.keys.sorted() where INIWriter.isWritableKey(key) { w.option(key, defaults[key]!) }
        }
        bgp.render(into: &w)
        renderAPI(into: &w)
        renderCommon(into: &w)
        ipvpn.render(into: &w)
        evpn.render(into: &w)
        if !privsep.isEmpty {
            w.section("privsep")
            w.comment("oslo.privsep options.")
            for key in privsep.keys.sorted() where INIWriter.isWritableKey(key) { w.option(key, privsep[key]!) }
        }
        return w.text
    }

    private func renderAPI(into w: inout INIWriter) {
        let d = APISettings()
        w.section("API")
        w.option("host", api.host, isDefault: api.host == d.host, help: "Address the REST API listens on.")
        w.option("port", "\(api.port)", isDefault: api.port == d.port, help: "Port of the REST API.")
        w.option(
            "metrics_port", api.metricsPort.map { "\($0)" } ?? "", isDefault: api.metricsPort == nil,
            help: "(Bagpipe) Port of the Prometheus metrics endpoint, GET /metrics on host; unset: none.")
    }

    private func renderCommon(into w: inout INIWriter) {
        let d = CommonSettings()
        w.section("COMMON")
        w.option(
            "root_helper", common.rootHelper, isDefault: common.rootHelper == d.rootHelper,
            help: "Prefix of the commands dataplane drivers run as root.")
        w.option(
            "root_helper_daemon", common.rootHelperDaemon ?? "", isDefault: common.rootHelperDaemon == nil,
            help:
                "Root helper daemon, used instead of root_helper when set, e.g.\n"
                + "sudo neutron-rootwrap-daemon /etc/bagpipe-bgp/rootwrap.conf")
    }
}

extension BGPSettings {
    fileprivate func render(into w: inout INIWriter) {
        let d = BGPSettings(localAddress: localAddress, myAS: myAS, enableRTC: enableRTC)
        w.section("BGP")
        w.option(
            "local_address", localAddress.description,
            help:
                "Required. An IPv4 address, or an interface name (its first IPv4 address is used). It is the\n"
                + "router ID, the BGP source address, the route distinguisher prefix and the RTC next hop.")
        w.option(
            "my_as", "\(myAS)",
            help: "Required. Local AS, 1...4294967295 (the original bagpipe-bgp accepts 1...65535 only).")
        w.option(
            "peers", peers.map(\.address.description).joined(separator: ", "), isDefault: peers.isEmpty,
            help: "Peers to open a session with, comma separated (IPv6 addresses: Bagpipe).")
        w.option(
            "enable_rtc", "\(enableRTC)", isDefault: enableRTC,
            help: "Route Target Constraint (RFC 4684); adds ipv4/rtc to the families.")
        w.option("bgp_port", "\(bgpPort)", isDefault: bgpPort == d.bgpPort, help: "TCP port of the peers.")
        w.option(
            "peer_as", "\(peerAS)", isDefault: peerAS == myAS,
            help: "(Bagpipe) AS of the peers; default my_as (iBGP). Another AS makes the sessions eBGP.")
        w.option(
            "passive", "\(passive)", isDefault: !passive,
            help: "(Bagpipe) Wait for the peers to connect instead of connecting; needs listen = true.")
        w.option(
            "listen", "\(listen)", isDefault: !listen,
            help: "(Bagpipe) Accept BGP connections (the original only connects out).")
        w.option(
            "listen_address", listenAddress?.description ?? "", isDefault: listenAddress == nil,
            help: "(Bagpipe) Address to listen on; default: the local address.")
        w.option(
            "listen_port", "\(listenPort)", isDefault: listenPort == d.listenPort, help: "(Bagpipe) Port to listen on.")
        w.option(
            "listen_ranges", listenRanges.map(\.description).joined(separator: ", "), isDefault: listenRanges.isEmpty,
            help: "(Bagpipe) Prefixes whose addresses are accepted as peers without being listed; needs listen = true.")
        w.option(
            "listen_range_peer_as", "\(listenRangePeerAS)", isDefault: listenRangePeerAS == peerAS,
            help: "(Bagpipe) AS of the peers accepted through listen_ranges; default peer_as.")
        w.option(
            "md5_password", md5Password ?? "", isDefault: md5Password == nil,
            help: "(Bagpipe) TCP-MD5 password of the sessions (RFC 2385), at most 80 bytes.")
        w.option(
            "hold_time", "\(holdTime)", isDefault: holdTime == d.holdTime,
            help: "(Bagpipe) Hold time to propose, in seconds: 0 or 3...65535.")
        w.option(
            "connect_retry_time", "\(connectRetryTime)", isDefault: connectRetryTime == d.connectRetryTime,
            help: "(Bagpipe) Seconds between connection attempts.")
        w.option(
            "families", FamilyName.list(families), isDefault: families == d.families,
            help:
                "(Bagpipe) Address families: ipv4-vpn, ipv6-vpn, evpn, rtc, ipv4-flowspec-vpn, ipv6-flowspec-vpn,\n"
                + "or AFI/SAFI such as ipv4/mpls-vpn. rtc is added when enable_rtc = true.")
        w.option(
            "route_reflector", "\(routeReflector)", isDefault: !routeReflector,
            help: "(Bagpipe) Reflect routes between iBGP peers (RFC 4456).")
        w.option(
            "cluster_id", clusterID?.description ?? "", isDefault: clusterID == nil,
            help: "(Bagpipe) Route reflector cluster ID; default: the router ID.")
        w.option(
            "graceful_restart_time", "\(gracefulRestartTime)", isDefault: gracefulRestartTime == 0,
            help: "(Bagpipe) Graceful Restart time (RFC 4724), 0...4095 seconds; 0 advertises no Graceful Restart.")
        w.option(
            "router_id", routerID?.description ?? "", isDefault: routerID == nil,
            help: "(Bagpipe) BGP identifier; default: the local address.")
        w.option(
            "enhanced_route_refresh", "\(enhancedRouteRefresh)", isDefault: !enhancedRouteRefresh,
            help: "(Bagpipe) Advertise Enhanced Route Refresh (RFC 7313).")
        w.option(
            "extended_message", "\(extendedMessage)", isDefault: !extendedMessage,
            help: "(Bagpipe) Advertise the Extended Message capability (RFC 8654).")
        renderPeers(into: &w)
    }

    private func renderPeers(into w: inout INIWriter) {
        w.blank()
        w.comment(
            """
            (Bagpipe) A [BGP_PEER <address>] section overrides the [BGP] values for one peer, and declares that
            peer if "peers" does not list it. Its options: peer_as, passive, md5_password (empty: none),
            hold_time, port, families, description. For example:
            [BGP_PEER 192.0.2.254]
            peer_as = 64513
            description = route reflector
            """)
        for peer in peers {
            let d = defaultPeer(peer.address)
            guard peer != d else { continue }
            w.section("BGP_PEER \(peer.address)")
            if peer.peerAS != d.peerAS { w.option("peer_as", "\(peer.peerAS)") }
            if peer.passive != d.passive { w.option("passive", "\(peer.passive)") }
            if peer.md5Password != d.md5Password { w.option("md5_password", peer.md5Password ?? "") }
            if peer.holdTime != d.holdTime { w.option("hold_time", "\(peer.holdTime)") }
            if peer.port != d.port { w.option("port", "\(peer.port)") }
            if peer.families != d.families {
                w.option("families", FamilyName.list(peer.families))
            }
            if let text = peer.description { w.option("description", text) }
        }
    }
}

extension IPVPNDataplaneSettings {
    fileprivate func render(into w: inout INIWriter) {
        w.section(Self.sectionName)
        w.option(
            "dataplane_driver", driver.name, isDefault: driver == .dummy,
            help: "dummy, linux (kernel MPLS, VRFs), ovs (Open vSwitch), linux-vxlan (Bagpipe: VXLAN).")
        w.option(
            "dataplane_local_address", localAddress?.description ?? "", isDefault: localAddress == nil,
            help: "IPv4 address or interface of the dataplane; default: [BGP] local_address.")
        var typed: [String] = []
        switch driver {
        case .dummy:
            break
        case .linux(let o):
            typed = ["mpls_interface"]
            w.option(
                "mpls_interface", o.mplsInterface ?? "", isDefault: o.mplsInterface == nil,
                help: "Interface MPLS traffic leaves through.")
        case .ovs(let o):
            typed = OVSMPLSOptions.keys
            o.render(into: &w)
        case .linuxVXLAN(let o):
            typed = ["vxlan_dst_port"]
            w.option(
                "vxlan_dst_port", "\(o.vxlanDstPort)", isDefault: o.vxlanDstPort == LinuxVXLANOptions().vxlanDstPort,
                help: "UDP port of the VXLAN tunnels.")
        }
        DataplaneDriverName.renderOptions(options, skipping: typed, into: &w)
    }
}

extension EVPNDataplaneSettings {
    fileprivate func render(into w: inout INIWriter) {
        w.section(Self.sectionName)
        w.option(
            "dataplane_driver", driver.name, isDefault: driver == .dummy,
            help: "dummy, ovs (the Neutron OVS agent's br-tun) or linux (VXLAN and Linux bridges).")
        w.option(
            "dataplane_local_address", localAddress?.description ?? "", isDefault: localAddress == nil,
            help: "IPv4 address or interface of the dataplane; default: [BGP] local_address.")
        var typed: [String] = []
        switch driver {
        case .dummy:
            break
        case .ovs(let o):
            typed = ["ovs_bridge"]
            w.option("ovs_bridge", o.ovsBridge, isDefault: o == OVSEVPNOptions(), help: "Tunnel bridge.")
        case .linux(let o):
            typed = ["vxlan_dst_port"]
            w.option(
                "vxlan_dst_port", "\(o.vxlanDstPort)", isDefault: o == LinuxVXLANOptions(),
                help: "VXLAN UDP port (4789; Linux's own default is 8472).")
        }
        DataplaneDriverName.renderOptions(options, skipping: typed, into: &w)
    }
}

extension OVSMPLSOptions {
    fileprivate func render(into w: inout INIWriter) {
        let d = OVSMPLSOptions()
        w.option(
            "mpls_interface", mplsInterface ?? "", isDefault: mplsInterface == nil,
            help: "Interface for bare MPLS (a port of the bridge); unset or *gre* means MPLS over GRE.")
        w.option(
            "mpls_over_gre", mplsOverGRE.rawValue, isDefault: mplsOverGRE == d.mplsOverGRE,
            help: "auto, true or false.")
        w.option("proxy_arp", "\(proxyARP)", isDefault: proxyARP == d.proxyARP, help: "Answer ARP for any IP.")
        w.option(
            "arp_responder", "\(arpResponder)", isDefault: arpResponder == d.arpResponder,
            help: "Answer ARP for the gateway IP of each VRF.")
        w.option(
            "vxlan_encap", "\(vxlanEncap)", isDefault: vxlanEncap == d.vxlanEncap,
            help: "Send and accept VPN traffic as VXLAN (non-standard).")
        w.option("ovs_bridge", ovsBridge, isDefault: ovsBridge == d.ovsBridge, help: "OVS bridge.")
        w.option(
            "input_table", "\(inputTable)", isDefault: inputTable == d.inputTable,
            help: "OpenFlow table for traffic from ports and tunnels.")
        w.option(
            "ovs_table_id_start", "\(ovsTableIDStart)", isDefault: ovsTableIDStart == d.ovsTableIDStart,
            help: "First of the two tables the driver uses; they must differ from input_table.")
        w.option("gre_tunnel", greTunnel, isDefault: greTunnel == d.greTunnel, help: "GRE port name.")
        w.option(
            "gre_tunnel_options", greTunnelOptions.joined(separator: ", "), isDefault: greTunnelOptions.isEmpty,
            help: "Extra key=value GRE options, e.g. packet_type=legacy_l3.")
        w.option(
            "ovsbr_interfaces_mtu", ovsbrInterfacesMTU.map { "\($0)" } ?? "", isDefault: ovsbrInterfacesMTU == nil,
            help: "Obsolete MTU hack.")
        w.option(
            "hash_method", hashMethod.rawValue, isDefault: hashMethod == d.hashMethod,
            help: "OVS select group selection method: hash or dp_hash.")
        w.option(
            "hash_method_param", "\(hashMethodParam)", isDefault: hashMethodParam == d.hashMethodParam,
            help: "Selection method parameter.")
        w.option(
            "hash_fields", hashFields.joined(separator: ", "), isDefault: hashFields.isEmpty,
            help: "Fields hashed with hash_method = hash.")
    }
}

extension DataplaneDriverName {
    /// Writes the driver's untyped options, sorted, leaving out those that would be read as typed ones.
    fileprivate static func renderOptions(
        _ options: [String: String], skipping typed: [String], into w: inout INIWriter
    ) {
        let reserved = Set(typed + ["dataplane_driver", "dataplane_local_address"])
        let keys = options.keys.sorted().filter { !reserved.contains($0) && INIWriter.isWritableKey($0) }
        guard !keys.isEmpty else { return }
        w.blank()
        w.comment("Options passed to the driver as they are.")
        for key in keys { w.option(key, options[key]!) }
    }
}

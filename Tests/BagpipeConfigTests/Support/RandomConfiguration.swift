import BGPWire
import BagpipeConfig
import SeededRandom

/// Random valid configurations: every option, with values that stress the INI writer (quotes, white space at the
/// ends, `#`, `;`, `=`, `:`), respecting the rules the reader enforces.
struct RandomConfiguration {
    var g: SplitMix64

    init(seed: UInt64) { g = SplitMix64(seed: seed) }

    mutating func bool() -> Bool { Bool.random(using: &g) }
    mutating func int<T: FixedWidthInteger>(_ range: ClosedRange<T>) -> T { T.random(in: range, using: &g) }
    mutating func maybe<T>(_ make: (inout Self) -> T) -> T? { bool() ? make(&self) : nil }
    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &g)! }

    /// Printable text, tricky characters included; never empty.
    mutating func text(maxLength: Int = 20, ascii: Bool = false) -> String {
        let alphabet = Array("abcXYZ019 -_.,=:#;[]\"'/") + (ascii ? [] : Array("é→"))
        return String((0..<int(1...maxLength)).map { _ in pick(alphabet) })
    }

    /// A list item or key: no commas, no white space at the ends, never empty.
    mutating func token() -> String {
        let alphabet = Array("abcdefxyz0123456789_-.=")
        return String((0..<int(1...12)).map { _ in pick(alphabet) })
    }

    mutating func key() -> String {
        let alphabet = Array("abcdefxyz0123456789_")
        return String((0..<int(1...12)).map { _ in pick(alphabet) })
    }

    mutating func ipv4() -> IPv4Address { IPv4Address(int(1...UInt32.max)) }

    mutating func ipAddress() -> IPAddress {
        bool() ? .v4(ipv4()) : .v6(IPv6Address(high: int(0...UInt64.max), low: int(0...UInt64.max)))
    }

    mutating func localAddress() -> LocalAddress {
        if bool() { return .ipv4(ipv4()) }
        let alphabet = Array("abcdefxyz0123456789-_.")
        let tail = String((0..<int(0...14)).map { _ in pick(alphabet) })
        return .interface(String(pick(Array("abcxyz"))) + tail)
    }

    mutating func prefix() -> IPPrefix {
        switch ipAddress() {
        case .v4(let a): .v4(IPv4Prefix(a, length: int(0...32)))
        case .v6(let a): .v6(IPv6Prefix(a, length: int(0...128)))
        }
    }

    mutating func holdTime() -> UInt16 { bool() ? 0 : int(3...UInt16.max) }

    /// A families value as the reader leaves it: distinct, `rtc` exactly when `enableRTC`.
    mutating func families(enableRTC: Bool) -> [AddressFamily] {
        let candidates: [AddressFamily] = AddressFamily.known.filter { $0 != .routeTargetConstraint }.shuffled(
            using: &g)
        var chosen = Array(candidates.prefix(int((enableRTC ? 0 : 1)...5)))
        if enableRTC { chosen.insert(.routeTargetConstraint, at: int(0...chosen.count)) }
        return chosen
    }

    mutating func configuration() -> BGPConfiguration {
        var bgp = BGPSettings(localAddress: localAddress(), myAS: int(1...UInt32.max), enableRTC: bool())
        bgp.bgpPort = int(1...UInt16.max)
        bgp.peerAS = bool() ? bgp.myAS : int(1...UInt32.max)
        bgp.listen = bool()
        bgp.passive = bgp.listen && bool()
        bgp.listenAddress = maybe { $0.ipAddress() }
        bgp.listenPort = int(1...UInt16.max)
        bgp.listenRanges = bgp.listen ? (0..<int(0...3)).map { _ in prefix() } : []
        bgp.listenRanges = bgp.listenRanges.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        bgp.listenRangePeerAS = bool() ? bgp.peerAS : int(1...UInt32.max)
        bgp.md5Password = maybe { $0.text(maxLength: 80, ascii: true) }
        bgp.holdTime = holdTime()
        bgp.connectRetryTime = int(1...UInt16.max)
        bgp.families = families(enableRTC: bgp.enableRTC)
        bgp.routeReflector = bool()
        bgp.clusterID = maybe { IPv4Address($0.int(0...UInt32.max)) }
        bgp.gracefulRestartTime = int(0...4095)
        bgp.routerID = maybe { $0.ipv4() }
        bgp.enhancedRouteRefresh = bool()
        bgp.extendedMessage = bool()
        var addresses: [IPAddress] = []
        for _ in 0..<int(0...4) {
            let address = ipAddress()
            if !addresses.contains(address) { addresses.append(address) }
        }
        bgp.peers = addresses.map { peer(bgp.defaultPeer($0), listen: bgp.listen, enableRTC: bgp.enableRTC) }
        return BGPConfiguration(
            bgp: bgp,
            api: APISettings(
                host: pick(["127.0.0.1", "localhost", "0.0.0.0", "::1", "api.example"]), port: int(1...UInt16.max)),
            common: CommonSettings(
                rootHelper: bool() ? "sudo" : (bool() ? "" : text()), rootHelperDaemon: maybe { $0.text() }),
            ipvpn: ipvpn(), evpn: evpn(), defaults: strings(), privsep: strings())
    }

    mutating func peer(_ inherited: PeerSettings, listen: Bool, enableRTC: Bool) -> PeerSettings {
        var p = inherited
        if bool() { p.peerAS = int(1...UInt32.max) }
        if listen, bool() { p.passive.toggle() }
        if bool() { p.md5Password = maybe { $0.text(maxLength: 80, ascii: true) } }
        if bool() { p.holdTime = holdTime() }
        if bool() { p.port = int(1...UInt16.max) }
        if bool() { p.families = families(enableRTC: enableRTC) }
        p.description = maybe { $0.text(maxLength: 40) }
        return p
    }

    mutating func strings(avoiding reserved: [String] = []) -> [String: String] {
        var map: [String: String] = [:]
        for _ in 0..<int(0...3) {
            let k = key()
            if !reserved.contains(k) { map[k] = bool() ? "" : text() }
        }
        return map
    }

    mutating func ovsOptions() -> OVSMPLSOptions {
        let start: UInt8 = int(0...253)
        var input: UInt8 = int(0...254)
        while input == start || input == start + 1 { input = int(0...254) }
        return OVSMPLSOptions(
            mplsInterface: maybe { $0.text() }, mplsOverGRE: pick([.auto, .true, .false]), proxyARP: bool(),
            arpResponder: bool(), vxlanEncap: bool(), ovsBridge: text(), inputTable: input, ovsTableIDStart: start,
            greTunnel: text(), greTunnelOptions: (0..<int(0...3)).map { _ in token() + "=" + token() },
            ovsbrInterfacesMTU: maybe { $0.int(68...UInt16.max) }, hashMethod: pick([.hash, .dpHash]),
            hashMethodParam: int(0...UInt32.max), hashFields: (0..<int(0...3)).map { _ in token() })
    }

    mutating func ipvpn() -> IPVPNDataplaneSettings {
        let common = ["dataplane_driver", "dataplane_local_address"]
        let (driver, typed): (IPVPNDataplaneSettings.Driver, [String]) =
            switch int(0...2) {
            case 0: (.dummy, [])
            case 1: (.linux(LinuxMPLSOptions(mplsInterface: maybe { $0.text() })), ["mpls_interface"])
            default: (.ovs(ovsOptions()), ["mpls_interface", "ovs_bridge", "hash_fields", "proxy_arp"])
            }
        var options = strings(avoiding: common + typed)
        if case .dummy = driver, bool() { options["mpls_interface"] = "*gre*" }
        if case .ovs = driver { options = options.filter { !typedOVSKeys.contains($0.key) } }
        return IPVPNDataplaneSettings(driver: driver, localAddress: maybe { $0.localAddress() }, options: options)
    }

    mutating func evpn() -> EVPNDataplaneSettings {
        let (driver, typed): (EVPNDataplaneSettings.Driver, String) =
            switch int(0...2) {
            case 0: (.dummy, "")
            case 1: (.ovs(OVSEVPNOptions(ovsBridge: bool() ? "br-tun" : text())), "ovs_bridge")
            default: (.linux(LinuxVXLANOptions(vxlanDstPort: int(1...UInt16.max))), "vxlan_dst_port")
            }
        let options = strings(avoiding: ["dataplane_driver", "dataplane_local_address", typed])
        return EVPNDataplaneSettings(driver: driver, localAddress: maybe { $0.localAddress() }, options: options)
    }

    let typedOVSKeys: Set<String> = [
        "mpls_interface", "mpls_over_gre", "proxy_arp", "arp_responder", "vxlan_encap", "ovs_bridge", "input_table",
        "ovs_table_id_start", "gre_tunnel", "gre_tunnel_options", "ovsbr_interfaces_mtu", "hash_method",
        "hash_method_param", "hash_fields",
    ]
}

import Foundation
import Synchronization

/// FRR 8.4 (zebra + bgpd, in the foreground with their own config, pid and vty directory) in a namespace, driven
/// with `vtysh --vty_socket`.
///
/// Announcing: VPN-IPv4 with `network ... rd ... label ... route-map` (the route map sets the route targets); EVPN
/// type 2 and 3 through a real VTEP in the namespace (a VXLAN device for the VNI = the route's label, a bridge, a
/// static FDB entry for the MAC and a neighbor entry for the IP; FRR advertises the VNI's type 3 by itself, with
/// the route's RD and route targets configured on the VNI); EVPN type 5 with `network ... routermac ...`, which FRR
/// 8.4 sends without the route-map's route targets and with the label MPLS-encoded (interop-lab.md §4.3).
final class FRRPeer: PeerDriver {
    let kind = PeerKind.frr
    let netns: Netns
    let directory: String
    private let zebra: Daemon
    private let bgpd: Daemon
    private let state = Mutex(State())

    private struct State {
        var config: PeerConfig?
        /// Announced VPN-IPv4 and type-5 routes (kept in the configuration on restart).
        var networks: [LabRoute] = []
        /// VNI → (RD, route targets), for the VTEP.
        var vnis: [UInt32: (rd: String, routeTargets: [String])] = [:]
        var routeMaps = 0
    }

    var config: PeerConfig { state.withLock { $0.config! } }

    init(lab: Lab, netns: Netns, name: String = "frr") throws {
        self.netns = netns
        directory = try lab.subdirectory(name)
        let common = ["-z", "\(directory)/zserv.api", "--vty_socket", directory, "-u", "frr", "-g", "frr"]
        zebra = lab.daemon(
            "\(name)-zebra", in: netns,
            ["/usr/lib/frr/zebra", "-f", "\(directory)/zebra.conf", "-i", "\(directory)/zebra.pid"] + common)
        bgpd = lab.daemon(
            "\(name)-bgpd", in: netns,
            ["/usr/lib/frr/bgpd", "-f", "\(directory)/bgpd.conf", "-i", "\(directory)/bgpd.pid"] + common)
    }

    func start(_ config: PeerConfig) async throws {
        state.withLock { $0.config = config }
        try "hostname \(netns.name)\nlog file \(directory)/zebra.log informational\n".write(
            toFile: "\(directory)/zebra.conf", atomically: true, encoding: .utf8)
        try writeBGPConfiguration()
        try await Command.check(["chown", "-R", "frr:frr", directory])
        try zebra.start()
        _ = try await poll(
            "zebra socket in \(netns)", timeout: .seconds(15), interval: .milliseconds(50), context: logTail
        ) {
            guard zebra.isRunning else { throw LabError.command("zebra exited: \(zebra.termination!)") }
            return FileManager.default.fileExists(atPath: "\(directory)/zserv.api") ? true : nil
        }
        try await startBGPD()
    }

    private func startBGPD() async throws {
        // A reflector's clients may reach it at any of its addresses.
        try bgpd.start(argv: bgpd.argv + ["-l", config.reflector == nil ? config.localAddress : "0.0.0.0"])
        _ = try await poll("bgpd vty in \(netns)", timeout: .seconds(15), interval: .milliseconds(50), context: logTail)
        {
            guard bgpd.isRunning else { throw LabError.command("bgpd exited: \(bgpd.termination!)") }
            return try await vtysh(["show bgp summary"]).isEmpty ? nil : true
        }
    }

    private func writeBGPConfiguration() throws {
        let (config, networks, vnis) = state.withLock { ($0.config!, $0.networks, $0.vnis) }
        var lines = ["hostname \(netns.name)", "log file \(directory)/bgpd.log informational", "!"]
        var mapNumber = 0
        var networkLines: [(LabFamily, String)] = []
        for route in networks {
            mapNumber += 1
            lines += routeMap("RT\(mapNumber)", route.routeTargets)
            networkLines.append((route.family, networkCommand(route, routeMap: "RT\(mapNumber)")))
        }
        state.withLock { $0.routeMaps = mapNumber }
        // A reflector's neighbor is the peer group of its clients.
        let peer = config.reflector == nil ? config.peerAddress : "clients"
        lines += [
            "router bgp \(config.localAS)",
            " bgp router-id \(config.effectiveRouterID)",
            " no bgp ebgp-requires-policy",
            " no bgp default ipv4-unicast",
            " no bgp network import-check",
        ]
        if let restartTime = config.gracefulRestart {
            lines += [" bgp graceful-restart", " bgp graceful-restart restart-time \(restartTime)"]
        }
        if let reflector = config.reflector {
            lines += [
                " bgp cluster-id \(reflector.clusterID)",
                " neighbor clients peer-group",
                " neighbor clients remote-as \(config.localAS)",
                " neighbor clients timers \(max(1, config.holdTime / 3)) \(config.holdTime)",
                " bgp listen range \(reflector.listenRange) peer-group clients",
            ]
        } else {
            lines += [
                " neighbor \(peer) remote-as \(config.peerAS)",
                " neighbor \(peer) update-source \(config.localAddress)",
                " neighbor \(peer) timers connect \(config.connectRetry)",
                " neighbor \(peer) timers \(max(1, config.holdTime / 3)) \(config.holdTime)",
            ]
            if config.peerPort != 179 { lines.append(" neighbor \(peer) port \(config.peerPort)") }
            if config.passive { lines.append(" neighbor \(peer) passive") }
            if let md5 = config.md5 { lines.append(" neighbor \(peer) password \(md5)") }
        }
        let activate =
            ["  neighbor \(peer) activate"]
            + (config.reflector == nil ? [] : ["  neighbor clients route-reflector-client"])
        if config.families.contains(.ipv4) {
            lines += [" address-family ipv4 unicast"] + activate + [" exit-address-family"]
        }
        if config.families.contains(.vpnv4) {
            lines += [" address-family ipv4 vpn"] + activate
            lines += networkLines.filter { $0.0 == .vpnv4 }.map { "  " + $0.1 }
            lines.append(" exit-address-family")
        }
        if config.families.contains(.evpn) {
            lines +=
                [" address-family l2vpn evpn"] + activate + (config.reflector == nil ? ["  advertise-all-vni"] : [])
            for (vni, settings) in vnis.sorted(by: { $0.key < $1.key }) {
                lines += vniLines(vni, settings.rd, settings.routeTargets).map { "  " + $0 }
            }
            lines += networkLines.filter { $0.0 == .evpn }.map { "  " + $0.1 }
            lines.append(" exit-address-family")
        }
        lines += ["exit", ""]
        try lines.joined(separator: "\n").write(toFile: "\(directory)/bgpd.conf", atomically: true, encoding: .utf8)
    }

    private func routeMap(_ name: String, _ routeTargets: Set<String>?) -> [String] {
        let targets = targetList(routeTargets)
        return ["route-map \(name) permit 10"]
            + (targets.isEmpty ? [] : [" set extcommunity rt \(targets.joined(separator: " "))"])
            + ["exit"]
    }

    private func vniLines(_ vni: UInt32, _ rd: String, _ routeTargets: [String]) -> [String] {
        ["vni \(vni)", " rd \(rd)"] + routeTargets.map { " route-target export \($0)" }
            + routeTargets.map { " route-target import \($0)" } + ["exit-vni"]
    }

    /// The `network` line (without `no`) for a VPN-IPv4 or type-5 route.
    private func networkCommand(_ route: LabRoute, routeMap: String) -> String {
        let fields = route.keyFields
        if route.family == .vpnv4 {
            return "network \(fields[1]) rd \(fields[0]) label \(route.label ?? 0) route-map \(routeMap)"
        }
        return "network \(fields[3]) rd \(fields[1]) ethtag \(fields[2]) label \(route.label ?? 0) "
            + "esi 00:00:00:00:00:00:00:00:00:00 gwip \(fields[4]) routermac \(route.routerMAC ?? "00:00:00:00:00:00") "
            + "route-map \(routeMap)"
    }

    /// `vtysh --vty_socket <dir> -c <command>...`; its output (throws if vtysh reports an error).
    @discardableResult
    func vtysh(_ commands: [String]) async throws -> String {
        var argv = ["vtysh", "--vty_socket", directory]
        for command in commands { argv += ["-c", command] }
        let output = try await Command.check(argv, timeout: .seconds(15))
        if output.contains("% ") && (output.contains("Unknown command") || output.contains("Command incomplete")) {
            throw LabError.command("vtysh \(commands): \(output)")
        }
        return output
    }

    /// `configure terminal`, then `commands` under `router bgp`.
    private func configureBGP(_ commands: [String]) async throws {
        try await vtysh(["configure terminal", "router bgp \(config.localAS)"] + commands + ["end"])
    }

    // MARK: - Session

    /// `show bgp neighbors <peer> json`, the peer's object.
    func neighbor() async throws -> [String: Any] {
        let json = try JSON.parse(try await vtysh(["show bgp neighbors \(config.peerAddress) json"]))
        return (json as? [String: Any])?.object(config.peerAddress) ?? [:]
    }

    func sessionState() async throws -> String { try await neighbor().string("bgpState") ?? "unknown" }

    func isEstablished() async throws -> Bool { try await sessionState() == "Established" }

    /// The neighbor's `messageStats` (opensSent, updatesRecv, routeRefreshRecv, notificationsRecv, ...).
    func messageCounters() async throws -> [String: Int] {
        let stats = try await neighbor().object("messageStats") ?? [:]
        return stats.keys.reduce(into: [:]) { $0[$1] = stats.int($1) }
    }

    func routeRefreshesReceived() async throws -> Int? { try await messageCounters()["routeRefreshRecv"] }

    // MARK: - Routes

    func routes(_ family: LabFamily) async throws -> [LabRoute] {
        let peer = config.peerAddress
        switch family {
        case .ipv4:
            let json = try JSON.parse(try await vtysh(["show bgp ipv4 unicast json"])) as? [String: Any] ?? [:]
            var result: [LabRoute] = []
            for (prefix, paths) in json.object("routes") ?? [:] {
                for path in (paths as? [Any] ?? []).compactMap({ $0 as? [String: Any] })
                where path.string("peerId") == peer {
                    var route = LabRoute.ipv4(prefix)
                    route.nextHop = path.objects("nexthops").first?.string("ip")
                    route.asPath = path.string("path") ?? ""
                    result.append(route)
                }
            }
            return result
        case .vpnv4:
            let json = try JSON.parse(try await vtysh(["show bgp ipv4 vpn json"])) as? [String: Any] ?? [:]
            let distinguishers = json.object("routes")?.object("routeDistinguishers") ?? [:]
            var result: [LabRoute] = []
            for (rd, table) in distinguishers {
                for (prefix, paths) in table as? [String: Any] ?? [:] {
                    let fromPeer = (paths as? [Any] ?? []).compactMap { $0 as? [String: Any] }.contains {
                        $0.string("peerId") == peer
                    }
                    guard fromPeer else { continue }
                    result.append(try await vpnRoute(rd: rd, prefix: prefix))
                }
            }
            return result
        case .evpn:
            let json =
                try JSON.parse(try await vtysh(["show bgp l2vpn evpn route detail json"])) as? [String: Any] ?? [:]
            var result: [LabRoute] = []
            for (rd, table) in json {
                guard let table = table as? [String: Any] else { continue }
                for (_, entry) in table {
                    guard let entry = entry as? [String: Any], let type = entry.int("routeType") else { continue }
                    let paths = (entry.array("paths") ?? []).flatMap { ($0 as? [Any]) ?? [$0] }
                        .compactMap { $0 as? [String: Any] }
                    for path in paths where path.object("peer")?.string("peerId") == peer {
                        result.append(evpnRoute(rd: entry.string("rd") ?? rd, type: type, entry: entry, path: path))
                    }
                }
            }
            return result
        default:
            throw LabError.unsupported("FRR: \(family)")
        }
    }

    /// One VPN-IPv4 route from the peer, with its label and route targets (`show bgp ipv4 vpn rd <rd> <prefix>`).
    private func vpnRoute(rd: String, prefix: String) async throws -> LabRoute {
        let json =
            try JSON.parse(try await vtysh(["show bgp ipv4 vpn rd \(rd) \(prefix) json"])) as? [String: Any] ?? [:]
        let detail = json.object(rd) ?? json
        let path = detail.objects("paths").first { $0.object("peer")?.string("peerId") == config.peerAddress } ?? [:]
        var route = LabRoute.vpnv4(rd: rd, prefix: prefix)
        route.label = path.int("remoteLabel").map(UInt32.init)
        Self.fill(&route, from: path)
        return route
    }

    private func evpnRoute(rd: String, type: Int, entry: [String: Any], path: [String: Any]) -> LabRoute {
        let tag = UInt32(entry.int("ethTag") ?? 0)
        var route: LabRoute
        switch type {
        case 2:
            route = .evpnMAC(
                rd: rd, mac: entry.string("mac") ?? "?", ip: entry.string("ip"), ethernetTag: tag,
                label: path.int("vni").map(UInt32.init))
        case 3:
            route = .evpnMulticast(rd: rd, originator: entry.string("ip") ?? "?", ethernetTag: tag)
            if let pmsi = path.object("pmsi"), let label = pmsi.int("label") {
                route.pmsi = "\(label) \(route.keyFields[3])"
            }
        case 5:
            let prefix = "\(entry.string("ip") ?? "?")/\(entry.int("ipLen") ?? 0)"
            route = .evpnPrefix(
                rd: rd, prefix: prefix, gateway: path.string("gatewayIP") ?? "0.0.0.0", ethernetTag: tag,
                label: path.int("vni").map(UInt32.init))
        default:
            route = LabRoute(family: .evpn, key: "\(type) \(rd) ?")
        }
        Self.fill(&route, from: path)
        return route
    }

    /// Next hop, AS path, route targets and router MAC from an FRR JSON path.
    private static func fill(_ route: inout LabRoute, from path: [String: Any]) {
        route.nextHop = path.objects("nexthops").first?.string("ip")
        let asPath = path.object("aspath")?.string("string") ?? path.string("path") ?? ""
        route.asPath = asPath == "Local" ? "" : asPath  // FRR's word for an empty AS_PATH
        route.stale = path["stale"] as? Bool ?? false
        route.originatorID = path.string("originatorId")
        route.clusterList = (path.object("clusterList")?.array("list") ?? []).compactMap { $0 as? String }
        let communities = path.object("extendedCommunity")?.string("string") ?? ""
        var targets: Set<String> = []
        for item in communities.split(separator: " ") {
            if item.hasPrefix("RT:") { targets.insert(String(item.dropFirst(3))) }
            if item.hasPrefix("Rmac:") { route.routerMAC = String(item.dropFirst(5)).lowercased() }
        }
        route.routeTargets = targets
    }

    // MARK: - Announcing

    /// VPN-IPv4 and EVPN type 5 are `network` statements; EVPN type 2 and 3 come from the VTEP.
    private func isNetwork(_ route: LabRoute) -> Bool {
        route.family == .vpnv4 || (route.family == .evpn && route.keyFields.first == "5")
    }

    func announce(_ route: LabRoute) async throws {
        switch route.family {
        case _ where isNetwork(route):
            let number = state.withLock { state -> Int in
                state.networks.append(route)
                state.routeMaps += 1
                return state.routeMaps
            }
            let family = route.family == .vpnv4 ? "ipv4 vpn" : "l2vpn evpn"
            try await vtysh(["configure terminal"] + routeMap("RT\(number)", route.routeTargets).dropLast() + ["exit"])
            try await configureBGP(["address-family \(family)", networkCommand(route, routeMap: "RT\(number)")])
        case .evpn:
            try await announceOnVTEP(route)
        default:
            throw LabError.unsupported("FRR cannot announce \(route)")
        }
    }

    func withdraw(_ route: LabRoute) async throws {
        switch route.family {
        case _ where isNetwork(route):
            state.withLock { $0.networks.removeAll { $0 == route } }
            let family = route.family == .vpnv4 ? "ipv4 vpn" : "l2vpn evpn"
            // `no network` takes the same arguments without the route map.
            let command = networkCommand(route, routeMap: "RT0").replacingOccurrences(of: " route-map RT0", with: "")
            try await configureBGP(["address-family \(family)", "no " + command])
        case .evpn:
            try await withdrawFromVTEP(route)
        default:
            throw LabError.unsupported("FRR cannot withdraw \(route)")
        }
    }

    private func announceOnVTEP(_ route: LabRoute) async throws {
        let fields = route.keyFields
        guard let vni = route.label ?? route.pmsi.flatMap({ UInt32($0.split(separator: " ")[0]) }) else {
            throw LabError.unsupported("FRR EVPN needs the VNI (label, or PMSI label for type 3): \(route)")
        }
        try await ensureVNI(vni, rd: fields[1], routeTargets: targetList(route.routeTargets))
        if fields[0] == "2" {
            try await netns.check(["bridge", "fdb", "replace", fields[3], "dev", "h\(vni)", "master", "static"])
            if fields[4] != "-" {
                try await netns.ip(
                    "neigh", "replace", fields[4], "lladdr", fields[3], "dev", "br\(vni)", "nud", "permanent")
            }
        }
    }

    private func withdrawFromVTEP(_ route: LabRoute) async throws {
        let fields = route.keyFields
        let knownVNI = state.withLock { $0.vnis.first(where: { $0.value.rd == fields[1] })?.key }
        guard let vni = route.label ?? route.pmsi.flatMap({ UInt32($0.split(separator: " ")[0]) }) ?? knownVNI else {
            throw LabError.unsupported("FRR EVPN needs the VNI as label: \(route)")
        }
        if fields[0] == "2" {
            // MAC+IP: the neighbor entry goes (the MAC stays); MAC only: the FDB entry goes, and the MAC+IP
            // routes with it.
            if fields[4] != "-" {
                try await netns.ip("neigh", "del", fields[4], "dev", "br\(vni)")
            } else {
                try await netns.check(["bridge", "fdb", "del", fields[3], "dev", "h\(vni)", "master", "static"])
            }
        } else {
            // Type 3 goes with the VNI: remove the VTEP.
            state.withLock { _ = $0.vnis.removeValue(forKey: vni) }
            try await netns.ip("link", "del", "vx\(vni)")
            try await netns.ip("link", "del", "br\(vni)")
            try await netns.ip("link", "del", "h\(vni)")
        }
    }

    /// A VTEP for `vni` (VXLAN device with our address, a bridge, and a veth port for "local" MACs), with the RD
    /// and route targets configured on the VNI.
    private func ensureVNI(_ vni: UInt32, rd: String, routeTargets: [String]) async throws {
        let exists = state.withLock { $0.vnis[vni] != nil }
        if exists { return }
        state.withLock { $0.vnis[vni] = (rd, routeTargets) }
        try await configureBGP(["address-family l2vpn evpn"] + vniLines(vni, rd, routeTargets))
        let script = """
            link add vx\(vni) type vxlan id \(vni) local \(config.localAddress) dstport 4789 nolearning
            link add br\(vni) type bridge
            link set vx\(vni) master br\(vni)
            link add h\(vni) type veth peer name hp\(vni)
            link set h\(vni) master br\(vni)
            link set vx\(vni) up
            link set br\(vni) up
            link set h\(vni) up
            link set hp\(vni) up

            """
        try await netns.check(["ip", "-batch", "-"], input: script)
    }

    func requestRouteRefresh(_ family: LabFamily) async throws {
        let name =
            switch family {
            case .ipv4: "ipv4 unicast"
            case .vpnv4: "ipv4 vpn"
            case .evpn: "l2vpn evpn"
            default: throw LabError.unsupported("FRR: route refresh for \(family)")
            }
        try await vtysh(["clear bgp \(name) \(config.peerAddress) soft in"])
    }

    // MARK: - Lifetime

    /// Restarts bgpd only (zebra, and with it the VTEPs, stay).
    func restart() async throws {
        await bgpd.stop()
        try writeBGPConfiguration()
        try await Command.check(["chown", "-R", "frr:frr", directory])
        try await startBGPD()
    }

    /// bgpd again (zebra, and with it the VTEPs, stayed).
    func startAgain(restarting: Bool) async throws {
        try writeBGPConfiguration()
        try await Command.check(["chown", "-R", "frr:frr", directory])
        try await startBGPD()
    }

    func forget(_ route: LabRoute) { state.withLock { $0.networks.removeAll { $0 == route } } }

    func stop() async {
        await bgpd.stop()
        await zebra.stop()
    }

    func crash() async { await bgpd.kill() }
    func freeze() { bgpd.pause() }
    func thaw() { bgpd.resume() }

    func logTail() -> String {
        [
            "-- bgpd.log --", tail(of: "\(directory)/bgpd.log", lines: 20), "-- bgpd output --", bgpd.logTail(10),
            "-- zebra output --", zebra.logTail(5),
        ].joined(separator: "\n")
    }
}

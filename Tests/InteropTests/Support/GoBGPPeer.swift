import Foundation
import Synchronization

/// gobgpd 3.x in a namespace (one per namespace: its API is 127.0.0.1:50051 of that namespace), driven with the
/// `gobgp` CLI (`-j` JSON).
final class GoBGPPeer: PeerDriver {
    let kind = PeerKind.gobgp
    let netns: Netns
    let directory: String
    private let daemon: Daemon
    private let current = Mutex<PeerConfig?>(nil)
    private let vrfs = Mutex<[String: String]>([:])

    var config: PeerConfig { current.withLock { $0! } }

    init(lab: Lab, netns: Netns, name: String = "gobgp") throws {
        self.netns = netns
        directory = try lab.subdirectory(name)
        daemon = lab.daemon(
            name, in: netns,
            [
                "gobgpd", "-f", "\(directory)/gobgpd.toml", "-p", "--api-hosts", "127.0.0.1:50051",
                "--pprof-disable",
            ])
    }

    func start(_ config: PeerConfig) async throws {
        current.withLock { $0 = config }
        try Self.configuration(config).write(toFile: "\(directory)/gobgpd.toml", atomically: true, encoding: .utf8)
        try daemon.start()
        try await waitForAPI()
    }

    private func waitForAPI() async throws {
        _ = try await poll(
            "gobgpd API in \(netns)", timeout: .seconds(15), interval: .milliseconds(50), context: logTail
        ) {
            guard daemon.isRunning else { throw LabError.command("gobgpd exited: \(daemon.termination!)") }
            return try await netns.run(["gobgp", "global"], timeout: .seconds(5)).succeeded ? true : nil
        }
    }

    /// The gobgpd.toml for `config`.
    static func configuration(_ config: PeerConfig) -> String {
        if let reflector = config.reflector { return reflectorConfiguration(config, reflector) }
        let keepalive = max(1, config.holdTime / 3)
        var text = """
            [global.config]
              as = \(config.localAS)
              router-id = "\(config.effectiveRouterID)"
              local-address-list = ["\(config.localAddress)"]

            [[neighbors]]
              [neighbors.config]
                neighbor-address = "\(config.peerAddress)"
                peer-as = \(config.peerAS)

            """
        if let md5 = config.md5 { text += "    auth-password = \"\(md5)\"\n" }
        text += """
              [neighbors.timers.config]
                connect-retry = \(config.connectRetry)
                hold-time = \(config.holdTime)
                keepalive-interval = \(keepalive)
                idle-hold-time-after-reset = 1
              [neighbors.transport.config]
                local-address = "\(config.localAddress)"
                remote-port = \(config.peerPort)
                passive-mode = \(config.passive)

            """
        if let restartTime = config.gracefulRestart {
            text += """
                  [neighbors.graceful-restart.config]
                    enabled = true
                    restart-time = \(restartTime)

                """
        }
        for family in config.families.sorted(by: { $0.rawValue < $1.rawValue }) {
            text += """
                  [[neighbors.afi-safis]]
                    [neighbors.afi-safis.config]
                      afi-safi-name = "\(afiSafiName(family))"

                """
            if config.gracefulRestart != nil {
                text += """
                        [neighbors.afi-safis.mp-graceful-restart.config]
                          enabled = true

                    """
            }
        }
        return text
    }

    /// The gobgpd.toml of a route reflector: a peer group of clients, filled by dynamic neighbors from the
    /// listen range, and a listening socket on every address of the namespace.
    static func reflectorConfiguration(_ config: PeerConfig, _ reflector: ReflectorSettings) -> String {
        var text = """
            [global.config]
              as = \(config.localAS)
              router-id = "\(config.effectiveRouterID)"
              local-address-list = ["0.0.0.0"]

            [[peer-groups]]
              [peer-groups.config]
                peer-group-name = "clients"
                peer-as = \(config.localAS)
              [peer-groups.timers.config]
                connect-retry = \(config.connectRetry)
                hold-time = \(config.holdTime)
                keepalive-interval = \(max(1, config.holdTime / 3))
                idle-hold-time-after-reset = 1
              [peer-groups.route-reflector.config]
                route-reflector-client = true
                route-reflector-cluster-id = "\(reflector.clusterID)"

            """
        for family in config.families.sorted(by: { $0.rawValue < $1.rawValue }) {
            text += """
                  [[peer-groups.afi-safis]]
                    [peer-groups.afi-safis.config]
                      afi-safi-name = "\(afiSafiName(family))"

                """
        }
        text += """

            [[dynamic-neighbors]]
              [dynamic-neighbors.config]
                prefix = "\(reflector.listenRange)"
                peer-group = "clients"

            """
        return text
    }

    static func afiSafiName(_ family: LabFamily) -> String {
        switch family {
        case .ipv4: "ipv4-unicast"
        case .vpnv4: "l3vpn-ipv4-unicast"
        case .evpn: "l2vpn-evpn"
        case .rtc: "rtc"
        case .flowspec: "ipv4-flowspec"
        case .vpnFlowspec: "l3vpn-ipv4-flowspec"
        }
    }

    /// The family name of `gobgp ... -a`.
    static func cliFamily(_ family: LabFamily) -> String {
        switch family {
        case .ipv4: "ipv4"
        case .vpnv4: "vpnv4"
        case .evpn: "evpn"
        case .rtc: "rtc"
        case .flowspec: "ipv4-flowspec"
        case .vpnFlowspec: "ipv4-l3vpn-flowspec"
        }
    }

    /// `gobgp <arguments>` in the namespace; its output.
    @discardableResult
    func cli(_ arguments: [String]) async throws -> String {
        try await netns.check(["gobgp"] + arguments, timeout: .seconds(15))
    }

    // MARK: - Session

    /// The neighbor's JSON object.
    func neighbor() async throws -> [String: Any] {
        guard let object = try JSON.parse(try await cli(["neighbor", config.peerAddress, "-j"])) as? [String: Any]
        else {
            throw LabError.parse("gobgp neighbor -j")
        }
        return object
    }

    func sessionState() async throws -> String {
        let state = try await neighbor().object("state")
        switch state?["session_state"] {
        case let number as NSNumber:
            // api.PeerState_SessionState: 1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established
            return ["unknown", "idle", "connect", "active", "opensent", "openconfirm", "established"][
                min(number.intValue, 6)]
        case let text as String: return text.lowercased()
        default: return "unknown"
        }
    }

    func isEstablished() async throws -> Bool { try await sessionState() == "established" }

    /// Message counters the daemon keeps for the session: `received`/`sent` → type → count.
    func messageCounters() async throws -> [String: [String: Int]] {
        let messages = try await neighbor().object("state")?.object("messages") ?? [:]
        var result: [String: [String: Int]] = [:]
        for direction in ["received", "sent"] {
            let counts = messages.object(direction) ?? [:]
            result[direction] = counts.keys.reduce(into: [:]) { $0[$1] = counts.int($1) }
        }
        return result
    }

    func routeRefreshesReceived() async throws -> Int? { try await messageCounters()["received"]?["refresh"] ?? 0 }

    // MARK: - Routes

    func routes(_ family: LabFamily) async throws -> [LabRoute] {
        let output = try await cli(["neighbor", config.peerAddress, "adj-in", "-a", Self.cliFamily(family), "-j"])
        return Self.paths(in: try JSON.parse(output)).compactMap { Self.route($0, family: family) }
    }

    /// Routes in gobgpd's global RIB (its own and every neighbor's).
    func globalRIB(_ family: LabFamily) async throws -> [LabRoute] {
        let output = try await cli(["global", "rib", "-a", Self.cliFamily(family), "-j"])
        return Self.paths(in: try JSON.parse(output)).compactMap { Self.route($0, family: family) }
    }

    /// Every JSON object with "nlri" (a path), however they are nested.
    static func paths(in json: Any) -> [[String: Any]] {
        switch json {
        case let object as [String: Any]:
            if object["nlri"] != nil { return [object] }
            return object.values.flatMap { paths(in: $0) }
        case let array as [Any]:
            return array.flatMap { paths(in: $0) }
        default:
            return []
        }
    }

    static func rd(_ value: Any?) -> String? {
        guard let rd = value as? [String: Any], let admin = rd.string("admin"), let assigned = rd.string("assigned")
        else { return nil }
        return "\(admin):\(assigned)"
    }

    /// One GoBGP JSON path as a `LabRoute`.
    static func route(_ path: [String: Any], family: LabFamily) -> LabRoute? {
        guard let nlri = path.object("nlri") else {
            // GoBGP 3.10 shows the default RT membership route (RFC 4684 §4, prefix length 0) with "nlri": null.
            return family == .rtc && path["nlri"] is NSNull ? LabRoute(family: .rtc, key: "default") : nil
        }
        let attributes = path.objects("attrs")
        var route: LabRoute
        switch family {
        case .ipv4:
            guard let prefix = nlri.string("prefix") else { return nil }
            route = .ipv4(prefix)
        case .vpnv4:
            guard let prefix = nlri.string("prefix"), let rd = rd(nlri["rd"]) else { return nil }
            route = .vpnv4(rd: rd, prefix: prefix, label: (nlri.array("labels")?.first as? NSNumber)?.uint32Value)
        case .evpn:
            guard let value = nlri.object("value"), let rd = rd(value["rd"]) else { return nil }
            let tag = UInt32(value.int("etag") ?? 0)
            switch nlri.int("type") {
            case 2:
                var ip = value.string("ip")
                if ip == nil || ip == "" || ip == "<nil>" { ip = nil }
                route = .evpnMAC(
                    rd: rd, mac: value.string("mac") ?? "?", ip: ip, ethernetTag: tag,
                    label: (value.array("labels")?.first as? NSNumber)?.uint32Value)
            case 3:
                route = .evpnMulticast(rd: rd, originator: value.string("ip") ?? "?", ethernetTag: tag)
            case 5:
                route = .evpnPrefix(
                    rd: rd, prefix: value.string("prefix") ?? "?", gateway: value.string("gateway") ?? "0.0.0.0",
                    ethernetTag: tag, label: value.int("label").map(UInt32.init))
            default:
                route = LabRoute(family: .evpn, key: "\(nlri.int("type") ?? -1) \(rd) ?")
            }
        case .rtc:
            // {"nlri": {"prefix": "<origin AS>:<route target>"}}
            let prefix = nlri.string("prefix") ?? ""
            if let colon = prefix.firstIndex(of: ":"), let origin = UInt32(prefix[..<colon]) {
                route = .rtc(originAS: origin, routeTarget: String(prefix[prefix.index(after: colon)...]))
            } else {
                route = LabRoute(family: .rtc, key: prefix.isEmpty ? "default" : prefix)
            }
        case .flowspec, .vpnFlowspec:
            var destination: String?
            var source: String?
            for component in nlri.objects("value") {
                switch component.int("type") {
                case 1: destination = component.object("value")?.string("prefix")
                case 2: source = component.object("value")?.string("prefix")
                default: break
                }
            }
            let key = LabRoute.flowKey(destination: destination, source: source)
            if family == .vpnFlowspec {
                route = LabRoute(family: .vpnFlowspec, key: "\(rd(nlri["rd"]) ?? "?") \(key)")
            } else {
                route = LabRoute(family: .flowspec, key: key)
            }
        }
        route.stale = (path["stale"] as? Bool) ?? false
        for attribute in attributes {
            switch attribute.int("type") {
            case 2:
                route.asPath = attribute.objects("as_paths").map { segment in
                    let asns = (segment.array("asns") ?? []).map { "\($0)" }.joined(separator: " ")
                    return segment.int("segment_type") == 1 ? "{\(asns)}" : asns
                }.joined(separator: " ")
            case 3:
                route.nextHop = attribute.string("nexthop")
            case 14:
                route.nextHop = attribute.string("nexthop")
            case 16:
                var targets: Set<String> = []
                for community in attribute.objects("value") {
                    if community.int("subtype") == 2, [0, 1, 2].contains(community.int("type")),
                        let value = community.string("value")
                    {
                        targets.insert(value)
                    }
                    if community.int("type") == 6, community.int("subtype") == 3 {
                        route.routerMAC = community.string("mac")?.lowercased()
                    }
                }
                route.routeTargets = targets
            case 22:
                if let label = attribute.int("label") {
                    route.pmsi = "\(label) \(attribute.string("tunnel-id") ?? "?")"
                }
            case 9:
                route.originatorID = attribute.string("value")
            case 10:
                route.clusterList = (attribute.array("value") ?? []).compactMap { $0 as? String }
            default:
                break
            }
        }
        if route.asPath == nil { route.asPath = "" }
        if route.clusterList == nil { route.clusterList = [] }
        if route.routeTargets == nil { route.routeTargets = [] }
        return route
    }

    func announce(_ route: LabRoute) async throws {
        if route.family == .rtc {
            let (name, arguments) = vrf(for: route)
            try await cli(["vrf", "add", name] + arguments)
            return
        }
        try await cli(try ribArguments(route, verb: "add"))
    }

    func withdraw(_ route: LabRoute) async throws {
        if route.family == .rtc {
            let (name, _) = vrf(for: route)
            try await cli(["vrf", "del", name])
            return
        }
        try await cli(try ribArguments(route, verb: "del"))
    }

    /// GoBGP 3 cannot add an RTC route; a VRF importing the route target makes it advertise one (its origin AS is
    /// gobgpd's AS, whatever the route says).
    private func vrf(for route: LabRoute) -> (String, [String]) {
        let target = route.keyFields.last ?? "0:0"
        return vrfs.withLock { vrfs in
            let name = vrfs[target] ?? "rtc\(vrfs.count + 1)"
            vrfs[target] = name
            return (name, ["rd", "\(config.localAddress):\(60000 + vrfs.count)", "rt", "both", target])
        }
    }

    /// `global rib -a <family> add|del ...` for `route`.
    func ribArguments(_ route: LabRoute, verb: String) throws -> [String] {
        let fields = route.keyFields
        let rt = targetList(route.routeTargets)
        let nextHop = route.nextHop.map { ["nexthop", $0] } ?? []
        let family = ["global", "rib", "-a", Self.cliFamily(route.family), verb]
        switch route.family {
        case .ipv4:
            return family + [fields[0]] + nextHop
        case .vpnv4:
            let label = route.label ?? 0
            return family + [fields[1], "label", "\(label)", "rd", fields[0]] + (rt.isEmpty ? [] : ["rt"] + rt)
                + nextHop
        case .evpn:
            let rtArguments = rt.isEmpty ? [] : ["rt"] + rt
            switch fields.first {
            case "2":
                let ip = fields[4] == "-" ? "0.0.0.0" : fields[4]
                return family + [
                    "macadv", fields[3], ip, "etag", fields[2], "label", "\(route.label ?? 0)", "rd", fields[1],
                ] + rtArguments + ["encap", "vxlan"] + nextHop
            case "3":
                var arguments = family + ["multicast", fields[3], "etag", fields[2], "rd", fields[1]] + rtArguments
                arguments += ["encap", "vxlan"]
                if let pmsi = route.pmsi {
                    arguments += ["pmsi", "ingress-repl"] + pmsi.split(separator: " ").map(String.init)
                }
                return arguments + nextHop
            case "5":
                var arguments =
                    family + [
                        "prefix", fields[3], "etag", fields[2], "label", "\(route.label ?? 0)", "rd", fields[1],
                    ] + rtArguments
                if fields[4] != "0.0.0.0" { arguments += ["gw", fields[4]] }
                arguments += ["encap", "vxlan"]
                if let mac = route.routerMAC { arguments += ["router-mac", mac] }
                return arguments + nextHop
            default:
                throw LabError.unsupported("GoBGP: EVPN route \(route)")
            }
        case .flowspec:
            return family + ["match"] + flowMatch(fields) + ["then", "discard"] + (rt.isEmpty ? [] : ["rt"] + rt)
        case .vpnFlowspec:
            return family + ["rd", fields[0], "match"] + flowMatch(Array(fields.dropFirst())) + ["then", "discard"]
                + (rt.isEmpty ? [] : ["rt"] + rt)
        case .rtc:
            throw LabError.unsupported("GoBGP: RTC through the RIB")
        }
    }

    private func flowMatch(_ fields: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index + 1 < fields.count {
            result += [fields[index] == "dst" ? "destination" : "source", fields[index + 1]]
            index += 2
        }
        return result
    }

    func requestRouteRefresh(_ family: LabFamily) async throws {
        try await cli(["neighbor", config.peerAddress, "softresetin", "-a", Self.cliFamily(family)])
    }

    // MARK: - Lifetime

    func restart() async throws {
        await daemon.stop()
        vrfs.withLock { $0 = [:] }
        try daemon.start()
        try await waitForAPI()
    }

    func startAgain(restarting: Bool) async throws {
        vrfs.withLock { $0 = [:] }
        try daemon.start(argv: daemon.argv + (restarting ? ["-r"] : []))
        try await waitForAPI()
    }

    func forget(_ route: LabRoute) {}

    func stop() async { await daemon.stop() }
    func crash() async { await daemon.kill() }
    func freeze() { daemon.pause() }
    func thaw() { daemon.resume() }
    func logTail() -> String { daemon.logTail() }
    var pid: Int32? { daemon.pid }
}

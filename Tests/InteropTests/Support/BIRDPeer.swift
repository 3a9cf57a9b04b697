import Foundation
import Synchronization

/// BIRD 2.0.12 in a namespace (own control socket), driven with `birdc -s`. Families: IPv4 unicast and VPN-IPv4
/// (`vpn4 mpls` channel); no EVPN, flowspec over BGP or RTC in 2.0. Routes are announced as static routes in the
/// configuration (`birdc configure` applies a change). The BGP protocol is named `speaker`.
final class BIRDPeer: PeerDriver {
    let kind = PeerKind.bird
    let netns: Netns
    let directory: String
    private let daemon: Daemon
    private let state = Mutex(State())

    private struct State {
        var config: PeerConfig?
        var routes: [LabRoute] = []
    }

    var config: PeerConfig { state.withLock { $0.config! } }
    private var control: String { "\(directory)/bird.ctl" }

    init(lab: Lab, netns: Netns, name: String = "bird") throws {
        self.netns = netns
        directory = try lab.subdirectory(name)
        daemon = lab.daemon(
            name, in: netns,
            [
                "bird", "-f", "-c", "\(directory)/bird.conf", "-s", "\(directory)/bird.ctl", "-P",
                "\(directory)/bird.pid",
            ])
    }

    func start(_ config: PeerConfig) async throws {
        state.withLock { $0.config = config }
        try writeConfiguration()
        try await Command.check(["bird", "-p", "-c", "\(directory)/bird.conf"])
        try await startDaemon()
    }

    private func startDaemon(recovering: Bool = false) async throws {
        try daemon.start(argv: daemon.argv + (recovering ? ["-R"] : []))
        _ = try await poll(
            "bird control socket in \(netns)", timeout: .seconds(15), interval: .milliseconds(50), context: logTail
        ) {
            guard daemon.isRunning else { throw LabError.command("bird exited: \(daemon.termination!)") }
            return try await birdc(["show", "status"]).contains("Daemon is up") ? true : nil
        }
    }

    private func writeConfiguration() throws {
        let (config, routes) = state.withLock { ($0.config!, $0.routes) }
        var text = """
            router id \(config.effectiveRouterID);
            log "\(directory)/bird.log" all;
            vpn4 table vpntab4;
            protocol device {}
            protocol direct { ipv4; interface "*"; }

            """
        let vpn = routes.filter { $0.family == .vpnv4 }
        let unicast = routes.filter { $0.family == .ipv4 }
        text += "protocol static vpnstatic {\n  vpn4 { table vpntab4; };\n"
        for route in vpn {
            let fields = route.keyFields
            let communities = targetList(route.routeTargets).map { target -> String in
                let parts = target.split(separator: ":")
                return " bgp_ext_community.add((rt, \(parts[0]), \(parts[1])));"
            }.joined()
            // An AS path set on the route is prepended to the empty one, last AS first; on eBGP BIRD then puts
            // its own AS in front when it exports the route.
            let path = (route.asPath ?? "").split(separator: " ").reversed().map { " bgp_path.prepend(\($0));" }
                .joined()
            text +=
                "  route \(fields[0]) \(fields[1]) via \(route.nextHop ?? config.localAddress) "
                + "mpls \(route.label ?? 0) {\(path)\(communities) };\n"
        }
        text += "}\nprotocol static v4static {\n  ipv4;\n"
        for route in unicast {
            text += "  route \(route.key) via \(route.nextHop ?? config.localAddress);\n"
        }
        text += "}\n"
        text += """
            protocol bgp speaker {
              local \(config.localAddress) as \(config.localAS);
              neighbor \(config.peerAddress) port \(config.peerPort) \(neighborAS(config));
              connect delay time 0;
              connect retry time \(config.connectRetry);
              error wait time 1, 5;
              hold time \(config.holdTime);
              keepalive time \(max(1, config.holdTime / 3));

            """
        if config.passive { text += "  passive on;\n" }
        if let md5 = config.md5 { text += "  password \"\(md5)\";\n" }
        if !config.fourOctetCapability { text += "  enable as4 off;\n" }
        if let restartTime = config.gracefulRestart {
            text += "  graceful restart on;\n  graceful restart time \(restartTime);\n"
        }
        if config.families.contains(.vpnv4) {
            text += "  vpn4 mpls { table vpntab4; import all; export where proto = \"vpnstatic\"; next hop keep; };\n"
        }
        if config.families.contains(.ipv4) {
            text += "  ipv4 { import all; export where proto = \"v4static\"; next hop keep; };\n"
        }
        text += "}\n"
        try text.write(toFile: "\(directory)/bird.conf", atomically: true, encoding: .utf8)
    }

    /// The neighbor's AS in the `neighbor` line. Without the 4-octet AS capability (`enable as4 off`) BIRD refuses a
    /// 4-octet number there, and AS_TRANS fails its check: BIRD still takes the peer's AS from the peer's 4-octet
    /// AS capability. So a 4-octet peer AS (or AS_TRANS standing for one) is written `external`: any AS but ours.
    private func neighborAS(_ config: PeerConfig) -> String {
        let fourOctet = config.peerAS > 0xFFFF || config.peerAS == UInt32(23456)
        if !config.fourOctetCapability, fourOctet, config.isEBGP { return "external" }
        return "as \(config.peerAS)"
    }

    /// `birdc -s <socket> <arguments>`; its output.
    @discardableResult
    func birdc(_ arguments: [String]) async throws -> String {
        try await Command.check(["birdc", "-s", control] + arguments, timeout: .seconds(15))
    }

    // MARK: - Session

    func sessionState() async throws -> String {
        let output = try await birdc(["show", "protocols", "all", "speaker"])
        for line in output.split(separator: "\n") where line.contains("BGP state:") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        return "unknown"
    }

    func isEstablished() async throws -> Bool { try await sessionState() == "Established" }

    /// BIRD 2.0 keeps no per-message counters.
    func routeRefreshesReceived() async throws -> Int? { nil }

    // MARK: - Routes

    func routes(_ family: LabFamily) async throws -> [LabRoute] {
        let table =
            switch family {
            case .ipv4: "master4"
            case .vpnv4: "vpntab4"
            default: throw LabError.unsupported("BIRD: \(family)")
            }
        let output = try await birdc(["show", "route", "table", table, "protocol", "speaker", "all"])
        return Self.parseRoutes(output, family: family)
    }

    /// Parses `show route ... all`: a net line (`<rd> <prefix> <type> [proto ...]` or `<prefix> ...`), further paths
    /// of the same net indented, then tab-indented attribute lines.
    static func parseRoutes(_ output: String, family: LabFamily) -> [LabRoute] {
        var result: [LabRoute] = []
        var net: [String] = []
        var current: LabRoute?
        func flush() {
            if let route = current { result.append(route) }
            current = nil
        }
        func begin() {
            flush()
            if family == .vpnv4, net.count >= 2 {
                current = .vpnv4(rd: net[0], prefix: net[1])
            } else if let prefix = net.first {
                current = .ipv4(prefix)
            }
            current?.asPath = ""
            current?.routeTargets = []
        }
        for rawLine in output.split(separator: "\n") {
            let line = String(rawLine)
            if line.hasPrefix("BIRD ") || line.hasPrefix("Table ") || line.isEmpty { continue }
            if line.first == "\t" {
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("BGP.next_hop:") {
                    current?.nextHop = text.dropFirst("BGP.next_hop:".count).trimmingCharacters(in: .whitespaces)
                        .split(separator: " ").first.map(String.init)
                } else if text.hasPrefix("BGP.mpls_label_stack:") {
                    let labels = text.dropFirst("BGP.mpls_label_stack:".count).split(separator: " ")
                    current?.label = labels.first.flatMap { UInt32($0) }
                } else if text.hasPrefix("BGP.as_path:") {
                    current?.asPath = text.dropFirst("BGP.as_path:".count).trimmingCharacters(in: .whitespaces)
                } else if text.hasPrefix("BGP.ext_community:") {
                    // (rt, 64512, 70) (rt, 10.0.0.1, 5) ...
                    var targets: Set<String> = []
                    for item in text.split(separator: "(").dropFirst() {
                        let parts = item.split(separator: ")").first?.split(separator: ",").map {
                            $0.trimmingCharacters(in: .whitespaces)
                        }
                        if let parts, parts.count == 3, parts[0] == "rt" { targets.insert("\(parts[1]):\(parts[2])") }
                    }
                    current?.routeTargets = targets
                } else if text.hasPrefix("via "), current?.label == nil, let range = text.range(of: " mpls ") {
                    current?.label = UInt32(text[range.upperBound...].split(separator: " ").first ?? "")
                }
            } else if line.first == " " {
                begin()  // another path of the same net
            } else {
                let words = line.split(separator: " ").map(String.init)
                net = family == .vpnv4 ? Array(words.prefix(2)) : Array(words.prefix(1))
                begin()
            }
        }
        flush()
        return result
    }

    // MARK: - Announcing

    func announce(_ route: LabRoute) async throws {
        guard route.family == .vpnv4 || route.family == .ipv4 else {
            throw LabError.unsupported("BIRD cannot announce \(route)")
        }
        state.withLock { $0.routes.append(route) }
        try await reconfigure()
    }

    func withdraw(_ route: LabRoute) async throws {
        state.withLock { $0.routes.removeAll { $0.family == route.family && $0.key == route.key } }
        try await reconfigure()
    }

    private func reconfigure() async throws {
        try writeConfiguration()
        let output = try await birdc(["configure"])
        guard output.contains("Reconfigured") || output.contains("Reconfiguration in progress") else {
            throw LabError.command("birdc configure: \(output)")
        }
    }

    func requestRouteRefresh(_ family: LabFamily) async throws {
        try await birdc(["reload", "in", "speaker"])
    }

    // MARK: - Lifetime

    func restart() async throws {
        await daemon.stop()
        try await startDaemon()
    }

    /// `birdc graceful restart`: BIRD closes its sessions without a NOTIFICATION, so that the peer keeps its
    /// routes per RFC 4724, and exits.
    func gracefulShutdown() async throws {
        _ = try? await birdc(["graceful", "restart"])
        if await daemon.waitForExit(timeout: .seconds(5)) == nil { await daemon.kill() }
    }

    func startAgain(restarting: Bool) async throws {
        try writeConfiguration()
        try await startDaemon(recovering: restarting)
    }

    func forget(_ route: LabRoute) {
        state.withLock { $0.routes.removeAll { $0.family == route.family && $0.key == route.key } }
    }

    func stop() async { await daemon.stop() }
    func crash() async { await daemon.kill() }
    func freeze() { daemon.pause() }
    func thaw() { daemon.resume() }

    func logTail() -> String {
        ["-- bird.log --", tail(of: "\(directory)/bird.log", lines: 20), "-- output --", daemon.logTail(10)]
            .joined(separator: "\n")
    }
}

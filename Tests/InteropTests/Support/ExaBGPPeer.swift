import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A path attribute given as bytes (ExaBGP sends it unchanged: `attribute [ 0xCODE 0xFLAGS 0xVALUE ]`).
struct RawAttribute: Hashable, Sendable {
    var code: UInt8
    var flags: UInt8
    var value: [UInt8]

    var exabgp: String {
        let hex = value.map { String(format: "%02x", $0) }.joined()
        return String(format: "attribute [ 0x%02x 0x%02x 0x%@ ]", code, flags, hex.isEmpty ? "" : hex)
    }
}

/// ExaBGP 4.2 in a namespace. Commands go through a FIFO to its API process (a small shell bridge), which appends
/// everything ExaBGP reports (JSON: state changes, received UPDATE/OPEN/NOTIFICATION/ROUTE-REFRESH; and the
/// `done`/`error` acknowledgements) to `api.log`, which `routes`, `notifications` and `states` read.
final class ExaBGPPeer: PeerDriver {
    let kind = PeerKind.exabgp
    let netns: Netns
    let directory: String
    private let daemon: Daemon
    private let current = Mutex<PeerConfig?>(nil)
    /// Commands are sent one at a time (ExaBGP may acknowledge them out of order).
    private let commandLock = Mutex<Bool>(false)
    /// Lines of `api.log` written before the current run of ExaBGP.
    private let runStart = Mutex(0)
    /// Which run of ExaBGP this is. Each run gets its own FIFO: a reader left over from the previous run's bridge
    /// (its background `cat`) would otherwise still hold the old FIFO open and swallow our commands.
    private let run = Mutex(0)

    var config: PeerConfig { current.withLock { $0! } }
    var apiLog: String { "\(directory)/api.log" }
    private var fifo: String { "\(directory)/cmd-\(run.withLock { $0 }).fifo" }

    init(lab: Lab, netns: Netns, name: String = "exabgp") throws {
        self.netns = netns
        directory = try lab.subdirectory(name)
        daemon = lab.daemon(name, in: netns, ["exabgp"])
    }

    func start(_ config: PeerConfig) async throws {
        current.withLock { $0 = config }
        let bridge = """
            #!/bin/sh
            # ExaBGP API bridge: FIFO lines to ExaBGP, ExaBGP output to the log. The FIFO of this run is named in
            # fifo-path, written before each start.
            echo bridge-started >>"\(apiLog)"
            exec 3<>"$(cat "\(directory)/fifo-path")"
            cat <&3 &
            reader=$!
            cat >>"\(apiLog)"
            kill $reader

            """
        try bridge.write(toFile: "\(directory)/bridge.sh", atomically: true, encoding: .utf8)
        chmod("\(directory)/bridge.sh", 0o755)
        try Self.configuration(config, bridge: "\(directory)/bridge.sh").write(
            toFile: "\(directory)/exabgp.conf", atomically: true, encoding: .utf8)
        try await startDaemon()
    }

    /// Starts ExaBGP and waits until its API process (the bridge) runs. ExaBGP 4.2 sometimes never starts its
    /// API process when a peer connects while it starts ("problem with function 'api'" every second, forever):
    /// then it is started again (at most 3 times).
    private func startDaemon() async throws {
        let config = config
        for attempt in 1...3 {
            run.withLock { $0 += 1 }
            if mkfifo(fifo, 0o600) != 0 {
                throw LabError.command("mkfifo \(fifo): \(String(cString: strerror(errno)))")
            }
            try fifo.write(toFile: "\(directory)/fifo-path", atomically: true, encoding: .utf8)
            let lines = logLines()
            runStart.withLock { $0 = lines.count }
            let bridges = lines.filter { $0 == "bridge-started" }.count
            try daemon.start(argv: [
                "env", "exabgp.daemon.user=root", "exabgp.daemon.daemonize=false", "exabgp.api.cli=false",
                "exabgp.log.destination=\(directory)/exabgp.log", "exabgp.tcp.bind=\(config.localAddress)",
                "exabgp.tcp.port=179", "exabgp", "\(directory)/exabgp.conf",
            ])
            do {
                _ = try await poll(
                    "exabgp API process in \(netns)", timeout: .seconds(10), interval: .milliseconds(50),
                    context: logTail
                ) {
                    guard daemon.isRunning else { throw LabError.command("exabgp exited: \(daemon.termination!)") }
                    return logLines().filter { $0 == "bridge-started" }.count > bridges ? true : nil
                }
                return
            } catch  where attempt < 3 {
                await daemon.stop()
            }
        }
    }

    static func configuration(_ config: PeerConfig, bridge: String) -> String {
        let families = config.families.sorted(by: { $0.rawValue < $1.rawValue }).compactMap { family -> String? in
            switch family {
            case .ipv4: "ipv4 unicast;"
            case .vpnv4: "ipv4 mpls-vpn;"
            case .evpn: "l2vpn evpn;"
            case .flowspec: "ipv4 flow;"
            case .vpnFlowspec: "ipv4 flow-vpn;"
            case .rtc: nil  // ExaBGP 4.2 rejects "ipv4 rtc"
            }
        }
        var capabilities = ["route-refresh enable;"]
        if let restartTime = config.gracefulRestart { capabilities.append("graceful-restart \(restartTime);") }
        if !config.fourOctetCapability { capabilities.append("asn4 disable;") }
        var neighbor = [
            "router-id \(config.effectiveRouterID);",
            "local-address \(config.localAddress);",
            "local-as \(config.localAS);",
            "peer-as \(config.peerAS);",
            "hold-time \(config.holdTime);",
            "connect \(config.peerPort);",
            "passive \(config.passive);",
        ]
        if let md5 = config.md5 { neighbor.append("md5-password \"\(md5)\";") }
        return """
            process api {
                run \(bridge);
                encoder json;
            }
            neighbor \(config.peerAddress) {
                \(neighbor.joined(separator: "\n    "))
                capability { \(capabilities.joined(separator: " ")) }
                family { \(families.joined(separator: " ")) }
                api {
                    processes [ api ];
                    neighbor-changes;
                    receive { parsed; update; open; notification; refresh; }
                }
            }

            """
    }

    // MARK: - API

    /// Sends one API command and waits for ExaBGP's acknowledgement; throws if it answers `error` (or nothing).
    func send(_ command: String, timeout: Duration = .seconds(10)) async throws {
        // One command in flight at a time: wait for our turn without blocking a thread.
        _ = try await poll("exabgp command slot", timeout: timeout, interval: .milliseconds(5)) {
            commandLock.withLock { busy -> Bool? in
                if busy { return nil }
                busy = true
                return true
            }
        }
        defer { commandLock.withLock { $0 = false } }
        let before = acknowledgements().count
        let line = Array((command + "\n").utf8)
        // ENXIO until the API bridge has opened the FIFO (just after ExaBGP starts).
        let fd = try await poll("exabgp API bridge has the FIFO open", timeout: timeout, interval: .milliseconds(20)) {
            () -> Int32? in
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { return fd }
            if errno == ENXIO { return nil }
            throw LabError.command("open \(fifo): \(String(cString: strerror(errno)))")
        }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == line.count else { throw LabError.command("write to \(fifo) failed") }
        let answer = try await poll(
            "exabgp acknowledgement of `\(command)`", timeout: timeout, interval: .milliseconds(20), context: logTail
        ) {
            let acks = acknowledgements()
            return acks.count > before ? Optional(acks[before]) : nil
        }
        if answer != "done" {
            throw LabError.command(
                "exabgp answered `\(answer)` to `\(command)`\n\(tail(of: "\(directory)/exabgp.log", lines: 5))")
        }
    }

    private func acknowledgements() -> [String] {
        logLines().filter { $0 == "done" || $0 == "error" }
    }

    private func logLines() -> [String] {
        guard let text = try? String(contentsOfFile: apiLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// The lines of `api.log` of the current run.
    private func currentLines() -> [String] {
        let start = runStart.withLock { $0 }
        return Array(logLines().dropFirst(start))
    }

    /// The JSON messages ExaBGP reported in its current run, in order.
    func messages() -> [[String: Any]] {
        currentLines().filter { $0.hasPrefix("{") }.compactMap { try? JSON.parse($0) as? [String: Any] }
    }

    // MARK: - Session

    /// The session state changes ExaBGP reported ("connected", "up", "down"), with the reason for "down".
    func states() -> [String] {
        messages().filter { $0.string("type") == "state" }.compactMap { message in
            guard let neighbor = message.object("neighbor"), let state = neighbor.string("state") else { return nil }
            if let reason = neighbor.string("reason") { return "\(state): \(reason)" }
            return state
        }
    }

    func sessionState() async throws -> String { states().last ?? "idle" }

    func isEstablished() async throws -> Bool { states().last == "up" }

    /// NOTIFICATIONs received from the peer in this run, (code, subcode), from ExaBGP's reasons for the session
    /// going down ("notification received (3,2)").
    func notifications() -> [(code: Int, subcode: Int)] {
        states().compactMap { state in
            guard let range = state.range(of: "notification received (") else { return nil }
            let numbers = state[range.upperBound...].prefix { $0 != ")" }.split(separator: ",").compactMap { Int($0) }
            return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
        }
    }

    /// Counted in the text: ExaBGP 4.2 writes its route-refresh JSON with doubled quotes (`"afi": ""ipv4""`).
    func routeRefreshesReceived() async throws -> Int? {
        currentLines().filter { $0.contains("\"type\": \"refresh\"") }.count
    }

    /// How many times the session came up.
    var establishedCount: Int { states().filter { $0 == "up" }.count }

    // MARK: - Routes

    func routes(_ family: LabFamily) async throws -> [LabRoute] {
        let name = Self.familyName(family)
        var table: [String: LabRoute] = [:]
        for message in messages() {
            let neighbor = message.object("neighbor")
            if message.string("type") == "state", neighbor?.string("state") == "down" {
                table = [:]
                continue
            }
            guard message.string("type") == "update",
                let update = neighbor?.object("message")?.object("update")
            else { continue }
            let attributes = update.object("attribute") ?? [:]
            for (nextHop, nlris) in update.object("announce")?.object(name) ?? [:] {
                for nlri in (nlris as? [Any] ?? []).compactMap({ $0 as? [String: Any] }) {
                    guard var route = Self.route(nlri, family: family) else { continue }
                    route.nextHop = nextHop == "no-nexthop" ? nil : nextHop
                    Self.fill(&route, attributes)
                    table[route.key] = route
                }
            }
            for nlri in (update.object("withdraw")?.array(name) ?? []).compactMap({ $0 as? [String: Any] }) {
                if let route = Self.route(nlri, family: family) { table[route.key] = nil }
            }
        }
        return Array(table.values)
    }

    static func familyName(_ family: LabFamily) -> String {
        switch family {
        case .ipv4: "ipv4 unicast"
        case .vpnv4: "ipv4 mpls-vpn"
        case .evpn: "l2vpn evpn"
        case .flowspec: "ipv4 flow"
        case .vpnFlowspec: "ipv4 flow-vpn"
        case .rtc: "ipv4 rtc"
        }
    }

    /// ExaBGP's labels are `[[label, raw]...]` (EVPN) or `[[label]...]`: VPN-IPv4 uses the MPLS label, EVPN the
    /// raw 24-bit field (the VNI for VXLAN, as GoBGP shows it).
    private static func label(_ value: Any?, raw: Bool) -> UInt32? {
        guard let first = (value as? [Any])?.first as? [Any] else { return nil }
        return ((raw ? first.last : first.first) as? NSNumber)?.uint32Value
    }

    static func route(_ nlri: [String: Any], family: LabFamily) -> LabRoute? {
        switch family {
        case .ipv4:
            return nlri.string("nlri").map { LabRoute.ipv4($0) }
        case .vpnv4:
            guard let prefix = nlri.string("nlri"), let rd = nlri.string("rd") else { return nil }
            return .vpnv4(rd: rd, prefix: prefix, label: label(nlri["label"], raw: false))
        case .evpn:
            guard let rd = nlri.string("rd") else { return nil }
            let tag = UInt32(nlri.int("ethernet-tag") ?? 0)
            switch nlri.int("code") {
            case 2:
                return .evpnMAC(
                    rd: rd, mac: nlri.string("mac") ?? "?", ip: nlri.string("ip"), ethernetTag: tag,
                    label: label(nlri["label"], raw: true))
            case 3:
                return .evpnMulticast(rd: rd, originator: nlri.string("ip") ?? "?", ethernetTag: tag)
            case 5:
                return .evpnPrefix(
                    rd: rd, prefix: "\(nlri.string("ip") ?? "?")/\(nlri.int("iplen") ?? 0)",
                    gateway: nlri.string("gateway") ?? "0.0.0.0", ethernetTag: tag,
                    label: label(nlri["label"], raw: true))
            default:
                return LabRoute(family: .evpn, key: "\(nlri.int("code") ?? -1) \(rd) ?")
            }
        case .flowspec, .vpnFlowspec:
            let destination = (nlri.array("destination-ipv4")?.first as? String)
            let source = (nlri.array("source-ipv4")?.first as? String)
            let key = LabRoute.flowKey(destination: destination, source: source)
            if family == .vpnFlowspec { return LabRoute(family: family, key: "\(nlri.string("rd") ?? "?") \(key)") }
            return LabRoute(family: family, key: key)
        case .rtc:
            return nil
        }
    }

    private static func fill(_ route: inout LabRoute, _ attributes: [String: Any]) {
        route.asPath = (attributes.array("as-path") ?? []).map { "\($0)" }.joined(separator: " ")
        var targets: Set<String> = []
        for community in attributes.objects("extended-community") {
            let text = community.string("string") ?? ""
            if text.hasPrefix("target:") { targets.insert(String(text.dropFirst("target:".count))) }
            // ExaBGP 4.2 prints the router's MAC (type 0x06, subtype 0x03) with an empty string: decode the value.
            if let value = (community["value"] as? NSNumber)?.uint64Value, value >> 48 == 0x0603 {
                route.routerMAC = (0..<6).map { String(format: "%02x", (value >> (40 - 8 * UInt64($0))) & 0xff) }
                    .joined(separator: ":")
            }
        }
        route.routeTargets = targets
        if let pmsi = attributes.string("pmsi") {
            // "pmsi:ingressreplication:<flags>:<label>(<raw>):<endpoint>"
            let parts = pmsi.split(separator: ":")
            if parts.count >= 5 {
                let raw = parts[3].split(separator: "(").last?.dropLast() ?? ""
                route.pmsi = "\(raw) \(parts[4])"
            }
        }
    }

    // MARK: - Announcing

    func announce(_ route: LabRoute) async throws { try await send("announce " + (try command(route))) }

    func withdraw(_ route: LabRoute) async throws { try await send("withdraw " + (try command(route))) }

    /// The part of an API command after `announce`/`withdraw`.
    func command(_ route: LabRoute) throws -> String {
        let fields = route.keyFields
        let targets = targetList(route.routeTargets).map { "target:\($0)" }
        let communities = targets.isEmpty ? "" : " extended-community [ \(targets.joined(separator: " ")) ]"
        let nextHop = route.nextHop ?? config.localAddress
        // ExaBGP sends the AS_PATH it is given as is (its own AS first on eBGP), or just its own AS when none is.
        let path = route.asPath.map { $0.isEmpty ? "" : " as-path [ \($0) ]" } ?? ""
        switch route.family {
        case .ipv4:
            return "route \(route.key) next-hop \(nextHop)"
        case .vpnv4:
            return
                "route \(fields[1]) next-hop \(nextHop) rd \(fields[0]) label \(route.label ?? 0)\(path)\(communities)"
        case .flowspec, .vpnFlowspec:
            let match = route.family == .vpnFlowspec ? Array(fields.dropFirst()) : fields
            var clauses: [String] = []
            var index = 0
            while index + 1 < match.count {
                clauses.append("\(match[index] == "dst" ? "destination" : "source") \(match[index + 1]);")
                index += 2
            }
            let rd = route.family == .vpnFlowspec ? "rd \(fields[0]); " : ""
            let then =
                "discard;" + (targets.isEmpty ? "" : " extended-community [ \(targets.joined(separator: " ")) ];")
            return "flow route { \(rd)match { \(clauses.joined(separator: " ")) } then { \(then) } }"
        case .evpn, .rtc:
            throw LabError.unsupported("ExaBGP 4.2 has no API for \(route.family): use announceRaw")
        }
    }

    /// Announces the IPv4 `prefix` with `attributes` added as raw bytes (any code, flags and content: the way to
    /// send EVPN through a hand-built MP_REACH_NLRI, or malformed attributes). `extra` is appended verbatim
    /// (e.g. "origin igp as-path [ 65001 ]").
    func announceRaw(
        prefix: String, nextHop: String? = nil, attributes: [RawAttribute], extra: String = ""
    )
        async throws
    {
        let raw = attributes.map(\.exabgp).joined(separator: " ")
        try await send("announce route \(prefix) next-hop \(nextHop ?? config.localAddress) \(extra) \(raw)")
    }

    func requestRouteRefresh(_ family: LabFamily) async throws {
        try await send("announce route-refresh \(Self.familyName(family))")
    }

    // MARK: - Lifetime

    func restart() async throws {
        await daemon.stop()
        try await startDaemon()
    }

    func startAgain(restarting: Bool) async throws { try await startDaemon() }

    func forget(_ route: LabRoute) {}

    func stop() async { await daemon.stop() }
    func crash() async { await daemon.kill() }
    func freeze() { daemon.pause() }
    func thaw() { daemon.resume() }

    func logTail() -> String {
        ["-- exabgp.log --", tail(of: "\(directory)/exabgp.log", lines: 20), "-- output --", daemon.logTail(10)]
            .joined(separator: "\n")
    }
}

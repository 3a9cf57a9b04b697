import Foundation

/// The four peer implementations.
enum PeerKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case gobgp = "GoBGP"
    case frr = "FRR"
    case bird = "BIRD"
    case exabgp = "ExaBGP"

    var description: String { rawValue }

    /// What each one can send and receive here (interop-lab.md §0).
    var families: Set<LabFamily> {
        switch self {
        case .gobgp: [.ipv4, .vpnv4, .evpn, .rtc, .flowspec, .vpnFlowspec]
        case .frr: [.ipv4, .vpnv4, .evpn]
        case .bird: [.ipv4, .vpnv4]
        case .exabgp: [.ipv4, .vpnv4, .evpn, .flowspec, .vpnFlowspec]
        }
    }
}

/// One BGP session of a lab daemon, from the daemon's side.
struct PeerConfig: Sendable {
    /// The daemon's AS.
    var localAS: UInt32
    /// The address the daemon's session uses (and its router ID unless `routerID` is set).
    var localAddress: String
    var routerID: String?
    /// Our speaker (or another daemon).
    var peerAddress: String
    var peerAS: UInt32
    var peerPort: Int = 179
    /// The daemon only accepts the connection; otherwise it also connects.
    var passive: Bool = false
    /// TCP MD5 (RFC 2385) password.
    var md5: String?
    var families: Set<LabFamily> = [.vpnv4]
    var holdTime: Int = 9
    var connectRetry: Int = 1
    /// Graceful restart (RFC 4724) with this restart time, in seconds.
    var gracefulRestart: Int?
    /// Advertise the 4-octet AS capability (BIRD and ExaBGP can leave it out; GoBGP and FRR always send it).
    var fourOctetCapability: Bool = true
    /// GoBGP and FRR only: the daemon is a route reflector (RFC 4456) instead of having one configured neighbor.
    /// It accepts a session from any address of the range in its own AS (dynamic neighbors: it never connects)
    /// and makes every such peer a client. `peerAddress` then names the client that `routes`, `isEstablished` and
    /// the other per-session calls look at.
    var reflector: ReflectorSettings?

    var isEBGP: Bool { localAS != peerAS }
    var effectiveRouterID: String { routerID ?? localAddress }
}

/// A daemon as route reflector: where its clients come from, and its CLUSTER_ID.
struct ReflectorSettings: Sendable {
    /// The prefix the clients' addresses are in, e.g. "10.100.0.0/16".
    var listenRange: String
    /// Dotted quad.
    var clusterID: String
}

/// A daemon driven by a test: configuration, start/stop, and routes in and out.
protocol PeerDriver: AnyObject, Sendable {
    var kind: PeerKind { get }
    var netns: Netns { get }
    /// The current configuration (set by `start`).
    var config: PeerConfig { get }

    /// Writes the configuration and starts the daemon (it then connects or waits, per `config.passive`).
    func start(_ config: PeerConfig) async throws
    /// Whether the session with `config.peerAddress` is Established, per the daemon.
    func isEstablished() async throws -> Bool
    /// The session state as the daemon names it (for messages).
    func sessionState() async throws -> String
    /// The routes the daemon received from `config.peerAddress`.
    func routes(_ family: LabFamily) async throws -> [LabRoute]
    func announce(_ route: LabRoute) async throws
    func withdraw(_ route: LabRoute) async throws
    /// How many ROUTE-REFRESH messages the daemon received in its current run (nil: the daemon does not say).
    func routeRefreshesReceived() async throws -> Int?
    /// Makes the daemon send a ROUTE-REFRESH for `family` to its peer.
    func requestRouteRefresh(_ family: LabFamily) async throws
    /// Stops the daemon (SIGTERM: it sends a Cease NOTIFICATION), then starts it again with the same
    /// configuration. Routes announced through `announce` are lost (they are not in its configuration), except
    /// for BIRD and FRR VPN-IPv4/type-5 routes, which live in the configuration.
    func restart() async throws
    /// Starts the daemon again after `crash` or `stop`, with the same configuration; `restarting` marks it a
    /// restarting speaker where the daemon has a switch for that (gobgpd `-r`, bird `-R`).
    func startAgain(restarting: Bool) async throws
    /// Drops `route` from what the daemon announces on its next start, without withdrawing it now (for a
    /// graceful restart where the restarted peer no longer has the route). Only BIRD and FRR keep routes across
    /// a restart; for the others this does nothing.
    func forget(_ route: LabRoute)
    /// Stops the daemon (SIGTERM, then SIGKILL).
    func stop() async
    /// SIGKILL: no NOTIFICATION, the TCP connection is reset by the kernel.
    func crash() async
    /// SIGSTOP / SIGCONT: the daemon stops answering (its TCP connection stays open).
    func freeze()
    func thaw()
    /// The daemons' recent log lines, for failure messages.
    func logTail() -> String
}

extension PeerDriver {
    /// Starts the daemon with the usual settings: `as` is the daemon's AS, `address` its side of the link.
    func start(
        as localAS: UInt32, address: String, peerAddress: String, peerAS: UInt32, passive: Bool = false,
        md5: String? = nil, families: Set<LabFamily>, holdTime: Int = 9, gracefulRestart: Int? = nil,
        peerPort: Int = 179
    ) async throws {
        try await start(
            PeerConfig(
                localAS: localAS, localAddress: address, peerAddress: peerAddress, peerAS: peerAS, peerPort: peerPort,
                passive: passive, md5: md5, families: families, holdTime: holdTime, gracefulRestart: gracefulRestart))
    }

    /// Waits until the session is Established.
    func waitEstablished(timeout: Duration = .seconds(30)) async throws {
        var last = "unknown"
        _ = try await poll(
            "\(kind) in \(netns): session with \(config.peerAddress) not Established", timeout: timeout,
            interval: .milliseconds(200), context: { "last state: \(last)\n\(self.logTail())" }
        ) {
            if try await isEstablished() { return true }
            last = (try? await sessionState()) ?? "?"
            return nil
        }
    }

    /// Waits until the session is not Established.
    func waitNotEstablished(timeout: Duration = .seconds(30)) async throws {
        _ = try await poll(
            "\(kind) in \(netns): session with \(config.peerAddress) still Established", timeout: timeout,
            interval: .milliseconds(200), context: logTail
        ) { try await isEstablished() ? nil : true }
    }

    /// Waits until the routes of `family` satisfy `condition`; returns them.
    @discardableResult
    func waitForRoutes(
        _ family: LabFamily, timeout: Duration = .seconds(20), _ what: String = "the expected routes",
        where condition: ([LabRoute]) -> Bool
    ) async throws -> [LabRoute] {
        var last: [LabRoute] = []
        return try await poll(
            "\(kind) in \(netns): \(family) routes never became \(what)", timeout: timeout,
            interval: .milliseconds(200),
            context: { "last seen:\n" + last.sorted().map { "  \($0)" }.joined(separator: "\n") }
        ) {
            last = try await routes(family)
            return condition(last) ? last : nil
        }
    }

    /// Waits until `expected` (each compared with `LabRoute.matches`) are all present.
    @discardableResult
    func waitForRoutes(_ expected: [LabRoute], timeout: Duration = .seconds(20)) async throws -> [LabRoute] {
        var result: [LabRoute] = []
        for family in Set(expected.map(\.family)) {
            let wanted = expected.filter { $0.family == family }
            result += try await waitForRoutes(
                family, timeout: timeout, "to include " + wanted.map(\.description).joined(separator: "; ")
            ) { routes in wanted.allSatisfy { routes.containsMatch($0) } }
        }
        return result
    }

    /// Waits until no route matches any of `gone`.
    func waitForWithdrawal(_ gone: [LabRoute], timeout: Duration = .seconds(20)) async throws {
        for family in Set(gone.map(\.family)) {
            let unwanted = gone.filter { $0.family == family }
            try await waitForRoutes(
                family, timeout: timeout, "free of " + unwanted.map(\.description).joined(separator: "; ")
            ) { routes in !unwanted.contains { routes.containsMatch($0) } }
        }
    }
}

/// Route-target text "asn:n" to the `target:asn:n` form some CLIs want.
func targetList(_ routeTargets: Set<String>?) -> [String] { (routeTargets ?? []).sorted() }

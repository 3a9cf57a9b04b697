/// Counts for `summary` that only the BGP manager and the VPN manager know.
public struct LookingGlassCounts: Hashable, Sendable {
    public var establishedPeers: Int
    public var localRoutes: Int
    public var receivedRoutes: Int
    public var vpnInstances: Int

    public init(establishedPeers: Int = 0, localRoutes: Int = 0, receivedRoutes: Int = 0, vpnInstances: Int = 0) {
        self.establishedPeers = establishedPeers
        self.localRoutes = localRoutes
        self.receivedRoutes = receivedRoutes
        self.vpnInstances = vpnInstances
    }
}

/// `/looking-glass` itself (§6.5): `summary` (inlined), `config`, `logs`, and the `bgp` and `vpns` subtrees
/// handed to the nodes the BGP and VPN managers provide.
public struct LookingGlassRoot: LookingGlassNode {
    let counts: @Sendable () async throws -> LookingGlassCounts
    let config: @Sendable () async throws -> JSONObject
    let logs: LookingGlassLogRing
    let bgp: any LookingGlassNode
    let vpns: any LookingGlassNode
    let startTime: String
    let version: String

    /// - Parameters:
    ///   - startTime: `YYYY-MM-DD HH:MM:SS` local time (see ``formatLocalTime(_:milliseconds:)``).
    ///   - config: the configuration by section (`COMMON`, `API`, `BGP`, `DATAPLANE_DRIVER_IPVPN`, ...).
    public init(
        startTime: String, version: String, logs: LookingGlassLogRing, bgp: any LookingGlassNode,
        vpns: any LookingGlassNode, counts: @escaping @Sendable () async throws -> LookingGlassCounts,
        config: @escaping @Sendable () async throws -> JSONObject
    ) {
        self.startTime = startTime
        self.version = version
        self.logs = logs
        self.bgp = bgp
        self.vpns = vpns
        self.counts = counts
        self.config = config
    }

    public func entries() async throws -> [LookingGlassEntry] {
        let counts = self.counts
        let logs = self.logs
        let (startTime, version) = (self.startTime, self.version)
        let config = self.config
        return [
            .subitem("summary") {
                let c = try await counts()
                return [
                    "BGP_established_peers": .int(Int64(c.establishedPeers)),
                    "route_counts": [
                        "local_routes_count": .int(Int64(c.localRoutes)),
                        "received_routes_count": .int(Int64(c.receivedRoutes)),
                    ],
                    "vpn_instances_count": .int(Int64(c.vpnInstances)),
                    "warnings_and_errors": .int(Int64(logs.count)),
                    "start_time": .string(startTime),
                    "version": .string(version),
                ]
            },
            .subtree("config") { _ in .object(try await config()) },
            .delegate("bgp", bgp),
            .delegate("vpns", vpns),
            .subtree("logs") { _ in logs.json() },
        ]
    }
}

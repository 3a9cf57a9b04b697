public import BGPRouting

/// One best path of the Loc-RIB as the looking glass shows it: the route, where it came from, and why it won.
public struct BestPathEntry: Hashable, Sendable, CustomStringConvertible {
    /// The route with the attributes it was received or originated with.
    public var route: RouteEntry
    /// A peer, a local producer (``BGPSpeaker/apiSubscriber`` for ``BGPSpeaker/originate(_:)``), or the engine
    /// itself (RT membership routes).
    public var source: RouteSource
    /// The first step of the decision process that set it apart from the other paths (RFC 4271 §9.1.2.2,
    /// RFC 4456 §9); `onlyPath` when there was no other.
    public var reason: BestPathReason

    public init(route: RouteEntry, source: RouteSource, reason: BestPathReason) {
        self.route = route
        self.source = source
        self.reason = reason
    }

    /// `ipv4/mpls-vpn 64512:1:10.0.0.1/32 label 100 next-hop 192.0.2.1 from peer 192.0.2.1 (onlyPath)`.
    public var description: String { "\(route) from \(source) (\(reason.rawValue))" }
}

extension [BestPathEntry] {
    /// Sorted by family, then by the route's text, each text made once.
    func sortedForDisplay() -> [BestPathEntry] {
        map { ($0.route.family, $0.route.description, $0) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }
}

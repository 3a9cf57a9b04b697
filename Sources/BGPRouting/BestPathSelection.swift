public import BGPWire

/// The rule of the decision process that set the best path apart from the last competitor it beat, in the order
/// the rules apply (RFC 4271 §9.1.2.2, RFC 4456 §9). The looking glass shows it beside each best path.
public enum BestPathReason: String, Hashable, Sendable, CaseIterable, Codable {
    /// No other candidate.
    case onlyPath
    /// The others had unreachable next hops (RFC 4271 §9.1.2.1).
    case reachableNextHop
    /// Highest LOCAL_PREF (RFC 4271 §9.1.1, §5.1.5).
    case localPreference
    /// Routes of local VPN instances win over learned ones (a local policy step, as in most implementations).
    case localOrigin
    /// Shortest AS_PATH (§9.1.2.2 a).
    case asPathLength
    /// Lowest ORIGIN (§9.1.2.2 b).
    case origin
    /// Lowest MULTI_EXIT_DISC among routes from the same neighbouring AS (§9.1.2.2 c).
    case med
    /// Learned over eBGP rather than iBGP (§9.1.2.2 d).
    case externalOverInternal
    /// Lowest IGP cost to the next hop (§9.1.2.2 e).
    case igpCost
    /// Lowest BGP Identifier, the ORIGINATOR_ID where present (§9.1.2.2 f, RFC 4456 §9).
    case routerID
    /// Shortest CLUSTER_LIST (RFC 4456 §9).
    case clusterListLength
    /// Lowest peer address (§9.1.2.2 g).
    case peerAddress
    /// Paths from one peer that differ only by ADD-PATH identifier (or local routes of different instances):
    /// the lowest identifier, so the choice is stable.
    case pathIdentifier
}

/// One candidate of the decision process, reduced to the values the rules compare.
public struct PathCandidate: Hashable, Sendable {
    /// LOCAL_PREF, or the configured default where the route has none.
    public var localPreference: UInt32
    public var isLocal: Bool
    public var asPathLength: Int
    public var origin: PathAttribute.Origin
    /// MULTI_EXIT_DISC; a route without one counts as 0, the best (RFC 4271 §9.1.2.2 c).
    public var med: UInt32
    /// The neighbouring AS MEDs are compared within; nil for routes with an empty AS_PATH (the local AS).
    public var neighborAS: UInt32?
    public var isExternal: Bool
    /// Cost to the next hop; nil when unreachable.
    public var igpCost: UInt32?
    /// The ORIGINATOR_ID if present, else the BGP Identifier of the peer (local routes: ours).
    public var routerID: IPv4Address
    public var clusterListLength: Int
    /// The peer's address; local routes have none and sort first.
    public var peerAddress: IPAddress?
    /// Last resort: the ADD-PATH identifier, then the engine's source order.
    public var tieBreaker: UInt64

    public init(
        localPreference: UInt32 = 100, isLocal: Bool = false, asPathLength: Int = 0,
        origin: PathAttribute.Origin = .igp, med: UInt32 = 0, neighborAS: UInt32? = nil, isExternal: Bool = false,
        igpCost: UInt32? = 0, routerID: IPv4Address = .zero, clusterListLength: Int = 0,
        peerAddress: IPAddress? = nil, tieBreaker: UInt64 = 0
    ) {
        self.localPreference = localPreference
        self.isLocal = isLocal
        self.asPathLength = asPathLength
        self.origin = origin
        self.med = med
        self.neighborAS = neighborAS
        self.isExternal = isExternal
        self.igpCost = igpCost
        self.routerID = routerID
        self.clusterListLength = clusterListLength
        self.peerAddress = peerAddress
        self.tieBreaker = tieBreaker
    }
}

/// The BGP decision process (RFC 4271 §9.1.2.2 with the route reflection rules of RFC 4456 §9) as elimination
/// rounds over the candidates, so that the MED rule compares only routes from the same neighbouring AS, which a
/// pairwise comparison cannot do consistently (MED is not transitive across ASes).
public enum BestPathSelection {
    /// The outcome over a list of candidates: indexes into it.
    public struct Decision: Hashable, Sendable {
        public var best: Int
        public var reason: BestPathReason
        /// Candidates still equal to the best after the IGP cost step, best first: the ECMP set.
        public var multipath: [Int]
    }

    /// The best candidate, the reason, and the multipath set; nil when no candidate has a reachable next hop.
    public static func select(_ candidates: [PathCandidate]) -> Decision? {
        if candidates.count == 1 {
            guard candidates[0].igpCost != nil else { return nil }
            return Decision(best: 0, reason: .onlyPath, multipath: [0])
        }
        var alive = Array(candidates.indices)
        var reason = BestPathReason.onlyPath
        var multipath: [Int] = []

        /// Keeps the candidates `keep` accepts; if that leaves one of several, `rule` decided.
        func round(_ rule: BestPathReason, _ keep: (Int) -> Bool) {
            guard alive.count > 1 else { return }
            alive = alive.filter(keep)
            if alive.count == 1 { reason = rule }
        }
        func keepExtreme<T: Comparable>(_ rule: BestPathReason, highest: Bool = false, _ value: (Int) -> T) {
            guard alive.count > 1 else { return }
            let values = alive.map(value)
            let target = highest ? values.max()! : values.min()!
            round(rule) { value($0) == target }
        }

        round(.reachableNextHop) { candidates[$0].igpCost != nil }
        if alive.isEmpty || (alive.count == 1 && candidates[alive[0]].igpCost == nil) { return nil }
        keepExtreme(.localPreference, highest: true) { candidates[$0].localPreference }
        keepExtreme(.localOrigin, highest: true) { candidates[$0].isLocal ? 1 : 0 }
        keepExtreme(.asPathLength) { candidates[$0].asPathLength }
        keepExtreme(.origin) { candidates[$0].origin.rawValue }
        // §9.1.2.2 c: a route is removed if another route from the same neighbouring AS has a lower MED.
        if alive.count > 1 {
            var lowest: [UInt32?: UInt32] = [:]
            for i in alive {
                let c = candidates[i]
                lowest[c.neighborAS] = min(lowest[c.neighborAS] ?? .max, c.med)
            }
            round(.med) { candidates[$0].med == lowest[candidates[$0].neighborAS] }
        }
        keepExtreme(.externalOverInternal, highest: true) { candidates[$0].isExternal ? 1 : 0 }
        keepExtreme(.igpCost) { candidates[$0].igpCost ?? .max }
        multipath = alive
        keepExtreme(.routerID) { candidates[$0].routerID }
        keepExtreme(.clusterListLength) { candidates[$0].clusterListLength }
        keepExtreme(.peerAddress) { AddressOrder(candidates[$0].peerAddress) }
        keepExtreme(.pathIdentifier) { candidates[$0].tieBreaker }
        let best = alive[0]
        multipath.removeAll { $0 == best }
        multipath.insert(best, at: 0)
        return Decision(best: best, reason: reason, multipath: multipath)
    }
}

/// Orders peer addresses for the last tie-breaker: no address (a local route) first, then IPv4, then IPv6, each
/// numerically.
struct AddressOrder: Comparable {
    var rank: UInt8
    var high: UInt64
    var low: UInt64

    init(_ address: IPAddress?) {
        switch address {
        case nil: (rank, high, low) = (0, 0, 0)
        case .v4(let a): (rank, high, low) = (1, 0, UInt64(a.value))
        case .v6(let a): (rank, high, low) = (2, a.high, a.low)
        }
    }

    static func < (a: Self, b: Self) -> Bool { (a.rank, a.high, a.low) < (b.rank, b.high, b.low) }
}

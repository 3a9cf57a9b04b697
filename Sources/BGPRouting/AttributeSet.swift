public import BGPWire

/// The path attributes of a route, with its next hop, in one shared immutable value (RFC 4271 §5).
///
/// Routes that share attributes share one ``AttributeSet``: the value is a reference to a class instance, so copies
/// cost a reference count, and an ``AttributeTable`` interns equal sets to one instance. The set holds neither
/// MP_REACH_NLRI nor MP_UNREACH_NLRI (they carry routes, not attributes) nor NEXT_HOP, which is folded into
/// ``nextHop`` whatever the family, so a route of any family keeps its next hop in the same place.
///
/// Attributes are kept sorted by type code (the order RFC 4271 §5 asks senders to use), so two sets that differ only
/// in the order they arrived in are equal and share storage.
public struct AttributeSet: Hashable, Sendable, CustomStringConvertible {
    final class Storage: Sendable {
        let nextHop: NextHop?
        let attributes: [PathAttribute]
        let summary: AttributeSummary
        let hash: Int

        init(nextHop: NextHop?, attributes: [PathAttribute]) {
            self.nextHop = nextHop
            self.attributes = attributes
            summary = AttributeSummary(attributes)
            var h = Hasher()
            h.combine(nextHop)
            h.combine(attributes)
            hash = h.finalize()
        }
    }

    let storage: Storage

    /// A set of `attributes` with `nextHop`. MP_REACH_NLRI, MP_UNREACH_NLRI and NEXT_HOP are dropped from the list;
    /// the others are sorted by type code, keeping the order of repeated codes.
    public init(nextHop: NextHop?, attributes: [PathAttribute]) {
        var kept = attributes.filter { !Self.isRouteCarrier($0.typeCode) }
        if !Self.isSorted(kept) {
            kept = kept.enumerated().sorted { ($0.element.typeCode, $0.offset) < ($1.element.typeCode, $1.offset) }
                .map(\.element)
        }
        storage = Storage(nextHop: nextHop, attributes: kept)
    }

    /// MP_REACH_NLRI, MP_UNREACH_NLRI and NEXT_HOP are per-family carriers, not attributes of a route here.
    static func isRouteCarrier(_ code: UInt8) -> Bool {
        code == PathAttribute.TypeCode.mpReachNLRI || code == PathAttribute.TypeCode.mpUnreachNLRI
            || code == PathAttribute.TypeCode.nextHop
    }

    private static func isSorted(_ list: [PathAttribute]) -> Bool {
        var last: UInt8 = 0
        for a in list {
            if a.typeCode < last { return false }
            last = a.typeCode
        }
        return true
    }

    /// The next hop: MP_REACH_NLRI's, or NEXT_HOP's as `.ipv4` for IPv4 unicast; nil when the route has none.
    public var nextHop: NextHop? { storage.nextHop }
    /// The attributes, sorted by type code, without MP_REACH_NLRI, MP_UNREACH_NLRI and NEXT_HOP.
    public var attributes: [PathAttribute] { storage.attributes }
    var summary: AttributeSummary { storage.summary }

    public func attribute(_ typeCode: UInt8) -> PathAttribute? { attributes.first { $0.typeCode == typeCode } }

    /// LOCAL_PREF (RFC 4271 §5.1.5), if present.
    public var localPreference: UInt32? { summary.localPreference }
    /// MULTI_EXIT_DISC (RFC 4271 §5.1.4), if present.
    public var multiExitDiscriminator: UInt32? { summary.med }
    /// ORIGINATOR_ID (RFC 4456 §8), if present.
    public var originatorID: IPv4Address? { summary.originatorID }
    /// CLUSTER_LIST (RFC 4456 §8); empty when absent.
    public var clusterList: [IPv4Address] { summary.clusterList }

    /// The route targets among the extended communities (RFC 4360 §4, RFC 5668), sorted and without duplicates.
    public var routeTargets: [RouteTarget] {
        summary.routeTargets.compactMap {
            if case .routeTarget(let rt) = ExtendedCommunity(rawValue: $0).typed { return rt }
            return nil
        }
    }

    /// The same attributes with another list: used by the outbound transforms.
    func replacing(nextHop: NextHop?, attributes: [PathAttribute]) -> AttributeSet {
        AttributeSet(nextHop: nextHop, attributes: attributes)
    }

    public static func == (a: Self, b: Self) -> Bool {
        if a.storage === b.storage { return true }
        return a.storage.hash == b.storage.hash && a.storage.nextHop == b.storage.nextHop
            && a.storage.attributes == b.storage.attributes
    }

    public func hash(into h: inout Hasher) { h.combine(storage.hash) }

    /// `next-hop 192.0.2.1 ORIGIN=IGP LOCAL_PREF=100 ...`, for logs and the looking glass.
    public var description: String {
        var parts: [String] = []
        if let nextHop { parts.append("next-hop \(nextHop)") }
        for a in attributes { parts.append(PathAttribute.TypeCode.name(a.typeCode)) }
        return parts.joined(separator: " ")
    }
}

/// What the decision process, the route reflector and route-target dispatch read from a set, decoded once when
/// the set is made rather than once per route.
struct AttributeSummary: Sendable {
    var localPreference: UInt32?
    var med: UInt32?
    /// ORIGIN; a set without one counts as INCOMPLETE, the least preferred (RFC 4271 §9.1.2.2 b).
    var origin: UInt8 = PathAttribute.Origin.incomplete.rawValue
    var asPathLength = 0
    /// The AS the route was received from: the first AS of the first AS_SEQUENCE (RFC 4271 §9.1.2.2 c).
    var neighborAS: UInt32?
    var originatorID: IPv4Address?
    var clusterList: [IPv4Address] = []
    /// Raw route target extended communities (type 0x00, 0x01 or 0x02, sub-type 0x02), sorted, unique: the
    /// values RT Constraint prefixes match against (RFC 4684 §4).
    var routeTargets: [UInt64] = []
    /// RFC 1997 well-known communities.
    var noAdvertise = false
    var noExport = false
    var asPath: ASPath?

    init(_ attributes: [PathAttribute]) {
        for a in attributes {
            switch a.value {
            case .origin(let o): origin = o.rawValue
            case .asPath(let p):
                asPath = p
                asPathLength = p.length
                neighborAS = p.firstAS
            case .multiExitDisc(let v): med = v
            case .localPref(let v): localPreference = v
            case .originatorID(let id): originatorID = id
            case .clusterList(let l): clusterList = l
            case .communities(let l):
                noAdvertise = noAdvertise || l.contains(.noAdvertise)
                noExport = noExport || l.contains(.noExport) || l.contains(.noExportSubconfed)
            case .extendedCommunities(let l):
                for c in l where Self.isRouteTarget(c.rawValue) { routeTargets.append(c.rawValue) }
            default: break
            }
        }
        if routeTargets.count > 1 { routeTargets = Array(Set(routeTargets)).sorted() }
    }

    /// Type octet 0x00, 0x01 or 0x02 (transitive two-octet AS, IPv4, four-octet AS) with sub-type 0x02.
    static func isRouteTarget(_ raw: UInt64) -> Bool {
        raw >> 56 <= 0x02 && raw >> 48 & 0xFF == 0x02
    }

    func hasRouteTarget(_ raw: UInt64) -> Bool {
        for r in routeTargets where r == raw { return true }
        return false
    }

    /// Whether AS_PATH holds `asn` anywhere: an eBGP route with our own AS looped (RFC 4271 §9.1.2).
    func asPathContains(_ asn: UInt32) -> Bool {
        asPath?.segments.contains { $0.asns.contains(asn) } ?? false
    }
}

import BGPRouting
import BGPWire

/// Which routes of one peer are stale (RFC 4724 §4.2, RFC 7313 §4), for the looking glass.
///
/// The routing engine keeps and sweeps stale routes but does not say which are; the speaker follows the same
/// events to tell. A family is marked as a whole (the session went down under graceful restart, or the peer sent
/// a Beginning of RIB refresh); a route the peer announces again is fresh; a sweep, or an End-of-RIB (which makes
/// the engine sweep), ends the family's stale period. Only keys re-announced during a stale period are stored.
struct StaleRoutes {
    /// Families with a stale period running, and the keys announced again since it began.
    private var fresh: [AddressFamily: Set<RouteKey>] = [:]

    var families: Set<AddressFamily> { Set(fresh.keys) }

    /// Every route of `families` is stale from now on.
    mutating func mark(_ families: some Sequence<AddressFamily>) {
        for family in families { fresh[family] = [] }
    }

    /// The stale period of `families` is over: what was still stale is gone.
    mutating func sweep(_ families: some Sequence<AddressFamily>) {
        for family in families { fresh[family] = nil }
    }

    /// The session ended: the routes of `retained` are kept stale, the others are gone.
    mutating func sessionEnded(retaining retained: Set<AddressFamily>) {
        fresh = [:]
        mark(retained)
    }

    /// Routes the peer announced: no longer stale.
    mutating func received(_ update: UpdateMessage) {
        guard !fresh.isEmpty else { return }
        for (family, routes) in update.announcedRoutes where fresh[family] != nil {
            for route in routes { fresh[family]!.insert(route.key(family: family)) }
        }
    }

    func isStale(_ key: RouteKey) -> Bool {
        guard let renewed = fresh[key.family] else { return false }
        return !renewed.contains(key)
    }
}

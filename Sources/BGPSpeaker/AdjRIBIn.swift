import BGPWire

/// The routes one peer announced to us (RFC 4271 §3.2 Adj-RIB-In), unprocessed: per family, route key → the
/// latest announcement.
///
/// UPDATEs arrive here as the session delivers them: RFC 7606 treat-as-withdraw already turned into withdrawals,
/// AS_PATH in 4-octet form, and only families of the session. Stale marking and sweeping follow the session's
/// graceful restart (RFC 4724 §4.2) and enhanced route refresh (RFC 7313 §4) actions.
struct AdjRIBIn {
    struct Stored {
        var nlri: NLRIList
        var nextHop: NextHop?
        /// Shared by every route of the same UPDATE (copy on write).
        var attributes: [PathAttribute]
        var isStale = false
    }

    private(set) var tables: [AddressFamily: [NLRIKey: Stored]] = [:]

    /// Applies one UPDATE: withdrawals first, then announcements, so that a route both withdrawn and announced in
    /// the same message ends up announced (RFC 4271 §9 leaves that case to the implementation; the later field
    /// wins, as in most).
    mutating func apply(_ update: UpdateMessage) {
        if !update.withdrawnRoutes.isEmpty { remove(.ipv4(update.withdrawnRoutes), family: .ipv4Unicast) }
        if let unreach = update.mpUnreach { remove(unreach.withdrawnRoutes, family: unreach.family) }
        let attributes = update.pathAttributes.filter {
            $0.typeCode != PathAttribute.TypeCode.mpReachNLRI && $0.typeCode != PathAttribute.TypeCode.mpUnreachNLRI
        }
        if !update.nlri.isEmpty {
            var nextHop: NextHop?
            if case .nextHop(let address) = update.attribute(PathAttribute.TypeCode.nextHop)?.value {
                nextHop = .ipv4(address)
            }
            add(.ipv4(update.nlri), family: .ipv4Unicast, nextHop: nextHop, attributes: attributes)
        }
        if let reach = update.mpReach {
            add(reach.nlri, family: reach.family, nextHop: reach.nextHop, attributes: attributes)
        }
    }

    private mutating func add(_ list: NLRIList, family: AddressFamily, nextHop: NextHop?, attributes: [PathAttribute]) {
        var table = tables[family, default: [:]]
        for (key, nlri) in list.keyedRoutes {
            table[key] = Stored(nlri: nlri, nextHop: nextHop, attributes: attributes)
        }
        tables[family] = table
    }

    private mutating func remove(_ list: NLRIList, family: AddressFamily) {
        guard var table = tables[family] else { return }
        for (key, _) in list.keyedRoutes { table[key] = nil }
        tables[family] = table.isEmpty ? nil : table
    }

    /// Forgets every route of `families`.
    mutating func removeAll(_ families: [AddressFamily]) {
        for family in families { tables[family] = nil }
    }

    /// Marks every route of `families` stale; an announcement received later replaces the stale route.
    mutating func markStale(_ families: [AddressFamily]) {
        for family in families {
            guard var table = tables[family] else { continue }
            for key in table.keys { table[key]?.isStale = true }
            tables[family] = table
        }
    }

    /// Deletes the routes of `families` that are still stale.
    mutating func sweepStale(_ families: [AddressFamily]) {
        for family in families {
            guard let table = tables[family] else { continue }
            let fresh = table.filter { !$0.value.isStale }
            tables[family] = fresh.isEmpty ? nil : fresh
        }
    }

    /// Routes per family.
    var counts: [AddressFamily: Int] { tables.mapValues(\.count) }

    var isEmpty: Bool { tables.isEmpty }

    /// The routes, sorted by family then by text, for stable output.
    func entries(family: AddressFamily? = nil) -> [RouteEntry] {
        var out: [RouteEntry] = []
        for (f, table) in tables where family == nil || family == f {
            for stored in table.values {
                out.append(
                    RouteEntry(
                        family: f, nlri: stored.nlri, nextHop: stored.nextHop, attributes: stored.attributes,
                        isStale: stored.isStale))
            }
        }
        return out.sorted { ($0.family, $0.description) < ($1.family, $1.description) }
    }
}

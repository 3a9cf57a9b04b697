import BGPWire

/// The routes this speaker originates (for now: what ``BGPSpeaker/originate(_:)`` was given), each as a one-route
/// UPDATE, so that every new session gets them as its initial table (RFC 4724 §2, before End-of-RIB) and a
/// route refresh can re-send a family (RFC 2918 §4).
struct OriginatedRoutes {
    private(set) var tables: [AddressFamily: [NLRIKey: UpdateMessage]] = [:]

    /// Adds (or replaces) every route `update` announces; withdrawals in it remove routes.
    mutating func apply(_ update: UpdateMessage) {
        if !update.withdrawnRoutes.isEmpty || update.mpUnreach != nil {
            var withdrawals = update
            withdrawals.nlri = []
            withdrawals.pathAttributes = update.pathAttributes.filter {
                $0.typeCode == PathAttribute.TypeCode.mpUnreachNLRI
            }
            remove(withdrawals)
        }
        for (family, key, single) in update.singleRouteAnnouncements { tables[family, default: [:]][key] = single }
    }

    /// Removes every route `update` names, announced or withdrawn.
    mutating func remove(_ update: UpdateMessage) {
        for (family, key) in update.routeKeys {
            tables[family]?[key] = nil
            if tables[family]?.isEmpty == true { tables[family] = nil }
        }
    }

    /// The one-route UPDATEs of `family`.
    func updates(family: AddressFamily) -> [UpdateMessage] { tables[family].map { Array($0.values) } ?? [] }

    var entries: [RouteEntry] {
        var rib = AdjRIBIn()
        for table in tables.values { for update in table.values { rib.apply(update) } }
        return rib.entries()
    }
}

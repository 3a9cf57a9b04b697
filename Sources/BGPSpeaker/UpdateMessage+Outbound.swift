import BGPRouting
import BGPWire

extension UpdateMessage {
    /// The families this UPDATE announces or withdraws routes of.
    var families: Set<AddressFamily> {
        var out: Set<AddressFamily> = []
        if !nlri.isEmpty || !withdrawnRoutes.isEmpty { out.insert(.ipv4Unicast) }
        if let m = mpReach { out.insert(m.family) }
        if let m = mpUnreach { out.insert(m.family) }
        return out
    }

    /// Whether the UPDATE announces anything.
    var announcesRoutes: Bool { !nlri.isEmpty || mpReach.map { !$0.nlri.isEmpty } == true }

    /// Whether the UPDATE announces or withdraws anything.
    var carriesRoutes: Bool {
        announcesRoutes || !withdrawnRoutes.isEmpty || mpUnreach.map { !$0.withdrawnRoutes.isEmpty } == true
    }

    /// The UPDATE without the routes of families outside `families`; nil when nothing is left to send. A session
    /// must not carry routes of a family it did not negotiate (RFC 4760 §7).
    func restricted(to families: Set<AddressFamily>) -> UpdateMessage? {
        var update = self
        if !families.contains(.ipv4Unicast) {
            update.nlri = []
            update.withdrawnRoutes = []
        }
        update.pathAttributes = pathAttributes.filter { attribute in
            switch attribute.value {
            case .mpReachNLRI(let m): families.contains(m.family)
            case .mpUnreachNLRI(let m): families.contains(m.family)
            default: true
            }
        }
        guard update.carriesRoutes else { return nil }
        if !update.announcesRoutes {
            // Only withdrawals are left: the attributes described announcements that are gone.
            update.pathAttributes = update.pathAttributes.filter {
                $0.typeCode == PathAttribute.TypeCode.mpUnreachNLRI
            }
        }
        return update
    }

    /// The routes the UPDATE announces, per family: IPv4 unicast from the NLRI field, the rest from MP_REACH_NLRI.
    /// A family this codec does not decode (raw NLRI) is left out.
    var announcedRoutes: [(family: AddressFamily, routes: [RouteNLRI])] {
        var out: [(AddressFamily, [RouteNLRI])] = []
        if !nlri.isEmpty { out.append((.ipv4Unicast, nlri.map(RouteNLRI.ipv4))) }
        if let reach = mpReach, let routes = RouteNLRI.routes(in: reach.nlri), !routes.isEmpty {
            out.append((reach.family, routes))
        }
        return out
    }

    /// The keys of the routes the UPDATE withdraws.
    var withdrawnKeys: [RouteKey] {
        var out = withdrawnRoutes.map { RouteNLRI.ipv4($0).key(family: .ipv4Unicast) }
        if let unreach = mpUnreach, let routes = RouteNLRI.routes(in: unreach.withdrawnRoutes) {
            out += routes.map { $0.key(family: unreach.family) }
        }
        return out
    }

    /// The keys of every route the UPDATE names, announced or withdrawn.
    var routeKeys: [RouteKey] {
        withdrawnKeys + announcedRoutes.flatMap { family, routes in routes.map { $0.key(family: family) } }
    }

    /// The path attributes that describe routes: without MP_REACH_NLRI, MP_UNREACH_NLRI and NEXT_HOP, which
    /// carry routes and their next hop.
    var routeAttributes: [PathAttribute] {
        pathAttributes.filter {
            $0.typeCode != PathAttribute.TypeCode.mpReachNLRI && $0.typeCode != PathAttribute.TypeCode.mpUnreachNLRI
                && $0.typeCode != PathAttribute.TypeCode.nextHop
        }
    }
}

extension NLRIList {
    /// A list of the one route.
    init(_ route: RouteNLRI) {
        switch route {
        case .ipv4(let n): self = .ipv4([n])
        case .ipv6(let n): self = .ipv6([n])
        case .labeledIPv4(let n): self = .labeledIPv4([n])
        case .labeledIPv6(let n): self = .labeledIPv6([n])
        case .vpnIPv4(let n): self = .vpnIPv4([n])
        case .vpnIPv6(let n): self = .vpnIPv6([n])
        case .evpn(let n): self = .evpn([n])
        case .rtc(let n): self = .rtc([n])
        case .flowspec(let n): self = .flowspec([n])
        }
    }
}

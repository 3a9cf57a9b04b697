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

    /// The UPDATE as we send it to a peer of `peerType` (RFC 4271 §5.1): ORIGIN IGP and an AS_PATH added when
    /// missing, our AS prepended for an external peer (§5.1.2), LOCAL_PREF 100 added for an internal peer and
    /// removed for an external one (§5.1.5), and NEXT_HOP set to `localAddress` for IPv4 unicast routes that have
    /// none (§5.1.3). Withdrawals need no attributes and are left alone.
    func preparedForPeer(external: Bool, localAS: UInt32, localAddress: IPv4Address) -> UpdateMessage {
        guard announcesRoutes else { return self }
        var attributes = pathAttributes
        func has(_ code: UInt8) -> Bool { attributes.contains { $0.typeCode == code } }
        if !has(PathAttribute.TypeCode.origin) { attributes.append(PathAttribute(.origin(.igp))) }
        if !has(PathAttribute.TypeCode.asPath) { attributes.append(PathAttribute(.asPath(ASPath()))) }
        if external {
            attributes = attributes.map { attribute in
                guard case .asPath(let path) = attribute.value else { return attribute }
                var copy = attribute
                copy.value = .asPath(path.prepending(localAS))
                return copy
            }
            attributes.removeAll { $0.typeCode == PathAttribute.TypeCode.localPref }
        } else if !has(PathAttribute.TypeCode.localPref) {
            attributes.append(PathAttribute(.localPref(100)))
        }
        if !nlri.isEmpty, !has(PathAttribute.TypeCode.nextHop) {
            attributes.append(PathAttribute(.nextHop(localAddress)))
        }
        var update = self
        // RFC 4271 §5: "The sender of an UPDATE message SHOULD order path attributes within the UPDATE message in
        // ascending order of attribute type." The sort is stable, so repeated types keep their order.
        update.pathAttributes = attributes.enumerated().sorted {
            ($0.element.typeCode, $0.offset) < ($1.element.typeCode, $1.offset)
        }.map(\.element)
        return update
    }

    /// One UPDATE per announced route, each with the attributes of this one (MP_REACH_NLRI cut down to the route).
    /// Withdrawals are not included.
    var singleRouteAnnouncements: [(family: AddressFamily, key: NLRIKey, update: UpdateMessage)] {
        let common = pathAttributes.filter {
            $0.typeCode != PathAttribute.TypeCode.mpReachNLRI && $0.typeCode != PathAttribute.TypeCode.mpUnreachNLRI
        }
        var out: [(AddressFamily, NLRIKey, UpdateMessage)] = []
        for (key, list) in NLRIList.ipv4(nlri).keyedRoutes {
            guard case .ipv4(let one) = list else { continue }
            out.append((.ipv4Unicast, key, UpdateMessage(pathAttributes: common, nlri: one)))
        }
        if let reach = mpReach {
            // The other attributes stay where they were; only MP_REACH_NLRI is cut down to one route.
            let attributes = pathAttributes.filter { $0.typeCode != PathAttribute.TypeCode.mpUnreachNLRI }
            for (key, list) in reach.nlri.keyedRoutes {
                var one = reach
                one.nlri = list
                let single = attributes.map { attribute in
                    guard case .mpReachNLRI = attribute.value else { return attribute }
                    return PathAttribute(flags: attribute.flags, value: .mpReachNLRI(one))
                }
                out.append((reach.family, key, UpdateMessage(pathAttributes: single)))
            }
        }
        return out
    }

    /// The keys of every route this UPDATE names, announced or withdrawn, by family.
    var routeKeys: [(family: AddressFamily, key: NLRIKey)] {
        var out: [(AddressFamily, NLRIKey)] = []
        for (key, _) in NLRIList.ipv4(withdrawnRoutes + nlri).keyedRoutes { out.append((.ipv4Unicast, key)) }
        if let m = mpReach { for (key, _) in m.nlri.keyedRoutes { out.append((m.family, key)) } }
        if let m = mpUnreach { for (key, _) in m.withdrawnRoutes.keyedRoutes { out.append((m.family, key)) } }
        return out
    }
}

extension ASPath {
    /// The path with `asn` in front (RFC 4271 §5.1.2): added to a leading AS_SEQUENCE that has room (255 ASNs per
    /// segment), else in a new one.
    func prepending(_ asn: UInt32) -> ASPath {
        var path = self
        if let first = path.segments.first, first.type == .sequence, first.asns.count < 255 {
            path.segments[0].asns.insert(asn, at: 0)
        } else {
            path.segments.insert(Segment(.sequence, [asn]), at: 0)
        }
        return path
    }
}

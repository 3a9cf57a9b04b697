import BGPWire

/// How a route's attributes change on the way to a peer (RFC 4271 §5.1, RFC 4456 §8).
///
/// A transform depends on the kind of target, not on the target itself, so the result is computed once per
/// (attribute set, transform) and shared by every peer of that kind.
enum OutboundTransform: Hashable, Sendable {
    /// To an internal peer, a route that is not reflected (learned over eBGP, or local): LOCAL_PREF is added
    /// where missing (RFC 4271 §5.1.5: sent to every internal peer).
    case `internal`
    /// Reflection between internal peers (RFC 4456 §8): ORIGINATOR_ID set to the originator when absent, our
    /// CLUSTER_ID prepended to CLUSTER_LIST; the next hop and everything else unchanged.
    case reflect(originator: IPv4Address)
    /// To an external peer: our AS prepended (§5.1.2); LOCAL_PREF (§5.1.5), ORIGINATOR_ID and CLUSTER_LIST
    /// (RFC 4456 §8, "non-transitive") removed; MULTI_EXIT_DISC removed unless the route is ours (§5.1.4: a MED
    /// received from a neighbouring AS is not propagated to others); the next hop replaced when one is given.
    case external(nextHop: IPAddress?, keepMED: Bool)

    func apply(to set: AttributeSet, _ configuration: EngineConfiguration) -> AttributeSet {
        var list = set.attributes
        var nextHop = set.nextHop
        func has(_ code: UInt8) -> Bool { list.contains { $0.typeCode == code } }
        switch self {
        case .internal:
            if !has(PathAttribute.TypeCode.localPref) {
                list.append(PathAttribute(.localPref(configuration.defaultLocalPreference)))
            }
        case .reflect(let originator):
            if !has(PathAttribute.TypeCode.localPref) {
                list.append(PathAttribute(.localPref(configuration.defaultLocalPreference)))
            }
            if !has(PathAttribute.TypeCode.originatorID) { list.append(PathAttribute(.originatorID(originator))) }
            let cluster = configuration.clusterID ?? configuration.routerID
            if let i = list.firstIndex(where: { $0.typeCode == PathAttribute.TypeCode.clusterList }),
                case .clusterList(let l) = list[i].value
            {
                list[i].value = .clusterList([cluster] + l)
            } else {
                list.append(PathAttribute(.clusterList([cluster])))
            }
        case .external(let address, let keepMED):
            list.removeAll {
                $0.typeCode == PathAttribute.TypeCode.localPref || $0.typeCode == PathAttribute.TypeCode.originatorID
                    || $0.typeCode == PathAttribute.TypeCode.clusterList
                    || (!keepMED && $0.typeCode == PathAttribute.TypeCode.multiExitDisc)
            }
            if let i = list.firstIndex(where: { $0.typeCode == PathAttribute.TypeCode.asPath }),
                case .asPath(let path) = list[i].value
            {
                list[i].value = .asPath(path.prepending(configuration.localAS))
            } else {
                list.append(PathAttribute(.asPath(ASPath(sequence: [configuration.localAS]))))
            }
            if let address, let current = nextHop { nextHop = current.replacingAddress(with: address) }
        }
        return AttributeSet(nextHop: nextHop, attributes: list)
    }
}

extension NextHop {
    /// The same kind of next hop (plain or RD-prefixed) for `address`; a family without next hop keeps none.
    func replacingAddress(with address: IPAddress) -> NextHop {
        switch (self, address) {
        case (.none, _), (.raw, _): self
        case (.vpnIPv4, .v4(let a)), (.vpnIPv6, .v4(let a)): .vpnIPv4(a)
        case (.vpnIPv4, .v6(let a)), (.vpnIPv6, .v6(let a)): .vpnIPv6(a, linkLocal: nil)
        case (.ipv4, .v4(let a)), (.ipv6, .v4(let a)): .ipv4(a)
        case (.ipv4, .v6(let a)), (.ipv6, .v6(let a)): .ipv6(a, linkLocal: nil)
        }
    }
}

extension ASPath {
    /// The path with `asn` in front (RFC 4271 §5.1.2): in the leading AS_SEQUENCE if it has room (255 ASNs),
    /// else in a new one.
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

struct ExportKey: Hashable, Sendable {
    var input: UInt32
    var generation: UInt32
    var transform: OutboundTransform
}

struct ExportValue: Sendable {
    var output: UInt32
    var generation: UInt32
}

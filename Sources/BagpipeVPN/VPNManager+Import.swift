public import BGPRouting
import BGPWire

/// Routes the engine delivers to an instance, turned into dataplane calls (bagpipe-bgp.md §4.3, §4.4).
extension VPNManager {
    /// A change of the best path of one key for the instance `subscriber` names.
    public mutating func routeChanged(_ change: RouteChange, for subscriber: SubscriberID) -> [VPNEffect] {
        // Taken out of the table while it changes, so that its tables change in place rather than being copied.
        guard let id = instanceBySubscriber[subscriber],
            let traits = instances[id].flatMap({ configuration.drivers[$0.type] }),
            var instance = instances.removeValue(forKey: id)
        else { return [] }
        var out: [VPNEffect] = []
        switch change {
        case .advertise(let best): imported(best, into: &instance, traits, &out)
        case .withdraw(let best): removed(best, from: &instance, &out)
        }
        instances[id] = instance
        return out
    }

    private mutating func imported(
        _ best: BestPath, into instance: inout VPNInstance, _ traits: DriverTraits, _ out: inout [VPNEffect]
    ) {
        let key = best.key
        let lp = best.route.attributes.localPreference ?? 100
        switch best.route.nlri {
        case .vpnIPv4(let n):
            guard instance.type == .ipvpn else { return }
            importVPN(.v4(n.prefix), best, lp, into: &instance, traits, &out)
        case .vpnIPv6(let n):
            guard instance.type == .ipvpn else { return }
            importVPN(.v6(n.prefix), best, lp, into: &instance, traits, &out)
        case .flowspec(let n):
            guard instance.type == .ipvpn else { return }
            importRedirect(key, n, best.route, into: &instance, &out)
        case .evpn(let n):
            guard instance.type == .evpn else { return }
            switch n.route {
            case .macIPAdvertisement(let r):
                let (sequence, sticky) = macMobility(best.route)
                let candidate = remoteEndpoint(best.route, traits).map {
                    Candidate(endpoints: [$0], localPreference: lp, sequence: sequence, sticky: sticky)
                }
                track(.mac(r.macAddress, ip: r.ipAddress), key, candidate, in: &instance, traits, &out)
            case .ipPrefix(let r):
                // RFC 9136: a subnet behind a remote VTEP.
                let candidate = remoteEndpoint(best.route, traits).map {
                    Candidate(endpoints: [$0], localPreference: lp, sequence: 0, sticky: false)
                }
                track(.prefix(r.prefix), key, candidate, in: &instance, traits, &out)
            case .inclusiveMulticastEthernetTag:
                guard let endpoint = floodEndpoint(best.route, traits) else { return removeFlood(key, &instance, &out) }
                if let current = instance.flood[key] {
                    if current == endpoint { return }
                    out.append(
                        .dataplane(
                            instance.dataplane, .removeFloodEndpoint(nextHop: current.nextHop, label: current.label)))
                }
                instance.flood[key] = endpoint
                out.append(
                    .dataplane(
                        instance.dataplane,
                        .addFloodEndpoint(
                            nextHop: endpoint.nextHop, label: endpoint.label, encapsulations: endpoint.encapsulations)))
            default:
                // Types 1 and 4 (multihoming) are not used by an EVI.
                return
            }
        default:
            return
        }
    }

    /// An IP VPN route: readvertised if it carries a `from` route target (and is not a copy leaked into `to`),
    /// installed if it carries an imported one; routes received only to be readvertised never reach the
    /// dataplane (§4.3).
    private func importVPN(
        _ prefix: IPPrefix, _ best: BestPath, _ lp: UInt32, into instance: inout VPNInstance, _ traits: DriverTraits,
        _ out: inout [VPNEffect]
    ) {
        let key = best.key
        let targets = best.route.attributes.routeTargets
        if let rv = instance.readvertise {
            let records = extendedCommunities(best.route).compactMap { c -> RouteTarget? in
                if case .routeTargetRecord(let rt) = c.typed { return rt }
                return nil
            }
            let leaks = !records.contains { rv.to.contains($0) } && targets.contains { rv.from.contains($0) }
            setReadvertised(
                prefix, key, leaks ? Array(Set(records + targets)).sorted() : nil, in: &instance, traits, &out)
        }
        let imported = targets.contains { instance.importRouteTargets.contains($0) }
        track(.prefix(prefix), key, imported ? vrfCandidate(best, lp, traits) : nil, in: &instance, traits, &out)
    }

    /// Records (or, with nil, forgets) that the route `key` makes `prefix` readvertised; the copies through every
    /// endpoint are advertised when the first such route comes and withdrawn when the last goes.
    private func setReadvertised(
        _ prefix: IPPrefix, _ key: RouteKey, _ records: [RouteTarget]?, in instance: inout VPNInstance,
        _ traits: DriverTraits, _ out: inout [VPNEffect]
    ) {
        guard instance.readvertised[prefix]?[key] != records else { return }
        instance.readvertised[prefix, default: [:]][key] = records
        if instance.readvertised[prefix]?.isEmpty == true { instance.readvertised[prefix] = nil }
        syncLeaks(&instance, traits, &out)
    }

    /// An IP VPN route as a candidate: its multipath set when the dataplane balances, else its best path.
    private func vrfCandidate(_ best: BestPath, _ lp: UInt32, _ traits: DriverTraits) -> Candidate? {
        let routes = traits.supportsECMP ? best.multipath : [best.route]
        let endpoints = routes.compactMap { remoteEndpoint($0, traits) }
        guard !endpoints.isEmpty else { return nil }
        return Candidate(endpoints: endpoints, localPreference: lp, sequence: 0, sticky: false)
    }

    private mutating func removed(_ best: BestPath, from instance: inout VPNInstance, _ out: inout [VPNEffect]) {
        let key = best.key
        guard let traits = configuration.drivers[instance.type] else { return }
        switch best.route.nlri {
        case .vpnIPv4(let n):
            setReadvertised(.v4(n.prefix), key, nil, in: &instance, traits, &out)
            track(.prefix(.v4(n.prefix)), key, nil, in: &instance, traits, &out)
        case .vpnIPv6(let n):
            setReadvertised(.v6(n.prefix), key, nil, in: &instance, traits, &out)
            track(.prefix(.v6(n.prefix)), key, nil, in: &instance, traits, &out)
        case .flowspec: removeRedirect(key, from: &instance, &out)
        case .evpn(let n):
            switch n.route {
            case .macIPAdvertisement(let r):
                track(.mac(r.macAddress, ip: r.ipAddress), key, nil, in: &instance, traits, &out)
            case .ipPrefix(let r): track(.prefix(r.prefix), key, nil, in: &instance, traits, &out)
            case .inclusiveMulticastEthernetTag: removeFlood(key, &instance, &out)
            default: return
            }
        default: return
        }
    }

    /// Records (or forgets, with nil) the candidate of `key` for `entry`, then brings the dataplane in line with
    /// the entry's election.
    private func track(
        _ entry: TrackedEntry, _ key: RouteKey, _ candidate: Candidate?, in instance: inout VPNInstance,
        _ traits: DriverTraits, _ out: inout [VPNEffect]
    ) {
        instance.candidates[entry, default: [:]][key] = candidate
        if instance.candidates[entry]?.isEmpty == true { instance.candidates[entry] = nil }
        reelect(entry, in: &instance, traits, &out)
    }

    /// The election of one entry (bagpipe-bgp.md §3.6, RFC 7432 §15.1):
    /// - MAC/IP: a MAC attached here wins over every remote route; otherwise the sticky route, then the highest
    ///   MAC Mobility sequence number, then the highest LOCAL_PREF, then the lowest next hop.
    /// - Prefix: the highest LOCAL_PREF; all of them when the dataplane balances (ECMP), ordered by Consistent
    ///   Hash Sort Order; else one, chosen by a hash salted with our address, so that nodes spread over the
    ///   candidates but each keeps its choice across restarts (the original's choice changed at every restart,
    ///   §11.3 item 18).
    func reelect(
        _ entry: TrackedEntry, in instance: inout VPNInstance, _ traits: DriverTraits, _ out: inout [VPNEffect]
    ) {
        let candidates = instance.candidates[entry] ?? [:]
        var desired: [RemoteEndpoint] = []
        switch entry {
        case .mac(let mac, _):
            if instance.macs[mac] == nil,
                let winner = candidates.values.max(by: { a, b in
                    (a.sticky ? 1 : 0, a.sequence, a.localPreference, Self.order(b.endpoints[0].nextHop))
                        < (b.sticky ? 1 : 0, b.sequence, b.localPreference, Self.order(a.endpoints[0].nextHop))
                })
            {
                desired = [winner.endpoints[0]]
            }
        case .prefix:
            let top = candidates.values.map(\.localPreference).max()
            let best = candidates.filter { $0.value.localPreference == top }
            if traits.supportsECMP {
                var seen: Set<RemoteEndpoint> = []
                for (_, c) in best.sorted(by: { $0.key.description < $1.key.description }) {
                    for e in c.endpoints where seen.insert(e).inserted { desired.append(e) }
                }
                desired.sort {
                    ($0.consistentHashOrder, $0.nextHop.description) < ($1.consistentHashOrder, $1.nextHop.description)
                }
            } else if let chosen = best.min(by: { saltedHash($0.key, traits) < saltedHash($1.key, traits) }) {
                desired = [chosen.value.endpoints[0]]
            }
        }
        if case .mac(let mac, let ip) = entry { yieldMovedMAC(mac, ip, candidates, in: &instance, &out) }
        let current = instance.installed[entry] ?? []
        for e in current where !desired.contains(e) {
            out.append(.dataplane(instance.dataplane, .removeRemoteEndpoint(e)))
        }
        for e in desired where !current.contains(e) {
            out.append(.dataplane(instance.dataplane, .setupRemoteEndpoint(e)))
        }
        instance.installed[entry] = desired.isEmpty ? nil : desired
    }

    /// RFC 7432 §15.1: a route for a MAC attached here with a higher sequence number than ours means the MAC has
    /// moved away: we withdraw our route (the port stays attached until its detach comes).
    private func yieldMovedMAC(
        _ mac: MACAddress, _ ip: IPAddress?, _ candidates: [RouteKey: Candidate], in instance: inout VPNInstance,
        _ out: inout [VPNEffect]
    ) {
        let key = EndpointKey(mac: mac, ip: ip)
        guard var e = instance.endpoints[key], let advertised = e.advertised,
            let top = candidates.values.map(\.sequence).max(), top > (e.mobilitySequence ?? 0)
        else { return }
        out.append(.withdraw(advertised, instance.subscriber))
        if let p = e.prefixRoute { out.append(.withdraw(p, instance.subscriber)) }
        e.advertised = nil
        e.prefixRoute = nil
        instance.endpoints[key] = e
    }

    /// Addresses in numeric order (IPv4 before IPv6), for the lowest-next-hop tie-break.
    static func order(_ a: IPAddress) -> String {
        switch a {
        case .v4(let v): "4" + String(repeating: "0", count: 10 - String(v.value).count) + String(v.value)
        case .v6(let v): "6" + String(v.high, radix: 16).leftPadded(16) + String(v.low, radix: 16).leftPadded(16)
        }
    }

    /// Re-runs the elections of a MAC's entries: attached here, it wins over the remote routes; detached, they
    /// come back.
    func reelectMAC(_ mac: MACAddress, in instance: inout VPNInstance, _ out: inout [VPNEffect]) {
        guard let traits = configuration.drivers[instance.type] else { return }
        let entries = instance.candidates.keys.filter { if case .mac(let m, _) = $0 { m == mac } else { false } }
        for entry in entries.sorted(by: { $0.description < $1.description }) {
            reelect(entry, in: &instance, traits, &out)
        }
    }

    /// FNV-1a of our address and the route key: stable across runs, different between nodes.
    private func saltedHash(_ key: RouteKey, _ traits: DriverTraits) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "\(traits.localAddress)|\(key)".utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    private func removeFlood(_ key: RouteKey, _ instance: inout VPNInstance, _ out: inout [VPNEffect]) {
        guard let current = instance.flood.removeValue(forKey: key) else { return }
        out.append(
            .dataplane(instance.dataplane, .removeFloodEndpoint(nextHop: current.nextHop, label: current.label)))
    }

    /// The sequence number local advertisements of `mac` must carry to win over the remote ones
    /// (RFC 7432 §15.1): one more than the highest seen, nil when none is known.
    func mobilitySequence(for mac: MACAddress, in instance: VPNInstance) -> UInt32? {
        var top: UInt32?
        for (entry, candidates) in instance.candidates {
            guard case .mac(let m, _) = entry, m == mac else { continue }
            for c in candidates.values { top = max(top ?? 0, c.sequence) }
        }
        return top.map { $0 &+ 1 }
    }

    private func macMobility(_ route: Route) -> (sequence: UInt32, sticky: Bool) {
        for c in extendedCommunities(route) {
            if case .macMobility(let sequence, let sticky, _) = c.typed { return (sequence, sticky) }
        }
        return (0, false)
    }

    private func extendedCommunities(_ route: Route) -> [ExtendedCommunity] {
        guard let a = route.attributes.attribute(PathAttribute.TypeCode.extendedCommunities),
            case .extendedCommunities(let list) = a.value
        else { return [] }
        return list
    }

    /// The encapsulations of a received route both sides support: its RFC 9012 communities, MPLS when it has
    /// none (RFC 8365 §5.1.3), kept in the driver's order of preference.
    private func commonEncapsulations(_ route: Route, _ traits: DriverTraits) -> [TunnelType] {
        var theirs: Set<TunnelType> = []
        for c in extendedCommunities(route) {
            if case .encapsulation(let t, _) = c.typed { theirs.insert(t) }
        }
        if theirs.isEmpty { theirs = [.mpls] }
        return traits.encapsulations.filter { theirs.contains($0) }
    }

    /// A received IP VPN route or MAC/IP route as a dataplane entry; nil when no encapsulation is common (the
    /// route is then not installed, as in the original's `_check_encaps`).
    func remoteEndpoint(_ route: Route, _ traits: DriverTraits) -> RemoteEndpoint? {
        let encapsulations = commonEncapsulations(route, traits)
        guard let first = encapsulations.first, let nextHop = address(route.nextHop) else { return nil }
        var order: UInt32 = 0
        for c in extendedCommunities(route) {
            if case .consistentHashSortOrder(let o, _) = c.typed { order = o }
        }
        let vni = first == .vxlan
        switch route.nlri {
        case .vpnIPv4(let n):
            guard let field = n.labels.first else { return nil }
            return RemoteEndpoint(
                destination: .prefix(.v4(n.prefix)), nextHop: nextHop, label: field.label,
                encapsulations: encapsulations, consistentHashOrder: order)
        case .vpnIPv6(let n):
            guard let field = n.labels.first else { return nil }
            return RemoteEndpoint(
                destination: .prefix(.v6(n.prefix)), nextHop: nextHop, label: field.label,
                encapsulations: encapsulations, consistentHashOrder: order)
        case .evpn(let n):
            switch n.route {
            case .macIPAdvertisement(let r):
                return RemoteEndpoint(
                    destination: .mac(r.macAddress, ip: r.ipAddress), nextHop: nextHop,
                    label: vni ? r.label1.vni : r.label1.label, encapsulations: encapsulations)
            case .ipPrefix(let r):
                return RemoteEndpoint(
                    destination: .prefix(r.prefix), nextHop: nextHop, label: vni ? r.label.vni : r.label.label,
                    encapsulations: encapsulations)
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// The flood-list entry of a received Inclusive Multicast route: its PMSI must be ingress replication
    /// (RFC 7432 §11.2).
    func floodEndpoint(_ route: Route, _ traits: DriverTraits) -> RemoteEndpoint? {
        let encapsulations = commonEncapsulations(route, traits)
        guard let first = encapsulations.first,
            let a = route.attributes.attribute(PathAttribute.TypeCode.pmsiTunnel),
            case .pmsiTunnel(let pmsi) = a.value, pmsi.tunnelType == .ingressReplication,
            let endpoint = pmsi.tunnelEndpoint
        else { return nil }
        return RemoteEndpoint(
            destination: .mac(MACAddress(0), ip: nil), nextHop: endpoint,
            label: first == .vxlan ? pmsi.label.vni : pmsi.label.label, encapsulations: encapsulations)
    }

    private func address(_ nextHop: NextHop?) -> IPAddress? {
        switch nextHop {
        case .ipv4(let a), .vpnIPv4(let a): return .v4(a)
        case .ipv6(let a, _), .vpnIPv6(let a, _):
            // An IPv4-mapped IPv6 next hop (RFC 4659 §3.2.1.2) is the IPv4 address.
            if a.high == 0, a.low >> 32 == 0xFFFF { return .v4(IPv4Address(UInt32(truncatingIfNeeded: a.low))) }
            return .v6(a)
        default: return nil
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

import BGPWire

/// Route-target dispatch to VPN instances (bagpipe-bgp §3.3, keeping its publish/subscribe model).
///
/// Each subscriber sees, per key, the best of the paths that carry one of the route targets it imports, leaving
/// out its own paths: that is what the original's guards gave ("never back to the source"), now computed from
/// the table instead of from events, so that replay on subscribe, withdrawal on unsubscribe and route-target
/// changes of a route all follow from one comparison with what was delivered before.
extension EngineCore {
    /// Re-evaluates `net` for every subscriber that may see it or did: those importing a route target of any of
    /// its paths or of the `removed` attribute sets, and those holding a delivery for it.
    mutating func reconcileSubscribers<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ net: Int32, removed: [UInt32]) {
        var candidates: [Int] = []
        func collect(_ handle: UInt32) {
            for rt in attributes.summary(handle).routeTargets {
                for s in subscriptions[FamilyRouteTarget(family: rib.family, routeTarget: rt)] ?? []
                where !candidates.contains(s) {
                    candidates.append(s)
                }
            }
        }
        var p = rib.nets[Int(net)].head
        while p >= 0 {
            collect(rib.paths[p].attributes)
            p = rib.paths[p].next
        }
        for h in removed { collect(h) }
        for (s, held) in rib.delivered where held[net] != nil && !candidates.contains(s) { candidates.append(s) }
        for s in candidates.sorted() { reconcileSubscriber(&rib, net, s) }
    }

    /// Delivers the difference between what subscriber `s` should see for `net` and what it was given.
    mutating func reconcileSubscriber<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ net: Int32, _ s: Int) {
        let desired = subscriberView(rib, net, s)
        let current = rib.delivered[s]?[net]
        guard desired != current else { return }
        if let desired {
            rib.delivered[s, default: [:]][net] = desired
            deliver(s, .advertise(desired))
        } else if let current {
            rib.delivered[s]?[net] = nil
            if rib.delivered[s]?.isEmpty == true { rib.delivered[s] = nil }
            deliver(s, .withdraw(current))
        }
    }

    /// The best path subscriber `s` should have for `net`: among paths that are not its own and carry a route
    /// target it imports for this family.
    func subscriberView<K: FamilyKey>(_ rib: FamilyRIB<K>, _ net: Int32, _ s: Int) -> BestPath? {
        guard let sub = subscribers[s], let imported = sub.routeTargets[rib.family], !imported.isEmpty,
            rib.isLive(net)
        else { return nil }
        let own = SourceRef.local(s)
        var eligible: [Int32] = []
        var p = rib.nets[Int(net)].head
        while p >= 0 {
            let path = rib.paths[p]
            if path.source != own, attributes.summary(path.attributes).routeTargets.contains(where: imported.contains) {
                eligible.append(p)
            }
            p = path.next
        }
        guard !eligible.isEmpty,
            let d = BestPathSelection.select(eligible.map { candidate(rib.paths[$0]) })
        else { return nil }
        let best = route(rib, net, eligible[d.best])
        let multipath = sub.multipath ? d.multipath.map { route(rib, net, eligible[$0]) } : nil
        return BestPath(route: best, reason: d.reason, multipath: multipath)
    }

    /// Replay for a new subscription of `s` to `routeTarget`: every key with a path carrying it.
    mutating func replay<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ s: Int, _ routeTarget: UInt64) {
        // Whether a set carries the target, memoised per handle for the scan: a table has few distinct sets.
        var memo = [UInt8](repeating: 0, count: attributes.capacity)
        for i in rib.nets.indices where rib.nets[i].head >= 0 {
            var p = rib.nets[i].head
            var matches = false
            while p >= 0, !matches {
                let h = Int(rib.paths[p].attributes)
                if memo[h] == 0 { memo[h] = attributes.summary(UInt32(h)).hasRouteTarget(routeTarget) ? 2 : 1 }
                matches = memo[h] == 2
                p = rib.paths[p].next
            }
            if matches { reconcileSubscriber(&rib, Int32(i), s) }
        }
    }

    /// Re-evaluates every key delivered to `s`: after an unsubscription (withdrawing what no remaining
    /// subscription matches) or a change of its multipath wish.
    mutating func reconcileDelivered<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ s: Int) {
        guard let held = rib.delivered[s] else { return }
        for net in held.keys.sorted() { reconcileSubscriber(&rib, net, s) }
    }
}

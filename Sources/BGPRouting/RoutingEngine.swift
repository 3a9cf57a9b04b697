import BGPWire

/// The routing state of a BGP VPN speaker, owned by one task that feeds it events and carries out the effects it
/// returns (architecture-references §3.3): no locks, no I/O, no clocks, so tests drive it with plain values.
///
/// ```
///   peer sessions ──(peerUp, routesReceived, …)──►┌───────────────┐──(sendUpdates, EoR)──► peer sessions
///   VPN instances ──(subscribe, localRoute, …)───►│ RoutingEngine │──(deliver)──────────► VPN instances
///                                                 └───────────────┘──(rtcOriginated)────► looking glass
/// ```
///
/// It keeps bagpipe-bgp's design where it was good: VPN instances publish routes with route targets and subscribe
/// to (family, route target); new subscribers get the matching routes replayed; RT Constraint routes follow the
/// first and last local importer (§3.3-3.4). Unlike the original it also selects best paths (RFC 4271 §9.1 with
/// the reason), keeps Adj-RIBs-Out and packs UPDATEs, reflects routes (RFC 4456), and filters VPN routes by each
/// peer's RT membership (RFC 4684) from the membership routes that peer sent. The original's bugs listed in
/// bagpipe-bgp §11.3 are not carried over; in particular an RT imported by both an L3VPN and an EVPN instance
/// keeps its membership route until the last of them goes (§11.3 item 3).
///
/// Supported standards: RFC 4271 (decision process, Adj-RIB-Out, UPDATE packing), RFC 4456 (route reflection),
/// RFC 4684 (RT Constraint), RFC 4724 (End-of-RIB, stale routes), RFC 2918 and RFC 7313 (route refresh),
/// RFC 7911 (ADD-PATH receive), RFC 8654 (message size), RFC 1997 (well-known communities).
public struct RoutingEngine: Sendable {
    var core: EngineCore
    var ribs = RIBSet()

    public init(configuration: EngineConfiguration) {
        core = EngineCore(configuration: configuration)
        if configuration.originateDefaultRTC {
            originate(.default(), notify: false)
        }
    }

    public var configuration: EngineConfiguration { core.configuration }
    public var statistics: EngineStatistics { core.statistics }

    /// Applies one event and returns what to do about it: RT membership notices and refresh markers as they
    /// happened, then deliveries per VPN instance, then per peer its UPDATEs and End-of-RIB markers.
    public mutating func process(_ event: EngineEvent) -> [EngineEffect] {
        switch event {
        case .peerUp(let info): peerUp(info)
        case .peerDown(let id, let retaining): peerDown(id, retainingStale: retaining)
        case .routesReceived(let id, let update): routesReceived(id, update)
        case .markStale(let id, let families): stale(id, families, mark: true)
        case .sweepStale(let id, let families): stale(id, families, mark: false)
        case .localRoute(let id, let change): localRoute(id, change)
        case .subscribe(let s): subscribe(s)
        case .unsubscribe(let s): unsubscribe(s)
        case .removeSubscriber(let id): removeSubscriber(id)
        case .routeRefreshRequested(let id, let family): routeRefresh(id, family)
        }
        return finish()
    }

    // MARK: - Peers

    private mutating func peerUp(_ info: PeerInfo) {
        let slot: Int
        if let existing = core.peerSlots[info.id] {
            slot = existing
        } else if let free = core.peers.firstIndex(where: { $0 == nil }) {
            slot = free
        } else {
            slot = core.peers.count
            core.peers.append(nil)
        }
        core.peerSlots[info.id] = slot
        var state = core.peers[slot] ?? PeerState(info: info, isUp: true)
        state.info = info
        state.isUp = true
        // RFC 4684 §6: with RT Constraint, VPN routes wait for the peer's membership End-of-RIB when asked to.
        state.heldFamilies =
            info.routeTargetConstraint && info.waitsForRTCEndOfRIB
            ? info.families.intersection(core.configuration.rtcFamilies) : []
        core.peers[slot] = state
        refreshTargets()
        var families = info.families.sorted()
        if let i = families.firstIndex(of: .routeTargetConstraint) {
            // Membership first, so the peer's filters are built before the VPN routes follow.
            families.insert(families.remove(at: i), at: 0)
        }
        for family in families where !state.heldFamilies.contains(family) {
            var dump = ReconcilePeerVisitor(slot: slot)
            ribs.visit(family, &dump, &core)
            core.endOfRIBPending[slot, default: []].append(family)
        }
    }

    private mutating func peerDown(_ id: PeerID, retainingStale: Set<AddressFamily>) {
        guard let slot = core.peerSlots[id], core.peers[slot]?.isUp == true else { return }
        core.peers[slot]!.isUp = false
        core.peers[slot]!.heldFamilies = []
        core.endOfRIBPending[slot] = nil
        refreshTargets()
        var drop = DropPeerVisitor(slot: slot, retaining: retainingStale)
        ribs.visitAll(&drop, &core)
        releasePeerIfUnused(slot)
    }

    private mutating func releasePeerIfUnused(_ slot: Int) {
        guard let peer = core.peers[slot], !peer.isUp, peer.pathCount == 0 else { return }
        core.peerSlots[peer.info.id] = nil
        core.peers[slot] = nil
    }

    private mutating func routesReceived(_ id: PeerID, _ update: UpdateMessage) {
        guard let slot = core.peerSlots[id], let peer = core.peers[slot], peer.isUp else { return }
        let families = peer.info.families
        if let family = update.endOfRIB {
            endOfRIBReceived(slot, family)
            return
        }
        let source = SourceRef.peer(slot)
        if !update.withdrawnRoutes.isEmpty, families.contains(.ipv4Unicast) {
            var v = ReceiveVisitor(list: .ipv4(update.withdrawnRoutes), source: source, handle: nil)
            ribs.visit(.ipv4Unicast, &v, &core)
        }
        if let unreach = update.mpUnreach, families.contains(unreach.family) {
            var v = ReceiveVisitor(list: unreach.withdrawnRoutes, source: source, handle: nil)
            ribs.visit(unreach.family, &v, &core)
        }
        let reach = update.mpReach.flatMap { families.contains($0.family) ? $0 : nil }
        let classic = families.contains(.ipv4Unicast) ? update.nlri : []
        guard reach != nil || !classic.isEmpty else { return }

        // RFC 4271 §5: unknown non-transitive attributes are dropped, unknown transitive ones marked partial.
        var attributes = update.pathAttributes.compactMap(\.forwarded)
        if !peer.info.isInternal {
            // RFC 4271 §5.1.5: LOCAL_PREF from an external peer is ignored; RFC 4456 §8: so are the reflection
            // attributes, which never cross an AS boundary.
            attributes.removeAll {
                $0.typeCode == PathAttribute.TypeCode.localPref || $0.typeCode == PathAttribute.TypeCode.originatorID
                    || $0.typeCode == PathAttribute.TypeCode.clusterList
            }
        }
        if loops(AttributeSummary(attributes), from: peer.info) {
            // A looped announcement is ignored, and so replaces nothing: an earlier path for the same key must go.
            core.statistics.loopedAnnouncements += classic.count + (reach?.nlri.count ?? 0)
            if !classic.isEmpty {
                var v = ReceiveVisitor(list: .ipv4(classic), source: source, handle: nil)
                ribs.visit(.ipv4Unicast, &v, &core)
            }
            if let reach {
                var v = ReceiveVisitor(list: reach.nlri, source: source, handle: nil)
                ribs.visit(reach.family, &v, &core)
            }
            return
        }
        if !classic.isEmpty {
            var nextHop: NextHop?
            if case .nextHop(let a)? = update.attribute(PathAttribute.TypeCode.nextHop)?.value { nextHop = .ipv4(a) }
            announce(
                .ipv4(classic), family: .ipv4Unicast, AttributeSet(nextHop: nextHop, attributes: attributes), source)
        }
        if let reach {
            announce(
                reach.nlri, family: reach.family, AttributeSet(nextHop: reach.nextHop, attributes: attributes), source)
        }
    }

    private mutating func announce(_ list: NLRIList, family: AddressFamily, _ set: AttributeSet, _ source: SourceRef) {
        let handle = core.attributes.intern(set)
        var v = ReceiveVisitor(list: list, source: source, handle: handle.index)
        ribs.visit(family, &v, &core)
        core.attributes.release(handle)
    }

    /// RFC 4456 §8: our ORIGINATOR_ID or CLUSTER_ID means the route came back; RFC 4271 §9.1.2: so does our AS in
    /// the AS_PATH of an external route.
    private func loops(_ s: AttributeSummary, from peer: PeerInfo) -> Bool {
        let c = core.configuration
        if s.originatorID == c.routerID { return true }
        if let cluster = c.clusterID, s.clusterList.contains(cluster) { return true }
        if !peer.isInternal, s.asPathContains(c.localAS) { return true }
        return false
    }

    private mutating func endOfRIBReceived(_ slot: Int, _ family: AddressFamily) {
        // RFC 4724 §4.2: routes still stale when the End-of-RIB arrives are removed.
        var sweep = StaleVisitor(slot: slot, mark: false)
        ribs.visit(family, &sweep, &core)
        if family == .routeTargetConstraint, let held = core.peers[slot]?.heldFamilies, !held.isEmpty {
            core.peers[slot]!.heldFamilies = []
            refreshTargets()
            for f in held.sorted() {
                var dump = ReconcilePeerVisitor(slot: slot)
                ribs.visit(f, &dump, &core)
                core.endOfRIBPending[slot, default: []].append(f)
            }
        }
    }

    private mutating func stale(_ id: PeerID, _ families: Set<AddressFamily>, mark: Bool) {
        guard let slot = core.peerSlots[id] else { return }
        for family in families.sorted() {
            var v = StaleVisitor(slot: slot, mark: mark)
            ribs.visit(family, &v, &core)
        }
        if !mark { releasePeerIfUnused(slot) }
    }

    private mutating func routeRefresh(_ id: PeerID, _ family: AddressFamily) {
        guard let slot = core.peerSlots[id], let peer = core.peers[slot], peer.isUp,
            peer.info.families.contains(family), !peer.heldFamilies.contains(family)
        else { return }
        // Refresh re-sends the Adj-RIB-Out as it is: nothing else is pending, since every event ends with a flush.
        if peer.info.enhancedRouteRefresh {
            core.effects.append(.sendRouteRefresh(id, RouteRefreshMessage(family: family, subtype: .beginningOfRIB)))
        }
        var v = RefreshVisitor(slot: slot, peer: peer.info)
        ribs.visit(family, &v, &core)
        core.drainMemo = [:]
        if !v.messages.isEmpty {
            core.statistics.updatesSent += v.messages.count
            core.effects.append(.sendUpdates(id, v.messages))
        }
        if peer.info.enhancedRouteRefresh {
            core.effects.append(.sendRouteRefresh(id, RouteRefreshMessage(family: family, subtype: .endOfRIB)))
        }
    }

    /// Recomputes which peers each table exports to, after a peer came, went or was released.
    private mutating func refreshTargets() {
        var v = RefreshTargetsVisitor()
        ribs.visitAll(&v, &core)
    }

    // MARK: - VPN instances

    private mutating func subscriberSlot(_ id: SubscriberID) -> Int {
        if let slot = core.subscriberSlots[id] { return slot }
        let slot: Int
        if let free = core.subscribers.firstIndex(where: { $0 == nil }) {
            slot = free
        } else {
            slot = core.subscribers.count
            core.subscribers.append(nil)
        }
        core.subscribers[slot] = SubscriberState(id: id)
        core.subscriberSlots[id] = slot
        return slot
    }

    private mutating func localRoute(_ id: SubscriberID, _ change: LocalRouteChange) {
        let slot = subscriberSlot(id)
        switch change {
        case .advertise(let route):
            guard RIBSet.isSupported(route.family) else { return }
            let set = AttributeSet(nextHop: route.nextHop, attributes: localAttributes(route))
            let handle = core.attributes.intern(set)
            var v = LocalRouteVisitor(nlri: route.nlri, key: nil, source: .local(slot), handle: handle.index)
            ribs.visit(route.family, &v, &core)
            core.attributes.release(handle)
            if v.accepted { core.subscribers[slot]!.localRoutes.insert(route.nlri.key(family: route.family)) }
        case .withdraw(let key):
            var v = LocalRouteVisitor(nlri: nil, key: key, source: .local(slot), handle: nil)
            ribs.visit(key.family, &v, &core)
            core.subscribers[slot]!.localRoutes.remove(key)
        }
    }

    /// RFC 4271 §5.1: ORIGIN and AS_PATH (empty: the route starts in our AS) where missing, LOCAL_PREF for the
    /// internal peers; the export route targets joined to the extended communities (RFC 4360 §4).
    private func localAttributes(_ route: LocalRoute) -> [PathAttribute] {
        var list = route.attributes
        func has(_ code: UInt8) -> Bool { list.contains { $0.typeCode == code } }
        if !has(PathAttribute.TypeCode.origin) { list.append(PathAttribute(.origin(.igp))) }
        if !has(PathAttribute.TypeCode.asPath) { list.append(PathAttribute(.asPath(ASPath()))) }
        if !has(PathAttribute.TypeCode.localPref) {
            list.append(PathAttribute(.localPref(core.configuration.defaultLocalPreference)))
        }
        let targets = route.routeTargets.map { ExtendedCommunity(.routeTarget($0)) }
        if !targets.isEmpty {
            if let i = list.firstIndex(where: { $0.typeCode == PathAttribute.TypeCode.extendedCommunities }),
                case .extendedCommunities(let existing) = list[i].value
            {
                list[i].value = .extendedCommunities(existing + targets.filter { !existing.contains($0) })
            } else {
                list.append(PathAttribute(.extendedCommunities(targets)))
            }
        }
        return list
    }

    private mutating func subscribe(_ s: Subscription) {
        let slot = subscriberSlot(s.subscriber)
        let rt = ExtendedCommunity(.routeTarget(s.routeTarget)).rawValue
        let multipathChanged = core.subscribers[slot]!.multipath != s.multipath
        core.subscribers[slot]!.multipath = s.multipath
        if multipathChanged {
            var v = ReconcileDeliveredVisitor(slot: slot)
            ribs.visitAll(&v, &core)
        }
        guard core.subscribers[slot]!.routeTargets[s.family, default: []].insert(rt).inserted else { return }
        let key = FamilyRouteTarget(family: s.family, routeTarget: rt)
        core.subscriptions[key, default: []].append(slot)
        core.subscriptions[key]!.sort()
        core.familySubscriptionCounts[s.family, default: 0] += 1
        if core.familySubscriptionCounts[s.family] == 1 { refreshTargets() }
        if core.configuration.rtcFamilies.contains(s.family) {
            core.rtcImporters[rt, default: 0] += 1
            // bagpipe-bgp §3.4: the first local importer of a route target makes the RT membership route.
            if core.rtcImporters[rt] == 1 {
                originate(RTCNLRI(originAS: core.configuration.localAS, routeTarget: ExtendedCommunity(rawValue: rt)))
            }
        }
        var replay = ReplayVisitor(slot: slot, routeTarget: rt)
        ribs.visit(s.family, &replay, &core)
    }

    private mutating func unsubscribe(_ s: Subscription) {
        guard let slot = core.subscriberSlots[s.subscriber] else { return }
        let rt = ExtendedCommunity(.routeTarget(s.routeTarget)).rawValue
        guard core.subscribers[slot]!.routeTargets[s.family]?.remove(rt) != nil else { return }
        if core.subscribers[slot]!.routeTargets[s.family]?.isEmpty == true {
            core.subscribers[slot]!.routeTargets[s.family] = nil
        }
        let key = FamilyRouteTarget(family: s.family, routeTarget: rt)
        core.subscriptions[key]?.removeAll { $0 == slot }
        if core.subscriptions[key]?.isEmpty == true { core.subscriptions[key] = nil }
        // Withdraw what no remaining subscription of this instance matches.
        var v = ReconcileDeliveredVisitor(slot: slot)
        ribs.visit(s.family, &v, &core)
        core.familySubscriptionCounts[s.family, default: 1] -= 1
        if core.familySubscriptionCounts[s.family] == 0 {
            core.familySubscriptionCounts[s.family] = nil
            refreshTargets()
        }
        if core.configuration.rtcFamilies.contains(s.family), let n = core.rtcImporters[rt] {
            // The membership route goes with the last importer in any RT Constraint family, not the first
            // instance to leave (bagpipe-bgp §11.3 item 3).
            if n <= 1 {
                core.rtcImporters[rt] = nil
                withdrawOriginated(
                    RTCNLRI(originAS: core.configuration.localAS, routeTarget: ExtendedCommunity(rawValue: rt)))
            } else {
                core.rtcImporters[rt] = n - 1
            }
        }
    }

    private mutating func removeSubscriber(_ id: SubscriberID) {
        guard let slot = core.subscriberSlots[id], let state = core.subscribers[slot] else { return }
        for key in state.localRoutes.sorted(by: { $0.description < $1.description }) {
            localRoute(id, .withdraw(key))
        }
        for (family, targets) in state.routeTargets.sorted(by: { $0.key < $1.key }) {
            for rt in targets.sorted() {
                guard case .routeTarget(let target) = ExtendedCommunity(rawValue: rt).typed else { continue }
                unsubscribe(Subscription(id, family: family, routeTarget: target))
            }
        }
        // A removed instance is told nothing more.
        core.deliveries[slot] = nil
        core.deliveryOrder.removeAll { $0 == slot }
        core.subscriberSlots[id] = nil
        core.subscribers[slot] = nil
    }

    // MARK: - RT membership origination (RFC 4684 §4)

    private mutating func originate(_ nlri: RTCNLRI, notify: Bool = true) {
        let c = core.configuration
        let set = AttributeSet(
            nextHop: c.rtcNextHop ?? .ipv4(c.routerID),
            attributes: [
                PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath())),
                PathAttribute(.localPref(c.defaultLocalPreference)),
            ])
        let handle = core.attributes.intern(set)
        var v = LocalRouteVisitor(nlri: .rtc(nlri), key: nil, source: .originated, handle: handle.index)
        ribs.visit(.routeTargetConstraint, &v, &core)
        core.attributes.release(handle)
        if notify { core.effects.append(.rtcOriginated(nlri)) }
    }

    private mutating func withdrawOriginated(_ nlri: RTCNLRI) {
        var v = LocalRouteVisitor(
            nlri: nil, key: RouteNLRI.rtc(nlri).key(family: .routeTargetConstraint), source: .originated, handle: nil)
        ribs.visit(.routeTargetConstraint, &v, &core)
        core.effects.append(.rtcWithdrawn(nlri))
    }

    // MARK: - End of event

    /// Applies RT membership changes, then collects the event's output: UPDATEs built from the Adj-RIB-Out
    /// records, End-of-RIB markers after them.
    private mutating func finish() -> [EngineEffect] {
        // RFC 4684 §4: when a peer's membership grows it gets the newly matching routes, when it shrinks the ones
        // no longer matching are withdrawn. The Adj-RIB-Out diff does both.
        let changed = core.membershipChangedPeers
        core.membershipChangedPeers = []
        for slot in changed {
            guard let peer = core.peers[slot], peer.isUp, peer.info.routeTargetConstraint else { continue }
            let families = peer.info.families.intersection(core.configuration.rtcFamilies).subtracting(
                peer.heldFamilies)
            for family in families.sorted() {
                var v = ReconcilePeerVisitor(slot: slot)
                ribs.visit(family, &v, &core)
            }
        }
        var out = core.effects
        core.effects = []
        for s in core.deliveryOrder {
            if let sub = core.subscribers[s], let changes = core.deliveries[s], !changes.isEmpty {
                out.append(.deliver(sub.id, changes))
            }
        }
        core.deliveries = [:]
        core.deliveryOrder = []
        if core.hasDirtyGroups {
            core.hasDirtyGroups = false
            var drain = DrainVisitor()
            ribs.visitAll(&drain, &core)
        }
        let outbound = core.outbound
        core.outbound = [:]
        for slot in Set(outbound.keys).union(core.endOfRIBPending.keys).sorted() {
            guard let peer = core.peers[slot], peer.isUp else { continue }
            if let messages = outbound[slot], !messages.isEmpty {
                core.statistics.updatesSent += messages.count
                out.append(.sendUpdates(peer.info.id, messages))
            }
            for family in core.endOfRIBPending[slot] ?? [] { out.append(.sendEndOfRIB(peer.info.id, family)) }
        }
        core.endOfRIBPending = [:]
        core.drainMemo = [:]
        if core.needsGroupMerge {
            core.needsGroupMerge = false
            var merge = MergeGroupsVisitor()
            ribs.visitAll(&merge, &core)
        }
        if core.hasEmptied {
            core.hasEmptied = false
            var free = FreeEmptiedVisitor()
            ribs.visitAll(&free, &core)
        }
        return out
    }
}

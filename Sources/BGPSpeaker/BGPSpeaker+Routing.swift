public import BGPRouting
import BGPSession
public import BGPWire
import BagpipeConfig
import Logging
import NIOCore

/// The routing engine inside the speaker: sessions feeding it, its effects carried out, local routes and
/// subscriptions, and the looking glass over its tables.
///
/// The engine is a value owned by the actor, so every call here runs on the speaker's event loop, one at a time,
/// and an event is processed to the end before the next: there is no other copy of the routing state and no lock.
extension BGPSpeaker {
    /// The owner of the routes ``originate(_:)`` announces, among the engine's local producers of routes.
    public static let apiSubscriber = SubscriberID("bagpipe.api")
    /// The subscriber ``subscribe(family:routeTarget:subscriber:multipath:)`` uses when none is named.
    public static let defaultSubscriber = SubscriberID("default")

    /// Where one subscriber's route changes go: the stream until someone takes it, and its continuation.
    struct RouteStream {
        var stream: AsyncStream<RouteChange>?
        var continuation: AsyncStream<RouteChange>.Continuation
    }

    static func engineConfiguration(
        _ bgp: BGPSettings, routerID: IPv4Address, localAddress: IPv4Address
    ) -> EngineConfiguration {
        EngineConfiguration(
            localAS: bgp.myAS, routerID: routerID,
            // RFC 4456 §7: the cluster ID defaults to the router ID.
            clusterID: bgp.routeReflector ? (bgp.clusterID ?? routerID) : nil,
            // A reflector needs every VPN route of its clients whatever it imports itself: the default membership
            // route asks for them (RFC 4684 §3.2).
            originateDefaultRTC: bgp.routeReflector && bgp.enableRTC,
            rtcNextHop: localAddress == .zero ? nil : .ipv4(localAddress))
    }

    /// The engine's name for a peer: its address.
    static func peerID(_ address: IPAddress) -> PeerID { PeerID("\(address)") }

    // MARK: - Sessions into the engine

    /// The session is Established: the engine learns the peer from what was negotiated and sends it the routes it
    /// should have, then End-of-RIB per family (RFC 4724 §2).
    func routingSessionUp(_ peer: Peer, _ slot: SessionSlot) {
        guard let negotiated = slot.machine.negotiated, slot.machine.state == .established else { return }
        if peer.isRouting { routingSessionDown(peer, retaining: []) }
        let families = Set(slot.machine.activeFamilies)
        let isInternal = negotiated.peerType == .internal
        let rtc = families.contains(.routeTargetConstraint)
        let wait = options.membershipEndOfRIBWait
        // RFC 4684 §6 holds the VPN routes back until the peer's membership End-of-RIB so that its graceful restart
        // does not take the End-of-RIB of a half-sent table for the whole (RFC 4724 §4.2). A peer without graceful
        // restart has no such use for End-of-RIB and may never send one: it gets the table at once, filtered by the
        // membership known so far, and the rest as its membership routes arrive.
        let restarts = negotiated.remoteOpen.capabilities.contains { $0.code == Capability.Code.gracefulRestart }
        let info = PeerInfo(
            id: Self.peerID(peer.address), address: peer.address, routerID: negotiated.peerIdentifier,
            asn: negotiated.peerAS, isInternal: isInternal,
            // No per-peer setting in bgp.conf: as a reflector, every internal peer is a client (RFC 4456 §6).
            isRouteReflectorClient: isInternal && configuration.bgp.routeReflector, families: families,
            routeTargetConstraint: rtc, maximumMessageLength: negotiated.maximumMessageLength,
            fourOctetAS: negotiated.fourOctetAS, enhancedRouteRefresh: negotiated.enhancedRouteRefresh,
            waitsForRTCEndOfRIB: rtc && restarts && wait > .zero)
        peer.isRouting = true
        peer.sessionEpoch += 1
        process(.peerUp(info))
        if info.waitsForRTCEndOfRIB {
            // Not forever: a peer that sends no membership End-of-RIB gets the VPN routes when the wait is over.
            let (address, epoch) = (peer.address, peer.sessionEpoch)
            peer.membershipWait = eventLoop.scheduleTask(in: TimeAmount(wait)) {
                self.assumeIsolated { $0.membershipWaitExpired(address, epoch: epoch) }
            }
        }
    }

    /// The session went down: the engine withdraws the peer's routes from everyone else, except those of the
    /// `retaining` families, kept stale for a graceful restart (RFC 4724 §4.2).
    func routingSessionDown(_ peer: Peer, retaining: Set<AddressFamily>) {
        guard peer.isRouting else { return }
        peer.isRouting = false
        peer.membershipWait?.cancel()
        peer.membershipWait = nil
        // What was not written yet was for the session that is gone.
        peer.outbox = []
        peer.staleRoutes.sessionEnded(retaining: retaining)
        process(.peerDown(Self.peerID(peer.address), retainingStale: retaining))
    }

    func membershipWaitExpired(_ address: IPAddress, epoch: Int) {
        guard let peer = peerTable[address], peer.isRouting, peer.sessionEpoch == epoch, peer.membershipWait != nil
        else { return }
        peer.membershipWait = nil
        peer.logger.notice(
            "no End-of-RIB for RT membership (RFC 4684 §6) in \(options.membershipEndOfRIBWait): sending the VPN routes",
            metadata: ["afi-safi": "\(AddressFamily.routeTargetConstraint)"])
        // As if the marker had come: the engine releases the families it held back (and sweeps stale membership
        // routes, which a marker would have swept too).
        peer.staleRoutes.sweep([.routeTargetConstraint])
        process(.routesReceived(Self.peerID(address), .endOfRIB(.routeTargetConstraint)))
    }

    /// Routes received from `peer`, as the engine is to see them.
    ///
    /// Not a route reflector, the speaker keeps the original's rule that routes from a peer are never sent to
    /// another, which the engine alone would break for external peers (RFC 4271 §9.2 sends their routes to
    /// everyone). Such routes get NO_ADVERTISE (RFC 1997) on the way in, in a COMMUNITIES attribute of their own
    /// placed after any the peer sent, so the engine keeps them from every peer; the looking glass and the
    /// subscribers never see it (``withoutIsolationMark(_:)``).
    func routingView(_ update: UpdateMessage) -> UpdateMessage {
        guard !configuration.bgp.routeReflector, update.announcesRoutes else { return update }
        var marked = update
        marked.pathAttributes.append(Self.isolationMark)
        return marked
    }

    static let isolationMark = PathAttribute(.communities([.noAdvertise]))

    /// `attributes` without the mark ``routingView(_:)`` added: the last COMMUNITIES attribute equal to it.
    func withoutIsolationMark(_ attributes: [PathAttribute]) -> [PathAttribute] {
        guard !configuration.bgp.routeReflector, let i = attributes.lastIndex(of: Self.isolationMark) else {
            return attributes
        }
        var out = attributes
        out.remove(at: i)
        return out
    }

    // MARK: - Effects

    /// Feeds one event to the engine and carries out what it returns.
    @discardableResult
    func process(_ event: EngineEvent) -> [EngineEffect] {
        let effects = engine.process(event)
        carryOut(effects)
        return effects
    }

    func carryOut(_ effects: [EngineEffect]) {
        // Peers that got the same messages share a batch: the engine hands them the same array, which compares
        // equal at once (same storage).
        var batches: [UpdateBatch] = []
        for effect in effects {
            switch effect {
            case .sendUpdates(let id, let messages):
                let batch =
                    batches.first { $0.messages == messages }
                    ?? {
                        let b = UpdateBatch(messages)
                        batches.append(b)
                        return b
                    }()
                enqueue([.updates(batch)], for: id)
            case .sendEndOfRIB(let id, let family):
                enqueue([.endOfRIB(family)], for: id)
            case .sendRouteRefresh(let id, let message):
                // The session answers a request with the Beginning of RIB marker as soon as it reads it
                // (RFC 7313 §4); the End of RIB marker follows the routes.
                if message.subtype == RouteRefreshMessage.Subtype.endOfRIB.rawValue {
                    enqueue([.endOfRouteRefresh(message.family)], for: id)
                }
            case .deliver(let subscriber, let changes):
                deliver(changes, to: subscriber)
            case .rtcOriginated(let nlri):
                logger.debug("RT membership route originated: \(nlri)", metadata: ["afi-safi": "ipv4/rtc"])
            case .rtcWithdrawn(let nlri):
                logger.debug("RT membership route withdrawn: \(nlri)", metadata: ["afi-safi": "ipv4/rtc"])
            }
        }
    }

    func enqueue(_ items: [OutboxItem], for id: PeerID) {
        guard let address = IPAddress(id.rawValue), let peer = peerTable[address], peer.isRouting else { return }
        if peer.outbox.isEmpty { pendingOutput.append(address) }
        peer.outbox += items
        guard !isFlushScheduled else { return }
        isFlushScheduled = true
        // After the current work, so that what several events produce for a peer leaves together.
        eventLoop.execute { self.assumeIsolated { $0.flushOutput() } }
    }

    /// Writes every peer's outbox: UPDATEs joined where they can be, End-of-RIB and End of RIB refresh markers
    /// through the session, which sends each once and only on a family it carries.
    func flushOutput() {
        isFlushScheduled = false
        let addresses = pendingOutput
        pendingOutput = []
        for address in addresses {
            guard let peer = peerTable[address] else { continue }
            let items = peer.outbox
            peer.outbox = []
            guard peer.isRouting, let slot = peer.establishedSlot else { continue }
            var batches: [UpdateBatch] = []
            for item in items {
                if case .updates(let batch) = item {
                    batches.append(batch)
                    continue
                }
                send(batches, to: peer, slot)
                batches = []
                guard slot.machine.state == .established else { break }
                switch item {
                case .updates: break
                case .endOfRIB(let family): drive(peer, slot, .initialTableSent(families: [family]))
                case .endOfRouteRefresh(let family): drive(peer, slot, .routeRefreshCompleted(family))
                }
            }
            send(batches, to: peer, slot)
            settle(peer)
        }
    }

    /// Sends the batches in order: runs of small ones joined (``UpdateCoalescer``) and sent through the session,
    /// the others as the bytes they share with every peer of the same encoding.
    func send(_ batches: [UpdateBatch], to peer: Peer, _ slot: SessionSlot) {
        guard !batches.isEmpty, let negotiated = slot.machine.negotiated else { return }
        let active = Set(slot.machine.activeFamilies)
        var wroteShared = 0
        var i = 0
        while i < batches.count {
            guard slot.machine.state == .established else { return }
            var j = i
            while j < batches.count, batches[j].isSmall { j += 1 }
            if j - i >= 2 {
                send(batches[i..<j].map { $0.messages[0] }, to: peer, slot)
                i = j
                continue
            }
            let batch = batches[i]
            i += 1
            // A family disabled since the session came up (RFC 7606 AFI/SAFI disable) is not sent
            // (RFC 4760 §7): such a batch takes the per-peer way, which leaves it out.
            guard batch.families.isSubset(of: active), let connection = slot.connection else {
                send(batch.messages, to: peer, slot)
                continue
            }
            writeShared(batch, on: connection, fourOctetAS: negotiated.fourOctetAS)
            wroteShared += batch.messages.count
        }
        if wroteShared > 0, slot.machine.state == .established {
            flushShared(on: slot.connection)
            drive(peer, slot, .updatesWritten(count: wroteShared))
        }
    }

    func send(_ updates: [UpdateMessage], to peer: Peer, _ slot: SessionSlot) {
        guard !updates.isEmpty, let negotiated = slot.machine.negotiated else { return }
        let joined = UpdateCoalescer.coalesce(
            updates, maximumLength: negotiated.maximumMessageLength, options: negotiated.encodingOptions)
        for update in joined {
            // A family disabled since the session came up (RFC 7606 AFI/SAFI disable) is not sent (RFC 4760 §7).
            guard slot.machine.state == .established,
                let restricted = update.restricted(to: Set(slot.machine.activeFamilies))
            else { continue }
            drive(peer, slot, .sendUpdate(restricted))
        }
    }

    // MARK: - Local routes

    func advertiseLocal(_ route: LocalRoute, subscriber: SubscriberID) {
        localRouteKeys[subscriber, default: []].insert(route.nlri.key(family: route.family))
        process(.localRoute(subscriber, .advertise(route)))
    }

    func withdrawLocal(_ key: RouteKey, subscriber: SubscriberID) {
        localRouteKeys[subscriber]?.remove(key)
        if localRouteKeys[subscriber]?.isEmpty == true { localRouteKeys[subscriber] = nil }
        process(.localRoute(subscriber, .withdraw(key)))
    }

    /// Advertises a route of a local producer (a VPN instance): its export route targets are added to the extended
    /// communities, ORIGIN, AS_PATH and LOCAL_PREF where missing. A route with the key of one it advertised before
    /// replaces it. The subscriber never gets its own routes back.
    public func advertise(_ route: LocalRoute, subscriber: SubscriberID) {
        advertiseLocal(route, subscriber: subscriber)
    }

    /// Withdraws a route ``advertise(_:subscriber:)`` advertised.
    public func withdraw(_ key: RouteKey, subscriber: SubscriberID) {
        withdrawLocal(key, subscriber: subscriber)
    }

    // MARK: - Subscriptions

    /// The route changes for `subscriber` (a VPN instance): for each key, the best of the paths that carry a route
    /// target it imports, as it changes; withdrawn when none is left. Ask for it before subscribing, so as not to
    /// miss the routes already known, which a subscription delivers at once. The stream ends when the speaker is
    /// shut down or the subscriber removed; asking again ends the previous stream.
    public func routeChanges(for subscriber: SubscriberID = BGPSpeaker.defaultSubscriber) -> AsyncStream<RouteChange> {
        if var existing = routeStreams[subscriber], let stream = existing.stream {
            existing.stream = nil
            routeStreams[subscriber] = existing
            return stream
        }
        routeStreams[subscriber]?.continuation.finish()
        let (stream, continuation) = AsyncStream.makeStream(of: RouteChange.self)
        if phase == .stopped { continuation.finish() }
        routeStreams[subscriber] = RouteStream(stream: nil, continuation: continuation)
        return stream
    }

    /// Starts importing `routeTarget` in `family` for `subscriber`: the matching routes are delivered on its
    /// ``routeChanges(for:)`` stream, those known now at once. In the VPN families (VPN-IPv4, VPN-IPv6, EVPN) the
    /// first subscription to a route target originates its RT membership route (RFC 4684 §4), sent to the peers
    /// with RT Constraint, which then send the matching routes.
    ///
    /// - Parameter multipath: deliver the equal-cost paths with each best path; the last subscription of a
    ///   subscriber sets it for all its routes.
    public func subscribe(
        family: AddressFamily, routeTarget: RouteTarget, subscriber: SubscriberID = BGPSpeaker.defaultSubscriber,
        multipath: Bool = false
    ) {
        if routeStreams[subscriber] == nil {
            // Kept until someone asks for it, so that nothing delivered meanwhile is lost.
            let (stream, continuation) = AsyncStream.makeStream(of: RouteChange.self)
            routeStreams[subscriber] = RouteStream(stream: stream, continuation: continuation)
        }
        process(.subscribe(Subscription(subscriber, family: family, routeTarget: routeTarget, multipath: multipath)))
    }

    /// Stops importing `routeTarget` in `family`: routes no other subscription of `subscriber` matches are
    /// withdrawn from it, and the last importer of a route target withdraws its RT membership route.
    public func unsubscribe(
        family: AddressFamily, routeTarget: RouteTarget, subscriber: SubscriberID = BGPSpeaker.defaultSubscriber
    ) {
        process(.unsubscribe(Subscription(subscriber, family: family, routeTarget: routeTarget)))
    }

    /// Forgets a subscriber: its routes are withdrawn, its subscriptions dropped, its stream ended.
    public func removeSubscriber(_ subscriber: SubscriberID) {
        process(.removeSubscriber(subscriber))
        localRouteKeys[subscriber] = nil
        routeStreams.removeValue(forKey: subscriber)?.continuation.finish()
    }

    func deliver(_ changes: [RouteChange], to subscriber: SubscriberID) {
        guard let continuation = routeStreams[subscriber]?.continuation else { return }
        for change in changes {
            switch change {
            case .advertise(let best): continuation.yield(.advertise(unmarked(best)))
            case .withdraw(let best): continuation.yield(.withdraw(unmarked(best)))
            }
        }
    }

    func unmarked(_ best: BestPath) -> BestPath {
        guard !configuration.bgp.routeReflector else { return best }
        return BestPath(route: unmarked(best.route), reason: best.reason, multipath: best.multipath.map(unmarked))
    }

    func unmarked(_ route: Route) -> Route {
        let attributes = withoutIsolationMark(route.attributes.attributes)
        guard attributes.count != route.attributes.attributes.count else { return route }
        return Route(
            family: route.family, nlri: route.nlri,
            attributes: AttributeSet(nextHop: route.nextHop, attributes: attributes), source: route.source)
    }

    // MARK: - Looking glass

    /// The best path of every route of `family` (the Loc-RIB, RFC 4271 §3.2), with where it came from and the
    /// step of the decision process that chose it (RFC 4271 §9.1.2.2, RFC 4456 §9). Sorted by text.
    public func bestPaths(family: AddressFamily) -> [BestPathEntry] {
        engine.bestPaths(family: family).map { best in
            var stale = false
            if case .peer(let id) = best.route.source, let address = IPAddress(id.rawValue),
                let peer = peerTable[address]
            {
                stale = peer.staleRoutes.isStale(best.route.key)
            }
            return BestPathEntry(
                route: entry(best.route, isStale: stale), source: best.route.source, reason: best.reason)
        }.sortedForDisplay()
    }

    /// How many keys of `family` have a best path: the size of the Loc-RIB, without listing it.
    public func routeCount(family: AddressFamily) -> Int { engine.routeCount(family: family) }

    /// The routes last sent to the peer (its Adj-RIB-Out, RFC 4271 §3.2), optionally of one family, with the
    /// attributes they were sent with; empty when its session is not up. Sorted by family, then by text.
    public func adjRIBOut(peer address: IPAddress, family: AddressFamily? = nil) -> [RouteEntry] {
        let id = Self.peerID(address)
        var out: [RouteEntry] = []
        for f in family.map({ [$0] }) ?? AddressFamily.known {
            out += engine.adjRIBOut(peer: id, family: f).map { entry($0) }
        }
        return out.sortedForDisplay()
    }

    /// Routes the peer sent, per family with any.
    func receivedCounts(_ peer: Peer) -> [AddressFamily: Int] {
        let id = Self.peerID(peer.address)
        var families = Set(peer.settings.families)
        if let negotiated = (peer.establishedSlot ?? peer.primary).machine.negotiated {
            families.formUnion(negotiated.families)
        }
        var counts: [AddressFamily: Int] = [:]
        for family in families {
            let n = engine.adjRIBIn(peer: id, family: family).count
            if n > 0 { counts[family] = n }
        }
        return counts
    }

    /// The looking-glass form of an engine route: NEXT_HOP back among the attributes of IPv4 unicast, as received.
    func entry(_ route: Route, isStale: Bool = false) -> RouteEntry {
        var attributes = withoutIsolationMark(route.attributes.attributes)
        if route.family == .ipv4Unicast, case .ipv4(let address)? = route.nextHop {
            let at = attributes.firstIndex { $0.typeCode > PathAttribute.TypeCode.nextHop } ?? attributes.count
            attributes.insert(PathAttribute(.nextHop(address)), at: at)
        }
        return RouteEntry(
            family: route.family, nlri: NLRIList(route.nlri), nextHop: route.nextHop, attributes: attributes,
            isStale: isStale)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

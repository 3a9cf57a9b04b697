import BGPRouting
import BGPSession
public import BGPWire
public import BagpipeConfig
public import Logging
public import NIOCore
import NIOPosix

/// The BGP speaker runtime: the peers of a `bgp.conf`, their TCP connections (outgoing, and incoming on a
/// listening socket), the session state machines that drive them, and the routing engine that holds every route.
///
/// The speaker is an actor whose executor is one SwiftNIO event loop. Its channels, their handlers and the
/// session timers run on that same loop, so a message goes from the socket through the state machine into the
/// `RoutingEngine` without a thread hop, and the actor's isolation is the only lock. One thread serves every
/// session, as in BIRD or FRR's bgpd. The engine is a value the actor owns (`var engine`): each session event
/// becomes an `EngineEvent`, processed to the end before anything else runs (nothing suspends inside), and its
/// effects are carried out: UPDATEs and End-of-RIB markers queued per peer and written at the end of the
/// event-loop turn, route changes delivered to subscribers. Adj-RIBs-In, Loc-RIB, Adj-RIBs-Out and the routes
/// originated here all live in the engine; the looking-glass calls read them from it.
///
/// As a route reflector (`[BGP] route_reflector = true`, RFC 4456) it reflects between its internal peers, all of
/// them clients, adding ORIGINATOR_ID and CLUSTER_LIST, and sends VPN routes to a peer that negotiated RT
/// Constraint only for the route targets that peer asked for (RFC 4684). Otherwise it behaves like the original
/// bagpipe-bgp: routes learned from a peer are never sent to another; only local routes go out.
///
/// ```swift
/// let speaker = BGPSpeaker(configuration: configuration, logger: logger)
/// try await speaker.start()
/// await speaker.originate(update)
/// let peers = await speaker.peers()
/// await speaker.shutdown(communication: "maintenance")
/// ```
public actor BGPSpeaker {
    public nonisolated let configuration: BGPConfiguration
    public nonisolated let options: Options
    public nonisolated let eventLoop: any EventLoop
    nonisolated let logger: Logger

    public nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    enum Phase { case new, running, stopping, stopped }

    var phase = Phase.new
    /// Our BGP Identifier: `router_id`, else the local address.
    var routerID = IPv4Address.zero
    var localAddress = IPv4Address.zero
    var peerTable: [IPAddress: Peer] = [:]
    var connections: [ConnectionID: Connection] = [:]
    var listener: (any Channel)?
    var subscribers: [Int: AsyncStream<SpeakerEvent>.Continuation] = [:]
    var nextIdentifier = 0
    var timerGeneration: UInt64 = 0

    // MARK: Routing state

    /// Every route: Adj-RIBs-In, best paths, Adj-RIBs-Out, local routes (see `BGPSpeaker+Routing.swift`).
    var engine: RoutingEngine
    /// The keys each local producer of routes advertised (``originate(_:)`` uses ``apiSubscriber``), to list them.
    var localRouteKeys: [SubscriberID: Set<RouteKey>] = [:]
    /// Where each subscriber's route changes go.
    var routeStreams: [SubscriberID: RouteStream] = [:]
    /// Peers with something in their outbox, in the order they got it.
    var pendingOutput: [IPAddress] = []
    var isFlushScheduled = false

    /// A speaker for `configuration`, whose `local_address` must be an IPv4 address (the daemon resolves an
    /// interface name first). Nothing happens until ``start()``.
    ///
    /// - Parameters:
    ///   - eventLoop: the loop that runs the speaker and its sessions; by default one of NIO's shared loops.
    ///   - logger: where sessions log, with the metadata `peer`, `state` and `afi-safi`; by default nowhere.
    public init(
        configuration: BGPConfiguration, options: Options = Options(), eventLoop: (any EventLoop)? = nil,
        logger: Logger? = nil
    ) {
        self.configuration = configuration
        self.options = options
        self.eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        self.logger = logger ?? Logger(label: "bagpipe.bgp", factory: { _ in SwiftLogNoOpLogHandler() })
        // Known now so that routes can be originated before start(), which checks them.
        let bgp = configuration.bgp
        let local = bgp.localAddress.ipv4 ?? .zero
        let identifier = bgp.routerID ?? local
        localAddress = local
        routerID = identifier
        engine = RoutingEngine(configuration: Self.engineConfiguration(bgp, routerID: identifier, localAddress: local))
    }

    // MARK: - Starting and stopping

    /// Checks the peers, opens the listening socket if `listen` is set, and starts every configured peer.
    ///
    /// Throws before anything is opened when a peer cannot make a session, or when a peer has an `md5_password`
    /// and the kernel has no TCP MD5 signatures.
    public func start() async throws {
        guard phase == .new else { throw BGPSpeakerError.alreadyStarted }
        let bgp = configuration.bgp
        guard let local = bgp.localAddress.ipv4 else {
            throw BGPSpeakerError.unresolvedLocalAddress(bgp.localAddress.description)
        }
        localAddress = local
        routerID = bgp.routerID ?? local
        guard routerID != .zero else { throw BGPSpeakerError.invalidRouterID("0.0.0.0") }

        var created: [Peer] = []
        for settings in bgp.peers { created.append(try makePeer(settings, isDynamic: false)) }
        for settings in bgp.peers {
            guard let key = settings.md5Password else { continue }
            try TCPMD5.probe(address: settings.address, key: key, peer: "\(settings.address)")
        }
        if bgp.listen, let key = bgp.md5Password {
            for range in bgp.listenRanges {
                try TCPMD5.probe(
                    address: range.networkAddress, prefixLength: range.length, key: key, peer: "listen range \(range)")
            }
        }

        phase = .running
        let peerCount = created.count
        var metadata: Logger.Metadata = ["router-id": "\(routerID)", "as": "\(bgp.myAS)", "peers": "\(peerCount)"]
        if let cluster = engine.configuration.clusterID { metadata["route-reflector-cluster"] = "\(cluster)" }
        logger.info("starting BGP speaker", metadata: metadata)
        for peer in created {
            peerTable[peer.address] = peer
            drive(peer, peer.primary, .manualStart)
            settle(peer)
        }
        if bgp.listen {
            do {
                try await listen()
            } catch {
                await shutdown(timeout: .seconds(1))
                throw error
            }
        }
    }

    /// Stops every session with a Cease / Administrative Shutdown (RFC 4486, RFC 8203/9003 `communication`),
    /// waits up to `timeout` for the NOTIFICATIONs to be written and the connections closed, then closes the
    /// rest and the listening socket. The speaker cannot be started again.
    public func shutdown(communication: String = "", timeout: Duration = .seconds(5)) async {
        guard phase == .running || phase == .new else { return }
        phase = .stopping
        listener?.close(promise: nil)
        listener = nil
        for peer in peerTable.values { stop(peer, subcode: .administrativeShutdown, communication: communication) }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while connections.values.contains(where: { $0.channel != nil }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for connection in connections.values { connection.channel?.close(promise: nil) }
        for peer in peerTable.values { for slot in peer.slots { slot.cancelTimers() } }
        phase = .stopped
        logger.info("BGP speaker stopped")
        for subscriber in subscribers.values { subscriber.finish() }
        subscribers = [:]
        for stream in routeStreams.values { stream.continuation.finish() }
    }

    /// The port the listening socket is bound to (useful with `listen_port = 0`), nil when not listening.
    public var listeningPort: Int? { listener?.localAddress?.port }

    // MARK: - Peers

    /// Adds a peer to a running speaker and starts it.
    public func addPeer(_ settings: PeerSettings) async throws {
        guard phase == .running else { throw BGPSpeakerError.notRunning }
        guard peerTable[settings.address] == nil else { throw BGPSpeakerError.duplicatePeer(settings.address) }
        let peer = try makePeer(settings, isDynamic: false)
        if let key = settings.md5Password {
            try TCPMD5.probe(address: settings.address, key: key, peer: "\(settings.address)")
            if let listener { try await setListenerKey(listener, address: settings.address, key: key) }
        }
        guard phase == .running, peerTable[settings.address] == nil else { return }
        peerTable[peer.address] = peer
        drive(peer, peer.primary, .manualStart)
        settle(peer)
    }

    /// Stops a peer's session with a Cease / Administrative Shutdown carrying `communication` (RFC 9003); it stays
    /// down, refusing connections, until ``startPeer(_:)``.
    public func stopPeer(_ address: IPAddress, communication: String = "") throws {
        guard let peer = peerTable[address] else { throw BGPSpeakerError.unknownPeer(address) }
        peer.isStoppedByHand = true
        stop(peer, subcode: .administrativeShutdown, communication: communication)
        settle(peer)
    }

    /// Starts a peer stopped by ``stopPeer(_:communication:)`` (RFC 4271 ManualStart).
    public func startPeer(_ address: IPAddress) throws {
        guard phase == .running else { throw BGPSpeakerError.notRunning }
        guard let peer = peerTable[address] else { throw BGPSpeakerError.unknownPeer(address) }
        peer.isStoppedByHand = false
        drive(peer, peer.primary, .manualStart)
        settle(peer)
    }

    /// Removes a peer, with a Cease / Peer De-configured (RFC 4486) if its session is up.
    public func removePeer(_ address: IPAddress) throws {
        guard let peer = peerTable[address] else { throw BGPSpeakerError.unknownPeer(address) }
        stop(peer, subcode: .peerDeconfigured, communication: "")
        for slot in peer.slots { slot.cancelTimers() }
        peerTable[address] = nil
    }

    /// Asks the peer to send a family again (RFC 2918), if it supports route refresh.
    public func requestRouteRefresh(peer address: IPAddress, family: AddressFamily) throws {
        guard let peer = peerTable[address] else { throw BGPSpeakerError.unknownPeer(address) }
        guard let slot = peer.establishedSlot else { return }
        drive(peer, slot, .requestRouteRefresh(family))
        settle(peer)
    }

    // MARK: - Routes

    /// Originates the routes `update` announces (and withdraws those it withdraws): each becomes a local route of
    /// the routing engine (owned by ``apiSubscriber``), sent to every Established peer whose session carries its
    /// family (and, for a VPN route to an RT Constraint peer, that asked for one of its route targets), and to
    /// every session that comes up later, before its End-of-RIB.
    ///
    /// The routes are completed as RFC 4271 §5.1 asks: ORIGIN and AS_PATH when missing, LOCAL_PREF 100 for
    /// internal peers, our AS prepended and LOCAL_PREF removed for external ones, NEXT_HOP the local address for
    /// IPv4 unicast when missing. MP_REACH_NLRI must carry its next hop. AS numbers are given in 4 octets; the
    /// session adapts them for a 2-octet peer. Routes originated in one call leave in as few UPDATEs as fit.
    public func originate(_ update: UpdateMessage) {
        for key in update.withdrawnKeys { withdrawLocal(key, subscriber: Self.apiSubscriber) }
        let attributes = update.routeAttributes
        for (family, routes) in update.announcedRoutes {
            var nextHop = update.mpReach?.nextHop
            if family == .ipv4Unicast {
                let given = update.attribute(PathAttribute.TypeCode.nextHop)
                if case .nextHop(let address)? = given?.value {
                    nextHop = .ipv4(address)
                } else {
                    nextHop = .ipv4(localAddress)
                }
            }
            for route in routes {
                advertiseLocal(
                    LocalRoute(family: family, nlri: route, nextHop: nextHop, attributes: attributes),
                    subscriber: Self.apiSubscriber)
            }
        }
    }

    /// Withdraws every route `update` names, announced or withdrawn, and tells the Established peers.
    public func withdraw(_ update: UpdateMessage) {
        for key in update.routeKeys { withdrawLocal(key, subscriber: Self.apiSubscriber) }
    }

    /// The routes this speaker originates: those of ``originate(_:)`` and of ``advertise(_:subscriber:)``, and the
    /// RT membership routes (RFC 4684) made for subscriptions, and as a route reflector the default one; with the
    /// attributes the engine completed them with. Sorted by family, then by text.
    public func originatedRoutes() -> [RouteEntry] {
        var out: [RouteEntry] = []
        for (subscriber, keys) in localRouteKeys {
            for key in Set(keys.map(\.withoutPathID)) {
                for route in engine.paths(for: key) where route.source == .local(subscriber) {
                    out.append(entry(route))
                }
            }
        }
        for nlri in engine.originatedRTC {
            for route in engine.paths(for: RouteNLRI.rtc(nlri).key(family: .routeTargetConstraint))
            where route.source == .originated {
                out.append(entry(route))
            }
        }
        return out.sortedForDisplay()
    }

    // MARK: - Looking glass

    /// Every peer, configured and dynamic, in address order.
    public func peers() -> [PeerStatus] {
        peerTable.values.sorted { $0.address.sortKey.lexicographicallyPrecedes($1.address.sortKey) }.map(status)
    }

    /// One peer, nil if unknown.
    public func peer(_ address: IPAddress) -> PeerStatus? { peerTable[address].map(status) }

    /// The routes a peer sent us (its Adj-RIB-In), optionally of one family, as received (RFC 7606
    /// treat-as-withdraw applied, LOCAL_PREF and reflection attributes of an external peer dropped), stale ones
    /// marked; empty for an unknown peer. Sorted by family, then by text.
    public func adjRIBIn(peer address: IPAddress, family: AddressFamily? = nil) -> [RouteEntry] {
        let id = Self.peerID(address)
        let stale = peerTable[address]?.staleRoutes ?? StaleRoutes()
        var out: [RouteEntry] = []
        for f in family.map({ [$0] }) ?? AddressFamily.known {
            for route in engine.adjRIBIn(peer: id, family: f) {
                out.append(entry(route, isStale: stale.isStale(route.key)))
            }
        }
        return out.sortedForDisplay()
    }

    /// A stream of what happens to the sessions, from now on, until the speaker is shut down or the stream is
    /// dropped.
    public func events() -> AsyncStream<SpeakerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SpeakerEvent.self)
        guard phase != .stopped else {
            continuation.finish()
            return stream
        }
        let id = newIdentifier()
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.removeEventStream(id) }
        }
        return stream
    }

    func removeEventStream(_ id: Int) { subscribers[id] = nil }

    func emit(_ event: SpeakerEvent) {
        for subscriber in subscribers.values { subscriber.yield(event) }
    }

    func status(_ peer: Peer) -> PeerStatus {
        let slot = peer.establishedSlot ?? peer.primary
        let channel = slot.connection.flatMap { connections[$0]?.channel }
        return PeerStatus(
            address: peer.address, peerAS: peer.settings.peerAS, isDynamic: peer.isDynamic,
            isPassive: peer.configuration.passive, description: peer.settings.description, state: slot.machine.state,
            uptime: peer.establishedAt.map { ContinuousClock.now - $0 }, negotiated: slot.machine.negotiated,
            counters: slot.machine.counters, prefixesReceived: receivedCounts(peer),
            endOfRIBReceived: peer.endOfRIBReceived, lastDownReason: peer.lastDownReason,
            localEndpoint: channel?.localAddress?.endpointText, remoteEndpoint: channel?.remoteAddress?.endpointText)
    }

    func newIdentifier() -> Int {
        nextIdentifier += 1
        return nextIdentifier
    }
}

extension IPAddress {
    /// IPv4 before IPv6, then numerically.
    var sortKey: [UInt64] {
        switch self {
        case .v4(let a): [4, UInt64(a.value)]
        case .v6(let a): [6, a.high, a.low]
        }
    }
}

extension IPPrefix {
    var networkAddress: IPAddress {
        switch self {
        case .v4(let p): .v4(p.address)
        case .v6(let p): .v6(p.address)
        }
    }
}

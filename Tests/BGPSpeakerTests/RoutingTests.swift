import BGPRouting
import BGPSession
import BGPSpeaker
import BGPWire
import BagpipeConfig
import Synchronization
import Testing

/// Speakers over loopback whose routes go through the routing engine: route reflection, RT Constraint,
/// subscriptions, the original's no-redistribution rule, graceful restart and UPDATE packing.
@Suite("Routing between speakers over loopback", .timeLimit(.minutes(1)))
struct RoutingTests {
    static let clusterID = IPv4Address(10, 255, 0, 1)
    static let wanted = RouteTarget.as2(64512, 100)
    static let other = RouteTarget.as2(64512, 200)

    /// VPN-IPv4 routes `speaker` has from `peer`: counted, not listed, for tables of thousands.
    static func routes(at speaker: BGPSpeaker, from peer: IPAddress) async -> Int {
        await speaker.peer(peer)?.prefixesReceived[.vpnIPv4] ?? 0
    }

    /// A route reflector at 127.0.0.`base` and two clients at `base + 1` (A) and `base + 2` (B), started; the
    /// clients connect to the reflector, which listens.
    static func reflectorAndClients(
        base: UInt8, rtc: Bool, reflectorLines: [String] = [], clientLines: [String] = [],
        options: BGPSpeaker.Options = testOptions
    ) async throws -> (rr: BGPSpeaker, a: BGPSpeaker, b: BGPSpeaker) {
        let (r, ca, cb) = ("127.0.0.\(base)", "127.0.0.\(base + 1)", "127.0.0.\(base + 2)")
        let rr = BGPSpeaker(
            configuration: try configuration(
                local: r, listen: true, rtc: rtc,
                bgp: ["route_reflector = true", "cluster_id = \(clusterID)"] + reflectorLines,
                peers: [(ca, ["passive = true"]), (cb, ["passive = true"])]),
            options: options)
        try await rr.start()
        let port = try #require(await rr.listeningPort)
        let a = BGPSpeaker(
            configuration: try configuration(local: ca, rtc: rtc, bgp: clientLines, peers: [(r, ["port = \(port)"])]),
            options: options)
        let b = BGPSpeaker(
            configuration: try configuration(local: cb, rtc: rtc, bgp: clientLines, peers: [(r, ["port = \(port)"])]),
            options: options)
        return (rr, a, b)
    }

    @Test(
        "A route reflector reflects a client's VPN-IPv4 and EVPN routes to the other with ORIGINATOR_ID and CLUSTER_LIST"
    )
    func reflection() async throws {
        let (rr, a, b) = try await Self.reflectorAndClients(base: 10, rtc: false)
        let (rrAddress, aAddress, bAddress) = (ip("127.0.0.10"), ip("127.0.0.11"), ip("127.0.0.12"))
        await a.originate(vpnRoute(host: 1, nextHop: "127.0.0.11", routeTargets: [Self.wanted]))
        await a.originate(evpnRoute(tag: 10, origin: "127.0.0.11", routeTargets: [Self.wanted]))
        try await a.start()
        try await b.start()

        #expect(await eventually { await b.adjRIBIn(peer: rrAddress).count == 2 })
        for route in await b.adjRIBIn(peer: rrAddress) {
            // RFC 4456 §8: the originator is A (its router ID is its address), the cluster the reflector's.
            #expect(route.attributes.contains(PathAttribute(.originatorID(IPv4Address(127, 0, 0, 11)))))
            #expect(route.attributes.contains(PathAttribute(.clusterList([Self.clusterID]))))
            #expect(route.attributes.contains(PathAttribute(.localPref(100))))
            #expect(route.nextHop?.address == ip("127.0.0.11"))
        }
        // Never back to the client it came from.
        #expect(await a.adjRIBIn(peer: rrAddress).isEmpty)

        // The reflector's looking glass: the best paths with their reason, and what went to each client.
        let best = await rr.bestPaths(family: .vpnIPv4)
        #expect(best.count == 1)
        #expect(best.first?.source == .peer(PeerID("127.0.0.11")))
        #expect(best.first?.reason == .onlyPath)
        #expect(await rr.adjRIBOut(peer: bAddress).count == 2)
        #expect(await rr.adjRIBOut(peer: aAddress).isEmpty)
        let sent = try #require(await rr.adjRIBOut(peer: bAddress, family: .evpn).first)
        #expect(sent.attributes.contains(PathAttribute(.clusterList([Self.clusterID]))))
        #expect(await rr.peer(aAddress)?.prefixesReceived == [.vpnIPv4: 1, .evpn: 1])

        // RFC 2918: the reflector re-sends its Adj-RIB-Out on request.
        let before = await b.peer(rrAddress)?.counters.received(.update) ?? 0
        try await b.requestRouteRefresh(peer: rrAddress, family: .vpnIPv4)
        #expect(await eventually { (await b.peer(rrAddress)?.counters.received(.update) ?? 0) > before })
        #expect(await b.adjRIBIn(peer: rrAddress).count == 2)

        // A's session drops: B gets the withdrawals.
        await a.shutdown()
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress).isEmpty })
        #expect(await rr.bestPaths(family: .vpnIPv4).isEmpty)
        await b.shutdown()
        await rr.shutdown()
    }

    @Test(
        "With RT Constraint a client gets VPN routes only for the route targets it subscribed to, until it unsubscribes"
    )
    func routeTargetConstraint() async throws {
        // With graceful restart, the reflector also holds its VPN routes for each client until the client's RT
        // membership End-of-RIB (RFC 4684 §6).
        let restart = ["graceful_restart_time = 30"]
        let (rr, a, b) = try await Self.reflectorAndClients(
            base: 20, rtc: true, reflectorLines: restart, clientLines: restart)
        let rrAddress = ip("127.0.0.20")
        await a.originate(vpnRoute(host: 1, nextHop: "127.0.0.21", routeTargets: [Self.wanted]))
        await a.originate(evpnRoute(tag: 10, origin: "127.0.0.21", routeTargets: [Self.wanted]))
        await a.originate(vpnRoute(host: 2, nextHop: "127.0.0.21", routeTargets: [Self.other]))
        try await a.start()
        try await b.start()

        // The reflector asks its clients for everything (the default membership route) and gets A's routes.
        #expect(await eventually { await rr.adjRIBIn(peer: ip("127.0.0.21"), family: .vpnIPv4).count == 2 })
        #expect(await eventually { await rr.adjRIBIn(peer: ip("127.0.0.21"), family: .evpn).count == 1 })
        #expect(
            await eventually {
                await a.adjRIBIn(peer: rrAddress, family: .routeTargetConstraint).contains {
                    if case .rtc(let l) = $0.nlri { l.first?.isDefault == true } else { false }
                }
            })
        // B asked for nothing: once the reflector's initial table is over, it has no VPN route.
        #expect(
            await eventually {
                await b.peer(rrAddress)?.endOfRIBReceived.isSuperset(of: [.vpnIPv4, .evpn]) == true
            })
        #expect(await b.adjRIBIn(peer: rrAddress, family: .vpnIPv4).isEmpty)
        #expect(await b.adjRIBIn(peer: rrAddress, family: .evpn).isEmpty)

        let changes = ChangeLog()
        let stream = await b.routeChanges(for: "vrf1")
        let reader = Task { for await change in stream { changes.append(change) } }
        await b.subscribe(family: .vpnIPv4, routeTarget: Self.wanted, subscriber: "vrf1")
        await b.subscribe(family: .evpn, routeTarget: Self.wanted, subscriber: "vrf1")

        // B's membership route reaches the reflector, which then sends exactly the matching routes.
        #expect(
            await eventually { await rr.adjRIBIn(peer: ip("127.0.0.22"), family: .routeTargetConstraint).count == 1 })
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress, family: .evpn).count == 1 })
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress, family: .vpnIPv4).count == 1 })
        let vpn = try #require(await b.adjRIBIn(peer: rrAddress, family: .vpnIPv4).first)
        #expect(vpn.description.contains("10.0.0.1/32"))
        #expect(await b.originatedRoutes().contains { $0.family == .routeTargetConstraint })
        // The subscriber got both, as advertisements.
        #expect(await eventually { changes.all.count == 2 })
        #expect(changes.all.allSatisfy { if case .advertise = $0 { true } else { false } })
        #expect(Set(changes.all.map(\.key.family)) == [.vpnIPv4, .evpn])

        await b.unsubscribe(family: .vpnIPv4, routeTarget: Self.wanted, subscriber: "vrf1")
        await b.unsubscribe(family: .evpn, routeTarget: Self.wanted, subscriber: "vrf1")
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress, family: .vpnIPv4).isEmpty })
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress, family: .evpn).isEmpty })
        #expect(await rr.adjRIBIn(peer: ip("127.0.0.22"), family: .routeTargetConstraint).isEmpty)
        #expect(await eventually { changes.all.count == 4 })
        #expect(changes.all.suffix(2).allSatisfy { if case .withdraw = $0 { true } else { false } })

        reader.cancel()
        await a.shutdown()
        await b.shutdown()
        await rr.shutdown()
    }

    @Test("A speaker that is not a route reflector sends only its own routes, never those of a peer to another")
    func noRedistribution() async throws {
        let hub = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.30", listen: true,
                peers: [("127.0.0.31", ["passive = true"]), ("127.0.0.32", ["passive = true", "peer_as = 64600"])]),
            options: testOptions)
        try await hub.start()
        let port = try #require(await hub.listeningPort)
        let hubAddress = ip("127.0.0.30")
        // An internal peer and an external one: RFC 4271 alone would send the external peer's routes to the
        // internal one and the other way round.
        let a = BGPSpeaker(
            configuration: try configuration(local: "127.0.0.31", peers: [("127.0.0.30", ["port = \(port)"])]),
            options: testOptions)
        let b = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.32", myAS: 64600, peers: [("127.0.0.30", ["port = \(port)", "peer_as = 64512"])]),
            options: testOptions)
        await hub.originate(vpnRoute(host: 30, nextHop: "127.0.0.30", routeTargets: [Self.wanted]))
        await a.originate(vpnRoute(host: 31, nextHop: "127.0.0.31", routeTargets: [Self.wanted]))
        await b.originate(vpnRoute(host: 32, nextHop: "127.0.0.32", routeTargets: [Self.wanted]))
        try await a.start()
        try await b.start()

        #expect(await eventually { await hub.adjRIBIn(peer: ip("127.0.0.31")).count == 1 })
        #expect(await eventually { await hub.adjRIBIn(peer: ip("127.0.0.32")).count == 1 })
        #expect(await eventually { await a.adjRIBIn(peer: hubAddress).count == 1 })
        #expect(await eventually { await b.adjRIBIn(peer: hubAddress).count == 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(await a.adjRIBIn(peer: hubAddress).map(\.description).allSatisfy { $0.contains("10.0.0.30/32") })
        #expect(await b.adjRIBIn(peer: hubAddress).map(\.description).allSatisfy { $0.contains("10.0.0.30/32") })
        #expect(await a.adjRIBIn(peer: hubAddress).count == 1)
        #expect(await b.adjRIBIn(peer: hubAddress).count == 1)
        #expect(await hub.adjRIBOut(peer: ip("127.0.0.31")).count == 1)
        #expect(await hub.adjRIBOut(peer: ip("127.0.0.32")).count == 1)
        // All three compete in the hub's Loc-RIB, and what it received is shown as received.
        #expect(await hub.bestPaths(family: .vpnIPv4).count == 3)
        for peer in ["127.0.0.31", "127.0.0.32"] {
            let route = try #require(await hub.adjRIBIn(peer: ip(peer)).first)
            #expect(!route.attributes.contains { $0.typeCode == PathAttribute.TypeCode.communities })
        }
        await a.shutdown()
        await b.shutdown()
        await hub.shutdown()
    }

    @Test("A client that restarts gracefully keeps its routes, stale, reflected to the others until its End-of-RIB")
    func gracefulRestart() async throws {
        let (rr, _, b) = try await Self.reflectorAndClients(
            base: 40, rtc: false, reflectorLines: ["graceful_restart_time = 30"])
        let port = try #require(await rr.listeningPort)
        let (rrAddress, raw) = (ip("127.0.0.40"), ip("127.0.0.41"))
        try await b.start()
        let capability = Capability.gracefulRestart(
            .init(restartTime: 30, families: [.init(.vpnIPv4, flags: 0x80)]))
        var update = vpnRoutes(hosts: [1, 2], nextHop: "127.0.0.41")
        update.pathAttributes += [PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100))]

        let first = try await RawPeer.connect(to: "127.0.0.40", port: port, from: "127.0.0.41")
        try await first.sendOpen(identifier: "127.0.0.41", extra: [capability])
        try await first.send(.keepalive)
        #expect(await eventually { await rr.state(of: "127.0.0.41") == .established })
        try await first.send(.update(update))
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress).count == 2 })

        // The TCP connection goes without a NOTIFICATION: RFC 4724 §4.2, the routes stay, stale.
        await first.close()
        #expect(await eventually { await rr.adjRIBIn(peer: raw).allSatisfy(\.isStale) })
        #expect(await rr.adjRIBIn(peer: raw).count == 2)
        try await Task.sleep(for: .milliseconds(200))
        #expect(await b.adjRIBIn(peer: rrAddress).count == 2)

        // Back, it announces one of them again: that one is fresh, the other still stale until End-of-RIB.
        let second = try await RawPeer.connect(to: "127.0.0.40", port: port, from: "127.0.0.41")
        try await second.sendOpen(identifier: "127.0.0.41", extra: [capability])
        try await second.send(.keepalive)
        #expect(await eventually { await rr.state(of: "127.0.0.41") == .established })
        var again = vpnRoutes(hosts: [1], nextHop: "127.0.0.41")
        again.pathAttributes += [PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100))]
        try await second.send(.update(again))
        #expect(
            await eventually {
                await rr.adjRIBIn(peer: raw).map(\.isStale) == [false, true]
            })
        try await second.send(.update(.endOfRIB(.vpnIPv4)))
        #expect(await eventually { await rr.adjRIBIn(peer: raw).map(\.isStale) == [false] })
        #expect(await eventually { await b.adjRIBIn(peer: rrAddress).count == 1 })
        #expect(await b.adjRIBIn(peer: rrAddress).first?.description.contains("10.0.0.1/32") == true)

        await second.close()
        await b.shutdown()
        await rr.shutdown()
    }

    @Test(
        "VPN routes for a peer with RT Constraint and graceful restart wait for its membership End-of-RIB, or a while")
    func membershipWait() async throws {
        var options = testOptions
        options.membershipEndOfRIBWait = .seconds(3)  // long enough for a loaded machine to send the membership first
        let rr = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.80", listen: true, rtc: true,
                bgp: ["route_reflector = true", "graceful_restart_time = 30"],
                peers: [("127.0.0.81", ["passive = true"])]),
            options: options)
        try await rr.start()
        let port = try #require(await rr.listeningPort)
        await rr.originate(vpnRoute(host: 80, nextHop: "127.0.0.80", routeTargets: [Self.wanted]))

        let peer = try await RawPeer.connect(to: "127.0.0.80", port: port, from: "127.0.0.81")
        try await peer.sendOpen(
            identifier: "127.0.0.81", families: [.vpnIPv4, .routeTargetConstraint],
            extra: [.gracefulRestart(.init(restartTime: 30))])
        try await peer.send(.keepalive)
        #expect(await eventually { await rr.state(of: "127.0.0.81") == .established })
        // Our membership: everything. No End-of-RIB follows it.
        try await peer.send(
            .update(
                UpdateMessage(pathAttributes: [
                    PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100)),
                    PathAttribute(
                        .mpReachNLRI(
                            MPReachNLRI(
                                family: .routeTargetConstraint, nextHop: .ipv4(IPv4Address(127, 0, 0, 81)),
                                nlri: .rtc([.default()])))),
                ])))
        func vpnUpdates() -> [UpdateMessage] {
            peer.messages.compactMap { message in
                guard case .update(let u) = message else { return nil }
                return u.mpReach?.family == .vpnIPv4 || u.endOfRIB == .vpnIPv4 ? u : nil
            }
        }
        // The membership table and its End-of-RIB come at once; the VPN family waits.
        #expect(
            await peer.waitFor { if case .update(let u) = $0 { u.endOfRIB == .routeTargetConstraint } else { false } }
                != nil)
        try await Task.sleep(for: .milliseconds(300))
        #expect(vpnUpdates().isEmpty)
        // Then the route, and the End-of-RIB after it.
        #expect(await eventually { vpnUpdates().count == 2 })
        #expect(vpnUpdates().first?.mpReach?.nlri.count == 1)
        #expect(vpnUpdates().last?.endOfRIB == .vpnIPv4)

        await peer.close()
        await rr.shutdown()
    }

    @Test("2,000 routes originated at once reach the peer in as few UPDATEs as the 4,096-octet limit allows")
    func updatePacking() async throws {
        let b = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.51", listen: true, peers: [("127.0.0.50", ["passive = true"])]),
            options: testOptions)
        try await b.start()
        let port = try #require(await b.listeningPort)
        let a = BGPSpeaker(
            configuration: try configuration(local: "127.0.0.50", peers: [("127.0.0.51", ["port = \(port)"])]),
            options: testOptions)
        let aAddress = ip("127.0.0.50")
        try await a.start()
        #expect(await eventually { await b.peer(aAddress)?.endOfRIBReceived == [.vpnIPv4, .evpn] })
        let before = try #require(await b.peer(aAddress)?.counters.received(.update))

        let count = 2000
        await a.originate(
            vpnRoutes(hosts: (1...UInt32(count)).map { $0 }, nextHop: "127.0.0.50", routeTargets: [Self.wanted]))
        #expect(await eventually(.seconds(30)) { await Self.routes(at: b, from: aAddress) == count })

        // A VPN-IPv4 /32 with one label takes 16 octets of NLRI (RFC 4364 §4.3.4, RFC 8277); header, attributes
        // and MP_REACH_NLRI take less than 100, so at least k = (4096 - 100) / 16 routes fit in each UPDATE.
        let k = (4096 - 100) / 16
        let received = try #require(await b.peer(aAddress)?.counters.received(.update)) - before
        #expect(received <= (count + k - 1) / k)
        #expect(await b.peer(aAddress)?.counters.errors.isEmpty == true)
        #expect(await b.state(of: "127.0.0.50") == .established)

        // Withdrawn at once, the routes go as packed.
        let beforeWithdrawal = try #require(await b.peer(aAddress)?.counters.received(.update))
        await a.withdraw(vpnRoutes(hosts: (1...UInt32(count)).map { $0 }, nextHop: "127.0.0.50"))
        #expect(await eventually(.seconds(30)) { await Self.routes(at: b, from: aAddress) == 0 })
        let withdrawals = try #require(await b.peer(aAddress)?.counters.received(.update)) - beforeWithdrawal
        #expect(withdrawals <= (count + k - 1) / k)

        await a.shutdown()
        await b.shutdown()
    }

    @Test("Through a route reflector, each UPDATE of a client reaches the other client in at most two")
    func reflectedPacking() async throws {
        let (rr, a, b) = try await Self.reflectorAndClients(base: 70, rtc: false)
        let rrAddress = ip("127.0.0.70")
        try await a.start()
        try await b.start()
        #expect(await eventually { await b.peer(rrAddress)?.endOfRIBReceived == [.vpnIPv4, .evpn] })
        #expect(await eventually { await a.peer(rrAddress)?.endOfRIBReceived == [.vpnIPv4, .evpn] })
        let received = try #require(await b.peer(rrAddress)?.counters.received(.update))
        let sent = try #require(await a.peer(rrAddress)?.counters.sent(.update))

        await a.originate(
            vpnRoutes(hosts: (1...2000).map { $0 }, nextHop: "127.0.0.71", routeTargets: [Self.wanted]))
        #expect(await eventually(.seconds(30)) { await Self.routes(at: b, from: rrAddress) == 2000 })
        // Each UPDATE from A is one event of the reflector's engine, packed on its own. The reflector adds
        // ORIGINATOR_ID and CLUSTER_LIST, so a full UPDATE from A may leave one route over for a second message.
        let fromA = try #require(await a.peer(rrAddress)?.counters.sent(.update)) - sent
        let atB = try #require(await b.peer(rrAddress)?.counters.received(.update)) - received
        #expect(fromA <= 9)
        #expect(atB <= 2 * fromA)

        await a.shutdown()
        await b.shutdown()
        await rr.shutdown()
    }
}

/// Route changes read from a subscriber's stream.
final class ChangeLog: Sendable {
    private let changes = Mutex<[RouteChange]>([])

    func append(_ change: RouteChange) { changes.withLock { $0.append(change) } }
    var all: [RouteChange] { changes.withLock { $0 } }
}

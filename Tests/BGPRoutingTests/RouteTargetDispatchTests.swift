import BGPRouting
import BGPWire
import Testing

@Suite("Route-target dispatch to VPN instances")
struct RouteTargetDispatchTests {
    let vrfA: SubscriberID = "vrf-a"
    let vrfB: SubscriberID = "vrf-b"
    let p1 = Fixture.peer(1)

    func engineWithPeer() -> RoutingEngine {
        var e = Fixture.engine()
        _ = e.process(.peerUp(p1))
        return e
    }

    @Test("A route is delivered to exactly the subscribers of the route targets it carries")
    func exactSubscribers() {
        var e = engineWithPeer()
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        _ = e.process(.subscribe(Subscription(vrfB, family: .vpnIPv4, routeTarget: Fixture.rt(2))))
        let effects = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [1, 3]))))
        #expect(effects.deliveredSubscribers == [vrfA])
        let change = effects.changes(for: vrfA)
        #expect(change.count == 1)
        #expect(change.first?.isAdvertise == true)
        #expect(change.first?.bestPath.route.source == .peer(p1.id))
        // A subscription of another family does not match.
        _ = e.process(.subscribe(Subscription(vrfB, family: .evpn, routeTarget: Fixture.rt(3))))
        let more = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(2)], attributes: Fixture.attributes(rts: [3]))))
        #expect(more.deliveredSubscribers.isEmpty)
    }

    @Test("A new subscriber gets the matching routes replayed, once")
    func replay() {
        var e = engineWithPeer()
        _ = e.process(
            .routesReceived(
                p1.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)], attributes: Fixture.attributes(rts: [1, 2]))))
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(3)], attributes: Fixture.attributes(rts: [9]))))
        let first = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        #expect(Set(first.changes(for: vrfA).map(\.key)) == [Fixture.key(1), Fixture.key(2)])
        // A second matching target replays nothing it already has.
        let second = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(2))))
        #expect(second.changes(for: vrfA).isEmpty)
    }

    @Test("Unsubscribing withdraws only the routes no remaining subscription matches")
    func unsubscribeWithdraws() {
        var e = engineWithPeer()
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(2))))
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [1]))))
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(2)], attributes: Fixture.attributes(rts: [1, 2]))))
        let effects = e.process(.unsubscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        let changes = effects.changes(for: vrfA)
        #expect(changes.count == 1)
        #expect(changes.first?.isAdvertise == false)
        #expect(changes.first?.key == Fixture.key(1))
    }

    @Test("A route whose route targets change is withdrawn from the old subscribers and given to the new")
    func routeTargetChange() {
        var e = engineWithPeer()
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        _ = e.process(.subscribe(Subscription(vrfB, family: .vpnIPv4, routeTarget: Fixture.rt(2))))
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [1]))))
        let effects = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [2]))))
        #expect(effects.changes(for: vrfA).map(\.isAdvertise) == [false])
        #expect(effects.changes(for: vrfB).map(\.isAdvertise) == [true])
        // A peer's withdrawal carries no route targets; the stored route says who had it.
        let gone = e.process(.routesReceived(p1.id, Fixture.withdraw([Fixture.vpn(1)])))
        #expect(gone.changes(for: vrfB).map(\.isAdvertise) == [false])
        #expect(gone.changes(for: vrfA).isEmpty)
    }

    @Test("Local routes reach other local instances importing their targets, never their own")
    func localToLocal() {
        var e = engineWithPeer()
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        _ = e.process(.subscribe(Subscription(vrfB, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        let route = LocalRoute(
            family: .vpnIPv4, nlri: .vpnIPv4(Fixture.vpn(1)), nextHop: .vpnIPv4(Fixture.routerID),
            routeTargets: [Fixture.rt(1)])
        let effects = e.process(.localRoute(vrfA, .advertise(route)))
        #expect(effects.deliveredSubscribers == [vrfB])
        #expect(effects.changes(for: vrfB).first?.bestPath.route.source == .local(vrfA))
        // And to the peer, with the export route target and LOCAL_PREF added.
        let sent = effects.updates(to: p1.id)
        #expect(sent.count == 1)
        #expect(sent.first?.attributeValue(PathAttribute.TypeCode.localPref) == .localPref(100))
        #expect(effects.announced(to: p1.id) == [Fixture.vpn(1)])
        let removed = e.process(.removeSubscriber(vrfA))
        #expect(removed.changes(for: vrfB).map(\.isAdvertise) == [false])
        #expect(removed.withdrawn(to: p1.id).map(\.prefix) == [Fixture.vpn(1).prefix])
        #expect(removed.changes(for: vrfA).isEmpty)
    }

    @Test("A multipath subscriber gets the ECMP set with the best path and its reason")
    func multipathDelivery() throws {
        var e = engineWithPeer()
        let p2 = Fixture.peer(2)
        _ = e.process(.peerUp(p2))
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1), multipath: true)))
        _ = e.process(.routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], nextHop: IPv4Address(192, 0, 2, 201))))
        let effects = e.process(
            .routesReceived(p2.id, Fixture.announce([Fixture.vpn(1)], nextHop: IPv4Address(192, 0, 2, 202))))
        let change = try #require(effects.changes(for: vrfA).last)
        #expect(change.bestPath.multipath.count == 2)
        #expect(change.bestPath.reason == .routerID)
    }

    @Test("A local route wins over a learned one for the same key; its own instance still sees the learned one")
    func localAgainstLearned() throws {
        var e = engineWithPeer()
        _ = e.process(.subscribe(Subscription(vrfA, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [1]))))
        let route = LocalRoute(
            family: .vpnIPv4, nlri: .vpnIPv4(Fixture.vpn(1, label: 300)), nextHop: .vpnIPv4(Fixture.routerID),
            routeTargets: [Fixture.rt(1)])
        let effects = e.process(.localRoute(vrfA, .advertise(route)))
        let best = try #require(e.bestPath(for: Fixture.key(1)))
        #expect(best.route.source == .local(vrfA))
        #expect(best.reason == .localOrigin)
        // The instance that exported it keeps the peer's route and is told nothing new.
        #expect(effects.changes(for: vrfA).isEmpty)
        // The local route is the best, so it goes to the peer, which had sent the other path.
        #expect(effects.announced(to: p1.id) == [Fixture.vpn(1, label: 300)])
    }
}

import BGPRouting
import BGPWire
import Testing

@Suite("RT Constraint (RFC 4684)")
struct RouteTargetConstraintTests {
    let vrf: SubscriberID = "vrf"
    let evi: SubscriberID = "evi"

    @Test("The first local importer of a route target originates its membership route, the last withdraws it")
    func originationFollowsImporters() {
        var e = Fixture.engine()
        let rr = Fixture.peer(1, rtc: true)
        _ = e.process(.peerUp(rr))
        let first = e.process(.subscribe(Subscription(vrf, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        #expect(first.contains(.rtcOriginated(Fixture.membership(1))))
        #expect(first.rtcAnnounced(to: rr.id) == [Fixture.membership(1)])
        #expect(e.originatedRTC == [Fixture.membership(1)])
        // The same target from another instance and another VPN family: no second route.
        let second = e.process(.subscribe(Subscription(evi, family: .evpn, routeTarget: Fixture.rt(1))))
        #expect(second.rtcAnnounced(to: rr.id).isEmpty)
        #expect(!second.contains { if case .rtcOriginated = $0 { true } else { false } })
        // bagpipe-bgp §11.3 item 3: the first to leave must not withdraw it while the other still imports.
        let leave = e.process(.unsubscribe(Subscription(vrf, family: .vpnIPv4, routeTarget: Fixture.rt(1))))
        #expect(leave.rtcWithdrawn(to: rr.id).isEmpty)
        let last = e.process(.unsubscribe(Subscription(evi, family: .evpn, routeTarget: Fixture.rt(1))))
        #expect(last.contains(.rtcWithdrawn(Fixture.membership(1))))
        #expect(last.rtcWithdrawn(to: rr.id) == [Fixture.membership(1)])
        #expect(e.originatedRTC.isEmpty)
    }

    @Test("Flowspec subscriptions originate no membership route")
    func flowspecNoRTC() {
        var e = Fixture.engine()
        let effects = e.process(.subscribe(Subscription(vrf, family: .vpnIPv4Flowspec, routeTarget: Fixture.rt(1))))
        #expect(effects.isEmpty)
        #expect(e.originatedRTC.isEmpty)
    }

    @Test("The default membership route is originated when configured and sent to RTC peers")
    func defaultRTC() {
        var e = Fixture.engine(defaultRTC: true)
        #expect(e.originatedRTC == [.default()])
        let rr = Fixture.peer(1, rtc: true)
        let effects = e.process(.peerUp(rr))
        #expect(effects.rtcAnnounced(to: rr.id) == [.default()])
        #expect(effects.endOfRIB(to: rr.id) == [.routeTargetConstraint, .vpnIPv4])
    }

    /// A route server peer 1 sends VPN routes with targets 1, 2 and 3; peer 2 negotiated RTC.
    func setUp(rtcPeer: PeerInfo = Fixture.peer(2, rtc: true)) -> (RoutingEngine, PeerInfo, PeerInfo) {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(rtcPeer))
        for rt in UInt32(1)...3 {
            _ = e.process(
                .routesReceived(
                    source.id, Fixture.announce([Fixture.vpn(rt)], attributes: Fixture.attributes(rts: [rt]))))
        }
        return (e, source, rtcPeer)
    }

    @Test("An RTC peer without membership routes gets no VPN route; a peer without RTC gets them all")
    func filterNothingUntilMembership() {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        let plain = Fixture.peer(3, client: true)
        let constrained = Fixture.peer(2, client: true, rtc: true)
        for p in [source, plain, constrained] { _ = e.process(.peerUp(p)) }
        let effects = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        #expect(effects.announced(to: plain.id).count == 2)
        #expect(effects.announced(to: constrained.id).isEmpty)
    }

    @Test("Membership growth sends the newly matching routes, shrinking withdraws them")
    func growAndShrink() {
        var (e, _, peer) = setUp(rtcPeer: Fixture.peer(2, client: true, rtc: true))
        let grow = e.process(.routesReceived(peer.id, Fixture.rtcAnnounce([Fixture.membership(2)])))
        #expect(grow.announced(to: peer.id).map(\.prefix) == [Fixture.vpn(2).prefix])
        let more = e.process(
            .routesReceived(peer.id, Fixture.rtcAnnounce([Fixture.membership(3), Fixture.membership(1)])))
        #expect(Set(more.announced(to: peer.id).map(\.prefix)) == [Fixture.vpn(1).prefix, Fixture.vpn(3).prefix])
        #expect(e.adjRIBOut(peer: peer.id, family: .vpnIPv4).count == 3)
        let shrink = e.process(.routesReceived(peer.id, Fixture.rtcWithdraw([Fixture.membership(2)])))
        #expect(shrink.withdrawn(to: peer.id).map(\.prefix) == [Fixture.vpn(2).prefix])
        #expect(shrink.announced(to: peer.id).isEmpty)
        #expect(e.adjRIBOut(peer: peer.id, family: .vpnIPv4).count == 2)
    }

    @Test("Two membership routes for one target (different origin AS): the target stays until both go")
    func countedMembership() {
        var (e, _, peer) = setUp(rtcPeer: Fixture.peer(2, client: true, rtc: true))
        _ = e.process(
            .routesReceived(
                peer.id, Fixture.rtcAnnounce([Fixture.membership(1, originAS: 1), Fixture.membership(1, originAS: 2)])))
        let one = e.process(.routesReceived(peer.id, Fixture.rtcWithdraw([Fixture.membership(1, originAS: 1)])))
        #expect(one.withdrawn(to: peer.id).isEmpty)
        let both = e.process(.routesReceived(peer.id, Fixture.rtcWithdraw([Fixture.membership(1, originAS: 2)])))
        #expect(both.withdrawn(to: peer.id).count == 1)
    }

    @Test("Partial route target prefixes match by their leading bits; the default route admits everything")
    func prefixesAndDefault() {
        var (e, _, peer) = setUp(rtcPeer: Fixture.peer(2, client: true, rtc: true))
        // 32 bits of origin AS + 48 bits of RT: type, sub-type and the 2-octet AS 65000 plus the top 16 bits of
        // the assigned number, which are 0 for targets 1, 2 and 3.
        let full = Fixture.membership(1)
        let partial = RTCNLRI(originAS: 65000, routeTarget: full.routeTarget, prefixLength: 80)
        let effects = e.process(.routesReceived(peer.id, Fixture.rtcAnnounce([partial])))
        #expect(effects.announced(to: peer.id).count == 3)
        _ = e.process(.routesReceived(peer.id, Fixture.rtcWithdraw([partial])))
        // A prefix that matches no target: only the type and sub-type of another kind (0x01 = IPv4 admin).
        let other = RTCNLRI(
            originAS: 65000, routeTarget: ExtendedCommunity(rawValue: 0x0102_0000_0000_0000), prefixLength: 48)
        let none = e.process(.routesReceived(peer.id, Fixture.rtcAnnounce([other])))
        #expect(none.announced(to: peer.id).isEmpty)
        let everything = e.process(.routesReceived(peer.id, Fixture.rtcAnnounce([.default()])))
        #expect(everything.announced(to: peer.id).count == 3)
        let back = e.process(.routesReceived(peer.id, Fixture.rtcWithdraw([.default()])))
        #expect(back.withdrawn(to: peer.id).count == 3)
    }

    @Test("A peer's membership routes are its own: another peer announcing the same one does not stand in for it")
    func perPeerMembership() {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        let a = Fixture.peer(2, client: true, rtc: true)
        let b = Fixture.peer(3, client: true, rtc: true)
        for p in [source, a, b] { _ = e.process(.peerUp(p)) }
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)])))
        let fromA = e.process(.routesReceived(a.id, Fixture.rtcAnnounce([Fixture.membership(1)])))
        #expect(fromA.announced(to: a.id).count == 1)
        // The same membership NLRI from b: b needs the route as well, although a's path is the best one.
        let fromB = e.process(.routesReceived(b.id, Fixture.rtcAnnounce([Fixture.membership(1)])))
        #expect(fromB.announced(to: b.id).count == 1)
        let aGone = e.process(.routesReceived(a.id, Fixture.rtcWithdraw([Fixture.membership(1)])))
        #expect(aGone.withdrawn(to: a.id).count == 1)
        #expect(aGone.withdrawn(to: b.id).isEmpty)
    }

    @Test("With the RFC 4684 §6 wait, VPN routes and their End-of-RIB follow the peer's membership End-of-RIB")
    func waitForMembershipEndOfRIB() {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)])))
        let peer = Fixture.peer(2, client: true, rtc: true, waitsForRTCEndOfRIB: true)
        let up = e.process(.peerUp(peer))
        #expect(up.endOfRIB(to: peer.id) == [.routeTargetConstraint])
        let member = e.process(.routesReceived(peer.id, Fixture.rtcAnnounce([Fixture.membership(1)])))
        #expect(member.announced(to: peer.id).isEmpty)
        let eor = e.process(.routesReceived(peer.id, .endOfRIB(.routeTargetConstraint)))
        #expect(eor.announced(to: peer.id).count == 1)
        #expect(eor.endOfRIB(to: peer.id) == [.vpnIPv4])
    }

    @Test("Membership routes from clients are reflected to other RTC peers")
    func membershipReflected() {
        var e = Fixture.engine(reflector: true)
        let a = Fixture.peer(1, client: true, rtc: true)
        let b = Fixture.peer(2, client: true, rtc: true)
        _ = e.process(.peerUp(a))
        _ = e.process(.peerUp(b))
        let effects = e.process(.routesReceived(a.id, Fixture.rtcAnnounce([Fixture.membership(5)])))
        #expect(effects.rtcAnnounced(to: b.id) == [Fixture.membership(5)])
        #expect(effects.rtcAnnounced(to: a.id).isEmpty)
    }
}

import BGPRouting
import BGPWire
import Testing

/// Peers with the same export policy share one Adj-RIB-Out (an update group); what each member is sent must still
/// be what it alone should get: never its own routes back, its own RT membership, its own refresh.
@Suite("Update groups: shared Adj-RIB-Out, per-peer results")
struct UpdateGroupTests {
    /// A reflector with four clients in one group.
    let clients = (UInt8(1)...4).map { Fixture.peer($0, client: true) }

    func reflector() -> RoutingEngine {
        var e = Fixture.engine(reflector: true)
        for p in clients { _ = e.process(.peerUp(p)) }
        return e
    }

    func hosts(_ routes: [VPNIPv4NLRI]) -> Set<UInt32> { Set(routes.map { $0.prefix.address.value & 0xFFFF }) }

    @Test("A route from a member is not reflected back to it but reaches every other member")
    func notBackToSource() {
        var e = reflector()
        let effects = e.process(
            .routesReceived(clients[1].id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        #expect(effects.updates(to: clients[1].id).isEmpty)
        for p in [clients[0], clients[2], clients[3]] { #expect(hosts(effects.announced(to: p.id)) == [1, 2]) }
        #expect(e.adjRIBOut(peer: clients[1].id, family: .vpnIPv4).isEmpty)
        #expect(e.adjRIBOut(peer: clients[0].id, family: .vpnIPv4).count == 2)
        // The withdrawal goes to the same three, not to the source.
        let gone = e.process(.routesReceived(clients[1].id, Fixture.withdraw([Fixture.vpn(1)])))
        #expect(gone.updates(to: clients[1].id).isEmpty)
        for p in [clients[0], clients[2], clients[3]] { #expect(hosts(gone.withdrawn(to: p.id)) == [1]) }
    }

    @Test("A peer joining mid-stream gets the full table, the members already there get nothing again")
    func joinMidStream() {
        var e = reflector()
        _ = e.process(.routesReceived(clients[0].id, Fixture.announce((1...5).map { Fixture.vpn($0) })))
        _ = e.process(.routesReceived(clients[1].id, Fixture.announce([Fixture.vpn(6)])))
        let late = Fixture.peer(5, client: true)
        let up = e.process(.peerUp(late))
        #expect(hosts(up.announced(to: late.id)) == Set(1...6))
        #expect(up.endOfRIB(to: late.id) == [.vpnIPv4])
        for p in clients { #expect(up.updates(to: p.id).isEmpty) }
        // From now on it gets the changes with the others, once each.
        let next = e.process(.routesReceived(clients[2].id, Fixture.announce([Fixture.vpn(7)])))
        for p in [clients[0], clients[1], clients[3], late] { #expect(hosts(next.announced(to: p.id)) == [7]) }
        #expect(next.updates(to: clients[2].id).isEmpty)
        // A member that itself sent routes and then joins again sees only the others' routes.
        _ = e.process(.peerDown(clients[0].id, retainingStale: [.vpnIPv4]))
        let back = e.process(.peerUp(clients[0]))
        #expect(hosts(back.announced(to: clients[0].id)) == [6, 7])
    }

    @Test("A peer that goes down gets nothing more; the others get the withdrawal of its routes")
    func leaveMidStream() {
        var e = reflector()
        _ = e.process(.routesReceived(clients[3].id, Fixture.announce([Fixture.vpn(9)])))
        let down = e.process(.peerDown(clients[3].id, retainingStale: []))
        #expect(down.updates(to: clients[3].id).isEmpty)
        for p in clients.prefix(3) { #expect(hosts(down.withdrawn(to: p.id)) == [9]) }
        let after = e.process(.routesReceived(clients[0].id, Fixture.announce([Fixture.vpn(1)])))
        #expect(after.updates(to: clients[3].id).isEmpty)
        for p in [clients[1], clients[2]] { #expect(hosts(after.announced(to: p.id)) == [1]) }
        #expect(e.adjRIBOut(peer: clients[3].id, family: .vpnIPv4).isEmpty)
    }

    @Test("Best path moving between two members' routes: the old source is sent the route, the new one a withdrawal")
    func bestPathBetweenMembers() {
        var e = reflector()
        let (a, b, c) = (clients[0], clients[1], clients[2])
        _ = e.process(.routesReceived(a.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes())))
        let better = e.process(
            .routesReceived(
                b.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(localPref: 200))))
        #expect(hosts(better.announced(to: a.id)) == [1])
        #expect(hosts(better.withdrawn(to: b.id)) == [1])
        #expect(better.announced(to: b.id).isEmpty)
        #expect(hosts(better.announced(to: c.id)) == [1])
        #expect(better.announced(to: c.id).isEmpty == false)
        let sentToC = better.updates(to: c.id).first?.attributeValue(PathAttribute.TypeCode.originatorID)
        #expect(sentToC == .originatorID(b.routerID))
        // Back to A's route.
        let worse = e.process(.routesReceived(b.id, Fixture.withdraw([Fixture.vpn(1)])))
        #expect(hosts(worse.withdrawn(to: a.id)) == [1])
        #expect(hosts(worse.announced(to: b.id)) == [1])
        #expect(hosts(worse.announced(to: c.id)) == [1])
        #expect(e.adjRIBOut(peer: a.id, family: .vpnIPv4).isEmpty)
        #expect(e.adjRIBOut(peer: b.id, family: .vpnIPv4).map(\.source) == [.peer(a.id)])
    }

    @Test("Best path moving between members' routes with equal outbound attributes still reaches the two sources")
    func sameOutboundAttributes() {
        var e = reflector()
        let (a, b, c) = (clients[0], clients[1], clients[2])
        // Both carry the same ORIGINATOR_ID (reflected to us already), so both go out with the same attributes.
        let reflected = Fixture.attributes(extra: [PathAttribute(.originatorID(IPv4Address(10, 9, 9, 9)))])
        _ = e.process(.routesReceived(a.id, Fixture.announce([Fixture.vpn(1)], attributes: reflected)))
        let second = e.process(.routesReceived(b.id, Fixture.announce([Fixture.vpn(1)], attributes: reflected)))
        // A's route stays best (lower peer address): nothing changes for anyone; B has had A's route since the first.
        for p in clients { #expect(second.updates(to: p.id).isEmpty) }
        #expect(e.adjRIBOut(peer: b.id, family: .vpnIPv4).map(\.source) == [.peer(a.id)])
        #expect(e.adjRIBOut(peer: a.id, family: .vpnIPv4).isEmpty)
        let gone = e.process(.routesReceived(a.id, Fixture.withdraw([Fixture.vpn(1)])))
        #expect(hosts(gone.announced(to: a.id)) == [1])
        #expect(hosts(gone.withdrawn(to: b.id)) == [1])
        #expect(gone.updates(to: b.id).count == 1)
        // The others had the same attributes and the same label already: nothing to say.
        #expect(gone.updates(to: c.id).isEmpty)
        #expect(gone.updates(to: clients[3].id).isEmpty)
    }

    @Test("Route refresh from one member re-sends its Adj-RIB-Out to it alone")
    func refreshOneMember() {
        var e = reflector()
        _ = e.process(.routesReceived(clients[0].id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        _ = e.process(.routesReceived(clients[1].id, Fixture.announce([Fixture.vpn(3)])))
        let refresh = e.process(.routeRefreshRequested(clients[1].id, .vpnIPv4))
        #expect(hosts(refresh.announced(to: clients[1].id)) == [1, 2])
        for p in [clients[0], clients[2], clients[3]] { #expect(refresh.updates(to: p.id).isEmpty) }
        let refreshSource = e.process(.routeRefreshRequested(clients[0].id, .vpnIPv4))
        #expect(hosts(refreshSource.announced(to: clients[0].id)) == [3])
    }

    @Test("An RT membership change of one member changes what that member gets, and only that member")
    func membershipOfOneMember() {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        let x = Fixture.peer(2, client: true, rtc: true)
        let y = Fixture.peer(3, client: true, rtc: true)
        for p in [source, x, y] { _ = e.process(.peerUp(p)) }
        // Same membership: one group.
        for p in [x, y] { _ = e.process(.routesReceived(p.id, Fixture.rtcAnnounce([Fixture.membership(1)]))) }
        let first = e.process(
            .routesReceived(
                source.id,
                Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [1]))))
        #expect(hosts(first.announced(to: x.id)) == [1])
        #expect(hosts(first.announced(to: y.id)) == [1])
        _ = e.process(
            .routesReceived(
                source.id, Fixture.announce([Fixture.vpn(2)], attributes: Fixture.attributes(rts: [2]))))
        // Y also imports target 2: Y alone gets route 2.
        let grow = e.process(.routesReceived(y.id, Fixture.rtcAnnounce([Fixture.membership(2)])))
        #expect(hosts(grow.announced(to: y.id)) == [2])
        // X hears of Y's membership route (RT membership is reflected too), but of no VPN route.
        #expect(grow.announced(to: x.id).isEmpty)
        #expect(grow.rtcAnnounced(to: x.id) == [Fixture.membership(2)])
        // Y drops target 1: Y alone loses route 1.
        let shrink = e.process(.routesReceived(y.id, Fixture.rtcWithdraw([Fixture.membership(1)])))
        #expect(hosts(shrink.withdrawn(to: y.id)) == [1])
        #expect(shrink.announced(to: x.id).isEmpty && shrink.withdrawn(to: x.id).isEmpty)
        // New routes follow each member's membership.
        let next = e.process(
            .routesReceived(
                source.id,
                Fixture.announce([Fixture.vpn(3)], attributes: Fixture.attributes(rts: [1]))))
        #expect(hosts(next.announced(to: x.id)) == [3])
        #expect(next.updates(to: y.id).isEmpty)
        // Back to the same membership as X: both get target 1 routes again, each once.
        _ = e.process(.routesReceived(y.id, Fixture.rtcWithdraw([Fixture.membership(2)])))
        let back = e.process(.routesReceived(y.id, Fixture.rtcAnnounce([Fixture.membership(1)])))
        #expect(hosts(back.announced(to: y.id)) == [1, 3])
        #expect(back.announced(to: x.id).isEmpty && back.withdrawn(to: x.id).isEmpty)
        let last = e.process(
            .routesReceived(
                source.id,
                Fixture.announce([Fixture.vpn(4)], attributes: Fixture.attributes(rts: [1]))))
        #expect(hosts(last.announced(to: x.id)) == [4])
        #expect(hosts(last.announced(to: y.id)) == [4])
        #expect(e.adjRIBOut(peer: y.id, family: .vpnIPv4).count == 3)
    }

    @Test("Members with different message sizes share the group but get UPDATEs of their own size")
    func encodingPerMember() {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        let small = Fixture.peer(2, client: true, maximumMessageLength: 4096)
        let large = Fixture.peer(3, client: true, maximumMessageLength: 65535)
        for p in [source, small, large] { _ = e.process(.peerUp(p)) }
        let routes = (0..<2000).map { Fixture.vpn(UInt32($0)) }
        let effects = e.process(.routesReceived(source.id, Fixture.announce(routes)))
        #expect(effects.announced(to: small.id).count == 2000)
        #expect(effects.announced(to: large.id).count == 2000)
        #expect(effects.updates(to: small.id).count > effects.updates(to: large.id).count)
        #expect(effects.updates(to: small.id).allSatisfy { BGPMessage.update($0).encode().count <= 4096 })
    }

    @Test("Members of one group cost one Adj-RIB-Out between them, whether they came before the routes or after")
    func oneTablePerGroup() {
        let routes = (0..<20_000).map { Fixture.vpn(UInt32($0)) }
        func tableBytes(before: UInt8, after: UInt8) -> Int {
            var e = Fixture.engine(reflector: true)
            for i in 1...before { _ = e.process(.peerUp(Fixture.peer(i, client: true))) }
            _ = e.process(.routesReceived(PeerID("peer1"), Fixture.announce(routes)))
            for i in before..<before + after {
                let late = e.process(.peerUp(Fixture.peer(i + 1, client: true)))
                #expect(late.announced(to: PeerID("peer\(i + 1)")).count == routes.count)
            }
            return e.memoryUsage.tableBytes
        }
        let two = tableBytes(before: 2, after: 0)
        // An array per peer would add 4 octets per route for each of the 8 more peers.
        #expect(tableBytes(before: 10, after: 0) - two < routes.count * 4)
        #expect(tableBytes(before: 2, after: 8) - two < routes.count * 4)
    }
}

import BGPRouting
import BGPWire
import Testing

@Suite("Adj-RIB-Out: packing, End-of-RIB, refresh, session loss")
struct AdjRIBOutTests {
    let source = Fixture.peer(1, client: true)

    /// How many VPN-IPv4 /32 routes with one label fit in one UPDATE with `set`, from the encoder alone.
    static func perMessage(_ attributes: [PathAttribute], nextHop: IPv4Address, maximum: Int) -> Int {
        func size(_ n: Int) -> Int {
            let routes = (0..<n).map { Fixture.vpn(UInt32($0)) }
            let reach = PathAttribute(
                .mpReachNLRI(MPReachNLRI(family: .vpnIPv4, nextHop: .vpnIPv4(nextHop), nlri: .vpnIPv4(routes))))
            return BGPMessage.update(UpdateMessage(pathAttributes: attributes + [reach])).encode().count
        }
        // The largest k with size(k) <= maximum, by bisection: sizes grow with k.
        var low = 1
        var high = 8192
        while low < high {
            let mid = (low + high + 1) / 2
            if size(mid) <= maximum { low = mid } else { high = mid - 1 }
        }
        return low
    }

    @Test(
        "N routes with equal attributes go out in ceil(N/k) UPDATEs, each within the maximum size",
        arguments: [4096, 65535])
    func packing(maximum: Int) throws {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true, maximumMessageLength: maximum)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        let n = 3000
        let hop = IPv4Address(192, 0, 2, 200)
        let routes = (0..<n).map { Fixture.vpn(UInt32($0)) }
        var effects: [EngineEffect] = []
        // Fed in pieces, as UPDATEs arrive; each event flushes its own changes.
        effects += e.process(.routesReceived(source.id, Fixture.announce(Array(routes))))
        let updates = effects.updates(to: target.id)
        // Attributes as reflected: ORIGINATOR_ID and CLUSTER_LIST added, in type order.
        let reflected =
            Fixture.attributes() + [
                PathAttribute(.originatorID(source.routerID)), PathAttribute(.clusterList([Fixture.clusterID])),
            ]
        let k = Self.perMessage(reflected.sorted { $0.typeCode < $1.typeCode }, nextHop: hop, maximum: maximum)
        #expect(updates.count == (n + k - 1) / k)
        var received: [VPNIPv4NLRI] = []
        for u in updates {
            let bytes = BGPMessage.update(u).encode()
            #expect(bytes.count <= maximum)
            let decoded = try #require(try u.roundTripped(extendedMessage: maximum > 4096))
            #expect(decoded == u)
            if case .vpnIPv4(let l)? = decoded.mpReach?.nlri { received += l }
        }
        #expect(
            updates.dropLast().allSatisfy { u in
                if case .vpnIPv4(let l)? = u.mpReach?.nlri { return l.count == k }
                return false
            })
        #expect(Set(received) == Set(routes))
        // Withdrawals pack the same way, within the limit.
        let gone = e.process(.routesReceived(source.id, Fixture.withdraw(routes)))
        let withdrawals = gone.updates(to: target.id)
        #expect(withdrawals.allSatisfy { BGPMessage.update($0).encode().count <= maximum })
        #expect(gone.withdrawn(to: target.id).count == n)
    }

    @Test("Routes with different attributes go in separate UPDATEs; equal ones share")
    func groupsByAttributes() {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        _ = e.process(
            .routesReceived(source.id, Fixture.announce([Fixture.vpn(3)], attributes: Fixture.attributes(rts: [2]))))
        let effects = e.process(.routeRefreshRequested(target.id, .vpnIPv4))
        #expect(effects.updates(to: target.id).count == 2)
        #expect(effects.announced(to: target.id).count == 3)
    }

    @Test("A new peer gets the table, then End-of-RIB for each family, in that order")
    func endOfRIB() throws {
        var e = Fixture.engine(reflector: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)])))
        let target = Fixture.peer(2, client: true, families: [.vpnIPv4, .evpn])
        let effects = e.process(.peerUp(target))
        #expect(effects.announced(to: target.id).count == 1)
        #expect(effects.endOfRIB(to: target.id) == [.vpnIPv4, .evpn])
        let sendIndex = try #require(effects.firstIndex { if case .sendUpdates = $0 { true } else { false } })
        let eorIndex = try #require(effects.firstIndex { if case .sendEndOfRIB = $0 { true } else { false } })
        #expect(sendIndex < eorIndex)
    }

    @Test("Route refresh re-sends the Adj-RIB-Out, between BoRR and EoRR with enhanced refresh")
    func routeRefresh() {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true, enhancedRefresh: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        let effects = e.process(.routeRefreshRequested(target.id, .vpnIPv4))
        #expect(effects.count == 3)
        #expect(
            effects.first
                == .sendRouteRefresh(target.id, RouteRefreshMessage(family: .vpnIPv4, subtype: .beginningOfRIB)))
        #expect(effects.last == .sendRouteRefresh(target.id, RouteRefreshMessage(family: .vpnIPv4, subtype: .endOfRIB)))
        #expect(effects.announced(to: target.id).count == 2)
        // Nothing was pending afterwards: another event sends nothing more.
        #expect(e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)]))).isEmpty)
    }

    @Test("Only changes are sent: the same route again sends nothing, a new label sends it again")
    func minimalUpdates() {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)])))
        #expect(e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)]))).isEmpty)
        let relabeled = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1, label: 200)])))
        #expect(relabeled.announced(to: target.id) == [Fixture.vpn(1, label: 200)])
        // Announced and withdrawn in the same UPDATE-processing event: the withdrawal of an unknown key sends
        // nothing.
        #expect(e.process(.routesReceived(source.id, Fixture.withdraw([Fixture.vpn(99)]))).isEmpty)
    }

    @Test("Session loss withdraws the peer's routes from everyone else and forgets its Adj-RIB-Out")
    func peerDown() {
        var e = Fixture.engine(reflector: true)
        let a = Fixture.peer(2, client: true)
        let b = Fixture.peer(3, client: true)
        for p in [source, a, b] { _ = e.process(.peerUp(p)) }
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        let effects = e.process(.peerDown(source.id))
        #expect(effects.withdrawn(to: a.id).count == 2)
        #expect(effects.withdrawn(to: b.id).count == 2)
        #expect(effects.updates(to: source.id).isEmpty)
        #expect(e.routeCount(family: .vpnIPv4) == 0)
        #expect(e.adjRIBOut(peer: a.id, family: .vpnIPv4).isEmpty)
        // Back up: it gets the table of the others, which is empty now.
        let up = e.process(.peerUp(source))
        #expect(up.updates(to: source.id).isEmpty)
        #expect(up.endOfRIB(to: source.id) == [.vpnIPv4])
    }

    @Test("Graceful restart keeps the routes stale; End-of-RIB removes those not announced again")
    func gracefulRestart() {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        let down = e.process(.peerDown(source.id, retainingStale: [.vpnIPv4]))
        #expect(down.isEmpty)
        #expect(e.routeCount(family: .vpnIPv4) == 2)
        _ = e.process(.peerUp(source))
        let again = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1)])))
        #expect(again.updates(to: target.id).isEmpty)
        let eor = e.process(.routesReceived(source.id, .endOfRIB(.vpnIPv4)))
        #expect(eor.withdrawn(to: target.id).map(\.prefix) == [Fixture.vpn(2).prefix])
        #expect(e.routeCount(family: .vpnIPv4) == 1)
    }

    @Test("ADD-PATH: paths of one peer with different identifiers are separate paths of one key")
    func addPathReceive() throws {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(
            .routesReceived(
                source.id, Fixture.announce([Fixture.vpn(1, pathID: 1)], attributes: Fixture.attributes(localPref: 100))
            ))
        let second = e.process(
            .routesReceived(
                source.id, Fixture.announce([Fixture.vpn(1, pathID: 2)], attributes: Fixture.attributes(localPref: 200))
            ))
        #expect(e.paths(for: Fixture.key(1)).count == 2)
        #expect(try #require(e.bestPath(for: Fixture.key(1))).reason == .localPreference)
        // Sent without path identifier, once per key.
        #expect(second.announced(to: target.id) == [Fixture.vpn(1)])
        let gone = e.process(.routesReceived(source.id, Fixture.withdraw([Fixture.vpn(1, pathID: 2)])))
        #expect(gone.updates(to: target.id).count == 1)
        #expect(e.paths(for: Fixture.key(1)).count == 1)
    }

    @Test("Mark and sweep (enhanced route refresh inbound): routes not announced again in between are withdrawn")
    func markAndSweep() {
        var e = Fixture.engine(reflector: true)
        let target = Fixture.peer(2, client: true)
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2), Fixture.vpn(3)])))
        #expect(e.process(.markStale(source.id, families: [.vpnIPv4])).isEmpty)
        _ = e.process(.routesReceived(source.id, Fixture.announce([Fixture.vpn(2)])))
        let swept = e.process(.sweepStale(source.id, families: [.vpnIPv4]))
        #expect(Set(swept.withdrawn(to: target.id).map(\.prefix)) == [Fixture.vpn(1).prefix, Fixture.vpn(3).prefix])
        #expect(e.adjRIBIn(peer: source.id, family: .vpnIPv4).count == 1)
    }
}

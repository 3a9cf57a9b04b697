import BGPRouting
import BGPWire
import Testing

@Suite("Best path selection (RFC 4271 §9.1.2.2, RFC 4456 §9)")
struct BestPathSelectionTests {
    /// Two candidates equal in everything; each case changes one field of the second so that it wins by one rule.
    static let base = PathCandidate(
        localPreference: 100, asPathLength: 2, origin: .egp, med: 50, neighborAS: 65001, isExternal: false,
        igpCost: 10, routerID: IPv4Address(10, 0, 0, 9), clusterListLength: 2,
        peerAddress: .v4(IPv4Address(192, 0, 2, 9)), tieBreaker: 9)

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var reason: BestPathReason
        var better: @Sendable (inout PathCandidate) -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "next hop reachability", reason: .reachableNextHop) { _ in },
        Case(name: "higher LOCAL_PREF", reason: .localPreference) { $0.localPreference = 200 },
        Case(name: "local origin", reason: .localOrigin) { $0.isLocal = true },
        Case(name: "shorter AS_PATH", reason: .asPathLength) { $0.asPathLength = 1 },
        Case(name: "lower ORIGIN", reason: .origin) { $0.origin = .igp },
        Case(name: "lower MED from the same AS", reason: .med) { $0.med = 5 },
        Case(name: "eBGP over iBGP", reason: .externalOverInternal) { $0.isExternal = true },
        Case(name: "lower IGP cost", reason: .igpCost) { $0.igpCost = 1 },
        Case(name: "lower router ID", reason: .routerID) { $0.routerID = IPv4Address(10, 0, 0, 1) },
        Case(name: "shorter CLUSTER_LIST", reason: .clusterListLength) { $0.clusterListLength = 1 },
        Case(name: "lower peer address", reason: .peerAddress) { $0.peerAddress = .v4(IPv4Address(192, 0, 2, 1)) },
        Case(name: "lower path identifier", reason: .pathIdentifier) { $0.tieBreaker = 1 },
    ]

    @Test("Each tie-breaker decides when all earlier ones tie, and is reported as the reason", arguments: cases)
    func tieBreaker(_ c: Case) throws {
        var winner = Self.base
        c.better(&winner)
        var loser = Self.base
        if c.reason == .reachableNextHop { loser.igpCost = nil }
        for order in [[loser, winner], [winner, loser]] {
            let d = try #require(BestPathSelection.select(order))
            #expect(order[d.best] == winner)
            #expect(d.reason == c.reason)
        }
    }

    @Test("A single candidate wins as the only path")
    func onlyPath() throws {
        let d = try #require(BestPathSelection.select([Self.base]))
        #expect(d.best == 0)
        #expect(d.reason == .onlyPath)
    }

    @Test("No candidate with a reachable next hop means no best path")
    func unreachable() {
        var c = Self.base
        c.igpCost = nil
        #expect(BestPathSelection.select([c]) == nil)
        #expect(BestPathSelection.select([c, c]) == nil)
    }

    @Test("MED is compared only between routes from the same neighbouring AS")
    func medPerNeighborAS() throws {
        // a (AS 1, MED 10) beats b (AS 1, MED 20); c (AS 2, MED 99) is not compared with them on MED,
        // and wins on router ID over a.
        var a = Self.base
        a.neighborAS = 1
        a.med = 10
        a.routerID = IPv4Address(10, 0, 0, 5)
        var b = a
        b.med = 20
        b.routerID = IPv4Address(10, 0, 0, 1)
        var c = a
        c.neighborAS = 2
        c.med = 99
        c.routerID = IPv4Address(10, 0, 0, 3)
        let d = try #require(BestPathSelection.select([a, b, c]))
        #expect(d.best == 2)
        #expect(d.reason == .routerID)
    }

    @Test("The multipath set holds the candidates equal through the IGP cost step, best first")
    func multipath() throws {
        var a = Self.base
        a.routerID = IPv4Address(10, 0, 0, 7)
        var b = Self.base
        b.routerID = IPv4Address(10, 0, 0, 3)
        var worse = Self.base
        worse.igpCost = 100
        let d = try #require(BestPathSelection.select([a, worse, b]))
        #expect(d.best == 2)
        #expect(d.multipath == [2, 0])
        #expect(d.reason == .routerID)
    }
}

@Suite("Best path in the engine")
struct EngineBestPathTests {
    @Test("Routes from two peers for one key: the higher LOCAL_PREF wins and the looking glass says why")
    func localPreferenceAcrossPeers() throws {
        var e = Fixture.engine()
        let p1 = Fixture.peer(1)
        let p2 = Fixture.peer(2)
        _ = e.process(.peerUp(p1))
        _ = e.process(.peerUp(p2))
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(localPref: 100))))
        _ = e.process(
            .routesReceived(p2.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(localPref: 300))))
        let best = try #require(e.bestPath(for: Fixture.key(1)))
        #expect(best.route.source == .peer(p2.id))
        #expect(best.reason == .localPreference)
        #expect(e.paths(for: Fixture.key(1)).count == 2)
        // The better path goes away: the other takes over, alone.
        _ = e.process(.routesReceived(p2.id, Fixture.withdraw([Fixture.vpn(1)])))
        let after = try #require(e.bestPath(for: Fixture.key(1)))
        #expect(after.route.source == .peer(p1.id))
        #expect(after.reason == .onlyPath)
    }

    @Test("Equal paths from two peers form an ECMP set; an unreachable next hop takes a path out")
    func ecmpAndIGPHook() throws {
        let unreachable = IPv4Address(192, 0, 2, 222)
        var e = Fixture.engine(igpCost: { hop in hop?.address == .v4(unreachable) ? nil : 10 })
        let p1 = Fixture.peer(1)
        let p2 = Fixture.peer(2)
        let p3 = Fixture.peer(3)
        for p in [p1, p2, p3] { _ = e.process(.peerUp(p)) }
        _ = e.process(.routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], nextHop: IPv4Address(192, 0, 2, 201))))
        _ = e.process(.routesReceived(p2.id, Fixture.announce([Fixture.vpn(1)], nextHop: IPv4Address(192, 0, 2, 202))))
        _ = e.process(.routesReceived(p3.id, Fixture.announce([Fixture.vpn(1)], nextHop: unreachable)))
        let best = try #require(e.bestPath(for: Fixture.key(1)))
        #expect(best.multipath.count == 2)
        #expect(best.route.source == .peer(p1.id))
        #expect(best.reason == .routerID)
        #expect(!best.multipath.contains { $0.source == .peer(p3.id) })
    }
}

import BGPRouting
import BGPWire
import Testing

@Suite("Route reflection (RFC 4456) and the eBGP/iBGP rules")
struct RouteReflectionTests {
    let clientA = Fixture.peer(1, client: true)
    let clientB = Fixture.peer(2, client: true)
    let nonClientC = Fixture.peer(3)
    let nonClientD = Fixture.peer(4)

    func reflector() -> RoutingEngine {
        var e = Fixture.engine(reflector: true)
        for p in [clientA, clientB, nonClientC, nonClientD] { _ = e.process(.peerUp(p)) }
        return e
    }

    @Test("A client's route goes to every other peer with ORIGINATOR_ID and CLUSTER_LIST, next hop unchanged")
    func fromClient() throws {
        var e = reflector()
        let hop = IPv4Address(192, 0, 2, 77)
        let effects = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1)], nextHop: hop)))
        for p in [clientB, nonClientC, nonClientD] {
            let u = try #require(effects.updates(to: p.id).first)
            #expect(u.attributeValue(PathAttribute.TypeCode.originatorID) == .originatorID(clientA.routerID))
            #expect(u.attributeValue(PathAttribute.TypeCode.clusterList) == .clusterList([Fixture.clusterID]))
            #expect(u.mpReach?.nextHop == .vpnIPv4(hop))
        }
        #expect(effects.updates(to: clientA.id).isEmpty)
    }

    @Test("A non-client's route goes to clients only")
    func fromNonClient() {
        var e = reflector()
        let effects = e.process(.routesReceived(nonClientC.id, Fixture.announce([Fixture.vpn(1)])))
        #expect(effects.announced(to: clientA.id).count == 1)
        #expect(effects.announced(to: clientB.id).count == 1)
        #expect(effects.announced(to: nonClientD.id).isEmpty)
        #expect(effects.announced(to: nonClientC.id).isEmpty)
    }

    @Test("An existing ORIGINATOR_ID is kept and our cluster is prepended to the CLUSTER_LIST")
    func existingReflectionAttributes() throws {
        var e = reflector()
        let originator = IPv4Address(10, 9, 9, 9)
        let other = IPv4Address(10, 0, 0, 200)
        let attributes = Fixture.attributes(extra: [
            PathAttribute(.originatorID(originator)), PathAttribute(.clusterList([other])),
        ])
        let effects = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1)], attributes: attributes)))
        let u = try #require(effects.updates(to: clientB.id).first)
        #expect(u.attributeValue(PathAttribute.TypeCode.originatorID) == .originatorID(originator))
        #expect(u.attributeValue(PathAttribute.TypeCode.clusterList) == .clusterList([Fixture.clusterID, other]))
    }

    @Test("Routes with our router ID as ORIGINATOR_ID or our cluster in CLUSTER_LIST are dropped, and replace nothing")
    func loops() {
        var e = reflector()
        _ = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1), Fixture.vpn(2)])))
        let looped1 = Fixture.attributes(extra: [PathAttribute(.originatorID(Fixture.routerID))])
        let looped2 = Fixture.attributes(extra: [
            PathAttribute(.clusterList([IPv4Address(1, 1, 1, 1), Fixture.clusterID]))
        ])
        let a = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1)], attributes: looped1)))
        let b = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(2)], attributes: looped2)))
        #expect(a.withdrawn(to: clientB.id).count == 1)
        #expect(b.withdrawn(to: clientB.id).count == 1)
        #expect(e.routeCount(family: .vpnIPv4) == 0)
        #expect(e.statistics.loopedAnnouncements == 2)
    }

    @Test("Without reflection, routes from an internal peer are not sent to internal peers")
    func noReflection() {
        var e = Fixture.engine()
        _ = e.process(.peerUp(clientA))
        _ = e.process(.peerUp(clientB))
        let effects = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1)])))
        #expect(effects.updates(to: clientB.id).isEmpty)
    }

    @Test(
        "Internal routes go to an external peer with our AS prepended and LOCAL_PREF, MED and reflection attributes removed"
    )
    func toExternal() throws {
        var e = Fixture.engine(reflector: true)
        let external = PeerInfo(
            id: "ext", address: .v4(IPv4Address(198, 51, 100, 1)), routerID: IPv4Address(10, 5, 5, 5), asn: 65100,
            isInternal: false, families: [.vpnIPv4], nextHopSelf: .v4(IPv4Address(198, 51, 100, 2)))
        _ = e.process(.peerUp(clientA))
        _ = e.process(.peerUp(external))
        let attributes = Fixture.attributes(med: 7, extra: [PathAttribute(.clusterList([IPv4Address(1, 2, 3, 4)]))])
        let effects = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1)], attributes: attributes)))
        let u = try #require(effects.updates(to: external.id).first)
        #expect(u.attributeValue(PathAttribute.TypeCode.asPath) == .asPath(ASPath(sequence: [Fixture.localAS])))
        #expect(u.attribute(PathAttribute.TypeCode.localPref) == nil)
        #expect(u.attribute(PathAttribute.TypeCode.multiExitDisc) == nil)
        #expect(u.attribute(PathAttribute.TypeCode.clusterList) == nil)
        #expect(u.attribute(PathAttribute.TypeCode.originatorID) == nil)
        #expect(u.mpReach?.nextHop == .vpnIPv4(IPv4Address(198, 51, 100, 2)))
    }

    @Test("External routes: LOCAL_PREF ignored on receipt and the default added towards internal peers; our AS loops")
    func fromExternal() throws {
        var e = Fixture.engine()
        let external = Fixture.peer(9, asn: 65100)
        _ = e.process(.peerUp(external))
        _ = e.process(.peerUp(clientA))
        let attributes = Fixture.attributes(localPref: 500, asPath: [65100])
        let effects = e.process(
            .routesReceived(external.id, Fixture.announce([Fixture.vpn(1)], attributes: attributes)))
        let u = try #require(effects.updates(to: clientA.id).first)
        #expect(u.attributeValue(PathAttribute.TypeCode.localPref) == .localPref(100))
        let looped = e.process(
            .routesReceived(
                external.id,
                Fixture.announce([Fixture.vpn(2)], attributes: Fixture.attributes(asPath: [65100, Fixture.localAS]))))
        #expect(looped.updates(to: clientA.id).isEmpty)
        #expect(e.statistics.loopedAnnouncements == 1)
    }

    @Test("NO_ADVERTISE stops a route everywhere, NO_EXPORT at the AS border")
    func wellKnownCommunities() {
        var e = Fixture.engine(reflector: true)
        let external = Fixture.peer(9, asn: 65100)
        for p in [clientA, clientB, external] { _ = e.process(.peerUp(p)) }
        let noExport = Fixture.attributes(extra: [PathAttribute(.communities([.noExport]))])
        let a = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(1)], attributes: noExport)))
        #expect(a.announced(to: clientB.id).count == 1)
        #expect(a.announced(to: external.id).isEmpty)
        let noAdvertise = Fixture.attributes(extra: [PathAttribute(.communities([.noAdvertise]))])
        let b = e.process(.routesReceived(clientA.id, Fixture.announce([Fixture.vpn(2)], attributes: noAdvertise)))
        #expect(b.updates(to: clientB.id).isEmpty)
        #expect(b.updates(to: external.id).isEmpty)
    }
}

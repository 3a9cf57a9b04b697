import BGPRouting
import BGPWire
import Testing

@Suite("Attribute interning")
struct AttributeTableTests {
    let hop = NextHop.vpnIPv4(IPv4Address(192, 0, 2, 1))

    @Test("Equal attribute sets share one entry, whatever order their attributes came in")
    func sharing() {
        var table = AttributeTable()
        let a = AttributeSet(nextHop: hop, attributes: Fixture.attributes())
        let b = AttributeSet(nextHop: hop, attributes: Fixture.attributes().reversed())
        #expect(a == b)
        let ha = table.intern(a)
        let hb = table.intern(b)
        #expect(ha == hb)
        #expect(table.count == 1)
        #expect(table.referenceCount(ha) == 2)
        let other = table.intern(AttributeSet(nextHop: hop, attributes: Fixture.attributes(localPref: 200)))
        #expect(other != ha)
        #expect(table.count == 2)
    }

    @Test("Releasing the last reference frees the entry and its handle is reused")
    func release() {
        var table = AttributeTable()
        let set = AttributeSet(nextHop: hop, attributes: Fixture.attributes())
        let h = table.intern(set)
        table.retain(h)
        table.release(h)
        #expect(table.count == 1)
        table.release(h)
        #expect(table.count == 0)
        #expect(table.handle(of: set) == nil)
        let again = table.intern(AttributeSet(nextHop: hop, attributes: Fixture.attributes(rts: [7])))
        #expect(again == h)
    }

    @Test("The set drops MP_REACH_NLRI and folds NEXT_HOP into the next hop")
    func carriers() {
        let set = AttributeSet(
            nextHop: .ipv4(IPv4Address(192, 0, 2, 1)),
            attributes: [
                PathAttribute(.nextHop(IPv4Address(192, 0, 2, 1))), PathAttribute(.origin(.igp)),
                PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: .vpnIPv4, withdrawnRoutes: .vpnIPv4([])))),
            ])
        #expect(set.attributes.map(\.typeCode) == [PathAttribute.TypeCode.origin])
        #expect(set.routeTargets.isEmpty)
    }

    @Test("Routes of one UPDATE share one set in the engine; the count drops when they go")
    func engineSharing() {
        var e = Fixture.engine()
        let p1 = Fixture.peer(1)
        let p2 = Fixture.peer(2)
        _ = e.process(.peerUp(p1))
        _ = e.process(.peerUp(p2))
        let before = e.attributeSetCount
        _ = e.process(.routesReceived(p1.id, Fixture.announce((1...500).map { Fixture.vpn($0) })))
        _ = e.process(.routesReceived(p1.id, Fixture.announce((501...1000).map { Fixture.vpn($0) })))
        // One set as received; peer 2 is internal and not reflected to, so no outbound set.
        #expect(e.attributeSetCount == before + 1)
        _ = e.process(
            .routesReceived(p1.id, Fixture.announce([Fixture.vpn(1)], attributes: Fixture.attributes(rts: [2]))))
        #expect(e.attributeSetCount == before + 2)
        _ = e.process(.peerDown(p1.id))
        #expect(e.attributeSetCount == before)
        #expect(e.routeCount(family: .vpnIPv4) == 0)
    }
}

import BGPRouting
import BGPWire
import Testing

@Suite("Medium-size table")
struct ScaleTests {
    @Test("100k VPN-IPv4 routes go through best path to a reflected peer and leave with the source")
    func hundredThousandRoutes() throws {
        var e = Fixture.engine(reflector: true)
        let source = Fixture.peer(1, client: true)
        let target = Fixture.peer(2, client: true)
        let vrf: SubscriberID = "vrf"
        _ = e.process(.peerUp(source))
        _ = e.process(.peerUp(target))
        _ = e.process(.subscribe(Subscription(vrf, family: .vpnIPv4, routeTarget: Fixture.rt(7))))
        let total = 100_000
        let perUpdate = 250
        var announced = 0
        var messages = 0
        var delivered = 0
        for start in stride(from: 0, to: total, by: perUpdate) {
            let routes = (start..<start + perUpdate).map { Fixture.vpn(UInt32($0), rd: UInt32($0 % 16)) }
            // One UPDATE in ten carries the route target the VPN instance imports.
            let rts: [UInt32] = start / perUpdate % 10 == 0 ? [1, 7] : [1]
            let effects = e.process(
                .routesReceived(source.id, Fixture.announce(routes, attributes: Fixture.attributes(rts: rts))))
            announced += effects.announced(to: target.id).count
            messages += effects.updates(to: target.id).count
            delivered += effects.changes(for: vrf).count
        }
        #expect(announced == total)
        #expect(messages == total / perUpdate)
        #expect(delivered == total / 10)
        #expect(e.routeCount(family: .vpnIPv4) == total)
        #expect(e.adjRIBOut(peer: target.id, family: .vpnIPv4).count == total)
        // Two sets as received, two as reflected, one originated RT membership route: no per-route copies.
        #expect(e.attributeSetCount == 5)
        let usage = e.memoryUsage
        #expect(usage.paths == total + 1)
        let down = e.process(.peerDown(source.id))
        #expect(down.withdrawn(to: target.id).count == total)
        #expect(down.changes(for: vrf).count == total / 10)
        #expect(e.routeCount(family: .vpnIPv4) == 0)
        #expect(e.attributeSetCount == 1)
    }
}

@Suite("NLRI sizes")
struct NLRISizeTests {
    struct Family: Sendable, CustomTestStringConvertible {
        var family: AddressFamily
        var nextHop: NextHop
        var route: @Sendable (UInt32) -> RouteNLRI
        var testDescription: String { family.description }
    }

    static let v6Hop = NextHop.ipv6(IPv6Address("2001:db8::1")!, linkLocal: nil)
    static let families: [Family] = [
        Family(family: .ipv4Unicast, nextHop: .ipv4(Fixture.routerID)) { i in
            .ipv4(IPv4PrefixNLRI(prefix: IPv4Prefix(IPv4Address(0x0A00_0000 | i << 8), length: 24)))
        },
        Family(family: .ipv6Unicast, nextHop: v6Hop) { i in
            .ipv6(
                IPv6PrefixNLRI(
                    prefix: IPv6Prefix(IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(i) << 16, low: 0), length: 48)))
        },
        Family(family: .ipv4LabeledUnicast, nextHop: .ipv4(Fixture.routerID)) { i in
            .labeledIPv4(
                LabeledIPv4NLRI(
                    labels: LabelStack(LabelField(label: i)),
                    prefix: IPv4Prefix(IPv4Address(0x0A00_0000 | i << 8), length: 24)))
        },
        Family(family: .vpnIPv6, nextHop: .vpnIPv6(IPv6Address("2001:db8::1")!, linkLocal: nil)) { i in
            .vpnIPv6(
                VPNIPv6NLRI(
                    labels: LabelStack(LabelField(label: i)), routeDistinguisher: Fixture.rd(i),
                    prefix: IPv6Prefix(IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(i) << 16, low: 0), length: 64)))
        },
        Family(family: .evpn, nextHop: .ipv4(Fixture.routerID)) { i in
            .evpn(
                EVPNNLRI(
                    route: .macIPAdvertisement(
                        .init(
                            routeDistinguisher: Fixture.rd(2), ethernetTagID: 0, macAddress: MACAddress(UInt64(i)),
                            ipAddress: .v4(IPv4Address(0x0A00_0000 | i)), label1: LabelField(vni: 100),
                            label2: i % 2 == 0 ? LabelField(vni: 200) : nil))))
        },
        Family(family: .routeTargetConstraint, nextHop: .ipv4(Fixture.routerID)) { i in .rtc(Fixture.membership(i)) },
    ]

    @Test("UPDATEs are packed tight in every family: each fits, and one more NLRI would not", arguments: families)
    func tightPacking(_ f: Family) throws {
        var e = Fixture.engine()
        let target = Fixture.peer(2, families: [f.family])
        _ = e.process(.peerUp(target))
        let routes = (1...1200).map { f.route(UInt32($0)) }
        for r in routes {
            _ = e.process(
                .localRoute(
                    "vrf",
                    .advertise(LocalRoute(family: f.family, nlri: r, nextHop: f.nextHop, routeTargets: [Fixture.rt(1)]))
                ))
        }
        let effects = e.process(.routeRefreshRequested(target.id, f.family))
        let updates = effects.updates(to: target.id)
        #expect(updates.count > 1)
        var received: [RouteNLRI] = []
        for (i, u) in updates.enumerated() {
            #expect(BGPMessage.update(u).encode().count <= 4096)
            let decoded = try #require(try u.roundTripped())
            let sent = try #require(Self.routes(decoded, f.family))
            received += sent
            guard i + 1 < updates.count, let next = Self.routes(updates[i + 1], f.family)?.first else { continue }
            let bigger = Self.with(u, f.family, sent + [next])
            #expect(BGPMessage.update(bigger).encode().count > 4096, "message \(i) could hold one more NLRI")
        }
        #expect(Set(received) == Set(routes))
        // Withdrawals too: all of them, within the limit.
        var withdrawn = 0
        for r in routes {
            let gone = e.process(.localRoute("vrf", .withdraw(r.key(family: f.family))))
            for u in gone.updates(to: target.id) {
                let decoded = try #require(try u.roundTripped())
                let list =
                    f.family == .ipv4Unicast
                    ? NLRIList.ipv4(decoded.withdrawnRoutes) : decoded.mpUnreach?.withdrawnRoutes
                let keys = try #require(list.flatMap(RouteNLRI.routes(in:))).map { $0.key(family: f.family) }
                #expect(keys == [r.key(family: f.family)])
                withdrawn += keys.count
            }
        }
        #expect(withdrawn == routes.count)
    }

    static func routes(_ u: UpdateMessage, _ family: AddressFamily) -> [RouteNLRI]? {
        if family == .ipv4Unicast { return RouteNLRI.routes(in: .ipv4(u.nlri)) }
        return u.mpReach.flatMap { RouteNLRI.routes(in: $0.nlri) }
    }

    /// `u` carrying `routes` instead of its own.
    static func with(_ u: UpdateMessage, _ family: AddressFamily, _ routes: [RouteNLRI]) -> UpdateMessage {
        var out = u
        if family == .ipv4Unicast {
            out.nlri = routes.compactMap { if case .ipv4(let n) = $0 { n } else { nil } }
            return out
        }
        let list: NLRIList =
            switch routes[0] {
            case .ipv6: .ipv6(routes.compactMap { if case .ipv6(let n) = $0 { n } else { nil } })
            case .labeledIPv4: .labeledIPv4(routes.compactMap { if case .labeledIPv4(let n) = $0 { n } else { nil } })
            case .vpnIPv6: .vpnIPv6(routes.compactMap { if case .vpnIPv6(let n) = $0 { n } else { nil } })
            case .evpn: .evpn(routes.compactMap { if case .evpn(let n) = $0 { n } else { nil } })
            case .rtc: .rtc(routes.compactMap { if case .rtc(let n) = $0 { n } else { nil } })
            default: .empty(for: family)
            }
        out.pathAttributes = u.pathAttributes.map { a in
            guard case .mpReachNLRI(var m) = a.value else { return a }
            m.nlri = list
            return PathAttribute(.mpReachNLRI(m))
        }
        return out
    }
}

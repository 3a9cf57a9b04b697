import BGPSession
import BGPSpeaker
import BGPWire
import Foundation
import Testing

/// Route reflection (RFC 4456) with live daemons, both ways round: our speaker as the reflector between GoBGP or
/// FRR clients, and two of our speakers as clients of a GoBGP or an FRR reflector. With GoBGP, RT Constraint
/// (RFC 4684) too, both ways; FRR 8.4 has none. Reflected routes are checked on the receiving side: next hop
/// unchanged, ORIGINATOR_ID = the originator's router ID, CLUSTER_LIST = the reflector's cluster ID.
@Suite("Interop: route reflection", .interopLab, .timeLimit(.minutes(5)))
struct RouteReflectorTests {
    /// Our reflector's CLUSTER_ID (not its router ID, so that the two cannot be mixed up).
    static let ourClusterID = "192.0.2.77"
    /// The daemon reflector's CLUSTER_ID.
    static let theirClusterID = "192.0.2.88"
    static let asn: UInt32 = 64512

    /// `route` as a client receives it through a reflector: next hop, ORIGINATOR_ID and CLUSTER_LIST set, empty
    /// AS_PATH (iBGP).
    static func reflected(_ route: LabRoute, from originator: String, cluster: String) -> LabRoute {
        var route = route
        route.nextHop = originator
        route.originatorID = originator
        route.clusterList = [cluster]
        route.asPath = ""
        return route
    }

    // MARK: - Our speaker as the reflector

    @Test(
        "Our reflector between two clients: VPN-IPv4 and EVPN reflected, withdrawn, and gone with the client",
        arguments: [PeerKind.gobgp, .frr])
    func ourReflector(kind: PeerKind) async throws {
        try await Lab.with("rr-ours-\(kind)") { lab in
            let rr = try await OurReflector.start(kind, lab: lab, families: [[.vpnv4, .evpn], [.vpnv4, .evpn]])
            let (one, two) = (rr.clients[0], rr.clients[1])
            let (first, second) = (rr.clientAddress(0), rr.clientAddress(1))

            // Client 1: a VPN-IPv4 route, and EVPN types 2 and 3 (for FRR, from its VTEP for VNI 1071).
            let vpn = LabRoute.vpnv4(
                rd: "\(first):1", prefix: "192.168.71.0/24", label: 171, routeTargets: ["64512:71"])
            let mac = LabRoute.evpnMAC(
                rd: "\(first):10", mac: "52:54:00:71:00:01", ip: "192.168.71.5", label: 1071,
                routeTargets: ["64512:1071"])
            let multicast = LabRoute.evpnMulticast(
                rd: "\(first):10", originator: first, pmsi: "1071 \(first)", routeTargets: ["64512:1071"])
            let routes = [vpn, mac, multicast]
            for route in routes { try await one.announce(route) }

            // Client 2 gets them with client 1's next hop, ORIGINATOR_ID = client 1's router ID, and our cluster.
            let atTwo = routes.map { Self.reflected($0, from: first, cluster: Self.ourClusterID) }
            try await two.waitForRoutes(atTwo)

            // Our side: received without reflection attributes, sent on with them, and not sent back to client 1.
            try await rr.speaker.waitForRoutes(
                routes.map { route in
                    var route = route
                    route.clusterList = []
                    return route
                }, from: first)
            let sentToTwo = await rr.speaker.routes(.vpnv4, to: second) + rr.speaker.routes(.evpn, to: second)
            for route in atTwo { #expect(sentToTwo.containsMatch(route), "sent to client 2: \(route)") }
            let sentToOne = await rr.speaker.routes(.vpnv4, to: first) + rr.speaker.routes(.evpn, to: first)
            for route in routes { #expect(!sentToOne.containsMatch(route), "reflected back to client 1: \(route)") }

            // The other way round.
            let back = LabRoute.vpnv4(
                rd: "\(second):2", prefix: "192.168.72.0/24", label: 172, routeTargets: ["64512:72"])
            try await two.announce(back)
            try await one.waitForRoutes([Self.reflected(back, from: second, cluster: Self.ourClusterID)])

            // Withdrawals are reflected.
            try await one.withdraw(vpn)
            try await one.withdraw(mac)
            try await two.waitForWithdrawal([vpn, mac])
            try await two.waitForRoutes([atTwo[2]])

            // Client 1 goes away: client 2 loses everything that came from it.
            await one.stop()
            try await rr.speaker.waitNotEstablished(first)
            for family in [LabFamily.vpnv4, .evpn] {
                try await two.waitForRoutes(family, "free of client 1's routes") { routes in
                    !routes.contains { $0.originatorID == first }
                }
            }
            #expect(await rr.speaker.state(second) == .established)
        }
    }

    /// A GoBGP client with RT Constraint sends VPN routes only for the membership routes it received: all of them,
    /// because of our default one. One client only: GoBGP 3.10 crashes when, after a default membership route,
    /// the same peer sends it another membership route (see docs/interop.md).
    @Test("Our reflector's default RT membership route: a GoBGP client with RT Constraint sends us all its routes")
    func ourDefaultMembership() async throws {
        try await Lab.with("rr-ours-default-rtc") { lab in
            let rr = try await OurReflector.start(.gobgp, lab: lab, families: [[.vpnv4, .evpn, .rtc]])
            let client = rr.clients[0]
            let address = rr.clientAddress(0)
            _ = try await poll("speaker: default RT membership route sent to \(address)", timeout: .seconds(10)) {
                await rr.speaker.routes(.rtc, to: address).contains { $0.key == "default" } ? true : nil
            }
            try await client.waitForRoutes(.rtc, "to include our default membership route") { routes in
                routes.contains { $0.key == "default" }
            }
            let routes: [LabRoute] = [
                .vpnv4(rd: "\(address):1", prefix: "192.168.75.0/24", label: 175, routeTargets: ["64512:75"]),
                .vpnv4(rd: "\(address):2", prefix: "192.168.76.0/24", label: 176, routeTargets: ["64512:76"]),
                .evpnMAC(
                    rd: "\(address):10", mac: "52:54:00:75:00:01", ip: "192.168.75.5", label: 1075,
                    routeTargets: ["64512:1075"]),
            ]
            for route in routes { try await client.announce(route) }
            try await rr.speaker.waitForRoutes(
                routes.map { route in
                    var route = route
                    route.nextHop = address
                    return route
                }, from: address)
            // Nothing goes back: the client sent no membership route, and it is the only one.
            #expect(await rr.speaker.routes(.vpnv4, to: address).isEmpty)
        }
    }

    /// Client 1 (the sender) has no RT Constraint: with it, the membership route of client 2 that we reflect to
    /// client 1 after our default one would crash GoBGP 3.10. Client 2 never removes a VRF: `gobgp vrf del` crashes
    /// GoBGP 3.10 while it holds our default membership route (see docs/interop.md).
    @Test("Our reflector with RT Constraint: a GoBGP client gets only the VPN routes of the targets it imports")
    func ourReflectorWithRTC() async throws {
        try await Lab.with("rr-ours-rtc") { lab in
            let rr = try await OurReflector.start(
                .gobgp, lab: lab, families: [[.vpnv4, .evpn], [.vpnv4, .evpn, .rtc]])
            let (one, two) = (rr.clients[0], rr.clients[1])
            let (first, second) = (rr.clientAddress(0), rr.clientAddress(1))
            _ = try await poll("speaker: default RT membership route sent to \(second)", timeout: .seconds(10)) {
                await rr.speaker.routes(.rtc, to: second).contains { $0.key == "default" } ? true : nil
            }

            let wantedVPN = LabRoute.vpnv4(
                rd: "\(first):1", prefix: "192.168.81.0/24", label: 181, routeTargets: ["64512:81"])
            let otherVPN = LabRoute.vpnv4(
                rd: "\(first):2", prefix: "192.168.82.0/24", label: 182, routeTargets: ["64512:82"])
            let wantedMAC = LabRoute.evpnMAC(
                rd: "\(first):10", mac: "52:54:00:81:00:01", ip: "192.168.81.5", label: 1081,
                routeTargets: ["64512:81"])
            let otherMulticast = LabRoute.evpnMulticast(
                rd: "\(first):20", originator: first, pmsi: "1082 \(first)", routeTargets: ["64512:82"])
            let all = [wantedVPN, otherVPN, wantedMAC, otherMulticast]
            for route in all { try await one.announce(route) }
            try await rr.speaker.waitForRoutes(all, from: first)

            // Client 2 imports nothing yet: it gets none of them (RFC 4684 §4).
            try await Task.sleep(for: .seconds(2))
            #expect(try await two.routes(.vpnv4).isEmpty)
            #expect(try await two.routes(.evpn).isEmpty)
            #expect(await rr.speaker.routes(.vpnv4, to: second).isEmpty)
            #expect(await rr.speaker.routes(.evpn, to: second).isEmpty)

            // A VRF importing 64512:81 on client 2: its membership route, and then exactly the routes with 64512:81.
            let membership = LabRoute.rtc(originAS: Self.asn, routeTarget: "64512:81")
            try await two.announce(membership)
            try await rr.speaker.waitForRoutes([membership], from: second)
            let wanted = [wantedVPN, wantedMAC].map { Self.reflected($0, from: first, cluster: Self.ourClusterID) }
            try await two.waitForRoutes(wanted)
            try await Task.sleep(for: .seconds(1))
            let received = try await two.routes(.vpnv4) + two.routes(.evpn)
            #expect(Set(received.map(\.key)) == Set(wanted.map(\.key)))

            let sent = await rr.speaker.routes(.vpnv4, to: second) + rr.speaker.routes(.evpn, to: second)
            #expect(Set(sent.map(\.key)) == Set(wanted.map(\.key)))

            // A second VRF, importing 64512:82: the other two follow.
            let secondMembership = LabRoute.rtc(originAS: Self.asn, routeTarget: "64512:82")
            try await two.announce(secondMembership)
            try await rr.speaker.waitForRoutes([secondMembership], from: second)
            let everything = all.map { Self.reflected($0, from: first, cluster: Self.ourClusterID) }
            try await two.waitForRoutes(everything)
        }
    }

    // MARK: - Our speakers behind a daemon reflector

    @Test(
        "Two of our speakers behind a reflector: VPN-IPv4 and EVPN from one reach the other",
        arguments: [PeerKind.gobgp, .frr])
    func behindReflector(kind: PeerKind) async throws {
        try await Lab.with("rr-theirs-\(kind)") { lab in
            let setup = try await DaemonReflector.start(kind, lab: lab, families: [.vpnv4, .evpn])
            let (a, b) = (setup.a, setup.b)
            let (reflectorA, reflectorB) = (setup.reflectorAddress(0), setup.reflectorAddress(1))
            let origin = a.localAddress

            let vpn = LabRoute.vpnv4(
                rd: "\(origin):1", prefix: "192.168.91.0/24", label: 191, routeTargets: ["64512:91"])
            let mac = LabRoute.evpnMAC(
                rd: "\(origin):10", mac: "52:54:00:91:00:01", ip: "192.168.91.5", label: 1091,
                routeTargets: ["64512:1091"])
            let multicast = LabRoute.evpnMulticast(
                rd: "\(origin):10", originator: origin, pmsi: "1091 \(origin)", routeTargets: ["64512:1091"])
            let routes = [vpn, mac, multicast]
            for route in routes { try await a.announce(route) }

            let atB = routes.map { Self.reflected($0, from: origin, cluster: Self.theirClusterID) }
            try await b.waitForRoutes(atB, from: reflectorB)
            // They are B's best paths too.
            var best: [LabRoute] = []
            for family in [AddressFamily.vpnIPv4, .evpn] {
                best += await b.speaker.bestPaths(family: family).compactMap { LabRoute($0.route) }
            }
            for route in atB { #expect(best.containsMatch(route), "B's best path: \(route)") }
            // Not reflected back to A.
            let backAtA = await a.routes(.vpnv4, from: reflectorA) + a.routes(.evpn, from: reflectorA)
            #expect(backAtA.isEmpty, "A got back: \(backAtA)")

            try await a.withdraw(vpn)
            try await b.waitForWithdrawal([vpn], from: reflectorB)
            try await b.waitForRoutes(Array(atB.dropFirst()), from: reflectorB)

            // A's session goes down: B loses A's routes.
            try await a.speaker.stopPeer(IPAddress(reflectorA)!)
            try await b.waitForWithdrawal(atB, from: reflectorB)
            #expect(await b.state(reflectorB) == .established)
        }
    }

    @Test("Two of our speakers behind a GoBGP reflector with RT Constraint: nothing until the other subscribes")
    func behindReflectorWithRTC() async throws {
        try await Lab.with("rr-theirs-rtc") { lab in
            let setup = try await DaemonReflector.start(.gobgp, lab: lab, families: [.vpnv4, .evpn, .rtc])
            let (a, b) = (setup.a, setup.b)
            let (reflectorA, reflectorB) = (setup.reflectorAddress(0), setup.reflectorAddress(1))
            let origin = a.localAddress

            let wantedVPN = LabRoute.vpnv4(
                rd: "\(origin):1", prefix: "192.168.93.0/24", label: 193, routeTargets: ["64512:93"])
            let otherVPN = LabRoute.vpnv4(
                rd: "\(origin):2", prefix: "192.168.94.0/24", label: 194, routeTargets: ["64512:94"])
            let wantedMAC = LabRoute.evpnMAC(
                rd: "\(origin):10", mac: "52:54:00:93:00:01", ip: "192.168.93.5", label: 1093,
                routeTargets: ["64512:93"])
            let otherMulticast = LabRoute.evpnMulticast(
                rd: "\(origin):20", originator: origin, pmsi: "1094 \(origin)", routeTargets: ["64512:94"])
            for route in [wantedVPN, otherVPN, wantedMAC, otherMulticast] { try await a.announce(route) }

            // No membership anywhere: A sends the reflector nothing, and B gets nothing.
            try await Task.sleep(for: .seconds(2))
            #expect(await a.routes(.vpnv4, to: reflectorA).isEmpty)
            #expect(await a.routes(.evpn, to: reflectorA).isEmpty)
            #expect(try await setup.reflector.routes(.vpnv4).isEmpty)
            #expect(await b.routes(.vpnv4, from: reflectorB).isEmpty)
            #expect(await b.routes(.evpn, from: reflectorB).isEmpty)

            // B imports 64512:93: its membership route goes to the reflector, which reflects it to A; A sends what
            // matches, and the reflector passes it on to B.
            let target = try #require(RouteTarget("64512:93"))
            await b.speaker.subscribe(family: .vpnIPv4, routeTarget: target)
            await b.speaker.subscribe(family: .evpn, routeTarget: target)
            let membership = LabRoute.rtc(originAS: Self.asn, routeTarget: "64512:93")
            try await a.waitForRoutes([membership], from: reflectorA)
            let wanted = [wantedVPN, wantedMAC].map { Self.reflected($0, from: origin, cluster: Self.theirClusterID) }
            try await b.waitForRoutes(wanted, from: reflectorB)
            try await Task.sleep(for: .seconds(1))
            let received = await b.routes(.vpnv4, from: reflectorB) + b.routes(.evpn, from: reflectorB)
            #expect(Set(received.map(\.key)) == Set(wanted.map(\.key)))
            let sentByA = await a.routes(.vpnv4, to: reflectorA) + a.routes(.evpn, to: reflectorA)
            #expect(Set(sentByA.map(\.key)) == Set(wanted.map(\.key)))

            // Unsubscribing withdraws the membership route, and with it the routes.
            await b.speaker.unsubscribe(family: .vpnIPv4, routeTarget: target)
            await b.speaker.unsubscribe(family: .evpn, routeTarget: target)
            try await b.waitForWithdrawal(wanted, from: reflectorB)
            try await a.waitForWithdrawal([membership], from: reflectorA)
            // A withdraws from the reflector what no membership asks for any more.
            _ = try await poll("speaker A: routes still sent to the reflector", timeout: .seconds(10)) {
                let sent = await a.routes(.vpnv4, to: reflectorA) + a.routes(.evpn, to: reflectorA)
                return sent.isEmpty ? true : nil
            }
            try await setup.reflector.waitForRoutes(.vpnv4, "empty") { $0.isEmpty }
        }
    }
}

// MARK: - Set-ups

/// Our speaker as route reflector (`route_reflector = true`, every internal peer a client) in the root namespace,
/// and daemon clients of one kind, each in its own namespace behind its own veth. The reflector's address (its
/// router ID too) is the host side of the first link. We connect; the clients only listen.
struct OurReflector: Sendable {
    let speaker: LabSpeaker
    let clients: [any PeerDriver]
    let links: [Link]

    var address: String { links[0].a.address }
    /// Client `index`'s address, which is also its router ID.
    func clientAddress(_ index: Int) -> String { links[index].b.address }

    /// One client per element of `families`, which are the families of its session.
    static func start(_ kind: PeerKind, lab: Lab, families: [Set<LabFamily>]) async throws -> OurReflector {
        var namespaces: [Netns] = []
        var links: [Link] = []
        for index in families.indices {
            let netns = try await lab.makeNamespace("client\(index + 1)")
            namespaces.append(netns)
            links.append(try await lab.connectToHost(netns))
        }
        let reflector = links[0].a.address
        // Each client reaches the other links through its own veth: the reflector's address, and the other
        // clients' addresses, the next hops of their routes (FRR uses only routes whose next hop resolves).
        for (index, link) in links.enumerated() {
            for other in links where other != link {
                for address in [other.a.address, other.b.address] {
                    try await namespaces[index].ip("route", "add", "\(address)/32", "via", link.a.address)
                }
            }
        }
        var clients: [any PeerDriver] = []
        for (index, link) in links.enumerated() {
            let client: any PeerDriver =
                switch kind {
                case .gobgp: try GoBGPPeer(lab: lab, netns: namespaces[index], name: "gobgp\(index + 1)")
                case .frr: try FRRPeer(lab: lab, netns: namespaces[index], name: "frr\(index + 1)")
                default: throw LabError.unsupported("\(kind) as a route reflector client")
                }
            try await client.start(
                PeerConfig(
                    localAS: RouteReflectorTests.asn, localAddress: link.b.address, peerAddress: reflector,
                    peerAS: RouteReflectorTests.asn, passive: true, families: families[index]))
            clients.append(client)
        }
        let peers = links.indices.map { index in
            SpeakerPeer(address: links[index].b.address, peerAS: RouteReflectorTests.asn, families: families[index])
        }
        let speaker = try await LabSpeaker.start(
            lab: lab, local: reflector, as: RouteReflectorTests.asn, peers: peers,
            bgp: ["route_reflector = true", "cluster_id = \(RouteReflectorTests.ourClusterID)"])
        for (index, link) in links.enumerated() {
            try await speaker.waitEstablished(link.b.address, timeout: .seconds(40))
            try await clients[index].waitEstablished(timeout: .seconds(40))
        }
        return OurReflector(speaker: speaker, clients: clients, links: links)
    }
}

/// A daemon route reflector in its own namespace with two veths to the root namespace, and one of our speakers
/// (not a reflector) on the host side of each: A on the first link, B on the second. The reflector accepts any
/// address of the lab's 10.x.0.0/16 as a client (GoBGP dynamic neighbors, FRR `bgp listen range`); our speakers
/// connect.
struct DaemonReflector: Sendable {
    let reflector: any PeerDriver
    let a: LabSpeaker
    let b: LabSpeaker
    let links: [Link]

    /// The reflector's address on link `index` (0: A's, 1: B's); the first is its router ID.
    func reflectorAddress(_ index: Int) -> String { links[index].b.address }

    static func start(_ kind: PeerKind, lab: Lab, families: Set<LabFamily>) async throws -> DaemonReflector {
        let netns = try await lab.makeNamespace("rr")
        let links = [try await lab.connectToHost(netns), try await lab.connectToHost(netns)]
        let octets = links[0].a.address.split(separator: ".")
        let reflector = try makePeer(kind, lab: lab, netns: netns)
        var config = PeerConfig(
            localAS: RouteReflectorTests.asn, localAddress: links[0].b.address, peerAddress: links[0].a.address,
            peerAS: RouteReflectorTests.asn, passive: true, families: families)
        config.reflector = ReflectorSettings(
            listenRange: "\(octets[0]).\(octets[1]).0.0/16", clusterID: RouteReflectorTests.theirClusterID)
        try await reflector.start(config)
        var speakers: [LabSpeaker] = []
        for (index, link) in links.enumerated() {
            speakers.append(
                try await LabSpeaker.start(
                    lab: lab, local: link.a.address, as: RouteReflectorTests.asn,
                    peers: [SpeakerPeer(address: link.b.address, peerAS: RouteReflectorTests.asn, families: families)],
                    name: index == 0 ? "speaker-a" : "speaker-b"))
        }
        for (index, link) in links.enumerated() {
            try await speakers[index].waitEstablished(link.b.address, timeout: .seconds(40))
        }
        try await reflector.waitEstablished(timeout: .seconds(20))
        return DaemonReflector(reflector: reflector, a: speakers[0], b: speakers[1], links: links)
    }
}

import BGPSession
import BGPSpeaker
import BGPWire
import Testing

/// The VPN families beyond VPN-IPv4, both ways, with the daemons that support them here: EVPN route types 2, 3
/// and 5 with GoBGP and FRR, RT Constraint with GoBGP (ExaBGP 4.2 cannot negotiate it: "invalid afi/safi pair
/// ipv4/rtc"), VPN flowspec with GoBGP and ExaBGP.
@Suite("Interop: EVPN, RT Constraint, VPN flowspec", .interopLab, .timeLimit(.minutes(5)))
struct FamilyTests {
    /// Our EVPN routes: a MAC/IP and a MAC-only type 2, a type 3 with ingress replication, a type 5 with router's
    /// MAC, all VXLAN (the label field is the VNI).
    static func ourEVPN(_ us: String) -> [LabRoute] {
        [
            .evpnMAC(
                rd: "\(us):10", mac: "52:54:00:aa:00:01", ip: "192.168.10.1", label: 1010, nextHop: us,
                routeTargets: ["64512:1010"]),
            .evpnMAC(rd: "\(us):10", mac: "52:54:00:aa:00:02", label: 1010, nextHop: us, routeTargets: ["64512:1010"]),
            .evpnMulticast(
                rd: "\(us):10", originator: us, pmsi: "1010 \(us)", nextHop: us, routeTargets: ["64512:1010"]),
            .evpnPrefix(
                rd: "\(us):30", prefix: "192.168.30.0/24", label: 3000, routerMAC: "52:54:00:aa:ff:01", nextHop: us,
                routeTargets: ["64512:3000"]),
        ]
    }

    @Test("EVPN types 2, 3 and 5 with GoBGP, both ways", arguments: [false, true])
    func evpnWithGoBGP(external: Bool) async throws {
        try await Lab.with("evpn-gobgp-\(external)") { lab in
            let pair = try await Pair.start(
                .gobgp, lab: lab, theirAS: external ? 64513 : 64512, families: [.evpn, .vpnv4])
            let ours = Self.ourEVPN(pair.us)
            for route in ours { try await pair.speaker.announce(route) }
            try await pair.peer.waitForRoutes(ours)

            let them = pair.them
            let theirs: [LabRoute] = [
                .evpnMAC(
                    rd: "\(them):20", mac: "52:54:00:bb:00:01", ip: "192.168.20.1", label: 2020,
                    routeTargets: ["64512:2020"]),
                .evpnMulticast(rd: "\(them):20", originator: them, pmsi: "2020 \(them)", routeTargets: ["64512:2020"]),
                .evpnPrefix(
                    rd: "\(them):40", prefix: "192.168.40.0/24", label: 4000, routerMAC: "52:54:00:bb:ff:01",
                    routeTargets: ["64512:4000"]),
            ]
            for route in theirs { try await pair.peer.announce(route) }
            let expected = theirs.map { route in
                var route = route
                route.nextHop = them
                return route
            }
            try await pair.speaker.waitForRoutes(expected, from: them)

            try await pair.speaker.withdraw(ours[0])
            try await pair.peer.withdraw(theirs[0])
            try await pair.peer.waitForWithdrawal([ours[0]])
            try await pair.speaker.waitForWithdrawal([theirs[0]], from: them)
            try await pair.peer.waitForRoutes(Array(ours.dropFirst()))
        }
    }

    @Test("EVPN types 2, 3 and 5 with FRR, both ways", arguments: [false, true])
    func evpnWithFRR(external: Bool) async throws {
        try await Lab.with("evpn-frr-\(external)") { lab in
            let pair = try await Pair.start(
                .frr, lab: lab, theirAS: external ? 64513 : 64512, families: [.evpn, .vpnv4])
            let ours = Self.ourEVPN(pair.us)
            for route in ours { try await pair.speaker.announce(route) }
            try await pair.peer.waitForRoutes(ours)

            // FRR originates type 2 and 3 from a real VTEP in its namespace (VNI 2020), and type 5 from a
            // `network` statement, which FRR 8.4 sends MPLS-encoded (5000 << 4 | 1) and without route targets.
            let them = pair.them
            let theirs: [LabRoute] = [
                .evpnMAC(
                    rd: "\(them):20", mac: "52:54:00:bb:00:01", ip: "192.168.20.1", label: 2020,
                    routeTargets: ["64512:2020"]),
                .evpnMAC(rd: "\(them):20", mac: "52:54:00:bb:00:01", label: 2020, routeTargets: ["64512:2020"]),
                .evpnMulticast(rd: "\(them):20", originator: them, pmsi: "2020 \(them)", routeTargets: ["64512:2020"]),
                .evpnPrefix(rd: "\(them):40", prefix: "192.168.40.0/24", label: 5000, routerMAC: "52:54:00:bb:ff:01"),
            ]
            for route in theirs { try await pair.peer.announce(route) }
            var expected = theirs.map { route in
                var route = route
                route.nextHop = them
                return route
            }
            expected[3].label = 5000 << 4 | 1
            // ... and with a 16-octet next hop, the IPv4-mapped IPv6 form of its address (a link-local one when
            // the namespace has IPv6, interop-lab.md §4.3).
            expected[3].nextHop = nil
            let received = try await pair.speaker.waitForRoutes(expected, from: them)
            let typeFive = try #require(received.first { $0.matches(expected[3]) })
            #expect(typeFive.nextHop?.hasPrefix("::ffff:") == true)

            try await pair.speaker.withdraw(ours[0])
            try await pair.peer.withdraw(theirs[0])
            try await pair.peer.waitForWithdrawal([ours[0]])
            try await pair.speaker.waitForWithdrawal([expected[0]], from: them)
            try await pair.speaker.waitForRoutes(Array(expected.dropFirst()), from: them)
        }
    }

    @Test("RT Constraint with GoBGP: membership routes both ways, and GoBGP sends only the VPN routes we asked for")
    func rtcWithGoBGP() async throws {
        try await Lab.with("rtc-gobgp") { lab in
            let pair = try await Pair.start(.gobgp, lab: lab, theirAS: 64513, families: [.vpnv4, .rtc])
            let them = pair.them
            let wanted = LabRoute.vpnv4(
                rd: "\(them):1", prefix: "192.168.201.0/24", label: 201, routeTargets: ["64512:201"])
            let other = LabRoute.vpnv4(
                rd: "\(them):2", prefix: "192.168.202.0/24", label: 202, routeTargets: ["64512:202"])
            try await pair.peer.announce(wanted)
            try await pair.peer.announce(other)
            // No membership from us yet: RFC 4684 §4 (GoBGP waits for it).
            try await Task.sleep(for: .seconds(2))
            #expect(await pair.speaker.routes(.vpnv4, from: them).isEmpty)

            let membership = LabRoute.rtc(originAS: 64512, routeTarget: "64512:201")
            try await pair.speaker.announce(membership)
            try await pair.peer.waitForRoutes([
                LabRoute.rtc(originAS: 64512, routeTarget: "64512:201", nextHop: pair.us)
            ])
            try await pair.speaker.waitForRoutes([wanted], from: them)
            #expect(!(await pair.speaker.routes(.vpnv4, from: them)).containsMatch(other))

            // GoBGP's own membership (from a VRF importing 64512:301) reaches us.
            try await pair.peer.announce(.rtc(originAS: 64513, routeTarget: "64512:301"))
            try await pair.speaker.waitForRoutes(
                [.rtc(originAS: 64513, routeTarget: "64512:301", nextHop: them)], from: them)

            // Withdrawing our membership withdraws the routes it attracted.
            try await pair.speaker.withdraw(membership)
            try await pair.speaker.waitForWithdrawal([wanted], from: them)
            try await pair.peer.waitForWithdrawal([membership])
        }
    }

    @Test("VPN flowspec both ways", arguments: [PeerKind.gobgp, .exabgp])
    func vpnFlowspec(kind: PeerKind) async throws {
        try await Lab.with("flowspec-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, theirAS: 64513, families: [.vpnFlowspec, .vpnv4])
            let ours = LabRoute.vpnFlowspec(
                rd: "64512:90", destination: "192.168.90.0/24", source: "10.9.0.0/16", routeTargets: ["64512:90"])
            let theirs = LabRoute.vpnFlowspec(
                rd: "64513:91", destination: "192.168.91.0/24", routeTargets: ["64512:91"])
            try await pair.speaker.announce(ours)
            try await pair.peer.announce(theirs)
            try await pair.peer.waitForRoutes([ours])
            try await pair.speaker.waitForRoutes([theirs], from: pair.them)
            try await pair.speaker.withdraw(ours)
            try await pair.peer.withdraw(theirs)
            try await pair.peer.waitForWithdrawal([ours])
            try await pair.speaker.waitForWithdrawal([theirs], from: pair.them)
        }
    }
}

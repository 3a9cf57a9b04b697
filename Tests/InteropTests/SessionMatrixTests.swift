import BGPSession
import BGPSpeaker
import BGPWire
import Testing

/// One cell of the session matrix.
struct SessionCase: Sendable, CustomTestStringConvertible {
    var kind: PeerKind
    var external: Bool
    var fourOctet: Bool
    var speakerConnects: Bool

    var ourAS: UInt32 { fourOctet ? ASNumbers.fourOctetOurs : ASNumbers.twoOctetOurs }
    var theirAS: UInt32 {
        external ? (fourOctet ? ASNumbers.fourOctetTheirs : ASNumbers.twoOctetTheirs) : ourAS
    }

    var testDescription: String {
        "\(kind) \(external ? "eBGP" : "iBGP") \(fourOctet ? "4-octet" : "2-octet") AS, "
            + (speakerConnects ? "we connect" : "they connect")
    }

    static let all: [SessionCase] = PeerKind.allCases.flatMap { kind in
        [false, true].flatMap { external in
            [false, true].flatMap { fourOctet in
                [true, false].map {
                    SessionCase(kind: kind, external: external, fourOctet: fourOctet, speakerConnects: $0)
                }
            }
        }
    }
}

/// Each daemon establishes with our speaker as iBGP and eBGP, with 2- and 4-octet AS numbers, with either side
/// connecting; VPN-IPv4 routes go both ways and are checked on both sides (label, RD, route targets, next hop,
/// AS_PATH), then withdrawn.
@Suite("Interop: session matrix", .interopLab, .timeLimit(.minutes(5)))
struct SessionMatrixTests {
    @Test("Session and VPN-IPv4 exchange", arguments: SessionCase.all)
    func session(_ c: SessionCase) async throws {
        try await Lab.with(
            "matrix-\(c.kind)-\(c.external ? "e" : "i")\(c.fourOctet ? 4 : 2)-\(c.speakerConnects ? "a" : "p")"
        ) { lab in
            let pair = try await Pair.start(
                c.kind, lab: lab, ourAS: c.ourAS, theirAS: c.theirAS, speakerConnects: c.speakerConnects)
            let status = try #require(await pair.speaker.status(pair.them))
            #expect(status.negotiated?.fourOctetAS == true)
            #expect(status.negotiated?.peerAS == c.theirAS)
            #expect(status.negotiated?.families.contains(.vpnIPv4) == true)

            let ours = LabRoute.vpnv4(
                rd: "\(pair.us):1", prefix: "192.168.101.0/24", label: 1101, routeTargets: ["64512:101"])
            let theirs = LabRoute.vpnv4(
                rd: "\(pair.them):2", prefix: "192.168.102.0/24", label: 1102, routeTargets: ["64512:102"])
            try await pair.speaker.announce(ours)
            try await pair.peer.announce(theirs)

            var expectedAtPeer = ours
            expectedAtPeer.nextHop = pair.us
            expectedAtPeer.asPath = c.external ? "\(c.ourAS)" : ""
            try await pair.peer.waitForRoutes([expectedAtPeer])

            var expectedAtSpeaker = theirs
            expectedAtSpeaker.nextHop = pair.them
            expectedAtSpeaker.asPath = c.external ? "\(c.theirAS)" : ""
            try await pair.speaker.waitForRoutes([expectedAtSpeaker], from: pair.them)

            try await pair.speaker.withdraw(ours)
            try await pair.peer.withdraw(theirs)
            try await pair.peer.waitForWithdrawal([ours])
            try await pair.speaker.waitForWithdrawal([theirs], from: pair.them)
            #expect(await pair.speaker.state(pair.them) == .established)
        }
    }
}

import BGPSession
import BGPSpeaker
import BGPWire
import Foundation
import Testing

/// One case of a session with a peer that does not advertise the 4-octet AS capability.
struct TwoOctetPeerCase: Sendable, CustomTestStringConvertible {
    var kind: PeerKind
    var speakerConnects: Bool

    var testDescription: String {
        "\(kind) without the capability, " + (speakerConnects ? "we connect" : "they connect")
    }

    static let all: [TwoOctetPeerCase] = [PeerKind.bird, .exabgp].flatMap { kind in
        [true, false].map { TwoOctetPeerCase(kind: kind, speakerConnects: $0) }
    }
}

/// RFC 6793 with peers that leave out the 4-octet AS capability (BIRD `enable as4 off`, ExaBGP `asn4 disable`), so
/// that the session is a 2-octet one (an "OLD" peer in the RFC's words), as eBGP.
///
/// With our AS 4200000001: the OPEN's My Autonomous System is AS_TRANS (§4.2.1); our AS_PATH carries AS_TRANS and an
/// AS4_PATH the real path (§4.2.2); a path the peer sends in AS_PATH + AS4_PATH is rebuilt into one AS_PATH (§4.2.3).
/// With our AS 65001: nothing but plain 2-octet AS_PATHs. The daemons show paths after their own §4.2.3 merge (both
/// are 4-octet speakers inside and merge AS4_PATH even on a 2-octet session), so the exact bytes are checked with a
/// raw-socket peer.
@Suite("Interop: 4-octet AS towards 2-octet peers (RFC 6793)", .interopLab, .timeLimit(.minutes(5)))
struct FourOctetASTests {
    static let ourFourOctetAS = ASNumbers.fourOctetOurs  // 4200000001
    static let ourTwoOctetAS: UInt32 = 65001
    static let theirAS: UInt32 = 64513
    /// A 4-octet AS beyond the peer, in the paths the peer sends.
    static let farAS: UInt32 = 4_200_000_099
    /// A 2-octet AS between the peer and `farAS` that did not update AS4_PATH (an OLD speaker).
    static let oldAS: UInt32 = 65010
    static let asTrans = UInt32(OpenMessage.asTrans)

    // MARK: - With daemons

    @Test(
        "A 4-octet AS with a peer without the capability: AS_TRANS in the OPEN, whole AS paths both ways",
        arguments: TwoOctetPeerCase.all)
    func fourOctetSpeaker(_ c: TwoOctetPeerCase) async throws {
        try await Lab.with("as4-trans-\(c.kind)-\(c.speakerConnects ? "a" : "p")") { lab in
            // A 2-octet peer knows us by our OPEN's AS_TRANS (ExaBGP checks it against its `peer-as`); BIRD reads
            // our AS from our capability anyway, so its driver writes `external` (BIRDPeer.neighborAS).
            let pair = try await Pair.start(
                c.kind, lab: lab, ourAS: Self.ourFourOctetAS, theirAS: Self.theirAS, speakerConnects: c.speakerConnects
            ) { config in
                config.fourOctetCapability = false
                config.peerAS = Self.asTrans
            }
            let negotiated = try #require(await pair.speaker.status(pair.them)?.negotiated)
            #expect(negotiated.fourOctetAS == false)
            #expect(negotiated.peerAS == Self.theirAS)
            #expect(negotiated.remoteOpen.myAutonomousSystem == UInt16(Self.theirAS))
            #expect(!negotiated.remoteOpen.capabilities.contains { $0.code == Capability.Code.fourOctetAS })
            try await Self.expectPeerSees(pair, ourAS: Self.ourFourOctetAS)

            let ours = LabRoute.vpnv4(
                rd: "\(pair.us):1", prefix: "192.168.141.0/24", label: 1141, routeTargets: ["64512:141"])
            try await pair.speaker.announce(ours)
            // AS_PATH 23456 and AS4_PATH 4200000001 on the wire; the daemon's merge gives back 4200000001 (an AS_PATH
            // of 23456 alone, or one in 4 octets, would show as 23456 or not parse).
            var atPeer = ours
            atPeer.nextHop = pair.us
            atPeer.asPath = "\(Self.ourFourOctetAS)"
            try await pair.peer.waitForRoutes([atPeer])

            // The peer sends a path through a 4-octet AS: AS_PATH "64513 23456" and AS4_PATH "64513 4200000099".
            let theirs = Self.theirRoute(pair, prefix: "192.168.142.0/24", label: 1142, through: [Self.farAS])
            try await pair.peer.announce(theirs)
            var atSpeaker = theirs
            atSpeaker.nextHop = pair.them
            atSpeaker.asPath = "\(Self.theirAS) \(Self.farAS)"
            try await pair.speaker.waitForRoutes([atSpeaker], from: pair.them)
            try await Self.expectNoAS4Attributes(pair.speaker, from: pair.them)

            try await pair.speaker.withdraw(ours)
            try await pair.peer.withdraw(theirs)
            try await pair.peer.waitForWithdrawal([ours])
            try await pair.speaker.waitForWithdrawal([theirs], from: pair.them)
            #expect(await pair.speaker.state(pair.them) == .established)
        }
    }

    @Test(
        "A 2-octet AS with a peer without the capability: plain 2-octet paths both ways",
        arguments: [PeerKind.bird, .exabgp])
    func twoOctetSpeaker(kind: PeerKind) async throws {
        try await Lab.with("as2-plain-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, ourAS: Self.ourTwoOctetAS, theirAS: Self.theirAS) {
                config in config.fourOctetCapability = false
            }
            let negotiated = try #require(await pair.speaker.status(pair.them)?.negotiated)
            #expect(negotiated.fourOctetAS == false)
            #expect(negotiated.peerAS == Self.theirAS)
            try await Self.expectPeerSees(pair, ourAS: Self.ourTwoOctetAS)

            let ours = LabRoute.vpnv4(
                rd: "\(pair.us):1", prefix: "192.168.143.0/24", label: 1143, routeTargets: ["64512:143"])
            try await pair.speaker.announce(ours)
            var atPeer = ours
            atPeer.nextHop = pair.us
            atPeer.asPath = "\(Self.ourTwoOctetAS)"
            try await pair.peer.waitForRoutes([atPeer])

            // A plain path, and one through a 4-octet AS (AS_PATH + AS4_PATH: rebuilt by a 2-octet AS speaker too).
            let plain = Self.theirRoute(pair, prefix: "192.168.144.0/24", label: 1144, through: [])
            let far = Self.theirRoute(pair, prefix: "192.168.145.0/24", label: 1145, through: [Self.farAS])
            try await pair.peer.announce(plain)
            try await pair.peer.announce(far)
            var plainAtSpeaker = plain
            plainAtSpeaker.nextHop = pair.them
            plainAtSpeaker.asPath = "\(Self.theirAS)"
            var farAtSpeaker = far
            farAtSpeaker.nextHop = pair.them
            farAtSpeaker.asPath = "\(Self.theirAS) \(Self.farAS)"
            try await pair.speaker.waitForRoutes([plainAtSpeaker, farAtSpeaker], from: pair.them)
            try await Self.expectNoAS4Attributes(pair.speaker, from: pair.them)

            try await pair.speaker.withdraw(ours)
            try await pair.peer.waitForWithdrawal([ours])
            #expect(await pair.speaker.state(pair.them) == .established)
        }
    }

    // MARK: - On the wire

    /// A hand-made 2-octet peer (its OPEN has no 4-octet AS capability) records what our speaker sends, and sends
    /// two paths that §4.2.3 rebuilds differently.
    @Test(
        "The bytes to a 2-octet peer: AS_TRANS and AS4_PATH from a 4-octet AS, a plain AS_PATH from a 2-octet AS",
        arguments: [ourFourOctetAS, ourTwoOctetAS])
    func bytesOnTheWire(ourAS: UInt32) async throws {
        try await Lab.with("as4-wire-\(ourAS)") { lab in
            let netns = try await lab.makeNamespace("raw")
            let link = try await lab.connectToHost(netns)
            let them = link.b.address
            let speaker = try await LabSpeaker.start(
                lab: lab, local: link.a.address, as: ourAS,
                peers: [SpeakerPeer(address: them, peerAS: Self.theirAS, passive: true, holdTime: 90)])
            let ours = LabRoute.vpnv4(
                rd: "64512:146", prefix: "192.168.146.0/24", label: 1146, routeTargets: ["64512:146"])
            try await speaker.announce(ours)

            // (1) AS_PATH longer than AS4_PATH: the OLD AS 65010 prepended without touching AS4_PATH, so the
            // leading AS_PATH numbers go in front of AS4_PATH. (2) AS4_PATH longer than AS_PATH: AS4_PATH is
            // ignored and AS_PATH is the path, AS_TRANS included.
            let merged = LabRoute.vpnv4(rd: "64513:147", prefix: "192.168.147.0/24", label: 1147)
            let ignored = LabRoute.vpnv4(rd: "64513:148", prefix: "192.168.148.0/24", label: 1148)
            let theirUpdates = [
                try Self.twoOctetUpdate(
                    merged, nextHop: them, asPath: [Self.theirAS, Self.oldAS, Self.asTrans], as4Path: [Self.farAS]),
                try Self.twoOctetUpdate(
                    ignored, nextHop: them, asPath: [Self.theirAS, Self.asTrans],
                    as4Path: [Self.theirAS, Self.oldAS, Self.farAS]),
            ]
            let open = BGPMessage.open(
                OpenMessage(
                    myAutonomousSystem: UInt16(Self.theirAS), holdTime: 90, bgpIdentifier: IPv4Address(them)!,
                    optionalParameters: [.capabilities([.multiprotocol(.vpnIPv4), .routeRefresh])]))
            let raw = try RawBGPPeer(lab: lab, netns: netns)
            try raw.run(
                connectTo: link.a.address, from: them,
                steps: [
                    .send(open.encode()), .wait(type: 1, count: 1, timeout: 10), .send(Raw.keepalive),
                    .wait(type: 4, count: 1, timeout: 10), .sleep(0.3),
                    .send(theirUpdates.flatMap { $0 }),
                ],
                linger: 30)
            try await speaker.waitEstablished(them, timeout: .seconds(20))
            let negotiated = try #require(await speaker.status(them)?.negotiated)
            #expect(negotiated.fourOctetAS == false)

            // Our OPEN: AS_TRANS for a 4-octet AS, and the capability with the real AS either way.
            let received = try await poll(
                "raw peer: our OPEN and an UPDATE with our route", timeout: .seconds(20), context: raw.logTail
            ) { () -> (OpenMessage, UpdateMessage)? in
                let messages = raw.received
                guard let openBytes = messages.first(where: { $0.type == 1 })?.bytes,
                    case .open(let ourOpen) = try BGPMessage.decode(openBytes).message
                else { return nil }
                for message in messages where message.type == 2 {
                    let decoded = try BGPMessage.decode(
                        message.bytes, options: DecodingOptions(fourOctetAS: false, peer: .external))
                    if case .update(let update) = decoded.message, update.mpReach?.family == .vpnIPv4 {
                        return (ourOpen, update)
                    }
                }
                return nil
            }
            let (ourOpen, update) = received
            let fourOctet = ourAS > 0xFFFF
            #expect(ourOpen.myAutonomousSystem == (fourOctet ? OpenMessage.asTrans : UInt16(ourAS)))
            #expect(ourOpen.capabilities.contains(.fourOctetAS(ourAS)))

            // Our UPDATE, read as 2-octet AS numbers.
            let asPaths = update.pathAttributes.compactMap { attribute -> ASPath? in
                if case .asPath(let path) = attribute.value { return path }
                return nil
            }
            let as4Paths = update.pathAttributes.filter { $0.typeCode == PathAttribute.TypeCode.as4Path }
            #expect(asPaths == [ASPath(sequence: [fourOctet ? Self.asTrans : ourAS])])
            if fourOctet {
                #expect(as4Paths.map(\.value) == [.as4Path(ASPath(sequence: [ourAS]))])
                #expect(as4Paths.allSatisfy { $0.flags.category == .optionalTransitive })
            } else {
                #expect(as4Paths.isEmpty, "no AS4_PATH from a 2-octet AS: \(as4Paths)")
            }
            #expect(!update.pathAttributes.contains { $0.typeCode == PathAttribute.TypeCode.as4Aggregator })

            // Their paths, rebuilt.
            var mergedExpected = merged
            mergedExpected.asPath = "\(Self.theirAS) \(Self.oldAS) \(Self.farAS)"
            var ignoredExpected = ignored
            ignoredExpected.asPath = "\(Self.theirAS) \(Self.asTrans)"
            try await speaker.waitForRoutes([mergedExpected, ignoredExpected], from: them)
            try await Self.expectNoAS4Attributes(speaker, from: them)
            #expect(await speaker.state(them) == .established)
            #expect(raw.notifications.isEmpty, "NOTIFICATIONs: \(raw.notifications)")
        }
    }

    // MARK: - Helpers

    /// A VPN-IPv4 route of the peer whose AS path, as the peer sends it, is its AS then `through`. ExaBGP sends the
    /// path it is given; BIRD puts its AS in front of the path of its static route.
    static func theirRoute(_ pair: Pair, prefix: String, label: UInt32, through: [UInt32]) -> LabRoute {
        var route = LabRoute.vpnv4(
            rd: "\(pair.them):\(label)", prefix: prefix, label: label, routeTargets: ["64512:\(label)"])
        let path = pair.peer.kind == .bird ? through : [theirAS] + through
        route.asPath = path.map(String.init).joined(separator: " ")
        return route
    }

    /// How the daemon sees the session and us: no 4-octet AS on its side, our OPEN's AS.
    static func expectPeerSees(_ pair: Pair, ourAS: UInt32) async throws {
        if let exabgp = pair.peer as? ExaBGPPeer {
            let opens = exabgp.messages().filter { $0.string("type") == "open" }.compactMap {
                $0.object("neighbor")?.object("open")
            }
            let open = try #require(opens.last, "ExaBGP reported our OPEN")
            #expect(open.int("asn") == Int(ourAS > 0xFFFF ? asTrans : ourAS), "My Autonomous System: \(open)")
            let capability = open.object("capabilities")?.object("\(Capability.Code.fourOctetAS)")
            #expect(capability?.int("asn4") == Int(ourAS), "our 4-octet AS capability: \(open)")
        } else if let bird = pair.peer as? BIRDPeer {
            // BIRD names the session "external AS4" when both sides have the capability; it takes our AS from our
            // capability even though it does not advertise its own.
            let details = try await bird.birdc(["show", "protocols", "all", "speaker"])
            let fields = Self.fields(details)
            #expect(fields["Session"] == "external", "BIRD session: \(details)")
            #expect(fields["Neighbor AS"] == "\(ourAS)", "BIRD neighbor AS: \(details)")
            let local =
                details.components(separatedBy: "Local capabilities").last?
                .components(separatedBy: "Neighbor capabilities").first ?? ""
            #expect(!local.contains("4-octet AS numbers"), "BIRD advertised the capability: \(details)")
        }
    }

    /// `Name: value` lines of `birdc show protocols all`.
    static func fields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            result[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    /// The Adj-RIB-In keeps the rebuilt AS_PATH only: no AS4_PATH or AS4_AGGREGATOR.
    static func expectNoAS4Attributes(_ speaker: LabSpeaker, from peer: String) async throws {
        let entries = await speaker.speaker.adjRIBIn(peer: IPAddress(peer)!, family: .vpnIPv4)
        let codes: Set<UInt8> = [PathAttribute.TypeCode.as4Path, PathAttribute.TypeCode.as4Aggregator]
        #expect(!entries.contains { $0.attributes.contains { codes.contains($0.typeCode) } })
    }

    /// An UPDATE for `route` as a 2-octet speaker writes it: AS_PATH in 2-octet numbers, AS4_PATH beside it.
    static func twoOctetUpdate(
        _ route: LabRoute, nextHop: String, asPath: [UInt32], as4Path: [UInt32]
    ) throws
        -> [UInt8]
    {
        var update = try route.update(nextHop: nextHop)
        update.pathAttributes.insert(PathAttribute(.asPath(ASPath(sequence: asPath))), at: 1)
        update.pathAttributes.insert(PathAttribute(.as4Path(ASPath(sequence: as4Path))), at: 2)
        return BGPMessage.update(update).encode(options: EncodingOptions(fourOctetAS: false))
    }
}

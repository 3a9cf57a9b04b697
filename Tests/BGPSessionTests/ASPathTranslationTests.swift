import BGPSession
import BGPWire
import Testing

/// RFC 6793 §4.2: AS paths between 4-octet (NEW) and 2-octet (OLD) speakers.
@Suite("AS path translation (RFC 6793)")
struct ASPathTranslationTests {
    let asTrans = UInt32(OpenMessage.asTrans)

    func seq(_ asns: UInt32...) -> ASPath.Segment { ASPath.Segment(.sequence, asns) }
    func set(_ asns: UInt32...) -> ASPath.Segment { ASPath.Segment(.set, asns) }
    func confed(_ asns: UInt32...) -> ASPath.Segment { ASPath.Segment(.confedSequence, asns) }
    func confedSet(_ asns: UInt32...) -> ASPath.Segment { ASPath.Segment(.confedSet, asns) }

    // MARK: - Towards an OLD speaker (§4.2.2)

    @Test("4-octet AS numbers become AS_TRANS, and the real path goes in AS4_PATH, in type code order")
    func towardsOldSpeaker() {
        let path = ASPath(sequence: [65001, 4_200_000_001, 65002])
        let ecom = PathAttribute(.extendedCommunities([ExtendedCommunity(rawValue: 0x0002_FDE9_0000_0064)]))
        let pmsi = PathAttribute(.unknown(typeCode: 22, value: [0]))
        let attributes = [
            PathAttribute(.origin(.igp)), PathAttribute(.asPath(path)),
            PathAttribute(.aggregator(Aggregator(asn: 4_200_000_009, address: IPv4Address(192, 0, 2, 9)))), ecom,
            pmsi,
        ]
        #expect(
            ASPathTranslation.toTwoOctetPeer(attributes) == [
                PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath(sequence: [65001, asTrans, 65002]))),
                PathAttribute(.aggregator(Aggregator(asn: asTrans, address: IPv4Address(192, 0, 2, 9)))), ecom,
                PathAttribute(.as4Path(path)),
                PathAttribute(.as4Aggregator(Aggregator(asn: 4_200_000_009, address: IPv4Address(192, 0, 2, 9)))),
                pmsi,
            ])
    }

    @Test("A path of 2-octet AS numbers needs no AS4_PATH, and a stale one is not passed on")
    func mappablePath() {
        let attributes = [
            PathAttribute(.asPath(ASPath(sequence: [65001, 65002]))),
            PathAttribute(.as4Path(ASPath(sequence: [4_200_000_001]))),
        ]
        #expect(ASPathTranslation.toTwoOctetPeer(attributes) == [attributes[0]])
        #expect(ASPathTranslation.toFourOctetPeer(attributes) == [attributes[0]])
    }

    @Test("Confederation segments stay in AS_PATH and never go in AS4_PATH (RFC 6793 §3)")
    func confederationTowardsOldSpeaker() {
        let path = ASPath([confed(65100, 4_200_000_005), seq(4_200_000_001, 65002)])
        let form = ASPathTranslation.twoOctetForm(of: path)
        #expect(form.asPath == ASPath([confed(65100, asTrans), seq(asTrans, 65002)]))
        #expect(form.as4Path == ASPath([seq(4_200_000_001, 65002)]))
        #expect(ASPathTranslation.twoOctetForm(of: ASPath([confed(4_200_000_005)])).as4Path == nil)
    }

    // MARK: - From an OLD speaker (§4.2.3)

    @Test("Translating there and back gives the original path")
    func roundTrip() {
        for path in [
            ASPath(sequence: [4_200_000_001]), ASPath(sequence: [65001, 4_200_000_001, 65002, 4_200_000_002]),
            ASPath([seq(4_200_000_001, 65001), set(4_200_000_003, 65003)]),
        ] {
            let form = ASPathTranslation.twoOctetForm(of: path)
            #expect(ASPathTranslation.reconstruct(asPath: form.asPath, as4Path: form.as4Path!) == path)
        }
    }

    @Test("AS numbers prepended by OLD speakers are kept in front of AS4_PATH")
    func prependedByOldSpeakers() {
        let asPath = ASPath(sequence: [65010, 65011, asTrans, 65002])
        let as4Path = ASPath(sequence: [4_200_000_001, 65002])
        #expect(
            ASPathTranslation.reconstruct(asPath: asPath, as4Path: as4Path)
                == ASPath(sequence: [65010, 65011, 4_200_000_001, 65002]))
    }

    @Test("An AS4_PATH longer than AS_PATH is ignored")
    func longerAS4Path() {
        let asPath = ASPath(sequence: [asTrans])
        #expect(
            ASPathTranslation.reconstruct(asPath: asPath, as4Path: ASPath(sequence: [4_200_000_001, 65002]))
                == asPath)
    }

    @Test("An AS_SET counts as one AS number")
    func setCountsOne() {
        let asPath = ASPath([seq(65010, asTrans), set(65020, asTrans)])
        let as4Path = ASPath([seq(4_200_000_001), set(65020, 4_200_000_002)])
        #expect(
            ASPathTranslation.reconstruct(asPath: asPath, as4Path: as4Path)
                == ASPath([seq(65010, 4_200_000_001), set(65020, 4_200_000_002)]))
    }

    @Test("Leading confederation segments of AS_PATH are kept, those in AS4_PATH dropped")
    func confederationFromOldSpeaker() {
        #expect(
            ASPathTranslation.reconstruct(
                asPath: ASPath([confed(65100, 65101), seq(65010, asTrans)]), as4Path: ASPath([seq(4_200_000_001)]))
                == ASPath([confed(65100, 65101), seq(65010, 4_200_000_001)]))
        #expect(
            ASPathTranslation.reconstruct(
                asPath: ASPath([confedSet(65100), seq(asTrans)]),
                as4Path: ASPath([confed(4_200_000_009), seq(4_200_000_001)]))
                == ASPath([confedSet(65100), seq(4_200_000_001)]))
        // A confederation segment next to a kept segment is kept; the walk stops at the first segment not kept.
        #expect(
            ASPathTranslation.reconstruct(
                asPath: ASPath([seq(65010), confed(65100), seq(asTrans), confed(65200)]),
                as4Path: ASPath([seq(4_200_000_001)]))
                == ASPath([seq(65010), confed(65100), seq(4_200_000_001)]))
    }

    @Test("AGGREGATOR AS_TRANS takes AS4_AGGREGATOR, and the path is rebuilt")
    func as4Aggregator() {
        let address = IPv4Address(192, 0, 2, 9)
        let attributes = [
            PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath(sequence: [65010, asTrans]))),
            PathAttribute(.aggregator(Aggregator(asn: asTrans, address: address))),
            PathAttribute(.as4Path(ASPath(sequence: [4_200_000_009]))),
            PathAttribute(.as4Aggregator(Aggregator(asn: 4_200_000_009, address: address))),
        ]
        #expect(
            ASPathTranslation.fromTwoOctetPeer(attributes) == [
                PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath(sequence: [65010, 4_200_000_009]))),
                PathAttribute(.aggregator(Aggregator(asn: 4_200_000_009, address: address))),
            ])
    }

    @Test("An AGGREGATOR other than AS_TRANS means AS4_AGGREGATOR and AS4_PATH are ignored")
    func oldAggregator() {
        let address = IPv4Address(192, 0, 2, 9)
        let attributes = [
            PathAttribute(.asPath(ASPath(sequence: [65010, asTrans]))),
            PathAttribute(.aggregator(Aggregator(asn: 65010, address: address))),
            PathAttribute(.as4Path(ASPath(sequence: [4_200_000_009]))),
            PathAttribute(.as4Aggregator(Aggregator(asn: 4_200_000_009, address: address))),
        ]
        #expect(ASPathTranslation.fromTwoOctetPeer(attributes) == Array(attributes.prefix(2)))
    }

    @Test("AS4_PATH without AS_PATH is dropped, and attributes without AS4_* are untouched")
    func nothingToRebuild() {
        let alone = [PathAttribute(.origin(.igp)), PathAttribute(.as4Path(ASPath(sequence: [4_200_000_001])))]
        #expect(ASPathTranslation.fromTwoOctetPeer(alone) == [PathAttribute(.origin(.igp))])
        let plain = [PathAttribute(.asPath(ASPath(sequence: [65010, asTrans])))]
        #expect(ASPathTranslation.fromTwoOctetPeer(plain) == plain)
    }

    // MARK: - In the session

    @Test("A session with a 2-octet peer rebuilds received paths and translates sent ones")
    func sessionWithOldSpeaker() {
        var m = establishedMachine(
            configuration(peerAS: 65002), open: peerOpen(asn: 65002, fourOctetAS: false))
        #expect(m.negotiated?.fourOctetAS == false)

        var received = ipv4Announcement(["10.0.0.0/8"], asPath: ASPath(sequence: [65002, asTrans]))
        received.pathAttributes.append(PathAttribute(.as4Path(ASPath(sequence: [4_200_000_001]))))
        let rebuilt = ipv4Announcement(["10.0.0.0/8"], asPath: ASPath(sequence: [65002, 4_200_000_001]))
        #expect(m.handle(.receive(.update(received))) == [.arm(.hold, seconds: 90), .deliver(rebuilt)])

        let sent = m.handle(.sendUpdate(ipv4Announcement(["10.1.0.0/16"], asPath: ASPath(sequence: [4_200_000_001]))))
        var expected = ipv4Announcement(["10.1.0.0/16"], asPath: ASPath(sequence: [asTrans]))
        expected.pathAttributes.append(PathAttribute(.as4Path(ASPath(sequence: [4_200_000_001]))))
        #expect(sent == [.send(.update(expected)), .arm(.keepalive, seconds: 30)])
    }
}

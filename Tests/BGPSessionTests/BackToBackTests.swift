import BGPSession
import BGPWire
import Testing

/// Two machines talking through BGPWire bytes (see ``BackToBack``).
@Suite("Two sessions back to back")
struct BackToBackTests {
    let addressA = IPAddress.v4(IPv4Address(192, 0, 2, 1))
    let addressB = IPAddress.v4(IPv4Address(192, 0, 2, 2))

    /// A (192.0.2.1, active) and B (192.0.2.2, passive), both in AS 65001.
    func pair(
        a: (SessionConfiguration) -> SessionConfiguration = { $0 },
        b: (SessionConfiguration) -> SessionConfiguration = { $0 }
    ) -> BackToBack {
        BackToBack(
            a: a(configuration(localIdentifier: IPv4Address(192, 0, 2, 1), peerAddress: addressB)),
            b: b(configuration(localIdentifier: IPv4Address(192, 0, 2, 2), passive: true, peerAddress: addressA)))
    }

    func establish(_ wire: inout BackToBack) {
        wire.run(.b, .manualStart)
        wire.run(.a, .manualStart)
    }

    @Test("Both reach Established, exchange an UPDATE and End-of-RIB, and an admin stop arrives as Cease 6/2")
    func fullSession() throws {
        var wire = pair()
        establish(&wire)
        #expect(wire.a.state == .established)
        #expect(wire.b.state == .established)
        #expect(wire.sent(by: .a).map(\.type) == [.open, .keepalive])
        #expect(wire.sent(by: .b).map(\.type) == [.open, .keepalive])
        #expect(wire.actions(of: .a).contains(.established(wire.a.negotiated!)))
        #expect(wire.a.negotiated?.families == [.ipv4Unicast, .ipv6Unicast])
        #expect(wire.a.negotiated?.peerIdentifier == IPv4Address(192, 0, 2, 2))
        #expect(wire.b.negotiated?.peerIdentifier == IPv4Address(192, 0, 2, 1))
        #expect(wire.a.negotiated?.enhancedRouteRefresh == true)

        var start = wire.log.count
        let update = ipv6Announcement(["2001:db8:100::/48"])
        wire.run(.a, .sendUpdate(update))
        wire.run(.a, .initialTableSent())
        #expect(
            wire.actions(of: .b, since: start).filter { if case .arm = $0 { false } else { true } } == [
                .deliver(update), .endOfRIBReceived(.ipv4Unicast), .endOfRIBReceived(.ipv6Unicast),
            ])

        start = wire.log.count
        wire.run(.a, .manualStop(communication: "rolling upgrade, back in 5 minutes"))
        #expect(wire.a.state == .idle)
        #expect(wire.b.state == .idle)
        let cease = NotificationMessage.cease(
            .administrativeShutdown, shutdownCommunication: "rolling upgrade, back in 5 minutes")
        let closing = try #require(
            wire.actions(of: .b, since: start).compactMap { action -> NotificationMessage? in
                if case .closeConnection(.notificationReceived(let n)) = action { n } else { nil }
            }.first)
        #expect(closing == cease)
        #expect(closing.errorCode == 6 && closing.errorSubcode == 2)
        #expect(closing.shutdownCommunication == "rolling upgrade, back in 5 minutes")
        #expect(wire.actions(of: .b, since: start).contains(.withdrawAllRoutes([.ipv4Unicast, .ipv6Unicast])))
        #expect(wire.a.runningTimers.isEmpty, "A stopped by hand does not restart")
        #expect(wire.b.runningTimers.contains(.idleHold), "B will restart")
    }

    @Test("Hold timer expiry on one side arrives at the other as NOTIFICATION 4/0")
    func holdTimerAcrossTheWire() {
        var wire = pair()
        establish(&wire)
        let start = wire.log.count
        wire.run(.b, .holdTimerExpired)
        #expect(
            wire.actions(of: .a, since: start).first
                == .closeConnection(.notificationReceived(NotificationMessage(.holdTimerExpired))))
        #expect(wire.a.state == .idle)
    }

    @Test("A peer AS mismatch is refused on one side and reported on the other")
    func openRefusedAcrossTheWire() {
        var wire = pair(b: { _ in
            configuration(
                peerAS: 65009, localIdentifier: IPv4Address(192, 0, 2, 2), passive: true,
                peerAddress: IPAddress.v4(IPv4Address(192, 0, 2, 1)))
        })
        establish(&wire)
        let bad = NotificationMessage(.openMessageError, subcode: 2)
        #expect(wire.sent(by: .b).last == .notification(bad))
        #expect(wire.actions(of: .a).contains(.closeConnection(.notificationReceived(bad))))
        #expect(wire.a.state == .idle && wire.b.state == .idle)
    }

    @Test("Through a 2-octet speaker, a 4-octet AS path survives the wire")
    func fourOctetPathThroughOldSpeaker() throws {
        // A is AS 4200000001 (NEW); B in AS 65002 behaves as an OLD speaker.
        var wire = BackToBack(
            a: configuration(
                localAS: 4_200_000_001, peerAS: 65002, localIdentifier: IPv4Address(192, 0, 2, 1), peerAddress: addressB
            ),
            b: configuration(
                localAS: 65002, peerAS: 4_200_000_001, localIdentifier: IPv4Address(192, 0, 2, 2), passive: true,
                fourOctetAS: false, peerAddress: addressA))
        establish(&wire)
        #expect(wire.a.state == .established && wire.b.state == .established)
        #expect(wire.a.negotiated?.fourOctetAS == false)
        #expect(wire.b.negotiated?.peerAS == 4_200_000_001)

        let path = ASPath(sequence: [4_200_000_001, 65010, 4_200_000_099])
        let aggregator = Aggregator(asn: 4_200_000_099, address: IPv4Address(198, 51, 100, 9))
        let update = UpdateMessage(
            pathAttributes: [
                PathAttribute(.origin(.igp)), PathAttribute(.asPath(path)),
                PathAttribute(.nextHop(IPv4Address(192, 0, 2, 1))), PathAttribute(.aggregator(aggregator)),
            ],
            nlri: [ipv4("198.51.100.0/24")])
        let start = wire.log.count
        wire.run(.a, .sendUpdate(update))

        // On the wire: AS_TRANS in the 2-octet AS_PATH and AGGREGATOR, the real values in AS4_*.
        let sent = try #require(wire.sent(by: .a, since: start).first)
        guard case .update(let onTheWire) = sent else {
            Issue.record("not an UPDATE")
            return
        }
        #expect(onTheWire.attribute(PathAttribute.TypeCode.as4Path)?.value == .as4Path(path))
        let bytes = sent.encode(options: EncodingOptions(fourOctetAS: false))
        #expect(bytes.firstRange(of: [0x40, 0x02, 0x08, 0x02, 0x03, 0x5B, 0xA0, 0xFD, 0xF2, 0x5B, 0xA0]) != nil)

        // B, reading it back, rebuilds the 4-octet path.
        let delivered = wire.actions(of: .b, since: start).compactMap {
            if case .deliver(let u) = $0 { u } else { nil }
        }
        #expect(delivered == [update])
    }

    @Test("A treat-as-withdraw UPDATE across the wire keeps both sessions up")
    func malformedUpdateKeepsSession() {
        var wire = pair()
        establish(&wire)
        let start = wire.log.count
        var update = ipv4Announcement(["10.9.0.0/16"])
        update.pathAttributes[0] = PathAttribute(flags: .wellKnown, value: .unknown(typeCode: 1, value: [9]))
        wire.run(.a, .sendUpdate(update))
        let atB = wire.actions(of: .b, since: start)
        #expect(atB.contains(.deliver(UpdateMessage(withdrawnRoutes: [ipv4("10.9.0.0/16")]))))
        #expect(logs(atB).first?.bytes == [0x40, 0x01, 0x01, 0x09])
        #expect(wire.a.state == .established && wire.b.state == .established)
    }
}

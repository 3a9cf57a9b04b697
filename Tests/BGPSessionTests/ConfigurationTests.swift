import BGPSession
import BGPWire
import Testing

@Suite("Configuration, hold time and jitter")
struct ConfigurationTests {
    @Test("Hold time accepts zero and 3...65535 and refuses one and two")
    func holdTimeValues() {
        #expect(HoldTime(0) == .disabled)
        #expect(HoldTime(1) == nil)
        #expect(HoldTime(2) == nil)
        #expect(HoldTime(3)?.seconds == 3)
        #expect(HoldTime(65535)?.seconds == 65535)
        #expect(HoldTime(90)!.keepaliveSeconds == 30)
        #expect(HoldTime(90)!.negotiated(with: HoldTime(30)!) == HoldTime(30)!)
        #expect(HoldTime(90)!.negotiated(with: .disabled) == .disabled)
    }

    @Test("AS 0, AS_TRANS and a zero BGP Identifier are refused")
    func invalidConfiguration() {
        for asn: UInt32 in [0, 23456] {
            #expect(throws: SessionConfiguration.Error.invalidAS(asn)) {
                try SessionConfiguration(
                    localAS: asn, peerAS: 65001, localIdentifier: localIdentifier, peerAddress: peerAddress)
            }
            #expect(throws: SessionConfiguration.Error.invalidAS(asn)) {
                try SessionConfiguration(
                    localAS: 65001, peerAS: asn, localIdentifier: localIdentifier, peerAddress: peerAddress)
            }
        }
        #expect(throws: SessionConfiguration.Error.invalidIdentifier) {
            try SessionConfiguration(localAS: 65001, peerAS: 65001, localIdentifier: .zero, peerAddress: peerAddress)
        }
    }

    @Test("Our OPEN lists the families and every wanted capability, in a fixed order")
    func openMessage() {
        let open = configuration(addPath: [.ipv6Unicast: .both]).openMessage
        #expect(open.version == 4)
        #expect(open.myAutonomousSystem == 65001)
        #expect(open.holdTime == 90)
        #expect(open.bgpIdentifier == localIdentifier)
        #expect(
            open.capabilities == [
                .multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast), .routeRefresh, .enhancedRouteRefresh,
                .extendedMessage, .fourOctetAS(65001),
                .gracefulRestart(Capability.GracefulRestart(restartTime: 120)),
                .addPath([Capability.AddPathEntry(.ipv6Unicast, sendReceive: 3)]),
            ])
    }

    @Test("A 4-octet local AS goes as AS_TRANS with the capability, even when 4-octet AS is turned off")
    func fourOctetLocalAS() {
        let open = configuration(localAS: 4_200_000_001, fourOctetAS: false, gracefulRestart: nil).openMessage
        #expect(open.myAutonomousSystem == OpenMessage.asTrans)
        #expect(open.capabilities.contains(.fourOctetAS(4_200_000_001)))
        #expect(open.autonomousSystem == 4_200_000_001)
        let old = configuration(fourOctetAS: false).openMessage
        #expect(!old.capabilities.contains { $0.code == Capability.Code.fourOctetAS })
    }

    @Test("Internal and external peers are told apart by their AS")
    func peerType() {
        #expect(configuration().peerType == .internal)
        #expect(configuration(peerAS: 65002).peerType == .external)
    }

    @Test("The send-hold time is 8 minutes or twice the hold time, and off without a hold time")
    func sendHoldTime() {
        #expect(SendHoldTime.automatic.seconds(holdTime: HoldTime(90)!) == 480)
        #expect(SendHoldTime.automatic.seconds(holdTime: HoldTime(300)!) == 600)
        #expect(SendHoldTime.automatic.seconds(holdTime: .disabled) == nil)
        #expect(SendHoldTime.seconds(100).seconds(holdTime: HoldTime(90)!) == 100)
        #expect(SendHoldTime.disabled.seconds(holdTime: HoldTime(90)!) == nil)
    }

    @Test("Jitter multiplies by a factor between 0.75 and 1.0, the same for the same seed")
    func jitter() {
        var first = TimerJitter.seeded(42)
        var second = TimerJitter.seeded(42)
        var other = TimerJitter.seeded(43)
        var values: [Double] = []
        for _ in 0..<1000 {
            let v = first.apply(to: 100)
            #expect(v >= 75 && v <= 100)
            #expect(second.apply(to: 100) == v)
            values.append(v)
        }
        #expect(values.min()! < 76 && values.max()! > 99, "the whole range is used")
        #expect(Set(values).count > 990, "values vary")
        #expect(other.apply(to: 100) != values[0])
        var none = TimerJitter.none
        #expect(none.apply(to: 100) == 100)
    }

    @Test("Each timer has its expiry event")
    func timerEvents() {
        for timer in SessionTimer.allCases {
            #expect(SessionEvent.expiry(of: timer).expiredTimer == timer)
        }
        #expect(SessionEvent.manualStart.expiredTimer == nil)
    }
}

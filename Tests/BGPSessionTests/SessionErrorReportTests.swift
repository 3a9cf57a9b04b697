import BGPSession
import BGPWire
import Testing

@Suite("Error reports")
struct SessionErrorReportTests {
    let update = BGPMessage.update(ipv4Announcement(["10.0.0.0/8"])).encode()

    @Test("The offending attribute is found in the UPDATE")
    func locate() {
        #expect(SessionErrorReport.attributeBytes(1, inUpdate: update) == [0x40, 0x01, 0x01, 0x00])
        #expect(SessionErrorReport.attributeBytes(5, inUpdate: update) == [0x40, 0x05, 0x04, 0, 0, 0, 100])
        #expect(SessionErrorReport.attributeBytes(8, inUpdate: update) == nil)
    }

    @Test("An extended-length attribute is found whole")
    func extendedLength() {
        let communities = (0..<70).map { Community(rawValue: UInt32($0)) }
        var u = ipv4Announcement(["10.0.0.0/8"])
        u.pathAttributes.append(PathAttribute(.communities(communities)))
        let bytes = BGPMessage.update(u).encode()
        let found = SessionErrorReport.attributeBytes(8, inUpdate: bytes)
        #expect(found?.count == 4 + 280)
        #expect(found?.prefix(4) == [0xD0, 0x08, 0x01, 0x18])
    }

    @Test("A repeated attribute reports the last occurrence")
    func repeated() {
        var u = ipv4Announcement(["10.0.0.0/8"])
        u.pathAttributes.append(PathAttribute(.multiExitDisc(1)))
        u.pathAttributes.append(PathAttribute(.multiExitDisc(2)))
        let bytes = BGPMessage.update(u).encode()
        #expect(SessionErrorReport.attributeBytes(4, inUpdate: bytes) == [0x80, 0x04, 0x04, 0, 0, 0, 2])
    }

    @Test("Truncated or foreign bytes never crash the search")
    func malformedInput() {
        for n in 0..<update.count {
            _ = SessionErrorReport.attributeBytes(1, inUpdate: Array(update.prefix(n)))
        }
        var lying = update
        lying[22] = 0xFF  // total path attribute length far beyond the message
        #expect(SessionErrorReport.attributeBytes(5, inUpdate: lying) == [0x40, 0x05, 0x04, 0, 0, 0, 100])
        #expect(SessionErrorReport.attributeBytes(1, inUpdate: BGPMessage.keepalive.encode()) == nil)
        #expect(SessionErrorReport.attributeBytes(1, inUpdate: []) == nil)
    }

    @Test("A report names the peer, the message, the handling and the bytes")
    func description() {
        let report = SessionErrorReport(
            peer: peerAddress, messageType: .update, handling: .afiSafiDisable(.ipv6Unicast),
            reason: "MP_REACH_NLRI ipv6/unicast: next hop length 5", attributeType: 14, bytes: [0x80, 0x0E, 0x0A])
        #expect(
            report.description
                == "peer 192.0.2.2: UPDATE afi-safi-disable ipv6/unicast: MP_REACH_NLRI ipv6/unicast: next hop length 5 [80 0e 0a]"
        )
        #expect(report.handling.kind == .afiSafiDisable)
    }
}

import BGPSession
import BGPWire
import Testing

/// Capability negotiation (RFC 5492 and each capability's RFC): a capability counts when both advertise it.
@Suite("Capability negotiation")
struct NegotiationTests {
    func negotiate(
        _ local: SessionConfiguration = configuration(), _ remote: OpenMessage = peerOpen()
    ) throws -> NegotiatedSession {
        try NegotiatedSession(local: local, remote: remote)
    }

    @Test("Families are those both announced, in our order")
    func families() throws {
        let local = configuration(families: [.vpnIPv4, .evpn, .vpnIPv4Flowspec, .routeTargetConstraint])
        let n = try negotiate(local, peerOpen(families: [.routeTargetConstraint, .evpn, .ipv4Unicast, .vpnIPv4]))
        #expect(n.families == [.vpnIPv4, .evpn, .routeTargetConstraint])
    }

    @Test("A peer without Multiprotocol capabilities speaks IPv4 unicast only (RFC 4760 §8)")
    func implicitIPv4Unicast() throws {
        let open = OpenMessage(
            myAutonomousSystem: 65001, holdTime: 90, bgpIdentifier: peerIdentifier, optionalParameters: [])
        #expect(try negotiate(configuration(), open).families == [.ipv4Unicast])
        #expect(throws: OpenRejection.self) { try negotiate(configuration(families: [.vpnIPv4]), open) }
    }

    @Test("Hold time is the smaller proposal and keepalive a third of it")
    func holdTime() throws {
        #expect(try negotiate(configuration(holdTime: 90), peerOpen(holdTime: 180)).holdTime == HoldTime(90))
        let n = try negotiate(configuration(holdTime: 180), peerOpen(holdTime: 30))
        #expect(n.holdTime == HoldTime(30))
        #expect(n.keepaliveSeconds == 10)
        #expect(try negotiate(configuration(holdTime: 90), peerOpen(holdTime: 0)).holdTime == .disabled)
        #expect(try negotiate(configuration(holdTime: 0), peerOpen(holdTime: 90)).holdTime == .disabled)
    }

    @Test(
        "4-octet AS, extended message, route refresh and enhanced route refresh need both sides",
        arguments: [(true, true), (true, false), (false, true), (false, false)])
    func bothSides(ours: Bool, theirs: Bool) throws {
        let local = configuration(
            routeRefresh: ours, enhancedRouteRefresh: ours, extendedMessage: ours, fourOctetAS: ours)
        var caps: [Capability] = [.multiprotocol(.ipv4Unicast)]
        if theirs { caps += [.routeRefresh, .enhancedRouteRefresh, .extendedMessage, .fourOctetAS(65001)] }
        let open = OpenMessage(
            myAutonomousSystem: 65001, holdTime: 90, bgpIdentifier: peerIdentifier,
            optionalParameters: [.capabilities(caps)])
        let n = try negotiate(local, open)
        let both = ours && theirs
        #expect(n.fourOctetAS == both)
        #expect(n.extendedMessage == both)
        #expect(n.routeRefresh == both)
        #expect(n.enhancedRouteRefresh == both)
        #expect(n.maximumMessageLength == (both ? 65535 : 4096))
        #expect(n.decodingOptions.fourOctetAS == both)
        #expect(n.decodingOptions.extendedMessage == both)
        #expect(n.encodingOptions.fourOctetAS == both)
    }

    @Test(
        "ADD-PATH receive needs the peer to send, and send needs it to receive",
        arguments: [
            (AddPathMode.receive, UInt8(2), true, false), (.receive, 1, false, false), (.send, 1, false, true),
            (.both, 3, true, true), (.both, 2, true, false), (AddPathMode(), 3, false, false),
        ])
    func addPath(ours: AddPathMode, theirs: UInt8, receive: Bool, send: Bool) throws {
        let local = configuration(addPath: [.ipv4Unicast: ours])
        let n = try negotiate(
            local, peerOpen(extra: [.addPath([Capability.AddPathEntry(.ipv4Unicast, sendReceive: theirs)])]))
        #expect(n.addPathReceive == (receive ? [.ipv4Unicast] : []))
        #expect(n.addPathSend == (send ? [.ipv4Unicast] : []))
        #expect(n.decodingOptions.addPathReceive == n.addPathReceive)
    }

    @Test("ADD-PATH is not negotiated for a family the session does not carry")
    func addPathUnnegotiatedFamily() throws {
        let local = configuration(families: [.ipv4Unicast], addPath: [.ipv6Unicast: .both])
        let n = try negotiate(
            local, peerOpen(extra: [.addPath([Capability.AddPathEntry(.ipv6Unicast, sendReceive: 3)])]))
        #expect(n.addPathReceive.isEmpty && n.addPathSend.isEmpty)
    }

    @Test("The peer's graceful restart capability counts only when we advertise ours")
    func gracefulRestart() throws {
        let gr = gracefulRestartCapability(families: [.ipv4Unicast])
        let open = peerOpen(extra: [gr])
        #expect(try negotiate(configuration(), open).gracefulRestart.map(Capability.gracefulRestart) == gr)
        #expect(try negotiate(configuration(gracefulRestart: nil), open).gracefulRestart == nil)
        #expect(try negotiate(configuration(), peerOpen()).gracefulRestart == nil)
    }

    @Test("Internal and external peers decode with their peer type")
    func peerType() throws {
        #expect(try negotiate().decodingOptions.peer == .internal)
        let external = try negotiate(configuration(peerAS: 65002), peerOpen(asn: 65002))
        #expect(external.peerType == .external)
        #expect(external.decodingOptions.peer == .external)
        #expect(external.peerAS == 65002)
        #expect(external.peerIdentifier == peerIdentifier)
    }

    @Test("The machine decodes with the negotiated options from OpenConfirm on")
    func machineOptions() {
        var m = openSentMachine(configuration(fourOctetAS: false))
        #expect(m.decodingOptions == DecodingOptions(peer: .internal))
        #expect(m.maximumMessageLength == 4096)
        _ = m.handle(.receive(.open(peerOpen())))
        #expect(m.decodingOptions.fourOctetAS == false)
        #expect(m.encodingOptions.fourOctetAS == false)
        #expect(m.decodingOptions.extendedMessage)
        #expect(m.maximumMessageLength == 65535)
    }
}

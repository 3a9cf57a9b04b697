import BGPSession
import BGPWire
import Testing

/// Established (RFC 4271 §8.2.2): UPDATEs and RFC 7606, End-of-RIB, route refresh, what the speaker asks.
@Suite("Established")
struct EstablishedStateTests {
    // MARK: - Hold timer

    @Test("KEEPALIVE and UPDATE both restart the hold timer")
    func holdTimerRestarts() {
        var m = establishedMachine()
        #expect(m.handle(.receive(.keepalive)) == [.arm(.hold, seconds: 90)])
        let update = ipv4Announcement(["10.0.0.0/8"])
        #expect(m.handle(.receive(.update(update))) == [.arm(.hold, seconds: 90), .deliver(update)])
        #expect(m.counters.received(.update) == 1)
        #expect(m.counters.received(.keepalive) == 2, "one in OpenConfirm, one here")
    }

    @Test("The keepalive timer sends a KEEPALIVE and restarts")
    func keepaliveTimer() {
        var m = establishedMachine()
        #expect(m.handle(.keepaliveTimerExpired) == [.send(.keepalive), .arm(.keepalive, seconds: 30)])
    }

    // MARK: - UPDATEs from the peer

    @Test("An IPv6 UPDATE is delivered as received")
    func ipv6Update() {
        var m = establishedMachine()
        let update = ipv6Announcement(["2001:db8:1::/48"])
        #expect(m.handle(.receive(.update(update))) == [.arm(.hold, seconds: 90), .deliver(update)])
    }

    @Test("Treat-as-withdraw withdraws the routes, keeps the session, and logs the offending attribute")
    func treatAsWithdraw() throws {
        var m = establishedMachine()
        var bytes = BGPMessage.update(ipv4Announcement(["10.0.1.0/24", "10.0.2.0/24"])).encode()
        let origin: [UInt8] = [0x40, 0x01, 0x01, 0x00]
        let at = try #require(bytes.firstRange(of: origin))
        bytes[at.upperBound - 1] = 5  // ORIGIN 5: RFC 7606 §7.1 treat-as-withdraw
        let decoded = try BGPMessage.decode(bytes, options: m.decodingOptions)
        let actions = m.handle(.received(decoded, bytes: bytes))
        #expect(
            withoutLogs(actions) == [
                .arm(.hold, seconds: 90),
                .deliver(UpdateMessage(withdrawnRoutes: [ipv4("10.0.1.0/24"), ipv4("10.0.2.0/24")])),
            ])
        let report = try #require(logs(actions).first)
        #expect(report.handling == .treatAsWithdraw)
        #expect(report.peer == peerAddress)
        #expect(report.messageType == .update)
        #expect(report.attributeType == 1)
        #expect(report.bytes == [0x40, 0x01, 0x01, 0x05])
        #expect(report.description.hasPrefix("peer 192.0.2.2: UPDATE treat-as-withdraw: "))
        #expect(report.description.hasSuffix("[40 01 01 05]"))
        #expect(m.state == .established)
        #expect(m.counters.errors(.treatAsWithdraw) == 1)
    }

    @Test("Attribute discard drops the attribute and delivers the routes")
    func attributeDiscard() throws {
        var m = establishedMachine()
        var update = ipv4Announcement(["10.0.1.0/24"])
        update.pathAttributes.append(PathAttribute(.atomicAggregate))
        var bytes = BGPMessage.update(update).encode()
        // ATOMIC_AGGREGATE with a length of 1: RFC 7606 §7.6 attribute discard.
        let at = try #require(bytes.firstRange(of: [0x40, 0x06, 0x00]))
        bytes[at.upperBound - 1] = 1
        bytes.insert(0xAA, at: at.upperBound)
        bytes[17] += 1
        bytes[19 + 2 + 1] += 1  // total path attribute length (low octet)
        let decoded = try BGPMessage.decode(bytes, options: m.decodingOptions)
        let actions = m.handle(.received(decoded, bytes: bytes))
        #expect(withoutLogs(actions) == [.arm(.hold, seconds: 90), .deliver(ipv4Announcement(["10.0.1.0/24"]))])
        #expect(logs(actions).map(\.handling) == [.attributeDiscard])
        #expect(logs(actions).first?.bytes == [0x40, 0x06, 0x01, 0xAA])
        #expect(m.counters.errors(.attributeDiscard) == 1)
    }

    @Test("AFI/SAFI disable withdraws the family and ignores it from then on")
    func afiSafiDisable() {
        var m = establishedMachine()
        let broken = DecodedMessage(
            .update(ipv4Announcement(["10.0.1.0/24"])),
            errors: [BGPWireError(.afiSafiDisable(.ipv6Unicast), "next hop length 5", attributeType: 14)])
        let actions = m.handle(.received(broken))
        #expect(
            withoutLogs(actions) == [
                .arm(.hold, seconds: 90), .withdrawAllRoutes([.ipv6Unicast]),
                .deliver(ipv4Announcement(["10.0.1.0/24"])),
            ])
        #expect(logs(actions).map(\.handling) == [.afiSafiDisable(.ipv6Unicast)])
        #expect(m.activeFamilies == [.ipv4Unicast])
        #expect(m.state == .established)

        let later = m.handle(.receive(.update(ipv6Announcement(["2001:db8::/32"]))))
        #expect(withoutLogs(later) == [.arm(.hold, seconds: 90)])
        #expect(logs(later).map(\.handling) == [.ignored])
        #expect(
            m.handle(.initialTableSent()) == [.send(.update(.endOfRIB(.ipv4Unicast))), .arm(.keepalive, seconds: 30)])
    }

    @Test("Routes of a family that was not negotiated are ignored and logged")
    func unnegotiatedFamily() {
        var m = establishedMachine(configuration(families: [.ipv6Unicast]), open: peerOpen())
        let actions = m.handle(.receive(.update(ipv4Announcement(["10.0.0.0/8"]))))
        #expect(withoutLogs(actions) == [.arm(.hold, seconds: 90)])
        #expect(logs(actions).first?.handling == .ignored)
        #expect(m.counters.errors(.ignored) == 1)
    }

    @Test("An UPDATE error that resets the session sends its NOTIFICATION and withdraws the routes")
    func updateSessionReset() {
        var m = establishedMachine()
        let n = NotificationMessage(.updateMessageError, subcode: 1)
        let actions = m.handle(.decodeFailed(BGPWireError(.sessionReset(n), "withdrawn routes length overrun")))
        #expect(
            withoutLogs(actions) == [
                .send(.notification(n)), .closeConnection(.errorSent(n)), .cancel(.hold), .cancel(.keepalive),
                .cancel(.sendHold), .cancel(.idleHoldReset), .withdrawAllRoutes([.ipv4Unicast, .ipv6Unicast]),
                .stateChanged(from: .established, to: .idle), .arm(.idleHold, seconds: 5),
            ])
        #expect(m.counters.errors(.sessionReset) == 1)
    }

    @Test("End-of-RIB from the peer is reported, not delivered")
    func endOfRIBReceived() {
        var m = establishedMachine()
        #expect(
            m.handle(.receive(.update(.endOfRIB(.ipv6Unicast)))) == [
                .arm(.hold, seconds: 90), .endOfRIBReceived(.ipv6Unicast),
            ])
        #expect(
            m.handle(.receive(.update(UpdateMessage()))) == [.arm(.hold, seconds: 90), .endOfRIBReceived(.ipv4Unicast)])
    }

    @Test("An UPDATE with attributes and no routes is not delivered")
    func attributesOnly() {
        var m = establishedMachine()
        let update = UpdateMessage(pathAttributes: [PathAttribute(.origin(.igp))])
        #expect(m.handle(.receive(.update(update))) == [.arm(.hold, seconds: 90)])
    }

    @Test("AS4_PATH from a 4-octet peer is discarded")
    func as4PathFromNewPeer() {
        var m = establishedMachine()
        var update = ipv4Announcement(["10.0.0.0/8"], asPath: ASPath(sequence: [65002]))
        let expected = update
        update.pathAttributes.append(PathAttribute(.as4Path(ASPath(sequence: [4_200_000_000]))))
        #expect(m.handle(.receive(.update(update))) == [.arm(.hold, seconds: 90), .deliver(expected)])
    }

    // MARK: - What the speaker asks

    @Test("UPDATEs from the speaker are sent and restart the keepalive timer")
    func sendUpdate() {
        var m = establishedMachine()
        let update = ipv4Announcement(["10.0.0.0/8"])
        #expect(m.handle(.sendUpdate(update)) == [.send(.update(update)), .arm(.keepalive, seconds: 30)])
        #expect(m.counters.sent(.update) == 1)
    }

    @Test("UPDATEs the speaker wrote itself (shared bytes) are counted and restart the keepalive timer")
    func updatesWritten() {
        var m = establishedMachine()
        #expect(m.handle(.updatesWritten(count: 3)) == [.arm(.keepalive, seconds: 30)])
        #expect(m.counters.sent(.update) == 3)
        var early = openConfirmMachine()
        #expect(early.handle(.updatesWritten(count: 1)) == [])
        #expect(early.counters.sent(.update) == 0)
    }

    @Test("End-of-RIB follows the initial table, once per family")
    func endOfRIBSent() {
        var m = establishedMachine()
        #expect(
            m.handle(.initialTableSent(families: [.ipv6Unicast])) == [
                .send(.update(.endOfRIB(.ipv6Unicast))), .arm(.keepalive, seconds: 30),
            ])
        #expect(
            m.handle(.initialTableSent()) == [.send(.update(.endOfRIB(.ipv4Unicast))), .arm(.keepalive, seconds: 30)])
        #expect(m.handle(.initialTableSent()) == [])
        #expect(m.handle(.initialTableSent(families: [.evpn])) == [], "not a family of the session")
    }

    @Test("Speaker requests before Established are ignored")
    func requestsBeforeEstablished() {
        var m = openConfirmMachine()
        #expect(m.handle(.sendUpdate(ipv4Announcement(["10.0.0.0/8"]))) == [])
        #expect(m.handle(.initialTableSent()) == [])
        #expect(m.handle(.requestRouteRefresh(.ipv4Unicast)) == [])
    }

    // MARK: - Route refresh

    @Test("A route refresh request asks the speaker to re-send, framed by BoRR and EoRR when enhanced")
    func enhancedRouteRefresh() {
        var m = establishedMachine()
        #expect(
            m.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .ipv6Unicast)))) == [
                .arm(.hold, seconds: 90),
                .send(.routeRefresh(RouteRefreshMessage(family: .ipv6Unicast, subtype: .beginningOfRIB))),
                .routeRefreshRequested(.ipv6Unicast),
            ])
        #expect(
            m.handle(.routeRefreshCompleted(.ipv6Unicast)) == [
                .send(.routeRefresh(RouteRefreshMessage(family: .ipv6Unicast, subtype: .endOfRIB)))
            ])
    }

    @Test("Plain route refresh needs no BoRR or EoRR")
    func plainRouteRefresh() {
        var m = establishedMachine(configuration(enhancedRouteRefresh: false))
        #expect(
            m.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast)))) == [
                .arm(.hold, seconds: 90), .routeRefreshRequested(.ipv4Unicast),
            ])
        #expect(m.handle(.routeRefreshCompleted(.ipv4Unicast)) == [])
    }

    @Test("BoRR marks the family stale and EoRR sweeps what was not re-sent")
    func peerRefreshMarkers() {
        var m = establishedMachine()
        #expect(
            m.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast, subtype: .beginningOfRIB))))
                == [.arm(.hold, seconds: 90), .markRoutesStale([.ipv4Unicast])])
        #expect(
            m.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast, subtype: .endOfRIB))))
                == [.arm(.hold, seconds: 90), .sweepStaleRoutes([.ipv4Unicast])])
    }

    @Test("Route refresh for another family, with an unknown subtype, or not advertised, is ignored")
    func ignoredRouteRefresh() {
        var m = establishedMachine()
        let other = m.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .evpn))))
        #expect(withoutLogs(other) == [.arm(.hold, seconds: 90)])
        let subtype = m.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast, rawSubtype: 7))))
        #expect(withoutLogs(subtype) == [.arm(.hold, seconds: 90)])
        #expect(m.counters.errors(.ignored) == 2)

        var without = establishedMachine(configuration(routeRefresh: false, enhancedRouteRefresh: false))
        let refused = without.handle(.receive(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast))))
        #expect(withoutLogs(refused) == [.arm(.hold, seconds: 90)])
        #expect(logs(refused).count == 1)
    }

    @Test("We ask for a route refresh only from a peer that supports it")
    func requestRouteRefresh() {
        var m = establishedMachine()
        #expect(
            m.handle(.requestRouteRefresh(.ipv4Unicast)) == [
                .send(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast)))
            ])
        var plain = establishedMachine(
            configuration(),
            open: OpenMessage(
                myAutonomousSystem: 65001, holdTime: 90, bgpIdentifier: peerIdentifier,
                optionalParameters: [.capabilities([.multiprotocol(.ipv4Unicast)])]))
        #expect(plain.handle(.requestRouteRefresh(.ipv4Unicast)) == [])
    }

    // MARK: - Stopping

    @Test("ManualStop sends Cease 6/2 with the shutdown communication, closes, and withdraws the routes")
    func manualStop() {
        var m = establishedMachine(configuration(gracefulRestart: nil))
        let cease = NotificationMessage.cease(.administrativeShutdown, shutdownCommunication: "moving to a new RR")
        #expect(
            m.handle(.manualStop(communication: "moving to a new RR")) == [
                .send(.notification(cease)), .closeConnection(.manualStop), .cancel(.hold), .cancel(.keepalive),
                .cancel(.sendHold), .cancel(.idleHoldReset), .withdrawAllRoutes([.ipv4Unicast, .ipv6Unicast]),
                .stateChanged(from: .established, to: .idle),
            ])
        #expect(m.runningTimers.isEmpty)
        #expect(m.counters.sent(.notification) == 1)
    }

    @Test("Counters follow messages in and out")
    func counters() {
        var m = establishedMachine()
        _ = m.handle(.receive(.update(ipv4Announcement(["10.0.0.0/8"]))))
        _ = m.handle(.keepaliveTimerExpired)
        #expect(m.counters.received(.open) == 1)
        #expect(m.counters.received(.keepalive) == 1)
        #expect(m.counters.received(.update) == 1)
        #expect(m.counters.sent(.open) == 1)
        #expect(m.counters.sent(.keepalive) == 2)
    }
}

import BGPSession
import BGPWire
import Testing

/// OpenSent and OpenConfirm (RFC 4271 §8.2.2), OPEN validation (RFC 4271 §6.2) and the error paths.
@Suite("OpenSent and OpenConfirm")
struct OpeningStatesTests {
    // MARK: - The good path

    @Test("A valid OPEN in OpenSent is answered with a KEEPALIVE and the negotiated timers")
    func validOpen() {
        var m = openSentMachine()
        #expect(
            m.handle(.receive(.open(peerOpen(holdTime: 60)))) == [
                .send(.keepalive), .arm(.keepalive, seconds: 20), .arm(.hold, seconds: 60),
                .stateChanged(from: .openSent, to: .openConfirm),
            ])
        #expect(m.negotiated?.holdTime == HoldTime(60))
    }

    @Test("A KEEPALIVE in OpenConfirm establishes the session")
    func keepaliveEstablishes() {
        var m = openConfirmMachine()
        let negotiated = m.negotiated!
        #expect(
            m.handle(.receive(.keepalive)) == [
                .arm(.hold, seconds: 90), .stateChanged(from: .openConfirm, to: .established),
                .established(negotiated), .arm(.idleHoldReset, seconds: 60),
            ])
        #expect(m.counters.establishedTransitions == 1)
    }

    @Test("A zero hold time stops the hold, keepalive and send-hold timers")
    func zeroHoldTime() {
        var m = openSentMachine()
        #expect(
            m.handle(.receive(.open(peerOpen(holdTime: 0)))) == [
                .send(.keepalive), .cancel(.hold), .cancel(.sendHold),
                .stateChanged(from: .openSent, to: .openConfirm),
            ])
        #expect(m.runningTimers.isEmpty)
        #expect(m.handle(.receive(.keepalive)).contains(.stateChanged(from: .openConfirm, to: .established)))
        #expect(!m.runningTimers.contains(.hold))
        #expect(m.handle(.messageSent(.keepalive)) == [], "no send-hold timer without a hold time")
    }

    @Test("The KeepaliveTimer sends a KEEPALIVE in OpenConfirm and restarts")
    func keepaliveInOpenConfirm() {
        var m = openConfirmMachine()
        #expect(m.handle(.keepaliveTimerExpired) == [.send(.keepalive), .arm(.keepalive, seconds: 30)])
    }

    @Test("A completed write restarts the send-hold timer")
    func messageSentRestartsSendHold() {
        var m = openSentMachine()
        #expect(m.handle(.messageSent(.open)) == [.arm(.sendHold, seconds: 480)])
        var e = establishedMachine(configuration(holdTime: 300), open: peerOpen(holdTime: 300))
        #expect(e.handle(.messageSent(.update)) == [.arm(.sendHold, seconds: 600)])
    }

    // MARK: - OPEN validation

    /// Expects the OPEN to be refused with `code/subcode`: report, NOTIFICATION, close, back to Idle.
    func expectRefused(
        _ open: OpenMessage, _ subcode: NotificationMessage.OpenSubcode, data: [UInt8] = [],
        configuration config: SessionConfiguration = configuration(), sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var m = openSentMachine(config)
        let bytes = BGPMessage.open(open).encode()
        let actions = m.handle(.received(DecodedMessage(.open(open)), bytes: bytes))
        let notification = NotificationMessage(.openMessageError, subcode: subcode.rawValue, data: data)
        #expect(
            withoutLogs(actions) == [
                .send(.notification(notification)), .closeConnection(.errorSent(notification)), .cancel(.hold),
                .cancel(.sendHold), .stateChanged(from: .openSent, to: .idle), .arm(.idleHold, seconds: 5),
            ], sourceLocation: sourceLocation)
        let report = logs(actions)
        #expect(report.count == 1, sourceLocation: sourceLocation)
        #expect(report.first?.handling == .sessionReset(notification), sourceLocation: sourceLocation)
        #expect(report.first?.bytes == bytes, sourceLocation: sourceLocation)
        #expect(report.first?.peer == peerAddress, sourceLocation: sourceLocation)
        #expect(m.counters.errors(.sessionReset) == 1, sourceLocation: sourceLocation)
        #expect(m.counters.connectRetryCounter == 1, sourceLocation: sourceLocation)
    }

    @Test("Peer AS mismatch is refused with 2/2")
    func badPeerAS() { expectRefused(peerOpen(asn: 65002), .badPeerAS) }

    @Test("A 4-octet peer AS is checked from the capability")
    func fourOctetPeerAS() {
        var m = openSentMachine(configuration(peerAS: 4_200_000_002))
        _ = m.handle(.receive(.open(peerOpen(asn: 4_200_000_002))))
        #expect(m.state == .openConfirm)
        #expect(m.negotiated?.peerAS == 4_200_000_002)
        expectRefused(peerOpen(asn: 4_200_000_003), .badPeerAS, configuration: configuration(peerAS: 4_200_000_002))
    }

    @Test("AS_TRANS without the 4-octet AS capability is refused with 2/2")
    func asTransWithoutCapability() {
        let open = OpenMessage(
            myAutonomousSystem: OpenMessage.asTrans, holdTime: 90, bgpIdentifier: peerIdentifier,
            optionalParameters: [.capabilities([.multiprotocol(.ipv4Unicast)])])
        expectRefused(open, .badPeerAS, configuration: configuration(peerAS: 4_200_000_002))
    }

    @Test("An internal peer with our own BGP Identifier is refused with 2/3, an external one is not")
    func sameIdentifier() {
        expectRefused(peerOpen(identifier: localIdentifier), .badBGPIdentifier)
        var m = openSentMachine(configuration(peerAS: 65002))
        _ = m.handle(.receive(.open(peerOpen(asn: 65002, identifier: localIdentifier))))
        #expect(m.state == .openConfirm, "RFC 6286 §2.2 allows equal identifiers between ASes")
    }

    @Test("A hold time under our minimum is refused with 2/6, zero is accepted")
    func unacceptableHoldTime() {
        expectRefused(peerOpen(holdTime: 10), .unacceptableHoldTime, configuration: configuration(minimumHoldTime: 30))
        expectRefused(peerOpen(holdTime: 2), .unacceptableHoldTime)
        var m = openSentMachine(configuration(minimumHoldTime: 30))
        _ = m.handle(.receive(.open(peerOpen(holdTime: 0))))
        #expect(m.state == .openConfirm)
    }

    @Test("An unknown optional parameter is refused with 2/4")
    func unknownOptionalParameter() {
        var open = peerOpen()
        open.optionalParameters.append(.unknown(type: 1, value: [1, 2]))
        expectRefused(open, .unsupportedOptionalParameter)
    }

    @Test("A version other than 4 is refused with 2/1 and the version we support")
    func badVersion() {
        var open = peerOpen()
        open.version = 3
        expectRefused(open, .unsupportedVersionNumber, data: [0, 4])
    }

    @Test("No family in common is refused with 2/7 listing the families we wanted")
    func noCommonFamily() {
        expectRefused(
            peerOpen(families: [.evpn]), .unsupportedCapability,
            data: [1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1])
    }

    @Test("A decoding error in OpenSent sends the codec's NOTIFICATION")
    func decodeErrorInOpenSent() throws {
        var m = openSentMachine()
        var bytes = BGPMessage.open(peerOpen()).encode()
        bytes[20] = 0  // My Autonomous System 0 (RFC 7607)
        bytes[21] = 0
        let error = try #require(throws: BGPWireError.self) { try BGPMessage.decode(bytes) }
        let actions = m.handle(.decodeFailed(error, bytes: bytes))
        let notification = NotificationMessage(.openMessageError, subcode: 2)
        #expect(
            withoutLogs(actions).prefix(2) == [
                .send(.notification(notification)), .closeConnection(.errorSent(notification)),
            ])
        #expect(logs(actions).first?.messageType == .open)
        #expect(m.state == .idle)
    }

    // MARK: - Unexpected messages (RFC 6608)

    @Test("UPDATE, KEEPALIVE and ROUTE-REFRESH in OpenSent are FSM errors 5/1")
    func unexpectedInOpenSent() {
        for message: BGPMessage in [
            .update(ipv4Announcement(["10.0.0.0/8"])), .keepalive,
            .routeRefresh(RouteRefreshMessage(family: .ipv4Unicast)),
        ] {
            var m = openSentMachine()
            let actions = withoutLogs(m.handle(.receive(message)))
            let notification = NotificationMessage(.finiteStateMachineError, subcode: 1)
            #expect(actions.first == .send(.notification(notification)))
            #expect(actions.dropFirst().first == .closeConnection(.errorSent(notification)))
            #expect(m.state == .idle)
        }
    }

    @Test("OPEN and UPDATE in OpenConfirm are FSM errors 5/2")
    func unexpectedInOpenConfirm() {
        for message: BGPMessage in [.open(peerOpen()), .update(ipv4Announcement(["10.0.0.0/8"]))] {
            var m = openConfirmMachine()
            let notification = NotificationMessage(.finiteStateMachineError, subcode: 2)
            #expect(
                withoutLogs(m.handle(.receive(message))) == [
                    .send(.notification(notification)), .closeConnection(.errorSent(notification)),
                    .cancel(.hold), .cancel(.keepalive), .cancel(.sendHold),
                    .stateChanged(from: .openConfirm, to: .idle), .arm(.idleHold, seconds: 5),
                ])
        }
    }

    @Test("OPEN in Established is an FSM error 5/3 and withdraws the routes")
    func openInEstablished() {
        var m = establishedMachine()
        let notification = NotificationMessage(.finiteStateMachineError, subcode: 3)
        #expect(
            withoutLogs(m.handle(.receive(.open(peerOpen())))) == [
                .send(.notification(notification)), .closeConnection(.errorSent(notification)),
                .cancel(.hold), .cancel(.keepalive), .cancel(.sendHold), .cancel(.idleHoldReset),
                .withdrawAllRoutes([.ipv4Unicast, .ipv6Unicast]), .stateChanged(from: .established, to: .idle),
                .arm(.idleHold, seconds: 5),
            ])
    }

    // MARK: - Timers

    @Test("Hold timer expiry sends NOTIFICATION 4/0 before closing, in every state that has a connection")
    func holdTimerExpiry() {
        let notification = NotificationMessage(.holdTimerExpired)
        var sent = openSentMachine()
        #expect(
            sent.handle(.holdTimerExpired) == [
                .send(.notification(notification)), .closeConnection(.errorSent(notification)),
                .cancel(.sendHold), .stateChanged(from: .openSent, to: .idle), .arm(.idleHold, seconds: 5),
            ])
        var confirm = openConfirmMachine()
        #expect(
            confirm.handle(.holdTimerExpired) == [
                .send(.notification(notification)), .closeConnection(.errorSent(notification)),
                .cancel(.keepalive), .cancel(.sendHold), .stateChanged(from: .openConfirm, to: .idle),
                .arm(.idleHold, seconds: 5),
            ])
        var established = establishedMachine()
        #expect(
            established.handle(.holdTimerExpired) == [
                .send(.notification(notification)), .closeConnection(.errorSent(notification)),
                .cancel(.keepalive), .cancel(.sendHold), .cancel(.idleHoldReset),
                .withdrawAllRoutes([.ipv4Unicast, .ipv6Unicast]), .stateChanged(from: .established, to: .idle),
                .arm(.idleHold, seconds: 5),
            ])
    }

    @Test("Send-hold timer expiry sends NOTIFICATION 8/0 before closing")
    func sendHoldTimerExpiry() {
        var m = establishedMachine()
        let notification = NotificationMessage(.sendHoldTimerExpired)
        let actions = m.handle(.sendHoldTimerExpired)
        #expect(actions.prefix(2) == [.send(.notification(notification)), .closeConnection(.errorSent(notification))])
        #expect(m.state == .idle)
    }

    // MARK: - Other ways down

    @Test("A NOTIFICATION from the peer closes without answering")
    func notificationReceived() {
        var m = openConfirmMachine()
        let n = NotificationMessage.cease(.administrativeReset, shutdownCommunication: "upgrade")
        #expect(
            m.handle(.receive(.notification(n))) == [
                .closeConnection(.notificationReceived(n)), .cancel(.hold), .cancel(.keepalive),
                .cancel(.sendHold), .stateChanged(from: .openConfirm, to: .idle), .arm(.idleHold, seconds: 5),
            ])
        #expect(m.counters.connectRetryCounter == 1)
        #expect(m.counters.received(.notification) == 1)
    }

    @Test("A NOTIFICATION of unsupported version does not count as a failure")
    func versionNotification() {
        var m = openSentMachine()
        _ = m.handle(.receive(.notification(NotificationMessage(.openMessageError, subcode: 1, data: [0, 4]))))
        #expect(m.state == .idle)
        #expect(m.counters.connectRetryCounter == 0)
    }

    @Test("A failed connection in OpenSent goes back to Active and retries")
    func connectionFailsInOpenSent() {
        var m = openSentMachine()
        #expect(
            m.handle(.tcpConnectionFails) == [
                .closeConnection(.connectionFailed), .cancel(.hold), .cancel(.sendHold),
                .arm(.connectRetry, seconds: 120), .stateChanged(from: .openSent, to: .active),
            ])
    }

    @Test("Collision resolution closes the connection with Cease 7")
    func collisionDump() {
        var m = openConfirmMachine()
        let cease = NotificationMessage(.cease, subcode: 7)
        #expect(m.handle(.openCollisionDump).prefix(2) == [.send(.notification(cease)), .closeConnection(.collision)])
        #expect(m.state == .idle)
    }

    @Test("ManualStop sends Cease 6/2 with the shutdown communication and does not restart")
    func manualStopInOpenSent() {
        var m = openSentMachine()
        let cease = NotificationMessage.cease(.administrativeShutdown, shutdownCommunication: "maintenance")
        #expect(
            m.handle(.manualStop(communication: "maintenance")) == [
                .send(.notification(cease)), .closeConnection(.manualStop), .cancel(.hold), .cancel(.sendHold),
                .stateChanged(from: .openSent, to: .idle),
            ])
        #expect(m.counters.connectRetryCounter == 0)
        #expect(m.runningTimers.isEmpty)
    }

    @Test("AutomaticStop sends its Cease and restarts after the idle-hold time")
    func automaticStop() {
        var m = establishedMachine()
        let cease = NotificationMessage.cease(.maximumNumberOfPrefixesReached)
        let actions = m.handle(.automaticStop(.maximumNumberOfPrefixesReached))
        #expect(actions.prefix(2) == [.send(.notification(cease)), .closeConnection(.automaticStop)])
        #expect(actions.last == .arm(.idleHold, seconds: 5))
    }

    @Test("A second connection while past Active is left to collision detection")
    func secondConnection() {
        var m = openConfirmMachine()
        #expect(m.handle(.tcpConnectionConfirmed) == [])
        #expect(m.state == .openConfirm)
    }
}

import BGPSession
import BGPWire
import Testing

/// RFC 4724 §4.2: the receiving speaker keeps a restarting peer's routes, stale, until it re-sends them.
@Suite("Graceful restart, receiving speaker")
struct GracefulRestartTests {
    let both: [AddressFamily] = [.ipv4Unicast, .ipv6Unicast]

    /// Established with a peer advertising graceful restart for both families, F bit set.
    func restartingPeer(
        families: [AddressFamily] = [.ipv4Unicast, .ipv6Unicast], restartTime: UInt16 = 120
    )
        -> SessionStateMachine
    {
        establishedMachine(
            configuration(),
            open: peerOpen(extra: [gracefulRestartCapability(restartTime: restartTime, families: families)]))
    }

    /// From Idle (idle-hold running) back to Established with `open`.
    func comeBack(_ m: inout SessionStateMachine, open: OpenMessage) -> [SessionAction] {
        _ = m.handle(.idleHoldTimerExpired)
        _ = m.handle(.tcpConnectionAcknowledged)
        _ = m.handle(.receive(.open(open)))
        return m.handle(.receive(.keepalive))
    }

    // MARK: - The session in the state machine

    @Test("Losing the connection keeps the peer's routes stale and runs the restart timer")
    func connectionLost() {
        var m = restartingPeer()
        #expect(
            m.handle(.tcpConnectionFails) == [
                .closeConnection(.connectionFailed), .cancel(.hold), .cancel(.keepalive), .cancel(.sendHold),
                .cancel(.idleHoldReset), .markRoutesStale(both), .arm(.gracefulRestart, seconds: 120),
                .stateChanged(from: .established, to: .idle), .arm(.idleHold, seconds: 5),
            ])
        #expect(m.gracefulRestart.staleFamilies == both)
        #expect(m.idleHold.current == 5, "a graceful restart is not a flap")
    }

    @Test("Back with the F bit, stale routes wait for End-of-RIB, family by family")
    func endOfRIBSweeps() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        let open = peerOpen(extra: [gracefulRestartCapability(families: both, restarting: true)])
        let up = comeBack(&m, open: open)
        #expect(
            up == [
                .arm(.hold, seconds: 90), .stateChanged(from: .openConfirm, to: .established),
                .established(m.negotiated!), .cancel(.gracefulRestart), .arm(.staleRoutes, seconds: 360),
                .arm(.idleHoldReset, seconds: 60),
            ])
        let update = ipv4Announcement(["10.0.0.0/8"])
        #expect(m.handle(.receive(.update(update))) == [.arm(.hold, seconds: 90), .deliver(update)])
        #expect(
            m.handle(.receive(.update(.endOfRIB(.ipv4Unicast)))) == [
                .arm(.hold, seconds: 90), .endOfRIBReceived(.ipv4Unicast), .sweepStaleRoutes([.ipv4Unicast]),
            ])
        #expect(
            m.handle(.receive(.update(.endOfRIB(.ipv6Unicast)))) == [
                .arm(.hold, seconds: 90), .endOfRIBReceived(.ipv6Unicast), .sweepStaleRoutes([.ipv6Unicast]),
                .cancel(.staleRoutes),
            ])
        #expect(m.gracefulRestart.staleFamilies.isEmpty)
    }

    @Test("A family without the F bit in the new OPEN is swept at once")
    func withoutForwardingState() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        let open = peerOpen(extra: [
            .gracefulRestart(
                Capability.GracefulRestart(
                    restartFlags: 0x8, restartTime: 120,
                    families: [
                        Capability.GracefulRestart.Family(.ipv4Unicast, flags: 0x80),
                        Capability.GracefulRestart.Family(.ipv6Unicast, flags: 0),
                    ]))
        ])
        let up = comeBack(&m, open: open)
        #expect(up.contains(.sweepStaleRoutes([.ipv6Unicast])))
        #expect(up.contains(.arm(.staleRoutes, seconds: 360)))
        #expect(m.gracefulRestart.staleFamilies == [.ipv4Unicast])
    }

    @Test("A new OPEN without graceful restart sweeps every stale route")
    func capabilityGone() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        let up = comeBack(&m, open: peerOpen())
        #expect(up.contains(.sweepStaleRoutes(both)))
        #expect(!up.contains { if case .arm(.staleRoutes, _) = $0 { true } else { false } })
        #expect(m.gracefulRestart.staleFamilies.isEmpty)
    }

    @Test("If the peer does not come back within its restart time, its stale routes go")
    func restartTimerExpires() {
        var m = restartingPeer(restartTime: 30)
        #expect(m.handle(.tcpConnectionFails).contains(.arm(.gracefulRestart, seconds: 30)))
        #expect(m.handle(.gracefulRestartTimerExpired) == [.sweepStaleRoutes(both)])
        #expect(m.gracefulRestart.staleFamilies.isEmpty)
        #expect(m.handle(.gracefulRestartTimerExpired) == [])
    }

    @Test("If End-of-RIB does not come in time, the stale-routes timer sweeps what is left")
    func staleTimerExpires() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        _ = comeBack(&m, open: peerOpen(extra: [gracefulRestartCapability(families: both)]))
        _ = m.handle(.receive(.update(.endOfRIB(.ipv6Unicast))))
        #expect(m.handle(.staleRoutesTimerExpired) == [.sweepStaleRoutes([.ipv4Unicast])])
        #expect(m.state == .established)
    }

    @Test("Families missing from the peer's capability are withdrawn at once")
    func partialCapability() {
        var m = restartingPeer(families: [.ipv4Unicast])
        let down = m.handle(.tcpConnectionFails)
        #expect(down.contains(.withdrawAllRoutes([.ipv6Unicast])))
        #expect(down.contains(.markRoutesStale([.ipv4Unicast])))
    }

    @Test("A session ended by a NOTIFICATION withdraws everything")
    func notificationWithdraws() {
        var m = restartingPeer()
        let down = m.handle(.receive(.notification(NotificationMessage(.cease, subcode: 4))))
        #expect(down.contains(.withdrawAllRoutes(both)))
        #expect(!down.contains(.markRoutesStale(both)))
        var expired = restartingPeer()
        #expect(expired.handle(.holdTimerExpired).contains(.withdrawAllRoutes(both)))
    }

    @Test("Without graceful restart, or with a zero restart time, routes are withdrawn")
    func noGracefulRestart() {
        var plain = establishedMachine()
        #expect(plain.handle(.tcpConnectionFails).contains(.withdrawAllRoutes(both)))
        var zero = restartingPeer(restartTime: 0)
        #expect(zero.handle(.tcpConnectionFails).contains(.withdrawAllRoutes(both)))
        var notOurs = establishedMachine(
            configuration(gracefulRestart: nil), open: peerOpen(extra: [gracefulRestartCapability(families: both)]))
        #expect(notOurs.handle(.tcpConnectionFails).contains(.withdrawAllRoutes(both)))
    }

    @Test("A second restart before End-of-RIB deletes the routes still stale from the first")
    func consecutiveRestarts() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        _ = comeBack(&m, open: peerOpen(extra: [gracefulRestartCapability(families: both)]))
        _ = m.handle(.receive(.update(.endOfRIB(.ipv6Unicast))))
        let down = m.handle(.tcpConnectionFails)
        #expect(
            down == [
                .closeConnection(.connectionFailed), .cancel(.hold), .cancel(.keepalive), .cancel(.sendHold),
                .cancel(.idleHoldReset), .cancel(.staleRoutes), .sweepStaleRoutes([.ipv4Unicast]),
                .markRoutesStale(both), .arm(.gracefulRestart, seconds: 120),
                .stateChanged(from: .established, to: .idle), .arm(.idleHold, seconds: 5),
            ])
    }

    @Test("Stopping the session by hand while the peer is away deletes its stale routes")
    func manualStopWhileAway() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        #expect(
            m.handle(.manualStop()) == [.cancel(.idleHold), .cancel(.gracefulRestart), .sweepStaleRoutes(both)])
        #expect(m.runningTimers.isEmpty)
    }

    @Test("A failed attempt to come back leaves the restart timer running")
    func failedComeback() {
        var m = restartingPeer()
        _ = m.handle(.tcpConnectionFails)
        _ = m.handle(.idleHoldTimerExpired)
        _ = m.handle(.tcpConnectionAcknowledged)
        let down = m.handle(.holdTimerExpired)
        #expect(!down.contains(.cancel(.gracefulRestart)))
        #expect(m.runningTimers.contains(.gracefulRestart))
        #expect(m.gracefulRestart.staleFamilies == both)
    }

    // MARK: - The receiver alone

    @Test("The receiver on its own: end, return, End-of-RIB")
    func receiverAlone() {
        var r = GracefulRestartReceiver(staleRoutesTime: 100)
        let capability = Capability.GracefulRestart(
            restartTime: 60, families: [Capability.GracefulRestart.Family(.evpn, flags: 0x80)])
        #expect(
            r.sessionEnded(families: [.evpn, .vpnIPv4], peerCapability: capability, connectionLost: true) == [
                .withdrawAllRoutes([.vpnIPv4]), .markRoutesStale([.evpn]), .arm(.gracefulRestart, seconds: 60),
            ])
        #expect(r.endOfRIB(.evpn) == [], "not back yet")
        #expect(
            r.sessionEstablished(families: [.evpn, .vpnIPv4], peerCapability: capability) == [
                .cancel(.gracefulRestart), .arm(.staleRoutes, seconds: 100),
            ])
        #expect(r.endOfRIB(.vpnIPv4) == [])
        #expect(r.endOfRIB(.evpn) == [.sweepStaleRoutes([.evpn]), .cancel(.staleRoutes)])
        #expect(r.timerExpired(.staleRoutes) == [])
        #expect(r.sessionEstablished(families: [.evpn], peerCapability: capability) == [])
    }
}

import BGPSession
import BGPWire
import Testing

/// Idle, Connect and Active (RFC 4271 §8.2.2).
@Suite("Idle, Connect and Active")
struct StartingStatesTests {
    @Test("ManualStart arms the connect-retry timer and connects")
    func manualStart() {
        var m = machine()
        #expect(
            m.handle(.manualStart) == [
                .arm(.connectRetry, seconds: 120), .openConnection, .stateChanged(from: .idle, to: .connect),
            ])
        #expect(m.state == .connect)
        #expect(m.runningTimers == [.connectRetry])
    }

    @Test("A passive session only listens")
    func passiveStart() {
        var m = machine(configuration(passive: true))
        #expect(m.handle(.manualStart) == [.stateChanged(from: .idle, to: .active)])
        #expect(m.runningTimers.isEmpty)
        #expect(m.handle(.tcpConnectionConfirmed).contains(.send(.open(m.configuration.openMessage))))
        #expect(m.state == .openSent)
    }

    @Test("The connect-retry timer is jittered between 75% and 100%")
    func jitteredConnectRetry() {
        var m = SessionStateMachine(configuration: configuration(), jitter: .seeded(7))
        guard case .arm(.connectRetry, let seconds) = m.handle(.manualStart).first else {
            Issue.record("no connect-retry timer")
            return
        }
        #expect(seconds >= 90 && seconds <= 120)
    }

    @Test("Connect sends the OPEN once the connection is up and waits with a 4-minute hold timer")
    func connectionUp() {
        var m = machine()
        _ = m.handle(.manualStart)
        #expect(
            m.handle(.tcpConnectionAcknowledged) == [
                .cancel(.connectRetry), .send(.open(m.configuration.openMessage)), .arm(.hold, seconds: 240),
                .arm(.sendHold, seconds: 480), .stateChanged(from: .connect, to: .openSent),
            ])
    }

    @Test("Connect abandons a slow attempt for a new one when the connect-retry timer expires")
    func connectRetry() {
        var m = machine()
        _ = m.handle(.manualStart)
        #expect(
            m.handle(.connectRetryTimerExpired) == [
                .closeConnection(.connectRetry), .arm(.connectRetry, seconds: 120), .openConnection,
            ])
        #expect(m.state == .connect)
    }

    @Test("A failed connection in Connect falls back to Idle and restarts after the idle-hold time")
    func connectFails() {
        var m = machine()
        _ = m.handle(.manualStart)
        #expect(
            m.handle(.tcpConnectionFails) == [
                .closeConnection(.connectionFailed), .cancel(.connectRetry),
                .stateChanged(from: .connect, to: .idle), .arm(.idleHold, seconds: 5),
            ])
        #expect(
            m.handle(.idleHoldTimerExpired) == [
                .arm(.connectRetry, seconds: 120), .openConnection, .stateChanged(from: .idle, to: .connect),
            ])
    }

    @Test("Active connects when the connect-retry timer expires")
    func activeRetries() {
        var m = openSentMachine()
        _ = m.handle(.tcpConnectionFails)
        #expect(m.state == .active)
        #expect(
            m.handle(.connectRetryTimerExpired) == [
                .arm(.connectRetry, seconds: 120), .openConnection, .stateChanged(from: .active, to: .connect),
            ])
    }

    @Test("Idle refuses incoming connections and ignores other events")
    func idleRefuses() {
        var m = machine()
        #expect(m.handle(.tcpConnectionConfirmed) == [.closeConnection(.refused)])
        #expect(m.handle(.receive(.keepalive)) == [])
        #expect(m.handle(.sendUpdate(ipv4Announcement(["10.0.0.0/8"]))) == [])
        #expect(m.state == .idle)
    }

    @Test("ManualStop in Connect closes the attempt and stays Idle")
    func stopInConnect() {
        var m = machine()
        _ = m.handle(.manualStart)
        #expect(
            m.handle(.manualStop()) == [
                .closeConnection(.manualStop), .cancel(.connectRetry), .stateChanged(from: .connect, to: .idle),
            ])
        #expect(m.runningTimers.isEmpty)
        #expect(m.handle(.tcpConnectionFails) == [])
    }

    @Test("ManualStop in Active stops listening, with nothing to close")
    func stopInActive() {
        var m = machine(configuration(passive: true))
        _ = m.handle(.manualStart)
        #expect(m.handle(.manualStop()) == [.stateChanged(from: .active, to: .idle)])
    }

    @Test("An unexpected event in Connect drops the attempt and counts a failure")
    func unexpectedInConnect() {
        var m = machine()
        _ = m.handle(.manualStart)
        #expect(
            m.handle(.receive(.keepalive)) == [
                .closeConnection(.unexpectedEvent), .cancel(.connectRetry),
                .stateChanged(from: .connect, to: .idle), .arm(.idleHold, seconds: 5),
            ])
        #expect(m.counters.connectRetryCounter == 1)
    }

    @Test("ManualStart and AutomaticStart are ignored once started")
    func startTwice() {
        var m = machine()
        _ = m.handle(.manualStart)
        #expect(m.handle(.manualStart) == [])
        #expect(m.handle(.automaticStart) == [])
    }

    @Test("AutomaticStart waits for the idle-hold timer, ManualStart does not")
    func automaticStartWaits() {
        var m = machine()
        _ = m.handle(.manualStart)
        _ = m.handle(.tcpConnectionFails)
        #expect(m.runningTimers.contains(.idleHold))
        #expect(m.handle(.automaticStart) == [])
        #expect(m.handle(.manualStart).first == .cancel(.idleHold))
        #expect(m.state == .connect)
    }

    @Test("ManualStop in Idle cancels the pending restart for good")
    func stopWhileWaiting() {
        var m = machine()
        _ = m.handle(.manualStart)
        _ = m.handle(.tcpConnectionFails)
        #expect(m.handle(.manualStop()) == [.cancel(.idleHold)])
        #expect(m.handle(.idleHoldTimerExpired) == [], "a cancelled timer's expiry is ignored")
        #expect(m.state == .idle)
    }

    @Test("The expiry of a timer that is not running is ignored")
    func staleExpiry() {
        var m = establishedMachine()
        #expect(m.handle(.connectRetryTimerExpired) == [])
        #expect(m.handle(.idleHoldTimerExpired) == [])
        #expect(m.state == .established)
    }
}

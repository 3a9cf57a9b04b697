import BGPSession
import BGPWire
import Testing

@Suite("Idle-hold backoff for a flapping peer")
struct IdleHoldBackoffTests {
    @Test("The wait doubles up to the maximum and resets")
    func sequence() {
        var b = IdleHoldBackoff(initial: 5, maximum: 60, stableTime: 120)
        #expect((0..<7).map { _ in b.next() } == [5, 10, 20, 40, 60, 60, 60])
        b.reset()
        #expect(b.next() == 5)
        #expect(b.current == 10)
    }

    @Test("An initial wait of zero disables damping")
    func zero() {
        var b = IdleHoldBackoff(initial: 0, maximum: 60)
        #expect([b.next(), b.next()] == [0, 0])
    }

    @Test("Each failure of a flapping session doubles the idle-hold time")
    func flappingSession() {
        var m = machine()
        _ = m.handle(.manualStart)
        var waits: [Double] = []
        for _ in 0..<5 {
            _ = m.handle(.tcpConnectionAcknowledged)
            _ = m.handle(.receive(.open(peerOpen())))
            _ = m.handle(.receive(.keepalive))
            let down = m.handle(.receive(.notification(NotificationMessage(.cease, subcode: 4))))
            guard case .arm(.idleHold, let seconds) = down.last else {
                Issue.record("no idle-hold timer")
                return
            }
            waits.append(seconds)
            _ = m.handle(.idleHoldTimerExpired)
        }
        #expect(waits == [5, 10, 20, 40, 40])
        #expect(m.counters.establishedTransitions == 5)
    }

    @Test("A session that stays up long enough resets the backoff")
    func stableSessionResets() {
        var m = machine()
        _ = m.handle(.manualStart)
        _ = m.handle(.tcpConnectionFails)
        _ = m.handle(.idleHoldTimerExpired)
        _ = m.handle(.tcpConnectionFails)
        #expect(m.idleHold.current == 20)
        _ = m.handle(.idleHoldTimerExpired)
        _ = m.handle(.tcpConnectionAcknowledged)
        _ = m.handle(.receive(.open(peerOpen())))
        _ = m.handle(.receive(.keepalive))
        #expect(m.runningTimers.contains(.idleHoldReset))
        #expect(m.handle(.idleHoldResetTimerExpired) == [])
        #expect(m.idleHold.current == 5)
        #expect(m.handle(.holdTimerExpired).last == .arm(.idleHold, seconds: 5))
    }

    @Test("The idle-hold timer is jittered")
    func jittered() {
        var m = SessionStateMachine(configuration: configuration(), jitter: .seeded(3))
        _ = m.handle(.manualStart)
        guard case .arm(.idleHold, let seconds) = m.handle(.tcpConnectionFails).last else {
            Issue.record("no idle-hold timer")
            return
        }
        #expect(seconds >= 3.75 && seconds <= 5)
    }
}

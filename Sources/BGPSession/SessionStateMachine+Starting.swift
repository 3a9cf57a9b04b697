import BGPWire

/// Idle, Connect and Active (RFC 4271 §8.2.2), and the way back to Idle shared by every state.
extension SessionStateMachine {
    // MARK: - Idle

    mutating func idle(_ event: SessionEvent) {
        switch event {
        case .manualStart:
            restartsAutomatically = true
            cancel(.idleHold)
            start()
        case .automaticStart:
            // RFC 4271 §8.1.1 (DampPeerOscillations): an automatic start waits for the idle-hold timer.
            guard !runningTimers.contains(.idleHold) else { return }
            restartsAutomatically = true
            start()
        case .idleHoldTimerExpired:
            if restartsAutomatically { start() }
        case .manualStop:
            manualStop(subcode: .administrativeShutdown, communication: "")
        case .tcpConnectionAcknowledged, .tcpConnectionConfirmed:
            // RFC 4271 §8.2.2: "In this state, BGP FSM refuses all incoming BGP connections for this peer."
            emit(.closeConnection(.refused))
        default:
            // RFC 4271 §8.2.2: any other event leaves Idle as it is.
            break
        }
    }

    /// RFC 4271 §8.2.2, Idle on ManualStart / AutomaticStart (or their passive forms).
    mutating func start() {
        counters.connectRetryCounter = 0
        if configuration.passive {
            enter(.active)
        } else {
            arm(.connectRetry, seconds: configuration.connectRetryTime, jittered: true)
            emit(.openConnection)
            enter(.connect)
        }
    }

    // MARK: - Connect

    mutating func connect(_ event: SessionEvent) {
        switch event {
        case .manualStart, .automaticStart:
            break
        case .manualStop(let subcode, let communication):
            manualStop(subcode: subcode, communication: communication)
        case .connectRetryTimerExpired:
            // The attempt takes too long: abandon it for a new one.
            emit(.closeConnection(.connectRetry))
            arm(.connectRetry, seconds: configuration.connectRetryTime, jittered: true)
            emit(.openConnection)
        case .tcpConnectionAcknowledged, .tcpConnectionConfirmed:
            cancel(.connectRetry)
            sendOpen()
        case .tcpConnectionFails:
            // RFC 4271 §8.2.2 (DelayOpenTimer not running): to Idle, without counting a failure.
            fallToIdle(reason: .connectionFailed, countsAsFailure: false)
        case .automaticStop:
            fallToIdle(reason: .automaticStop)
        default:
            fallToIdle(reason: .unexpectedEvent)
        }
    }

    // MARK: - Active

    mutating func active(_ event: SessionEvent) {
        switch event {
        case .manualStart, .automaticStart:
            break
        case .manualStop(let subcode, let communication):
            manualStop(subcode: subcode, communication: communication)
        case .connectRetryTimerExpired:
            arm(.connectRetry, seconds: configuration.connectRetryTime, jittered: true)
            emit(.openConnection)
            enter(.connect)
        case .tcpConnectionAcknowledged, .tcpConnectionConfirmed:
            cancel(.connectRetry)
            sendOpen()
        case .tcpConnectionFails:
            fallToIdle(reason: .connectionFailed)
        case .automaticStop:
            fallToIdle(reason: .automaticStop)
        default:
            fallToIdle(reason: .unexpectedEvent)
        }
    }

    /// RFC 4271 §8.2.2, Connect or Active once the connection is up: send our OPEN, wait for the peer's with
    /// the hold timer at a large value.
    mutating func sendOpen() {
        send(.open(configuration.openMessage))
        arm(.hold, seconds: HoldTime.openSentSeconds)
        if let seconds = sendHoldSeconds { arm(.sendHold, seconds: seconds) }
        enter(.openSent)
    }

    // MARK: - Back to Idle

    /// ManualStop in any state (RFC 4271 §8.2.2): a Cease if a connection is up, routes withdrawn, stale ones
    /// too, ConnectRetryCounter to zero, and no automatic restart.
    mutating func manualStop(subcode: NotificationMessage.CeaseSubcode, communication: String) {
        restartsAutomatically = false
        if state == .idle {
            cancel(.idleHold)
            emit(gracefulRestart.abandon())
        } else {
            let cease =
                state.hasConnection
                ? NotificationMessage.cease(subcode, shutdownCommunication: communication) : nil
            fallToIdle(notification: cease, reason: .manualStop, countsAsFailure: false, abandonsStaleRoutes: true)
        }
        counters.connectRetryCounter = 0
    }

    /// The common way back to Idle (RFC 4271 §8.2.2): NOTIFICATION (if any) before closing, timers stopped,
    /// routes of an Established session withdrawn or kept stale (RFC 4724), ConnectRetryCounter incremented,
    /// then, unless stopped by hand, the idle-hold timer before the next automatic start.
    ///
    /// - Parameter connectionLost: the TCP connection failed without a NOTIFICATION: the one case in which a
    ///   graceful restart of the peer keeps its routes.
    mutating func fallToIdle(
        notification: NotificationMessage? = nil, reason: SessionDownReason, countsAsFailure: Bool = true,
        connectionLost: Bool = false, abandonsStaleRoutes: Bool = false
    ) {
        let ended: EstablishedSession? = if case .established(let s) = phase { s } else { nil }
        if let notification { send(.notification(notification)) }
        // Active has no connection to close (there is no DelayOpen).
        if state != .active { emit(.closeConnection(reason)) }
        for timer in [SessionTimer.connectRetry, .hold, .keepalive, .sendHold, .idleHoldReset] { cancel(timer) }
        var restartingGracefully = false
        if let ended {
            emit(
                gracefulRestart.sessionEnded(
                    families: ended.activeFamilies, peerCapability: ended.negotiated.gracefulRestart,
                    connectionLost: connectionLost))
            restartingGracefully = !gracefulRestart.staleFamilies.isEmpty
        }
        if abandonsStaleRoutes { emit(gracefulRestart.abandon()) }
        if countsAsFailure { counters.connectRetryCounter += 1 }
        enter(.idle)
        if restartsAutomatically {
            // A peer restarting gracefully is not flapping: come back at the current pace, without doubling it.
            let wait = restartingGracefully ? idleHold.current : idleHold.next()
            arm(.idleHold, seconds: wait, jittered: true)
        }
    }

    /// RFC 9687: how long our sending may make no progress, for the hold time in force.
    var sendHoldSeconds: Double? {
        configuration.sendHoldTime.seconds(holdTime: negotiated?.holdTime ?? configuration.holdTime)
    }

    /// RFC 9687: a write completed, so our sending makes progress.
    mutating func messageSent() {
        guard state.hasConnection, let seconds = sendHoldSeconds else { return }
        arm(.sendHold, seconds: seconds)
    }
}

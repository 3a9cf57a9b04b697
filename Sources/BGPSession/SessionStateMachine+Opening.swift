import BGPWire

/// OpenSent and OpenConfirm (RFC 4271 §8.2.2), and the error paths shared with Established.
extension SessionStateMachine {
    // MARK: - OpenSent

    mutating func openSent(_ event: SessionEvent) {
        switch event {
        case .received(let decoded, let bytes):
            switch decoded.message {
            case .open(let open): receiveOpen(open, bytes: bytes)
            case .notification(let n): notificationReceived(n)
            default: unexpected(decoded.message.type, bytes: bytes, subcode: .unexpectedMessageInOpenSent)
            }
        case .tcpConnectionFails:
            // RFC 4271 §8.2.2: back to Active, listening, with the ConnectRetryTimer restarted.
            emit(.closeConnection(.connectionFailed))
            cancel(.hold)
            cancel(.sendHold)
            if !configuration.passive {
                arm(.connectRetry, seconds: configuration.connectRetryTime, jittered: true)
            }
            enter(.active)
        default:
            connectedEvent(event, unexpectedSubcode: .unexpectedMessageInOpenSent)
        }
    }

    /// RFC 4271 §8.2.2, OpenSent on BGPOpen: check the OPEN, answer with a KEEPALIVE and run the negotiated
    /// timers; or refuse it with the OPEN Message Error it deserves.
    mutating func receiveOpen(_ open: OpenMessage, bytes: [UInt8]) {
        let negotiated: NegotiatedSession
        do throws(OpenRejection) {
            negotiated = try NegotiatedSession(local: configuration, remote: open)
        } catch {
            report(.sessionReset(error.notification), error.reason, messageType: .open, bytes: bytes)
            fallToIdle(notification: error.notification, reason: .errorSent(error.notification))
            return
        }
        send(.keepalive)
        if negotiated.holdTime.isDisabled {
            // RFC 4271 §4.4: a zero hold time means no KEEPALIVEs and no hold timer.
            cancel(.hold)
        } else {
            arm(.keepalive, seconds: negotiated.keepaliveSeconds, jittered: true)
            arm(.hold, seconds: Double(negotiated.holdTime.seconds))
        }
        if configuration.sendHoldTime.seconds(holdTime: negotiated.holdTime) == nil { cancel(.sendHold) }
        enter(.openConfirm(negotiated))
    }

    // MARK: - OpenConfirm

    mutating func openConfirm(_ event: SessionEvent, _ negotiated: NegotiatedSession) {
        switch event {
        case .received(let decoded, let bytes):
            switch decoded.message {
            case .keepalive: enterEstablished(negotiated)
            case .notification(let n): notificationReceived(n)
            default: unexpected(decoded.message.type, bytes: bytes, subcode: .unexpectedMessageInOpenConfirm)
            }
        case .keepaliveTimerExpired:
            sendKeepalive()
        case .tcpConnectionFails:
            fallToIdle(reason: .connectionFailed)
        default:
            connectedEvent(event, unexpectedSubcode: .unexpectedMessageInOpenConfirm)
        }
    }

    /// RFC 4271 §8.2.2, OpenConfirm on KeepAliveMsg.
    mutating func enterEstablished(_ negotiated: NegotiatedSession) {
        if !negotiated.holdTime.isDisabled { arm(.hold, seconds: Double(negotiated.holdTime.seconds)) }
        counters.establishedTransitions += 1
        enter(.established(EstablishedSession(from: negotiated)))
        emit(.established(negotiated))
        emit(
            gracefulRestart.sessionEstablished(
                families: negotiated.families, peerCapability: negotiated.gracefulRestart))
        arm(.idleHoldReset, seconds: idleHold.stableTime)
    }

    // MARK: - Shared by the states with a connection

    /// The events OpenSent, OpenConfirm and Established handle alike (RFC 4271 §8.2.2).
    mutating func connectedEvent(_ event: SessionEvent, unexpectedSubcode: NotificationMessage.FSMSubcode) {
        switch event {
        case .manualStart, .automaticStart, .tcpConnectionAcknowledged, .tcpConnectionConfirmed:
            // A second connection while this one is past Active is another machine's (collision detection).
            break
        case .manualStop(let subcode, let communication):
            manualStop(subcode: subcode, communication: communication)
        case .automaticStop(let subcode):
            fallToIdle(notification: .cease(subcode), reason: .automaticStop)
        case .holdTimerExpired:
            notifyAndClose(NotificationMessage(.holdTimerExpired))
        case .sendHoldTimerExpired:
            notifyAndClose(NotificationMessage(.sendHoldTimerExpired))
        case .decodeFailed(let error, let bytes):
            decodeFailed(error, bytes: bytes)
        case .openCollisionDump:
            fallToIdle(
                notification: NotificationMessage(
                    .cease, subcode: NotificationMessage.CeaseSubcode.connectionCollisionResolution.rawValue),
                reason: .collision)
        default:
            // RFC 4271 §8.2.2 "any other event" (a timer that should not run here): FSM Error. RFC 6608 gives
            // specific subcodes only to unexpected messages.
            notifyAndClose(NotificationMessage(.finiteStateMachineError))
        }
    }

    /// Sends `notification` and goes back to Idle.
    mutating func notifyAndClose(_ notification: NotificationMessage) {
        fallToIdle(notification: notification, reason: .errorSent(notification))
    }

    /// A message that has no place in this state: FSM Error with the RFC 6608 subcode of the state.
    mutating func unexpected(
        _ type: BGPMessage.MessageType, bytes: [UInt8], subcode: NotificationMessage.FSMSubcode
    ) {
        let notification = NotificationMessage(.finiteStateMachineError, subcode: subcode.rawValue)
        report(.sessionReset(notification), "\(type) received in \(state)", messageType: type, bytes: bytes)
        notifyAndClose(notification)
    }

    /// Decoding threw (RFC 4271 §6): send the NOTIFICATION the error names.
    mutating func decodeFailed(_ error: BGPWireError, bytes: [UInt8]) {
        // The codec only throws session resets; anything else would be a bug, still answered with a reset.
        let notification: NotificationMessage =
            if case .sessionReset(let n) = error.action { n } else { NotificationMessage(.finiteStateMachineError) }
        let type = bytes.count > 18 ? BGPMessage.MessageType(rawValue: bytes[18]) : nil
        report(
            .sessionReset(notification), error.reason, attributeType: error.attributeType, messageType: type,
            bytes: bytes)
        notifyAndClose(notification)
    }

    /// The peer sent a NOTIFICATION: close without answering. RFC 4271 §8.2.2 Event 24 (NotifMsgVerErr, an
    /// unsupported version) does not count as a failure.
    mutating func notificationReceived(_ notification: NotificationMessage) {
        let versionError =
            notification.errorCode == NotificationMessage.ErrorCode.openMessageError.rawValue
            && notification.errorSubcode == NotificationMessage.OpenSubcode.unsupportedVersionNumber.rawValue
        fallToIdle(reason: .notificationReceived(notification), countsAsFailure: !versionError)
    }

    /// RFC 4271 §8.2.2: a KEEPALIVE on KeepaliveTimer expiry, and the timer restarted.
    mutating func sendKeepalive() {
        send(.keepalive)
        restartKeepaliveTimer()
    }

    /// RFC 4271 §8.2.2: "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its
    /// KeepaliveTimer, unless the negotiated HoldTime value is zero."
    mutating func restartKeepaliveTimer() {
        guard let n = negotiated, !n.holdTime.isDisabled else { return }
        arm(.keepalive, seconds: n.keepaliveSeconds, jittered: true)
    }
}

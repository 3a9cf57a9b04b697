public import BGPWire

/// What happens to a session: administrative requests, connection events, timer expiries and messages
/// (RFC 4271 §8.1, with the RFC's event numbers), plus the few things the speaker tells the session.
public enum SessionEvent: Hashable, Sendable {
    // MARK: Administrative events (RFC 4271 §8.1.2)

    /// Event 1, ManualStart (Event 4, passive, when the configuration is ``SessionConfiguration/passive``).
    case manualStart
    /// Event 2, ManualStop: a Cease with this subcode (Administrative Shutdown by default) and RFC 9003
    /// shutdown communication is sent if a connection is up; the machine then stays Idle until started again.
    case manualStop(subcode: NotificationMessage.CeaseSubcode = .administrativeShutdown, communication: String = "")
    /// Event 3, AutomaticStart (Event 5 when passive). Ignored while the idle-hold timer runs.
    case automaticStart
    /// Event 8, AutomaticStop: the speaker stops the session itself (e.g. Cease 1, too many prefixes); the
    /// machine restarts after the idle-hold time.
    case automaticStop(NotificationMessage.CeaseSubcode)

    // MARK: Timer events (RFC 4271 §8.1.3, RFC 9687, RFC 4724)

    /// Event 9, ConnectRetryTimer_Expires.
    case connectRetryTimerExpired
    /// Event 10, HoldTimer_Expires.
    case holdTimerExpired
    /// Event 11, KeepaliveTimer_Expires.
    case keepaliveTimerExpired
    /// RFC 9687 SendHoldTimer_Expires.
    case sendHoldTimerExpired
    /// Event 13, IdleHoldTimer_Expires: restart after the idle-hold time.
    case idleHoldTimerExpired
    /// The session stayed Established long enough to reset the idle-hold backoff.
    case idleHoldResetTimerExpired
    /// RFC 4724 §4.2: the peer did not come back within its restart time.
    case gracefulRestartTimerExpired
    /// RFC 4724 §4.2: the peer came back but did not send End-of-RIB in time.
    case staleRoutesTimerExpired

    // MARK: TCP connection events (RFC 4271 §8.1.4)

    /// Event 16, Tcp_CR_Acked: our outgoing connection succeeded.
    case tcpConnectionAcknowledged
    /// Event 17, TcpConnectionConfirmed: we accepted the peer's connection. A second connection while one is
    /// already past Connect/Active belongs to a second machine; see ``CollisionResolution``.
    case tcpConnectionConfirmed
    /// Event 18, TcpConnectionFails: the connection closed, failed or could not be made.
    case tcpConnectionFails

    // MARK: Message events (RFC 4271 §8.1.5)

    /// Events 19 BGPOpen, 24 NotifMsgVerErr, 25 NotifMsg, 26 KeepAliveMsg, 27 UpdateMsg: a message decoded
    /// with the session's ``SessionStateMachine/decodingOptions``, with the RFC 7606 errors that did not reset
    /// the session. `bytes` is the whole message as received, for error reports (may be empty).
    case received(DecodedMessage, bytes: [UInt8] = [])
    /// Events 21 BGPHeaderErr, 22 BGPOpenMsgErr, 28 UpdateMsgErr: decoding threw; the error carries the
    /// NOTIFICATION to send. `bytes` is what was received, for error reports.
    case decodeFailed(BGPWireError, bytes: [UInt8] = [])
    /// Event 23, OpenCollisionDump: collision resolution chose to close this connection.
    case openCollisionDump

    // MARK: From the speaker (no RFC 4271 event)

    /// A message was handed to TCP (the write completed): our sending makes progress (RFC 9687).
    case messageSent(BGPMessage.MessageType)
    /// The speaker wants this UPDATE sent (only while Established). AS_PATH is given with 4-octet ASNs; the
    /// session adapts it to a 2-octet peer (RFC 6793 §4.2.2).
    case sendUpdate(UpdateMessage)
    /// The speaker wrote `count` UPDATEs it encoded itself, once for all the peers that get the same bytes (AS_PATH
    /// already adapted to the session). Like ``sendUpdate(_:)`` it restarts the KeepaliveTimer (RFC 4271 §10), and
    /// the messages are counted as sent.
    case updatesWritten(count: Int)
    /// The speaker has sent its initial table for these families (nil: all negotiated ones); the session
    /// follows with End-of-RIB for each (RFC 4724 §2), once per family and session.
    case initialTableSent(families: [AddressFamily]? = nil)
    /// Ask the peer to re-send a family (RFC 2918), if it supports route refresh.
    case requestRouteRefresh(AddressFamily)
    /// The speaker has re-sent a family after ``SessionAction/routeRefreshRequested(_:)``; with enhanced route
    /// refresh the session follows with an End-of-RIB ROUTE-REFRESH (RFC 7313 §4).
    case routeRefreshCompleted(AddressFamily)

    /// The event that reports the expiry of `timer`.
    public static func expiry(of timer: SessionTimer) -> SessionEvent {
        switch timer {
        case .connectRetry: .connectRetryTimerExpired
        case .hold: .holdTimerExpired
        case .keepalive: .keepaliveTimerExpired
        case .sendHold: .sendHoldTimerExpired
        case .idleHold: .idleHoldTimerExpired
        case .idleHoldReset: .idleHoldResetTimerExpired
        case .gracefulRestart: .gracefulRestartTimerExpired
        case .staleRoutes: .staleRoutesTimerExpired
        }
    }

    /// The timer whose expiry this event reports.
    public var expiredTimer: SessionTimer? {
        switch self {
        case .connectRetryTimerExpired: .connectRetry
        case .holdTimerExpired: .hold
        case .keepaliveTimerExpired: .keepalive
        case .sendHoldTimerExpired: .sendHold
        case .idleHoldTimerExpired: .idleHold
        case .idleHoldResetTimerExpired: .idleHoldReset
        case .gracefulRestartTimerExpired: .gracefulRestart
        case .staleRoutesTimerExpired: .staleRoutes
        default: nil
        }
    }
}

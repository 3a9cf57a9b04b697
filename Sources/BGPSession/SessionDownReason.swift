public import BGPWire

/// Why a connection is closed (carried by ``SessionAction/closeConnection(_:)``).
public enum SessionDownReason: Hashable, Sendable, CustomStringConvertible {
    /// ``SessionEvent/manualStop(subcode:communication:)``.
    case manualStop
    /// ``SessionEvent/automaticStop(_:)``.
    case automaticStop
    /// We detected an error and sent this NOTIFICATION (including hold and send-hold timer expiry).
    case errorSent(NotificationMessage)
    /// The peer sent this NOTIFICATION.
    case notificationReceived(NotificationMessage)
    /// The TCP connection failed or was closed by the peer without a NOTIFICATION.
    case connectionFailed
    /// An outgoing attempt is abandoned for a fresh one (ConnectRetryTimer expiry in Connect).
    case connectRetry
    /// Collision resolution closes this connection (a Cease 7 was sent).
    case collision
    /// A connection arrived while the session is Idle (RFC 4271 §8.2.2: Idle refuses connections).
    case refused
    /// An event that has no place in the current state (RFC 4271 §8.2.2 "any other event").
    case unexpectedEvent

    public var description: String {
        switch self {
        case .manualStop: "manual stop"
        case .automaticStop: "automatic stop"
        case .errorSent(let n): "sent NOTIFICATION \(n)"
        case .notificationReceived(let n):
            "received NOTIFICATION \(n)" + (n.shutdownCommunication.map { ": \"\($0)\"" } ?? "")
        case .connectionFailed: "connection failed"
        case .connectRetry: "connect retry"
        case .collision: "connection collision"
        case .refused: "refused while Idle"
        case .unexpectedEvent: "unexpected event"
        }
    }
}

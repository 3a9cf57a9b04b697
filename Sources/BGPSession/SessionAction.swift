public import BGPWire

/// What the session asks its owner to do, in order (RFC 4271 §8 actions, as data).
///
/// The owner performs them in the order given: a NOTIFICATION always comes before the
/// ``closeConnection(_:)`` that follows it, so it must be written before the socket is closed.
public enum SessionAction: Hashable, Sendable {
    // MARK: Connection

    /// Write this message, encoded with the session's ``SessionStateMachine/encodingOptions``.
    case send(BGPMessage)
    /// Open a TCP connection to the peer; report the outcome with ``SessionEvent/tcpConnectionAcknowledged``
    /// or ``SessionEvent/tcpConnectionFails``.
    case openConnection
    /// Close the connection (or abandon the connection attempt), after writing what was sent before.
    case closeConnection(SessionDownReason)

    // MARK: Timers

    /// Start `timer`, or restart it if running, to expire after `seconds` (jitter already applied).
    case arm(SessionTimer, seconds: Double)
    /// Stop `timer`. Only emitted for a running timer.
    case cancel(SessionTimer)

    // MARK: State

    /// The state changed (reported after the actions of the state left, before those of the state entered).
    case stateChanged(from: SessionState, to: SessionState)
    /// The session is Established with these negotiated parameters: send the initial table, then
    /// ``SessionEvent/initialTableSent(families:)``.
    case established(NegotiatedSession)

    // MARK: Routes (for the RIB)

    /// Routes received from the peer, to apply: RFC 7606 treat-as-withdraw already turned into withdrawals,
    /// attributes to discard already dropped, AS_PATH in 4-octet form (RFC 6793 §4.2.3), and only families
    /// of the session.
    case deliver(UpdateMessage)
    /// The peer sent End-of-RIB for this family (RFC 4724 §2).
    case endOfRIBReceived(AddressFamily)
    /// Forget every route learned from the peer in these families.
    case withdrawAllRoutes([AddressFamily])
    /// Keep the peer's routes in these families but mark them stale (RFC 4724 §4.2, RFC 7313 §4); a route
    /// received again is no longer stale.
    case markRoutesStale([AddressFamily])
    /// Delete the peer's routes in these families that are still stale.
    case sweepStaleRoutes([AddressFamily])
    /// The peer asked for this family again (RFC 2918): re-send it, then
    /// ``SessionEvent/routeRefreshCompleted(_:)``.
    case routeRefreshRequested(AddressFamily)

    // MARK: Diagnostics

    /// An error caused by the peer: log it (it is already counted in ``SessionCounters``).
    case logError(SessionErrorReport)
}

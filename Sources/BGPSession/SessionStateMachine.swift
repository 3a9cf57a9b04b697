public import BGPWire

/// The BGP finite state machine of one session (RFC 4271 §8) as a value: events in, actions out.
///
/// It does no I/O and reads no clock. Its owner (the I/O shell) feeds it ``SessionEvent``s (connection events,
/// decoded messages, timer expiries, administrative requests) and performs the ``SessionAction``s it returns,
/// in order: writing messages, opening and closing the connection, arming and cancelling timers, passing
/// routes to the RIB. The same events always give the same actions, so a session is tested by scripting
/// events, or by wiring two machines back to back.
///
/// The six states and their transitions follow RFC 4271 §8.2.2 with these choices:
/// - **No DelayOpen** (optional in RFC 4271 §8.1.1): the OPEN is sent as soon as the connection is up, so the
///   DelayOpenTimer and its events do not exist.
/// - **Damping of peer oscillations** (§8.1.1): after an error the machine waits in Idle for an idle-hold
///   time that doubles while the peer flaps (``IdleHoldBackoff``), then restarts by itself. A manual stop
///   leaves it Idle for good.
/// - **Collision detection** is done by the owner, which runs one machine per connection and tells the loser
///   ``SessionEvent/openCollisionDump`` (see ``CollisionResolution``).
/// - **Passive** sessions never connect; RFC 4271 would connect after the ConnectRetryTimer.
/// - **A NOTIFICATION is never answered with one**: RFC 4271 lists NotifMsg among OpenSent's "any other
///   event", which sends an FSM Error; the peer has already given up on the connection, so it is closed as in
///   the other states.
/// - **Timer expiries of timers that are not running are ignored**: a timer cancelled while its expiry was
///   already on its way must not tear the session down.
///
/// Every error path sends a NOTIFICATION before closing: OPEN errors (RFC 4271 §6.2), FSM errors with the
/// RFC 6608 subcodes, hold timer expiry (4/0), send-hold timer expiry (8/0, RFC 9687), and Cease (RFC 4486)
/// with a shutdown communication (RFC 9003) on a manual stop. RFC 7606 errors that do not call for a session
/// reset (treat-as-withdraw, attribute discard, AFI/SAFI disable) never close the session: they are reported
/// with the offending bytes, counted, and the UPDATE used as far as it can be.
///
/// Unlike bagpipe-bgp, the hold timer is restarted by every message received while Established, UPDATEs
/// included, and its expiry sends a NOTIFICATION.
public struct SessionStateMachine: Sendable {
    public let configuration: SessionConfiguration
    /// Counters of messages and errors.
    public internal(set) var counters = SessionCounters()
    /// Timers currently running, as far as the machine knows (armed and neither cancelled nor expired).
    public internal(set) var runningTimers: Set<SessionTimer> = []
    /// Routes kept across the peer's restarts.
    public internal(set) var gracefulRestart: GracefulRestartReceiver
    /// The idle-hold backoff, as it stands.
    public internal(set) var idleHold: IdleHoldBackoff

    var phase: Phase = .idle
    var jitter: TimerJitter
    /// Whether the machine restarts by itself after an error: set by a start, cleared by ManualStop.
    var restartsAutomatically = false
    /// The actions of the event being handled.
    var output: [SessionAction] = []

    /// The state and what it knows. Each payload can only come from the state before it: OpenConfirm holds
    /// what the peer's OPEN negotiated, Established what OpenConfirm had.
    enum Phase: Hashable, Sendable {
        case idle
        case connect
        case active
        case openSent
        case openConfirm(NegotiatedSession)
        case established(EstablishedSession)

        var state: SessionState {
            switch self {
            case .idle: .idle
            case .connect: .connect
            case .active: .active
            case .openSent: .openSent
            case .openConfirm: .openConfirm
            case .established: .established
            }
        }
    }

    /// A machine in Idle, waiting for ``SessionEvent/manualStart`` or ``SessionEvent/automaticStart``.
    ///
    /// - Parameter jitter: the source of RFC 4271 §10 jitter; seed it from the system's random source, or use
    ///   ``TimerJitter/none`` for exact timer values.
    public init(configuration: SessionConfiguration, jitter: TimerJitter) {
        self.configuration = configuration
        self.jitter = jitter
        idleHold = configuration.idleHold
        gracefulRestart = GracefulRestartReceiver(
            staleRoutesTime: configuration.gracefulRestart?.staleRoutesTime
                ?? GracefulRestartConfiguration().staleRoutesTime)
    }

    // MARK: - What the owner reads

    public var state: SessionState { phase.state }

    /// What the OPENs negotiated, from OpenConfirm on.
    public var negotiated: NegotiatedSession? {
        switch phase {
        case .openConfirm(let n): n
        case .established(let s): s.negotiated
        default: nil
        }
    }

    /// Families in use while Established: the negotiated ones, minus those disabled by RFC 7606 errors.
    public var activeFamilies: [AddressFamily] {
        if case .established(let s) = phase { return s.activeFamilies }
        return []
    }

    /// How to decode the next message from the peer.
    public var decodingOptions: DecodingOptions {
        negotiated?.decodingOptions ?? DecodingOptions(peer: configuration.peerType)
    }

    /// How to encode the messages of ``SessionAction/send(_:)``.
    public var encodingOptions: EncodingOptions { negotiated?.encodingOptions ?? .default }

    /// The largest message accepted from the peer (RFC 8654), for the framing layer.
    public var maximumMessageLength: Int { negotiated?.maximumMessageLength ?? 4096 }

    // MARK: - Events in, actions out

    /// Handles one event and returns what to do, in order.
    public mutating func handle(_ event: SessionEvent) -> [SessionAction] {
        defer { output = [] }
        if let timer = event.expiredTimer {
            guard runningTimers.remove(timer) != nil else { return [] }
        }
        if case .received(let decoded, _) = event { counters.messagesReceived[decoded.message.type, default: 0] += 1 }

        switch event {
        case .idleHoldResetTimerExpired:
            idleHold.reset()
        case .gracefulRestartTimerExpired:
            emit(gracefulRestart.timerExpired(.gracefulRestart))
        case .staleRoutesTimerExpired:
            emit(gracefulRestart.timerExpired(.staleRoutes))
        case .messageSent:
            messageSent()
        case .sendUpdate, .updatesWritten, .initialTableSent, .requestRouteRefresh, .routeRefreshCompleted:
            // Requests of the speaker make sense only on an established session; before, there is nothing to
            // send them on, and after, they are late.
            if case .established(let s) = phase { speakerRequest(event, s) }
        default:
            switch phase {
            case .idle: idle(event)
            case .connect: connect(event)
            case .active: active(event)
            case .openSent: openSent(event)
            case .openConfirm(let negotiated): openConfirm(event, negotiated)
            case .established(let session): established(event, session)
            }
        }
        return output
    }

    // MARK: - Emitting actions

    mutating func emit(_ action: SessionAction) {
        switch action {
        case .arm(let timer, _):
            runningTimers.insert(timer)
        case .cancel(let timer):
            guard runningTimers.remove(timer) != nil else { return }
        case .send(let message):
            counters.messagesSent[message.type, default: 0] += 1
        default:
            break
        }
        output.append(action)
    }

    mutating func emit(_ actions: [SessionAction]) { for a in actions { emit(a) } }

    mutating func send(_ message: BGPMessage) { emit(.send(message)) }

    /// Arms `timer`; `jittered` applies RFC 4271 §10 jitter.
    mutating func arm(_ timer: SessionTimer, seconds: Double, jittered: Bool = false) {
        emit(.arm(timer, seconds: jittered ? jitter.apply(to: seconds) : seconds))
    }

    mutating func cancel(_ timer: SessionTimer) { emit(.cancel(timer)) }

    /// Switches to `next`, reporting the change of state if there is one.
    mutating func enter(_ next: Phase) {
        let from = phase.state
        phase = next
        if from != next.state { emit(.stateChanged(from: from, to: next.state)) }
    }

    /// Reports an error caused by the peer and counts it. For an UPDATE naming an attribute, the bytes
    /// reported are that attribute's.
    mutating func report(
        _ handling: SessionErrorReport.Handling, _ reason: String, attributeType: UInt8? = nil,
        messageType: BGPMessage.MessageType?, bytes: [UInt8]
    ) {
        let offending = attributeType.flatMap { SessionErrorReport.attributeBytes($0, inUpdate: bytes) } ?? bytes
        counters.errors[handling.kind, default: 0] += 1
        emit(
            .logError(
                SessionErrorReport(
                    peer: configuration.peerAddress, messageType: messageType, handling: handling, reason: reason,
                    attributeType: attributeType, bytes: offending)))
    }
}

/// What an Established session knows beyond the negotiation.
struct EstablishedSession: Hashable, Sendable {
    var negotiated: NegotiatedSession
    /// Families dropped after an RFC 7606 AFI/SAFI-disable error.
    var disabledFamilies: Set<AddressFamily> = []
    /// Families for which our End-of-RIB went out.
    var endOfRIBSent: Set<AddressFamily> = []

    /// The only way to Established: from what OpenConfirm negotiated.
    init(from negotiated: NegotiatedSession) { self.negotiated = negotiated }

    var activeFamilies: [AddressFamily] { negotiated.families.filter { !disabledFamilies.contains($0) } }

    func isActive(_ family: AddressFamily) -> Bool {
        negotiated.families.contains(family) && !disabledFamilies.contains(family)
    }
}

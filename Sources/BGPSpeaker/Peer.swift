import BGPSession
import BGPWire
import BagpipeConfig
import Logging
import NIOCore

/// One BGP neighbor, configured or dynamic: its session state machine, timers, connection attempt, and what the
/// speaker needs to carry the routing engine's output to it. Owned by the ``BGPSpeaker`` actor, so only ever
/// touched on the speaker's event loop. Its routes live in the speaker's `RoutingEngine`, not here.
///
/// A peer normally has one machine (``primary``), which lives as long as the peer: it carries the idle-hold
/// backoff and the graceful restart state from one connection to the next. During a connection collision
/// (RFC 4271 §6.8) the second connection gets a machine of its own (``secondary``); once the collision is
/// resolved the survivor is the primary.
final class Peer {
    let settings: PeerSettings
    let configuration: SessionConfiguration
    let isDynamic: Bool
    var logger: Logger
    var primary: SessionSlot
    var secondary: SessionSlot?
    /// Our connection attempt in progress, for the primary machine in Connect.
    var outgoing: ConnectionID?
    var establishedAt: ContinuousClock.Instant?
    var endOfRIBReceived: Set<AddressFamily> = []
    var lastDownReason: SessionDownReason?
    /// Stopped by ``BGPSpeaker/stopPeer(_:communication:)``: stays down, refusing connections, until started.
    var isStoppedByHand = false

    // MARK: Routing

    /// The routing engine knows the session as up (``BGPSpeaker`` sent it `peerUp`, not yet `peerDown`).
    var isRouting = false
    /// Counts the sessions the engine was told about, so that a timer armed for one ignores the next.
    var sessionEpoch = 0
    /// RFC 4684 §6: how long the VPN families wait for the peer's RT membership End-of-RIB.
    var membershipWait: Scheduled<Void>?
    /// What the engine asked to send, written at the end of the event-loop turn (``BGPSpeaker/flushOutput()``).
    var outbox: [OutboxItem] = []
    /// Which of the peer's routes are stale, for the looking glass.
    var staleRoutes = StaleRoutes()

    init(
        settings: PeerSettings, configuration: SessionConfiguration, isDynamic: Bool, logger: Logger,
        primary: SessionSlot
    ) {
        self.settings = settings
        self.configuration = configuration
        self.isDynamic = isDynamic
        self.logger = logger
        self.primary = primary
    }

    var address: IPAddress { settings.address }

    var slots: [SessionSlot] { secondary.map { [primary, $0] } ?? [primary] }

    func slot(id: Int) -> SessionSlot? { slots.first { $0.id == id } }

    /// The slot whose session is Established, if any.
    var establishedSlot: SessionSlot? { slots.first { $0.machine.state == .established } }
}

/// One state machine with its connection and timers.
final class SessionSlot {
    let id: Int
    var machine: SessionStateMachine
    var connection: ConnectionID?
    var timers: [SessionTimer: ScheduledTimer] = [:]
    /// Reached Established and has not gone down since: its closing is a session going down.
    var isUp = false

    init(id: Int, machine: SessionStateMachine) {
        self.id = id
        self.machine = machine
    }

    func cancelTimers() {
        for timer in timers.values { timer.task.cancel() }
        timers = [:]
    }
}

/// A timer task and the generation it was armed with: an expiry already on its way when the timer was re-armed
/// or cancelled carries an old generation and is ignored.
struct ScheduledTimer {
    var generation: UInt64
    var task: Scheduled<Void>
}

/// Identifies one TCP connection (or attempt) of the speaker.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    var value: Int
    var description: String { "#\(value)" }
}

/// What the speaker knows of one connection.
struct Connection {
    let peer: IPAddress
    /// Who opened it, for collision resolution (RFC 4271 §6.8).
    let initiator: CollisionResolution.Initiator
    /// Known once the connection is up.
    var channel: (any Channel)?
    /// The last write, which closing waits for so that a NOTIFICATION goes out before the FIN.
    var lastWrite: EventLoopFuture<Void>?
    var isClosing = false
}

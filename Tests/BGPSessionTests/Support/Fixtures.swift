import BGPSession
import BGPWire

// Fixtures shared by the session tests: a local speaker 192.0.2.1 in AS 65001 peering with 192.0.2.2.

let localIdentifier = IPv4Address(192, 0, 2, 1)
let peerIdentifier = IPv4Address(192, 0, 2, 2)
let peerAddress = IPAddress.v4(peerIdentifier)

/// A configuration with exact values for the tests: hold time 90, connect retry 120, idle hold 5...40,
/// send hold 480, graceful restart 120 / 360.
func configuration(
    localAS: UInt32 = 65001, peerAS: UInt32 = 65001, localIdentifier: IPv4Address = localIdentifier,
    holdTime: UInt16 = 90, minimumHoldTime: UInt16 = 3, passive: Bool = false,
    families: [AddressFamily] = [.ipv4Unicast, .ipv6Unicast], routeRefresh: Bool = true,
    enhancedRouteRefresh: Bool = true, extendedMessage: Bool = true, fourOctetAS: Bool = true,
    gracefulRestart: GracefulRestartConfiguration? = GracefulRestartConfiguration(),
    addPath: [AddressFamily: AddPathMode] = [:], sendHoldTime: SendHoldTime = .automatic,
    peerAddress: IPAddress = peerAddress
) -> SessionConfiguration {
    try! SessionConfiguration(
        localAS: localAS, peerAS: peerAS, localIdentifier: localIdentifier, peerAddress: peerAddress,
        holdTime: HoldTime(holdTime)!, minimumHoldTime: minimumHoldTime, connectRetryTime: 120, passive: passive,
        families: families, routeRefresh: routeRefresh, enhancedRouteRefresh: enhancedRouteRefresh,
        extendedMessage: extendedMessage, fourOctetAS: fourOctetAS, gracefulRestart: gracefulRestart,
        addPath: addPath, idleHold: IdleHoldBackoff(initial: 5, maximum: 40, stableTime: 60),
        sendHoldTime: sendHoldTime)
}

/// The peer's OPEN: AS 65001, hold time 90, both unicast families, route refresh (plain and enhanced),
/// extended message and 4-octet AS, plus `extra` capabilities.
func peerOpen(
    asn: UInt32 = 65001, holdTime: UInt16 = 90, identifier: IPv4Address = peerIdentifier,
    families: [AddressFamily] = [.ipv4Unicast, .ipv6Unicast], fourOctetAS: Bool = true,
    extra: [Capability] = []
) -> OpenMessage {
    var caps = families.map(Capability.multiprotocol) + [.routeRefresh, .enhancedRouteRefresh, .extendedMessage]
    if fourOctetAS { caps.append(.fourOctetAS(asn)) }
    caps += extra
    return OpenMessage(
        myAutonomousSystem: asn > 0xFFFF ? OpenMessage.asTrans : UInt16(asn), holdTime: holdTime,
        bgpIdentifier: identifier, optionalParameters: [.capabilities(caps)])
}

/// A Graceful Restart capability listing `families`, with the F bit when `preserved`.
func gracefulRestartCapability(
    restartTime: UInt16 = 120, families: [AddressFamily], preserved: Bool = true, restarting: Bool = false
) -> Capability {
    .gracefulRestart(
        Capability.GracefulRestart(
            restartFlags: restarting ? 0x8 : 0, restartTime: restartTime,
            families: families.map { Capability.GracefulRestart.Family($0, flags: preserved ? 0x80 : 0) }))
}

extension SessionEvent {
    /// A clean message from the peer.
    static func receive(_ message: BGPMessage) -> SessionEvent { .received(DecodedMessage(message)) }
}

func machine(_ configuration: SessionConfiguration = configuration()) -> SessionStateMachine {
    SessionStateMachine(configuration: configuration, jitter: .none)
}

/// A machine started and connected: in OpenSent, our OPEN sent.
func openSentMachine(_ configuration: SessionConfiguration = configuration()) -> SessionStateMachine {
    var m = machine(configuration)
    _ = m.handle(.manualStart)
    _ = m.handle(.tcpConnectionAcknowledged)
    precondition(m.state == .openSent)
    return m
}

/// A machine in OpenConfirm after the peer's OPEN.
func openConfirmMachine(
    _ configuration: SessionConfiguration = configuration(), open: OpenMessage = peerOpen()
) -> SessionStateMachine {
    var m = openSentMachine(configuration)
    _ = m.handle(.receive(.open(open)))
    precondition(m.state == .openConfirm)
    return m
}

/// An Established machine.
func establishedMachine(
    _ configuration: SessionConfiguration = configuration(), open: OpenMessage = peerOpen()
) -> SessionStateMachine {
    var m = openConfirmMachine(configuration, open: open)
    _ = m.handle(.receive(.keepalive))
    precondition(m.state == .established)
    return m
}

// MARK: - Routes

func ipv4(_ text: String) -> IPv4PrefixNLRI { IPv4PrefixNLRI(prefix: IPv4Prefix(text)!) }
func ipv6(_ text: String) -> IPv6PrefixNLRI { IPv6PrefixNLRI(prefix: IPv6Prefix(text)!) }

/// An iBGP announcement of IPv4 unicast `prefixes` (ORIGIN, empty AS_PATH, NEXT_HOP, LOCAL_PREF).
func ipv4Announcement(_ prefixes: [String], asPath: ASPath = ASPath()) -> UpdateMessage {
    UpdateMessage(
        pathAttributes: [
            PathAttribute(.origin(.igp)), PathAttribute(.asPath(asPath)),
            PathAttribute(.nextHop(IPv4Address(192, 0, 2, 2))), PathAttribute(.localPref(100)),
        ],
        nlri: prefixes.map(ipv4))
}

/// An IPv6 unicast announcement in MP_REACH_NLRI.
func ipv6Announcement(_ prefixes: [String]) -> UpdateMessage {
    UpdateMessage(pathAttributes: [
        PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100)),
        PathAttribute(
            .mpReachNLRI(
                MPReachNLRI(
                    family: .ipv6Unicast, nextHop: .ipv6(IPv6Address("2001:db8::2")!, linkLocal: nil),
                    nlri: .ipv6(prefixes.map(ipv6))))),
    ])
}

/// The actions without log entries, for tests about something else.
func withoutLogs(_ actions: [SessionAction]) -> [SessionAction] {
    actions.filter { if case .logError = $0 { false } else { true } }
}

/// The error reports among `actions`.
func logs(_ actions: [SessionAction]) -> [SessionErrorReport] {
    actions.compactMap { if case .logError(let r) = $0 { r } else { nil } }
}

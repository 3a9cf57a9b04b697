public import BGPWire

/// What one BGP session is configured with: who we are, who the peer must be, the timers, and the
/// capabilities we advertise in our OPEN (RFC 4271 §4.2, RFC 5492).
///
/// Unlike bagpipe-bgp, which could only peer within its own AS with a bare OPEN (multiprotocol capabilities
/// only, no 4-octet AS, no route refresh, no graceful restart), every capability here is advertised by
/// default and negotiated with the peer (see ``NegotiatedSession``).
public struct SessionConfiguration: Hashable, Sendable {
    /// Our AS number.
    public let localAS: UInt32
    /// The AS the peer must announce in its OPEN (RFC 4271 §6.2, else 2/2 Bad Peer AS). Equal to ``localAS``
    /// for an internal (iBGP) peer.
    public let peerAS: UInt32
    /// Our BGP Identifier (RFC 4271 §4.2, RFC 6286).
    public let localIdentifier: IPv4Address
    /// The peer's address, for logs and error reports.
    public var peerAddress: IPAddress

    /// The hold time we propose; the session uses the smaller of both proposals.
    public var holdTime: HoldTime
    /// The smallest non-zero hold time we accept from the peer; below it, OPEN Message Error / Unacceptable
    /// Hold Time (RFC 4271 §6.2 lets an implementation refuse hold times). A proposal of zero (no keepalives)
    /// is always accepted, as RFC 4271 §4.2 allows.
    public var minimumHoldTime: UInt16
    /// Seconds between outgoing connection attempts (RFC 4271 §10 suggests 120), jittered.
    public var connectRetryTime: Double
    /// Never open a connection, only accept the peer's (like passive mode in GoBGP or FRR). bagpipe-bgp was
    /// always active and never listened.
    public var passive: Bool

    /// The address families we advertise (one Multiprotocol capability each, RFC 4760 §8), in this order.
    public var families: [AddressFamily]
    /// Route Refresh capability (RFC 2918).
    public var routeRefresh: Bool
    /// Enhanced Route Refresh capability (RFC 7313).
    public var enhancedRouteRefresh: Bool
    /// Extended Message capability (RFC 8654): messages up to 65535 octets once both sides advertise it.
    public var extendedMessage: Bool
    /// 4-octet AS capability (RFC 6793). Always advertised when ``localAS`` needs 4 octets, whatever this
    /// says; turning it off makes us behave as an "OLD" speaker towards the peer.
    public var fourOctetAS: Bool
    /// Graceful Restart capability (RFC 4724), advertised as a receiving speaker; nil to leave it out.
    public var gracefulRestart: GracefulRestartConfiguration?
    /// ADD-PATH (RFC 7911): per family, whether we want to receive and/or send several paths.
    public var addPath: [AddressFamily: AddPathMode]

    /// Idle-hold backoff policy for a flapping peer.
    public var idleHold: IdleHoldBackoff
    /// Send-hold timer (RFC 9687).
    public var sendHoldTime: SendHoldTime

    /// An invalid configuration value.
    public enum Error: Swift.Error, Hashable, Sendable {
        /// AS 0 is reserved (RFC 7607) and AS_TRANS (23456) is never a speaker's own AS (RFC 6793 §9).
        case invalidAS(UInt32)
        /// The BGP Identifier must be non-zero (RFC 6286 §2.1).
        case invalidIdentifier
    }

    public init(
        localAS: UInt32, peerAS: UInt32, localIdentifier: IPv4Address, peerAddress: IPAddress,
        holdTime: HoldTime = .bagpipeDefault, minimumHoldTime: UInt16 = 3, connectRetryTime: Double = 120,
        passive: Bool = false, families: [AddressFamily] = [.ipv4Unicast], routeRefresh: Bool = true,
        enhancedRouteRefresh: Bool = true, extendedMessage: Bool = true, fourOctetAS: Bool = true,
        gracefulRestart: GracefulRestartConfiguration? = GracefulRestartConfiguration(),
        addPath: [AddressFamily: AddPathMode] = [:], idleHold: IdleHoldBackoff = IdleHoldBackoff(),
        sendHoldTime: SendHoldTime = .automatic
    ) throws(Error) {
        for asn in [localAS, peerAS] where asn == 0 || asn == UInt32(OpenMessage.asTrans) {
            throw .invalidAS(asn)
        }
        guard localIdentifier != .zero else { throw .invalidIdentifier }
        self.localAS = localAS
        self.peerAS = peerAS
        self.localIdentifier = localIdentifier
        self.peerAddress = peerAddress
        self.holdTime = holdTime
        self.minimumHoldTime = minimumHoldTime
        self.connectRetryTime = connectRetryTime
        self.passive = passive
        self.families = families
        self.routeRefresh = routeRefresh
        self.enhancedRouteRefresh = enhancedRouteRefresh
        self.extendedMessage = extendedMessage
        self.fourOctetAS = fourOctetAS
        self.gracefulRestart = gracefulRestart
        self.addPath = addPath
        self.idleHold = idleHold
        self.sendHoldTime = sendHoldTime
    }

    /// Internal (iBGP) when the peer is in our AS.
    public var peerType: DecodingOptions.PeerType { peerAS == localAS ? .internal : .external }

    /// Whether we advertise the 4-octet AS capability.
    public var advertisesFourOctetAS: Bool { fourOctetAS || localAS > 0xFFFF }

    /// The capabilities of our OPEN, in a fixed order.
    public var capabilities: [Capability] {
        var caps = families.map(Capability.multiprotocol)
        if routeRefresh { caps.append(.routeRefresh) }
        if enhancedRouteRefresh { caps.append(.enhancedRouteRefresh) }
        if extendedMessage { caps.append(.extendedMessage) }
        if advertisesFourOctetAS { caps.append(.fourOctetAS(localAS)) }
        if let gr = gracefulRestart {
            // RFC 4724 §3: no <AFI, SAFI> in the capability says we preserve no forwarding state across our
            // own restart but follow the receiving speaker procedures (§4.2).
            caps.append(.gracefulRestart(Capability.GracefulRestart(restartTime: gr.restartTime)))
        }
        let addPathEntries = families.compactMap { family in
            addPath[family].flatMap { $0.isEmpty ? nil : Capability.AddPathEntry(family, sendReceive: $0.rawValue) }
        }
        if !addPathEntries.isEmpty { caps.append(.addPath(addPathEntries)) }
        return caps
    }

    /// The OPEN we send (RFC 4271 §4.2): My Autonomous System is AS_TRANS when our AS needs 4 octets
    /// (RFC 6793 §4.1).
    public var openMessage: OpenMessage {
        OpenMessage(
            myAutonomousSystem: localAS > 0xFFFF ? OpenMessage.asTrans : UInt16(localAS),
            holdTime: holdTime.seconds, bgpIdentifier: localIdentifier,
            optionalParameters: [.capabilities(capabilities)])
    }
}

/// ADD-PATH send/receive wishes for one family (RFC 7911 §4: 1 receive, 2 send, 3 both).
public struct AddPathMode: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let receive = AddPathMode(rawValue: 1)
    public static let send = AddPathMode(rawValue: 2)
    public static let both: AddPathMode = [.receive, .send]
}

/// Graceful restart as a receiving speaker (RFC 4724 §4.2).
public struct GracefulRestartConfiguration: Hashable, Sendable {
    /// The restart time we advertise (RFC 4724 §3: 12 bits, at most 4095 seconds).
    public var restartTime: UInt16
    /// How long, once the peer is back, we keep its stale routes while waiting for its End-of-RIB.
    public var staleRoutesTime: Double

    public init(restartTime: UInt16 = 120, staleRoutesTime: Double = 360) {
        self.restartTime = min(restartTime, 4095)
        self.staleRoutesTime = staleRoutesTime
    }
}

/// The send-hold timer (RFC 9687): a session whose own messages make no progress for this long is closed
/// with NOTIFICATION 8/0, instead of hanging on a peer that stopped reading while still sending KEEPALIVEs.
public enum SendHoldTime: Hashable, Sendable {
    case disabled
    /// 8 minutes, or twice the hold time if that is longer, so it never fires before the peer's own hold
    /// timer would have.
    case automatic
    case seconds(Double)

    /// The timer's duration for a session with `holdTime`; nil when it does not run. Without a hold time there
    /// are no KEEPALIVEs, so an idle session sends nothing and the timer would fire for no reason.
    public func seconds(holdTime: HoldTime) -> Double? {
        guard !holdTime.isDisabled else { return nil }
        switch self {
        case .disabled: return nil
        case .automatic: return max(480, 2 * Double(holdTime.seconds))
        case .seconds(let s): return s
        }
    }
}

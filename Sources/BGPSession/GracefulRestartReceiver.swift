public import BGPWire

/// The receiving speaker side of graceful restart (RFC 4724 §4.2): keeping a restarting peer's routes,
/// marked stale, until it has re-sent them.
///
/// bagpipe-bgp withdrew every route of a peer the moment its session dropped, so a route reflector restart
/// emptied every VRF. Here, when the session of a peer that advertised Graceful Restart ends without a
/// NOTIFICATION (its TCP connection failed, as when its BGP process restarts):
///
/// 1. the routes of the families listed in its capability are marked stale instead of withdrawn, and the
///    others withdrawn;
/// 2. the restart timer runs for the restart time the peer advertised; if the session is not back in time,
///    the stale routes are deleted;
/// 3. once it is back, families the new OPEN no longer lists with the F bit (forwarding state preserved) are
///    swept at once; the others are swept when their End-of-RIB arrives, or when the stale-routes timer
///    expires, whichever comes first.
///
/// A session ended by a NOTIFICATION (sent or received) withdraws everything: RFC 4724 keeps routes only
/// across the loss of the TCP connection. A pure value: it returns the actions to take.
public struct GracefulRestartReceiver: Hashable, Sendable {
    /// Families whose routes from the peer are currently stale, in the order they were marked.
    public private(set) var staleFamilies: [AddressFamily] = []
    /// How long stale routes are kept once the session is back (``SessionTimer/staleRoutes``).
    public var staleRoutesTime: Double
    /// Which of the two timers runs: the restart timer while the peer is away, the stale-routes timer once it
    /// is back. Neither when nothing is stale.
    private var running: SessionTimer?

    public init(staleRoutesTime: Double) { self.staleRoutesTime = staleRoutesTime }

    /// The session ended.
    ///
    /// - Parameters:
    ///   - families: the session's families (those whose routes the RIB holds).
    ///   - peerCapability: the peer's Graceful Restart capability in that session (nil if not negotiated).
    ///   - connectionLost: the TCP connection failed without a NOTIFICATION, the case RFC 4724 covers.
    public mutating func sessionEnded(
        families: [AddressFamily], peerCapability: Capability.GracefulRestart?, connectionLost: Bool
    ) -> [SessionAction] {
        var retained: [AddressFamily] = []
        var restartTime = 0.0
        if connectionLost, let capability = peerCapability, capability.restartTime > 0 {
            retained = families.filter { f in capability.families.contains { $0.family == f } }
            restartTime = Double(capability.restartTime)
        }
        var actions = stopTimer()
        guard !retained.isEmpty else {
            if !families.isEmpty { actions.append(.withdrawAllRoutes(families)) }
            staleFamilies = []
            return actions
        }
        // RFC 4724 §4.2: "To deal with possible consecutive restarts, a route (from the peer) previously marked
        // as stale MUST be deleted."
        if !staleFamilies.isEmpty { actions.append(.sweepStaleRoutes(staleFamilies)) }
        let withdrawn = families.filter { !retained.contains($0) }
        if !withdrawn.isEmpty { actions.append(.withdrawAllRoutes(withdrawn)) }
        actions.append(.markRoutesStale(retained))
        actions.append(.arm(.gracefulRestart, seconds: restartTime))
        running = .gracefulRestart
        staleFamilies = retained
        return actions
    }

    /// The session is Established again with the peer's new capability (nil if it no longer advertises or
    /// negotiates Graceful Restart).
    public mutating func sessionEstablished(
        families: [AddressFamily], peerCapability: Capability.GracefulRestart?
    ) -> [SessionAction] {
        guard !staleFamilies.isEmpty else { return [] }
        var actions = stopTimer()
        // RFC 4724 §4.2: a family missing from the new capability, or listed without the F bit, loses its stale
        // routes immediately; so does one the new session does not carry at all.
        let kept = staleFamilies.filter { family in
            families.contains(family)
                && peerCapability?.families.contains { $0.family == family && $0.forwardingStatePreserved } == true
        }
        let swept = staleFamilies.filter { !kept.contains($0) }
        if !swept.isEmpty { actions.append(.sweepStaleRoutes(swept)) }
        staleFamilies = kept
        if !kept.isEmpty {
            actions.append(.arm(.staleRoutes, seconds: staleRoutesTime))
            running = .staleRoutes
        }
        return actions
    }

    /// The peer sent End-of-RIB for `family` (RFC 4724 §4.2): its routes still stale there are deleted.
    public mutating func endOfRIB(_ family: AddressFamily) -> [SessionAction] {
        guard running == .staleRoutes, let i = staleFamilies.firstIndex(of: family) else { return [] }
        staleFamilies.remove(at: i)
        var actions: [SessionAction] = [.sweepStaleRoutes([family])]
        if staleFamilies.isEmpty { actions += stopTimer() }
        return actions
    }

    /// The restart timer or the stale-routes timer expired: every stale route goes.
    public mutating func timerExpired(_ timer: SessionTimer) -> [SessionAction] {
        guard timer == running else { return [] }
        running = nil
        return sweepAll()
    }

    /// The session is stopped by hand: the peer is not expected back, so its stale routes go too.
    public mutating func abandon() -> [SessionAction] { stopTimer() + sweepAll() }

    private mutating func sweepAll() -> [SessionAction] {
        defer { staleFamilies = [] }
        return staleFamilies.isEmpty ? [] : [.sweepStaleRoutes(staleFamilies)]
    }

    private mutating func stopTimer() -> [SessionAction] {
        defer { running = nil }
        return running.map { [.cancel($0)] } ?? []
    }
}

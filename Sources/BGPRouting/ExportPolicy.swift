import BGPWire

/// Everything about a peer that decides which attributes a best path is sent to it with, or whether it is sent at
/// all, apart from the one per-peer rule that a route never goes back to the peer it came from (RFC 4271 §9.2).
///
/// Peers of one family with equal policies get the same export for every key, so they share one ``AdjRIBOut`` (an
/// update group): 4 octets per key for the group instead of per peer.
struct ExportPolicy: Equatable, Sendable {
    /// RFC 4271 §9.2: internal peers get internal routes only by reflection.
    var isInternal: Bool
    /// RFC 4456 §6: routes from non-clients are reflected to clients only. False for external peers.
    var isRouteReflectorClient: Bool
    /// The next hop an external peer gets; nil for internal peers.
    var nextHopSelf: IPAddress?
    /// RFC 4684 §4: the peer's RT membership, when it filters this family.
    var membership: RTCMembership?
}

extension EngineCore {
    /// The export policy of peer `slot` for `family`, from its session and the RT membership routes it sent.
    func exportPolicy(_ family: AddressFamily, _ slot: Int) -> ExportPolicy {
        let info = peers[slot]!.info
        let filtered = info.routeTargetConstraint && configuration.rtcFamilies.contains(family)
        return ExportPolicy(
            isInternal: info.isInternal, isRouteReflectorClient: info.isInternal && info.isRouteReflectorClient,
            nextHopSelf: info.isInternal ? nil : info.nextHopSelf,
            membership: filtered ? peers[slot]!.membership : nil)
    }
}

import BGPRouting
import BGPWire

/// Builders and effect readers shared by the engine tests.
enum Fixture {
    static let localAS: UInt32 = 65000
    static let routerID = IPv4Address(10, 0, 0, 1)
    static let clusterID = IPv4Address(10, 0, 0, 100)

    static func engine(
        reflector: Bool = false, defaultRTC: Bool = false, igpCost: (@Sendable (NextHop?) -> UInt32?)? = nil
    ) -> RoutingEngine {
        RoutingEngine(
            configuration: EngineConfiguration(
                localAS: localAS, routerID: routerID, clusterID: reflector ? clusterID : nil,
                originateDefaultRTC: defaultRTC, igpCost: igpCost))
    }

    static func peer(
        _ n: UInt8, asn: UInt32 = localAS, client: Bool = false, families: Set<AddressFamily> = [.vpnIPv4],
        rtc: Bool = false, maximumMessageLength: Int = 4096, enhancedRefresh: Bool = false,
        waitsForRTCEndOfRIB: Bool = false
    ) -> PeerInfo {
        PeerInfo(
            id: PeerID("peer\(n)"), address: .v4(IPv4Address(192, 0, 2, n)), routerID: IPv4Address(10, 0, 1, n),
            asn: asn, isInternal: asn == localAS, isRouteReflectorClient: client,
            families: rtc ? families.union([.routeTargetConstraint]) : families, routeTargetConstraint: rtc,
            maximumMessageLength: maximumMessageLength, enhancedRouteRefresh: enhancedRefresh,
            waitsForRTCEndOfRIB: waitsForRTCEndOfRIB)
    }

    static func rt(_ n: UInt32) -> RouteTarget { .as2(65000, n) }

    static func rd(_ n: UInt32) -> RouteDistinguisher { .as2(65001, n) }

    static func vpn(_ host: UInt32, rd: UInt32 = 1, label: UInt32 = 100, pathID: UInt32? = nil) -> VPNIPv4NLRI {
        VPNIPv4NLRI(
            pathID: pathID, labels: LabelStack(LabelField(label: label)), routeDistinguisher: Self.rd(rd),
            prefix: IPv4Prefix(IPv4Address(0x0A00_0000 | host), length: 32))
    }

    static func key(_ host: UInt32, rd: UInt32 = 1) -> RouteKey {
        RouteNLRI.vpnIPv4(vpn(host, rd: rd)).key(family: .vpnIPv4).withoutPathID
    }

    /// iBGP-style attributes with route targets.
    static func attributes(
        rts: [UInt32] = [1], localPref: UInt32? = 100, med: UInt32? = nil, asPath: [UInt32] = [],
        origin: PathAttribute.Origin = .igp, extra: [PathAttribute] = []
    ) -> [PathAttribute] {
        var list = [PathAttribute(.origin(origin)), PathAttribute(.asPath(ASPath(sequence: asPath)))]
        if let med { list.append(PathAttribute(.multiExitDisc(med))) }
        if let localPref { list.append(PathAttribute(.localPref(localPref))) }
        if !rts.isEmpty {
            list.append(PathAttribute(.extendedCommunities(rts.map { ExtendedCommunity(.routeTarget(rt($0))) })))
        }
        return list + extra
    }

    static func announce(
        _ routes: [VPNIPv4NLRI], nextHop: IPv4Address = IPv4Address(192, 0, 2, 200),
        attributes: [PathAttribute] = attributes()
    ) -> UpdateMessage {
        UpdateMessage(
            pathAttributes: attributes + [
                PathAttribute(
                    .mpReachNLRI(MPReachNLRI(family: .vpnIPv4, nextHop: .vpnIPv4(nextHop), nlri: .vpnIPv4(routes))))
            ])
    }

    static func withdraw(_ routes: [VPNIPv4NLRI]) -> UpdateMessage {
        UpdateMessage(pathAttributes: [
            PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: .vpnIPv4, withdrawnRoutes: .vpnIPv4(routes))))
        ])
    }

    static func rtcAnnounce(_ nlri: [RTCNLRI], nextHop: IPv4Address = IPv4Address(192, 0, 2, 200)) -> UpdateMessage {
        UpdateMessage(pathAttributes: [
            PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100)),
            PathAttribute(
                .mpReachNLRI(MPReachNLRI(family: .routeTargetConstraint, nextHop: .ipv4(nextHop), nlri: .rtc(nlri)))),
        ])
    }

    static func rtcWithdraw(_ nlri: [RTCNLRI]) -> UpdateMessage {
        UpdateMessage(pathAttributes: [
            PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: .routeTargetConstraint, withdrawnRoutes: .rtc(nlri))))
        ])
    }

    static func membership(_ rt: UInt32, originAS: UInt32 = 65000) -> RTCNLRI {
        RTCNLRI(originAS: originAS, routeTarget: ExtendedCommunity(.routeTarget(Self.rt(rt))))
    }
}

/// Readers over a list of effects.
extension Array where Element == EngineEffect {
    func updates(to peer: PeerID) -> [UpdateMessage] {
        flatMap { effect -> [UpdateMessage] in
            if case .sendUpdates(let p, let u) = effect, p == peer { return u }
            return []
        }
    }

    /// VPN-IPv4 NLRI announced to `peer`.
    func announced(to peer: PeerID) -> [VPNIPv4NLRI] {
        updates(to: peer).flatMap { u -> [VPNIPv4NLRI] in
            if case .vpnIPv4(let l)? = u.mpReach?.nlri { return l }
            return []
        }
    }

    func withdrawn(to peer: PeerID) -> [VPNIPv4NLRI] {
        updates(to: peer).flatMap { u -> [VPNIPv4NLRI] in
            if case .vpnIPv4(let l)? = u.mpUnreach?.withdrawnRoutes { return l }
            return []
        }
    }

    func rtcAnnounced(to peer: PeerID) -> [RTCNLRI] {
        updates(to: peer).flatMap { u -> [RTCNLRI] in
            if case .rtc(let l)? = u.mpReach?.nlri { return l }
            return []
        }
    }

    func rtcWithdrawn(to peer: PeerID) -> [RTCNLRI] {
        updates(to: peer).flatMap { u -> [RTCNLRI] in
            if case .rtc(let l)? = u.mpUnreach?.withdrawnRoutes { return l }
            return []
        }
    }

    func changes(for subscriber: SubscriberID) -> [RouteChange] {
        flatMap { effect -> [RouteChange] in
            if case .deliver(let s, let c) = effect, s == subscriber { return c }
            return []
        }
    }

    func endOfRIB(to peer: PeerID) -> [AddressFamily] {
        compactMap { effect in
            if case .sendEndOfRIB(let p, let f) = effect, p == peer { return f }
            return nil
        }
    }

    var deliveredSubscribers: Set<SubscriberID> {
        Set(
            compactMap { effect in
                if case .deliver(let s, _) = effect { return s }
                return nil
            })
    }
}

extension RouteChange {
    var isAdvertise: Bool {
        if case .advertise = self { return true }
        return false
    }

    var bestPath: BestPath {
        switch self {
        case .advertise(let b), .withdraw(let b): b
        }
    }
}

extension UpdateMessage {
    func attributeValue(_ code: UInt8) -> PathAttribute.Value? { attribute(code)?.value }

    /// Encodes and decodes the message with BGPWire, as a peer would read it.
    func roundTripped(extendedMessage: Bool = false) throws -> UpdateMessage? {
        let bytes = BGPMessage.update(self).encode()
        let decoded = try BGPMessage.decode(bytes, options: DecodingOptions(extendedMessage: extendedMessage))
        if case .update(let u) = decoded.message { return u }
        return nil
    }
}

import BGPSession
import BGPSpeaker
import BGPWire
import BagpipeConfig
import Foundation
import Synchronization

/// One peer of the speaker under test, in `bgp.conf` terms.
struct SpeakerPeer: Sendable {
    var address: String
    var peerAS: UInt32
    var passive: Bool = false
    var md5: String?
    var holdTime: Int = 9
    var families: Set<LabFamily> = [.vpnv4]
    var port: Int = 179
}

/// Our `BGPSpeaker`, in-process in the root namespace, configured through `bgp.conf` text as the daemon would be,
/// with what it does recorded (`events`) and its routes readable as `LabRoute`s.
final class LabSpeaker: Sendable {
    let speaker: BGPSpeaker
    let localAddress: String
    let localAS: UInt32
    private let recorded = Mutex<[SpeakerEvent]>([])
    private let configurationText: String

    /// Settings for tests: fast retries (the defaults wait seconds between attempts), no jitter.
    static let options = BGPSpeaker.Options(
        idleHold: IdleHoldBackoff(initial: 0.2, maximum: 1, stableTime: 60), timerJitter: false,
        closeTimeout: .seconds(2))

    /// Starts a speaker at `local` (the host side of a lab link) with `peers`. `bgp` adds `[BGP]` lines
    /// (e.g. `graceful_restart_time = 30`). Its configuration is written to `<name>.conf` in the lab directory
    /// (a lab with several speakers gives each its own name). The lab shuts it down on tear-down.
    static func start(
        lab: Lab, local: String, as localAS: UInt32, peers: [SpeakerPeer], bgp extra: [String] = [],
        listen: Bool? = nil, options: BGPSpeaker.Options = LabSpeaker.options, name: String = "bgp"
    ) async throws -> LabSpeaker {
        let rtc = peers.contains { $0.families.contains(.rtc) }
        let listen = listen ?? peers.contains { $0.passive }
        var text = """
            [BGP]
            local_address = \(local)
            my_as = \(localAS)
            enable_rtc = \(rtc)
            connect_retry_time = 1
            listen = \(listen)

            """
        for line in extra { text += line + "\n" }
        for peer in peers {
            let families = peer.families.subtracting([.rtc]).sorted { $0.rawValue < $1.rawValue }.map(configName)
            text += """

                [BGP_PEER \(peer.address)]
                peer_as = \(peer.peerAS)
                passive = \(peer.passive)
                hold_time = \(peer.holdTime)
                port = \(peer.port)
                families = \((families.isEmpty ? ["ipv4-vpn"] : families).joined(separator: ", "))

                """
            if let md5 = peer.md5 { text += "md5_password = \(md5)\n" }
        }
        try text.write(toFile: "\(lab.directory)/\(name).conf", atomically: true, encoding: .utf8)
        let configuration = try BGPConfiguration(parsing: text)
        let speaker = BGPSpeaker(configuration: configuration, options: options)
        let result = LabSpeaker(speaker: speaker, localAddress: local, localAS: localAS, text: text)
        let events = await speaker.events()
        Task { [weak result] in
            for await event in events { result?.recorded.withLock { $0.append(event) } }
        }
        lab.onTearDown { await speaker.shutdown(timeout: .seconds(2)) }
        try await speaker.start()
        return result
    }

    private init(speaker: BGPSpeaker, localAddress: String, localAS: UInt32, text: String) {
        self.speaker = speaker
        self.localAddress = localAddress
        self.localAS = localAS
        configurationText = text
    }

    static func configName(_ family: LabFamily) -> String {
        switch family {
        case .ipv4: "ipv4-unicast"
        case .vpnv4: "ipv4-vpn"
        case .evpn: "evpn"
        case .rtc: "rtc"
        case .flowspec: "ipv4-flowspec"
        case .vpnFlowspec: "ipv4-flowspec-vpn"
        }
    }

    static func addressFamily(_ family: LabFamily) -> AddressFamily {
        switch family {
        case .ipv4: .ipv4Unicast
        case .vpnv4: .vpnIPv4
        case .evpn: .evpn
        case .rtc: .routeTargetConstraint
        case .flowspec: .ipv4Flowspec
        case .vpnFlowspec: .vpnIPv4Flowspec
        }
    }

    // MARK: - Peers

    /// Everything the speaker reported so far.
    var events: [SpeakerEvent] { recorded.withLock { $0 } }

    func status(_ peer: String) async -> PeerStatus? { await speaker.peer(IPAddress(peer)!) }

    func state(_ peer: String) async -> SessionState? { await status(peer)?.state }

    func waitEstablished(_ peer: String, timeout: Duration = .seconds(30)) async throws {
        var last: SessionState?
        _ = try await poll(
            "speaker: session with \(peer) not Established", timeout: timeout,
            context: { "last state: \(last.map(\.description) ?? "none")" }
        ) {
            last = await state(peer)
            return last == .established ? true : nil
        }
    }

    func waitNotEstablished(_ peer: String, timeout: Duration = .seconds(30)) async throws {
        _ = try await poll("speaker: session with \(peer) still Established", timeout: timeout) {
            await state(peer) == .established ? nil : true
        }
    }

    /// The reasons sessions with `peer` went down, in order.
    func downReasons(_ peer: String) -> [SessionDownReason] {
        let address = IPAddress(peer)!
        return events.compactMap { event in
            if case .sessionDown(let p, let reason) = event, p == address { return reason }
            return nil
        }
    }

    /// Waits until the speaker has reported at least `count` session-down events for `peer` (events arrive
    /// asynchronously, after the state the looking glass shows); returns them all.
    @discardableResult
    func waitForDownReasons(
        _ peer: String, count: Int = 1, timeout: Duration = .seconds(10)
    ) async throws
        -> [SessionDownReason]
    {
        try await poll(
            "speaker: \(count) session-down event(s) for \(peer)", timeout: timeout, interval: .milliseconds(20),
            context: { self.eventSummary() }
        ) {
            let reasons = downReasons(peer)
            return reasons.count >= count ? reasons : nil
        }
    }

    /// The events so far, one per line, shortened (for failure messages).
    func eventSummary() -> String {
        events.map { event -> String in
            switch event {
            case .stateChanged(let peer, let from, let to): "\(peer): \(from) -> \(to)"
            case .established(let peer, _): "\(peer): established"
            case .routesReceived(let peer, let update): "\(peer): UPDATE \(String(describing: update).prefix(150))"
            case .endOfRIB(let peer, let family): "\(peer): End-of-RIB \(family)"
            case .routesDropped(let peer, let families): "\(peer): routes dropped \(families)"
            case .sessionDown(let peer, let reason): "\(peer): session down: \(reason)"
            case .error(let report): "\(report.peer): error \(report.handling): \(report.reason)"
            }
        }.joined(separator: "\n")
    }

    /// The errors the speaker reported about `peer`, in order.
    func errorReports(_ peer: String) -> [SessionErrorReport] {
        let address = IPAddress(peer)!
        return events.compactMap { event in
            if case .error(let report) = event, report.peer == address { return report }
            return nil
        }
    }

    // MARK: - Routes

    /// The routes `peer` sent (its Adj-RIB-In).
    func routes(_ family: LabFamily, from peer: String) async -> [LabRoute] {
        await speaker.adjRIBIn(peer: IPAddress(peer)!, family: Self.addressFamily(family)).compactMap(LabRoute.init)
    }

    /// The routes last sent to `peer` (its Adj-RIB-Out), with the attributes they were sent with.
    func routes(_ family: LabFamily, to peer: String) async -> [LabRoute] {
        await speaker.adjRIBOut(peer: IPAddress(peer)!, family: Self.addressFamily(family)).compactMap(LabRoute.init)
    }

    @discardableResult
    func waitForRoutes(
        _ family: LabFamily, from peer: String, timeout: Duration = .seconds(20),
        _ what: String = "the expected routes",
        where condition: ([LabRoute]) -> Bool
    ) async throws -> [LabRoute] {
        var last: [LabRoute] = []
        return try await poll(
            "speaker: \(family) routes from \(peer) never became \(what)", timeout: timeout,
            context: { "last seen:\n" + last.sorted().map { "  \($0)" }.joined(separator: "\n") }
        ) {
            last = await routes(family, from: peer)
            return condition(last) ? last : nil
        }
    }

    /// Waits until `expected` (compared with `LabRoute.matches`) are all in `peer`'s Adj-RIB-In.
    @discardableResult
    func waitForRoutes(
        _ expected: [LabRoute], from peer: String, timeout: Duration = .seconds(20)
    ) async throws
        -> [LabRoute]
    {
        var result: [LabRoute] = []
        for family in Set(expected.map(\.family)) {
            let wanted = expected.filter { $0.family == family }
            result += try await waitForRoutes(
                family, from: peer, timeout: timeout, "to include " + wanted.map(\.description).joined(separator: "; ")
            ) { routes in wanted.allSatisfy { routes.containsMatch($0) } }
        }
        return result
    }

    func waitForWithdrawal(_ gone: [LabRoute], from peer: String, timeout: Duration = .seconds(20)) async throws {
        for family in Set(gone.map(\.family)) {
            let unwanted = gone.filter { $0.family == family }
            try await waitForRoutes(
                family, from: peer, timeout: timeout, "free of " + unwanted.map(\.description).joined(separator: "; ")
            ) { routes in !unwanted.contains { routes.containsMatch($0) } }
        }
    }

    func announce(_ route: LabRoute) async throws { await speaker.originate(try route.update(nextHop: localAddress)) }

    func withdraw(_ route: LabRoute) async throws { await speaker.withdraw(try route.update(nextHop: localAddress)) }
}

// MARK: - LabRoute <-> BGPWire

extension LabRoute {
    /// The route of a `RouteEntry` (nil for a family the lab does not model).
    init?(_ entry: RouteEntry) {
        var route: LabRoute
        switch entry.nlri {
        case .ipv4(let list):
            guard let nlri = list.first else { return nil }
            route = .ipv4("\(nlri.prefix)")
        case .vpnIPv4(let list):
            guard let nlri = list.first else { return nil }
            route = .vpnv4(
                rd: "\(nlri.routeDistinguisher)", prefix: "\(nlri.prefix)", label: nlri.labels.first?.label)
        case .evpn(let list):
            guard let nlri = list.first else { return nil }
            switch nlri.route {
            case .macIPAdvertisement(let r):
                route = .evpnMAC(
                    rd: "\(r.routeDistinguisher)", mac: "\(r.macAddress)", ip: r.ipAddress.map { "\($0)" },
                    ethernetTag: r.ethernetTagID, label: r.label1.rawValue)
            case .inclusiveMulticastEthernetTag(let r):
                route = .evpnMulticast(
                    rd: "\(r.routeDistinguisher)", originator: "\(r.originatingRouterIP)", ethernetTag: r.ethernetTagID)
            case .ipPrefix(let r):
                route = .evpnPrefix(
                    rd: "\(r.routeDistinguisher)", prefix: "\(r.prefix)", gateway: "\(r.gatewayIP)",
                    ethernetTag: r.ethernetTagID, label: r.label.rawValue)
            default:
                route = LabRoute(family: .evpn, key: "\(nlri.route.type) \(nlri.route)")
            }
        case .rtc(let list):
            guard let nlri = list.first else { return nil }
            if nlri.isDefault {
                route = LabRoute(family: .rtc, key: "default")
            } else if case .routeTarget(let target) = TypedExtendedCommunity(nlri.routeTarget) {
                route = .rtc(originAS: nlri.originAS, routeTarget: "\(target)")
            } else {
                route = LabRoute(family: .rtc, key: "\(nlri)")
            }
        case .flowspec(let list):
            guard let nlri = list.first else { return nil }
            var destination: String?
            var source: String?
            for component in nlri.components {
                switch component {
                case .destinationPrefix(let prefix): destination = "\(prefix)"
                case .sourcePrefix(let prefix): source = "\(prefix)"
                default: break
                }
            }
            let key = LabRoute.flowKey(destination: destination, source: source)
            if let rd = nlri.routeDistinguisher {
                route = LabRoute(family: .vpnFlowspec, key: "\(rd) \(key)")
            } else {
                route = LabRoute(family: .flowspec, key: key)
            }
        default:
            return nil
        }
        route.nextHop = entry.nextHop?.address.map { "\($0)" }
        route.stale = entry.isStale
        route.asPath = ""
        route.clusterList = []
        var targets: Set<String> = []
        for attribute in entry.attributes {
            switch attribute.value {
            case .asPath(let path):
                route.asPath = path.segments.map { segment in
                    let asns = segment.asns.map(String.init).joined(separator: " ")
                    return segment.type == .set ? "{\(asns)}" : asns
                }.joined(separator: " ")
            case .extendedCommunities(let communities):
                for community in communities {
                    switch TypedExtendedCommunity(community) {
                    case .routeTarget(let target): targets.insert("\(target)")
                    case .routerMAC(let mac): route.routerMAC = "\(mac)".lowercased()
                    default: break
                    }
                }
            case .pmsiTunnel(let tunnel):
                route.pmsi = "\(tunnel.label.rawValue) \(tunnel.tunnelEndpoint.map { "\($0)" } ?? "?")"
            case .originatorID(let id):
                route.originatorID = "\(id)"
            case .clusterList(let list):
                route.clusterList = list.map { "\($0)" }
            default:
                break
            }
        }
        route.routeTargets = targets
        self = route
    }

    /// An UPDATE announcing this route (ORIGIN IGP, route targets, and for EVPN the VXLAN encapsulation, router's
    /// MAC and PMSI tunnel); `nextHop` unless the route has its own.
    func update(nextHop defaultNextHop: String) throws -> UpdateMessage {
        let fields = keyFields
        let hop = nextHop ?? defaultNextHop
        guard let hopAddress = IPv4Address(hop) else { throw LabError.parse("next hop \(hop)") }
        func rd(_ text: String) throws -> RouteDistinguisher {
            guard let rd = RouteDistinguisher(text) else { throw LabError.parse("RD \(text)") }
            return rd
        }
        func prefix4(_ text: String) throws -> IPv4Prefix {
            guard let prefix = IPv4Prefix(text) else { throw LabError.parse("prefix \(text)") }
            return prefix
        }
        var communities: [ExtendedCommunity] = try targetList(routeTargets).map { text in
            guard let target = RouteTarget(text) else { throw LabError.parse("route target \(text)") }
            return ExtendedCommunity(.routeTarget(target))
        }
        var attributes = [PathAttribute(.origin(.igp))]
        let reach: MPReachNLRI
        switch family {
        case .ipv4:
            attributes.append(PathAttribute(.nextHop(hopAddress)))
            if !communities.isEmpty { attributes.append(PathAttribute(.extendedCommunities(communities))) }
            return UpdateMessage(pathAttributes: attributes, nlri: [IPv4PrefixNLRI(prefix: try prefix4(fields[0]))])
        case .vpnv4:
            let nlri = VPNIPv4NLRI(
                labels: LabelStack(LabelField(label: label ?? 0)), routeDistinguisher: try rd(fields[0]),
                prefix: try prefix4(fields[1]))
            reach = MPReachNLRI(family: .vpnIPv4, nextHop: .vpnIPv4(hopAddress), nlri: .vpnIPv4([nlri]))
        case .evpn:
            communities.append(ExtendedCommunity(.encapsulation(.vxlan)))
            let route: EVPNRoute
            switch fields[0] {
            case "2":
                guard let mac = MACAddress(fields[3]) else { throw LabError.parse("MAC \(fields[3])") }
                route = .macIPAdvertisement(
                    .init(
                        routeDistinguisher: try rd(fields[1]), ethernetTagID: UInt32(fields[2]) ?? 0, macAddress: mac,
                        ipAddress: fields[4] == "-" ? nil : IPAddress(fields[4]), label1: LabelField(vni: label ?? 0)))
            case "3":
                guard let originator = IPAddress(fields[3]) else { throw LabError.parse("IP \(fields[3])") }
                route = .inclusiveMulticastEthernetTag(
                    .init(
                        routeDistinguisher: try rd(fields[1]), ethernetTagID: UInt32(fields[2]) ?? 0,
                        originatingRouterIP: originator))
                if let pmsi {
                    let parts = pmsi.split(separator: " ")
                    guard parts.count == 2, let vni = UInt32(parts[0]), let endpoint = IPAddress(parts[1]) else {
                        throw LabError.parse("PMSI \(pmsi)")
                    }
                    attributes.append(
                        PathAttribute(.pmsiTunnel(.ingressReplication(endpoint: endpoint, label: LabelField(vni: vni))))
                    )
                }
            case "5":
                guard let prefix = IPPrefix(fields[3]), let gateway = IPAddress(fields[4]) else {
                    throw LabError.parse("type 5 \(key)")
                }
                route = .ipPrefix(
                    .init(
                        routeDistinguisher: try rd(fields[1]), ethernetTagID: UInt32(fields[2]) ?? 0, prefix: prefix,
                        gatewayIP: gateway, label: LabelField(vni: label ?? 0)))
                if let routerMAC, let mac = MACAddress(routerMAC) {
                    communities.append(ExtendedCommunity(.routerMAC(mac)))
                }
            default:
                throw LabError.unsupported("EVPN route \(key)")
            }
            reach = MPReachNLRI(family: .evpn, nextHop: .ipv4(hopAddress), nlri: .evpn([EVPNNLRI(route: route)]))
        case .rtc:
            guard fields.count == 2, let origin = UInt32(fields[0]), let target = RouteTarget(fields[1]) else {
                throw LabError.parse("RTC \(key)")
            }
            let nlri = RTCNLRI(originAS: origin, routeTarget: ExtendedCommunity(.routeTarget(target)))
            reach = MPReachNLRI(family: .routeTargetConstraint, nextHop: .ipv4(hopAddress), nlri: .rtc([nlri]))
        case .flowspec, .vpnFlowspec:
            let match = family == .vpnFlowspec ? Array(fields.dropFirst()) : fields
            var components: [FlowspecComponent] = []
            var index = 0
            while index + 1 < match.count {
                let prefix = FlowspecPrefix.ipv4(try prefix4(match[index + 1]))
                components.append(match[index] == "dst" ? .destinationPrefix(prefix) : .sourcePrefix(prefix))
                index += 2
            }
            communities.append(ExtendedCommunity(.trafficRateBytes(TrafficRate(bitPattern: 0))))  // discard
            let nlri = FlowspecNLRI(
                routeDistinguisher: family == .vpnFlowspec ? try rd(fields[0]) : nil, components: components)
            reach = MPReachNLRI(
                family: family == .vpnFlowspec ? .vpnIPv4Flowspec : .ipv4Flowspec, nextHop: .none,
                nlri: .flowspec([nlri]))
        }
        if !communities.isEmpty { attributes.append(PathAttribute(.extendedCommunities(communities))) }
        attributes.append(PathAttribute(.mpReachNLRI(reach)))
        return UpdateMessage(pathAttributes: attributes)
    }
}

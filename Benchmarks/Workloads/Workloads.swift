import BGPWire

/// One benchmark input: a packed UPDATE built once, as wire bytes and as the typed message they decode to.
public struct Workload: Sendable {
    /// Short identifier, also the file name the dump tool writes (`<id>.bin`).
    public let id: String
    /// Human-readable name used in the benchmark names.
    public let title: String
    /// The whole message, header included.
    public let bytes: [UInt8]
    /// The typed message `bytes` decodes to (and encodes back to `bytes`).
    public let message: BGPMessage
    /// Routes (NLRI) the message announces or withdraws.
    public let nlriCount: Int
    /// The options the decode benchmarks use (a variant may change them, e.g. `maximumLabels`).
    public var decoding: DecodingOptions
    /// The options the encode benchmarks use, matching `decoding`.
    public let encoding: EncodingOptions
}

/// The inputs of the codec benchmark. Every message is packed to the size limit (4096 octets, or 65535 with
/// RFC 8654 Extended Message) with distinct routes, the way a speaker that batches routes sharing one
/// attribute set would send them. MP_REACH_NLRI / MP_UNREACH_NLRI comes first (RFC 7606 §5.1).
public enum Workloads {
    public static let nextHop = IPv4Address(192, 0, 2, 1)
    /// RD type 1 (RFC 4364 §4.2), as bagpipe allocates them: `<router-id>:<instance>`.
    public static let rd = RouteDistinguisher.ipv4(nextHop, 100)
    public static let routeTarget = ExtendedCommunity(.routeTarget(.as2(64512, 100)))
    public static let vxlan = ExtendedCommunity(.encapsulation(.vxlan))
    public static let vni = LabelField(vni: 5010)

    /// ORIGIN, AS_PATH, LOCAL_PREF and EXTENDED_COMMUNITIES after the MP attribute.
    static func commonAttributes(_ communities: [ExtendedCommunity]) -> [PathAttribute] {
        [
            PathAttribute(.origin(.igp)),
            PathAttribute(.asPath(ASPath(sequence: [64512]))),
            PathAttribute(.localPref(100)),
            PathAttribute(.extendedCommunities(communities)),
        ]
    }

    /// The message built by `make(n)` with the largest `n` whose encoding fits in `limit` octets.
    static func packed(limit: Int, _ make: (Int) -> BGPMessage) -> (BGPMessage, Int) {
        func size(_ n: Int) -> Int { make(n).encode().count }
        let one = size(1)
        let per = size(2) - one
        var n = max(1, (limit - one) / per + 1)
        while n > 1, size(n) > limit { n -= 1 }
        while size(n + 1) <= limit { n += 1 }
        return (make(n), n)
    }

    static func workload(
        id: String, title: String, limit: Int, _ make: (Int) -> BGPMessage
    ) -> Workload {
        let (message, n) = packed(limit: limit, make)
        // The library's defaults otherwise (maximumLabels among them), as a session would use them.
        let decoding = DecodingOptions(fourOctetAS: true, extendedMessage: limit > 4096, peer: .internal)
        let bytes = message.encode()
        // The typed value is the decoded one: it keeps the flags as received (Extended Length on the
        // MP attribute), so it is exactly what a receiver holds and what re-encodes to the same bytes.
        let decoded = (try? BGPMessage.decode(bytes, options: decoding))?.message ?? message
        return Workload(
            id: id, title: title, bytes: bytes, message: decoded, nlriCount: n, decoding: decoding,
            encoding: EncodingOptions(decoding))
    }

    static func update(_ mp: PathAttribute.Value, _ communities: [ExtendedCommunity]) -> BGPMessage {
        .update(UpdateMessage(pathAttributes: [PathAttribute(mp)] + commonAttributes(communities)))
    }

    // MARK: - Routes

    /// The i-th VPN-IPv4 /32: one MPLS label (bottom of stack), RD type 1, host 10.0.0.0 + i.
    public static func vpnRoute(_ i: Int, withdrawal: Bool = false) -> VPNIPv4NLRI {
        VPNIPv4NLRI(
            labels: LabelStack(withdrawal ? .withdrawCompatibility : LabelField(label: UInt32(16 + i % 1_000_000))),
            routeDistinguisher: rd, prefix: IPv4Prefix(IPv4Address(0x0A00_0000 &+ UInt32(i)), length: 32))
    }

    /// The i-th EVPN MAC/IP Advertisement: MAC 02:00:00:xx:xx:xx with IPv4 10.0.0.0 + i, one label = the VNI.
    public static func macIPRoute(_ i: Int) -> EVPNNLRI {
        EVPNNLRI(
            route: .macIPAdvertisement(
                .init(
                    routeDistinguisher: rd, ethernetTagID: 0, macAddress: MACAddress(0x0200_0000_0000 + UInt64(i)),
                    ipAddress: .v4(IPv4Address(0x0A00_0000 &+ UInt32(i))), label1: vni)))
    }

    /// The i-th EVPN IP Prefix route: 10.x.y.0/24, no gateway, label = the VNI.
    public static func ipPrefixRoute(_ i: Int) -> EVPNNLRI {
        EVPNNLRI(
            route: .ipPrefix(
                .init(
                    routeDistinguisher: rd, ethernetTagID: 0,
                    prefix: .v4(IPv4Prefix(IPv4Address(0x0A00_0000 &+ UInt32(i) << 8), length: 24)),
                    gatewayIP: .v4(.zero), label: vni)))
    }

    /// The i-th flow: destination 10.0.0.0 + i /32, protocol = TCP, destination port = 1024 + i.
    public static func flowRoute(_ i: Int) -> FlowspecNLRI {
        FlowspecNLRI(components: [
            .destinationPrefix(.ipv4(IPv4Prefix(IPv4Address(0x0A00_0000 &+ UInt32(i)), length: 32))),
            .ipProtocol([NumericOperator(equal: true, value: 6)]),
            .destinationPort([NumericOperator(equal: true, value: UInt64(1024 + i % 60000))]),
        ])
    }

    // MARK: - Messages

    public static func vpnIPv4(limit: Int) -> Workload {
        workload(id: "vpnv4-\(limit)", title: "VPNv4 \(limit)", limit: limit) { n in
            update(
                .mpReachNLRI(
                    MPReachNLRI(
                        family: .vpnIPv4, nextHop: .vpnIPv4(nextHop), nlri: .vpnIPv4((0..<n).map { vpnRoute($0) }))),
                [routeTarget, vxlan])
        }
    }

    public static func vpnIPv4Withdraw(limit: Int) -> Workload {
        workload(id: "vpnv4-withdraw-\(limit)", title: "VPNv4 withdraw \(limit)", limit: limit) { n in
            .update(
                UpdateMessage(pathAttributes: [
                    PathAttribute(
                        .mpUnreachNLRI(
                            MPUnreachNLRI(
                                family: .vpnIPv4,
                                withdrawnRoutes: .vpnIPv4((0..<n).map { vpnRoute($0, withdrawal: true) })
                            )))
                ]))
        }
    }

    public static func evpnMACIP(limit: Int) -> Workload {
        workload(id: "evpn2-\(limit)", title: "EVPN type 2 \(limit)", limit: limit) { n in
            update(
                .mpReachNLRI(
                    MPReachNLRI(family: .evpn, nextHop: .ipv4(nextHop), nlri: .evpn((0..<n).map { macIPRoute($0) }))),
                [routeTarget, vxlan])
        }
    }

    public static func evpnIPPrefix(limit: Int) -> Workload {
        workload(id: "evpn5-\(limit)", title: "EVPN type 5 \(limit)", limit: limit) { n in
            update(
                .mpReachNLRI(
                    MPReachNLRI(family: .evpn, nextHop: .ipv4(nextHop), nlri: .evpn((0..<n).map { ipPrefixRoute($0) }))),
                [routeTarget, vxlan])
        }
    }

    public static func flowspec(limit: Int) -> Workload {
        workload(id: "flowspec-\(limit)", title: "Flowspec \(limit)", limit: limit) { n in
            update(
                .mpReachNLRI(
                    MPReachNLRI(family: .ipv4Flowspec, nextHop: .none, nlri: .flowspec((0..<n).map { flowRoute($0) }))),
                [ExtendedCommunity(.trafficRateBytes(TrafficRate(rate: 0)))])
        }
    }

    /// Every workload, in table order.
    public static func all() -> [Workload] {
        [
            vpnIPv4(limit: 4096), vpnIPv4(limit: 65535), vpnIPv4Withdraw(limit: 4096), evpnMACIP(limit: 4096),
            evpnIPPrefix(limit: 4096), flowspec(limit: 4096),
        ]
    }

    /// Checks that the bytes decode, without errors, to the typed message and that the typed message encodes
    /// back to the same bytes; returns a description of the first problem, nil when the workload is sound.
    public static func validate(_ w: Workload) -> String? {
        let decoded: DecodedMessage
        do { decoded = try BGPMessage.decode(w.bytes, options: w.decoding) } catch { return "\(w.id): \(error)" }
        if !decoded.errors.isEmpty { return "\(w.id): decode reported \(decoded.errors)" }
        if decoded.message != w.message { return "\(w.id): decoded message differs from the one encoded" }
        if w.message.encode(options: w.encoding) != w.bytes { return "\(w.id): re-encoding differs" }
        guard case .update(let u) = decoded.message else { return "\(w.id): not an UPDATE" }
        let n = (u.mpReach?.nlri.count ?? 0) + (u.mpUnreach?.withdrawnRoutes.count ?? 0)
        if n != w.nlriCount { return "\(w.id): \(n) NLRI decoded, \(w.nlriCount) expected" }
        return nil
    }
}

public import BGPWire

/// The family a run carries.
public enum BenchFamily: String, Sendable, CaseIterable {
    /// VPN-IPv4 /32 (RFC 4364), one label.
    case vpnv4
    /// EVPN MAC/IP Advertisement (RFC 7432 type 2), MAC + IPv4, one label = the VNI.
    case evpn

    public var addressFamily: AddressFamily { self == .vpnv4 ? .vpnIPv4 : .evpn }
}

/// The routes of one sender, and how each maps back to (sender, index) on the monitor's side.
///
/// Route `i` of sender `s` belongs to group `g = i / groupSize`, a VRF: the group's routes share a route
/// distinguisher (type 1, `<sender address>:g`), a route target (`64512:s*100000+g`) and a label (`1000+g`, the VNI for
/// EVPN), so each group is packed into full UPDATEs of its own and every group is a distinct attribute set. The
/// host address is `(100+s).x.y.z` with `x.y.z = i`; the EVPN MAC is `02:ss:<i as 4 octets>`, so routes are
/// unique across senders even without the RD.
public struct RoutePlan: Sendable {
    public var family: BenchFamily
    public var sender: Int
    public var routes: Int
    public var groupSize: Int
    public var nextHop: IPv4Address
    public var localPreference: UInt32 = 100

    public init(family: BenchFamily, sender: Int, routes: Int, groupSize: Int, nextHop: IPv4Address) {
        precondition(sender < 150 && routes <= 1 << 24, "at most 150 senders of 16M routes")
        self.family = family
        self.sender = sender
        self.routes = routes
        self.groupSize = max(1, groupSize)
        self.nextHop = nextHop
    }

    public static func hostAddress(sender: Int, index: Int) -> IPv4Address {
        IPv4Address(UInt32(100 + sender) << 24 | UInt32(index))
    }

    public static func macAddress(sender: Int, index: Int) -> MACAddress {
        MACAddress(0x0200_0000_0000 | UInt64(sender) << 32 | UInt64(index))
    }

    func group(_ g: Int) -> (rd: RouteDistinguisher, rt: ExtendedCommunity, label: UInt32) {
        (
            .ipv4(nextHop, UInt16(truncatingIfNeeded: g)),
            ExtendedCommunity(.routeTarget(.as2(64512, UInt32(sender * 100_000 + g)))),
            UInt32(1000 + g)
        )
    }

    /// The routes `range` (all in group `g`) as the family's NLRI list.
    func list(_ range: Range<Int>, group g: Int) -> NLRIList {
        let (rd, _, label) = group(g)
        switch family {
        case .vpnv4:
            return .vpnIPv4(
                range.map { i in
                    VPNIPv4NLRI(
                        labels: LabelStack(LabelField(label: label)), routeDistinguisher: rd,
                        prefix: IPv4Prefix(Self.hostAddress(sender: sender, index: i), length: 32))
                })
        case .evpn:
            return .evpn(
                range.map { i in
                    EVPNNLRI(
                        route: .macIPAdvertisement(
                            .init(
                                routeDistinguisher: rd, ethernetTagID: 0,
                                macAddress: Self.macAddress(sender: sender, index: i),
                                ipAddress: .v4(Self.hostAddress(sender: sender, index: i)),
                                label1: LabelField(vni: label))))
                })
        }
    }

    /// An UPDATE announcing `range` of group `g`: MP_REACH_NLRI first, then ORIGIN, an empty AS_PATH (internal
    /// peers), LOCAL_PREF and the extended communities (route target; VXLAN encapsulation for EVPN).
    public func update(_ range: Range<Int>, group g: Int) -> UpdateMessage {
        let (_, rt, _) = group(g)
        let nextHop: NextHop = family == .vpnv4 ? .vpnIPv4(self.nextHop) : .ipv4(self.nextHop)
        var communities = [rt]
        if family == .evpn { communities.append(ExtendedCommunity(.encapsulation(.vxlan))) }
        return UpdateMessage(pathAttributes: [
            PathAttribute(
                .mpReachNLRI(
                    MPReachNLRI(family: family.addressFamily, nextHop: nextHop, nlri: list(range, group: g)))),
            PathAttribute(.origin(.igp)),
            PathAttribute(.asPath(ASPath())),
            PathAttribute(.localPref(localPreference)),
            PathAttribute(.extendedCommunities(communities)),
        ])
    }

    /// Most routes of one group that fit in a message of `limit` octets.
    public func routesPerMessage(limit: Int, options: EncodingOptions) -> Int {
        func size(_ n: Int) -> Int { BGPMessage.update(update(0..<n, group: 0)).encode(options: options).count }
        let one = size(1)
        let per = size(2) - one
        var n = max(1, (limit - one) / per + 1)
        while n > 1, size(n) > limit { n -= 1 }
        while size(n + 1) <= limit { n += 1 }
        return n
    }

    /// Every route as packed UPDATEs, encoded back to back, with the offset where each message ends.
    public func encode(limit: Int, options: EncodingOptions) -> (bytes: [UInt8], ends: [Int]) {
        let perMessage = routesPerMessage(limit: limit, options: options)
        var w = ByteWriter(capacity: routes * (family == .vpnv4 ? 17 : 40) + 4096)
        var ends: [Int] = []
        var i = 0
        while i < routes {
            let g = i / groupSize
            let groupEnd = min(routes, (g + 1) * groupSize)
            let end = min(groupEnd, i + perMessage)
            BGPMessage.update(update(i..<end, group: g)).encode(into: &w, options: options)
            ends.append(w.count)
            i = end
        }
        return (w.bytes, ends)
    }
}

/// Which routes arrived, one bit per route of every sender, so that a route announced twice counts once.
public struct RouteTally: Sendable {
    public let senders: Int
    public let routesPerSender: Int
    private var bits: [UInt64]
    /// Distinct routes seen.
    public private(set) var unique = 0
    /// Announcements of a route already seen.
    public private(set) var repeated = 0
    /// Announcements of routes no sender of this run sends.
    public private(set) var foreign = 0
    /// Withdrawals seen (none are expected).
    public private(set) var withdrawn = 0
    /// NLRI announced in all.
    public private(set) var announced = 0

    public init(senders: Int, routesPerSender: Int) {
        self.senders = senders
        self.routesPerSender = routesPerSender
        bits = Array(repeating: 0, count: (senders * routesPerSender + 63) / 64)
    }

    @inline(__always)
    mutating func mark(sender: Int, index: Int) {
        guard sender >= 0, sender < senders, index < routesPerSender else {
            foreign += 1
            return
        }
        let bit = sender * routesPerSender + index
        let mask = UInt64(1) << UInt64(bit & 63)
        if bits[bit >> 6] & mask == 0 {
            bits[bit >> 6] |= mask
            unique += 1
        } else {
            repeated += 1
        }
    }

    /// Counts the routes of one UPDATE.
    public mutating func count(_ update: UpdateMessage) {
        for attribute in update.pathAttributes {
            switch attribute.value {
            case .mpReachNLRI(let reach):
                switch reach.nlri {
                case .vpnIPv4(let list):
                    announced += list.count
                    for n in list {
                        let a = n.prefix.address.value
                        mark(sender: Int(a >> 24) - 100, index: Int(a & 0xFF_FFFF))
                    }
                case .evpn(let list):
                    announced += list.count
                    for n in list {
                        guard case .macIPAdvertisement(let m) = n.route else {
                            foreign += 1
                            continue
                        }
                        mark(sender: Int(m.macAddress.value >> 32 & 0xFF), index: Int(m.macAddress.value & 0xFFFF_FFFF))
                    }
                default:
                    announced += reach.nlri.count
                    foreign += reach.nlri.count
                }
            case .mpUnreachNLRI(let unreach):
                withdrawn += unreach.withdrawnRoutes.count
            default:
                break
            }
        }
        withdrawn += update.withdrawnRoutes.count
        if !update.nlri.isEmpty {
            announced += update.nlri.count
            foreign += update.nlri.count
        }
    }
}

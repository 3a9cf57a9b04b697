/// The NLRI of one address family, decoded to typed values.
///
/// One case per NLRI encoding; the family (AFI/SAFI) travels beside the list, in the MP_REACH_NLRI /
/// MP_UNREACH_NLRI attribute or implied (IPv4 unicast) by the UPDATE's own fields.
public enum NLRIList: Hashable, Sendable {
    case ipv4([IPv4PrefixNLRI])
    case ipv6([IPv6PrefixNLRI])
    case labeledIPv4([LabeledIPv4NLRI])
    case labeledIPv6([LabeledIPv6NLRI])
    case vpnIPv4([VPNIPv4NLRI])
    case vpnIPv6([VPNIPv6NLRI])
    case evpn([EVPNNLRI])
    case rtc([RTCNLRI])
    case flowspec([FlowspecNLRI])
    /// A family this codec does not know: the bytes, kept as they came.
    case raw([UInt8])

    /// An empty list of the right kind for `family`.
    public static func empty(for family: AddressFamily) -> NLRIList {
        switch Kind(family) {
        case .ipv4: .ipv4([])
        case .ipv6: .ipv6([])
        case .labeledIPv4: .labeledIPv4([])
        case .labeledIPv6: .labeledIPv6([])
        case .vpnIPv4: .vpnIPv4([])
        case .vpnIPv6: .vpnIPv6([])
        case .evpn: .evpn([])
        case .rtc: .rtc([])
        case .flowspec: .flowspec([])
        case .raw: .raw([])
        }
    }

    public var count: Int {
        switch self {
        case .ipv4(let l): l.count
        case .ipv6(let l): l.count
        case .labeledIPv4(let l): l.count
        case .labeledIPv6(let l): l.count
        case .vpnIPv4(let l): l.count
        case .vpnIPv6(let l): l.count
        case .evpn(let l): l.count
        case .rtc(let l): l.count
        case .flowspec(let l): l.count
        case .raw(let b): b.isEmpty ? 0 : 1
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// Whether this list's case is the encoding of `family` (used to refuse mismatched values on encode).
    public func matches(_ family: AddressFamily) -> Bool {
        switch (self, Kind(family)) {
        case (.ipv4, .ipv4), (.ipv6, .ipv6), (.labeledIPv4, .labeledIPv4), (.labeledIPv6, .labeledIPv6),
            (.vpnIPv4, .vpnIPv4), (.vpnIPv6, .vpnIPv6), (.evpn, .evpn), (.rtc, .rtc), (.flowspec, .flowspec),
            (.raw, .raw):
            true
        default: false
        }
    }

    enum Kind {
        case ipv4, ipv6, labeledIPv4, labeledIPv6, vpnIPv4, vpnIPv6, evpn, rtc, flowspec, raw

        init(_ f: AddressFamily) {
            switch (f.afi, f.safi) {
            case (.ipv4, .unicast), (.ipv4, .multicast): self = .ipv4
            case (.ipv6, .unicast), (.ipv6, .multicast): self = .ipv6
            case (.ipv4, .labeledUnicast): self = .labeledIPv4
            case (.ipv6, .labeledUnicast): self = .labeledIPv6
            case (.ipv4, .mplsVPN): self = .vpnIPv4
            case (.ipv6, .mplsVPN): self = .vpnIPv6
            case (.l2vpn, .evpn): self = .evpn
            case (.ipv4, .routeTargetConstraint): self = .rtc
            case (.ipv4, .flowspec), (.ipv6, .flowspec), (.ipv4, .flowspecVPN), (.ipv6, .flowspecVPN):
                self = .flowspec
            default: self = .raw
            }
        }
    }

    /// Decodes NLRI of `family` until `r` is exhausted. Withdrawn labeled NLRI carry a single label field
    /// (RFC 8277 §2.4), announced ones a stack up to its bottom-of-stack bit.
    static func read(
        _ r: inout ByteReader, family: AddressFamily, options: DecodingOptions, withdrawal: Bool = false
    ) throws(DecodeFailure) -> NLRIList {
        let addPath = options.addPathReceive.contains(family)
        let labels = withdrawal ? 1 : options.maximumLabels
        switch Kind(family) {
        case .ipv4: return .ipv4(try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath) })
        case .ipv6: return .ipv6(try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath) })
        case .labeledIPv4:
            return .labeledIPv4(
                try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath, maximumLabels: labels) })
        case .labeledIPv6:
            return .labeledIPv6(
                try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath, maximumLabels: labels) })
        case .vpnIPv4: return .vpnIPv4(try readVPNIPv4(&r, addPath: addPath, maximumLabels: labels))
        case .vpnIPv6:
            return .vpnIPv6(
                try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath, maximumLabels: labels) })
        case .evpn: return .evpn(try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath) })
        case .rtc: return .rtc(try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, addPath: addPath) })
        case .flowspec:
            return .flowspec(
                try readAll(&r) { (r) throws(DecodeFailure) in try .read(&r, family: family, addPath: addPath) })
        case .raw: return .raw(r.readRest())
        }
    }

    @inline(__always)
    static func readAll<T>(
        _ r: inout ByteReader, _ one: (inout ByteReader) throws(DecodeFailure) -> T
    )
        throws(DecodeFailure) -> [T]
    {
        var out: [T] = []
        // A lower bound of the count (each NLRI takes at least 2 octets) keeps appends from reallocating
        // without trusting any length field.
        out.reserveCapacity(r.remaining / 8)
        while !r.isAtEnd { out.append(try one(&r)) }
        return out
    }

    /// VPN-IPv4 is the hot family (one /32 per port); this loop is specialised so it inlines fully.
    static func readVPNIPv4(
        _ r: inout ByteReader, addPath: Bool, maximumLabels: Int
    ) throws(DecodeFailure)
        -> [VPNIPv4NLRI]
    {
        var out: [VPNIPv4NLRI] = []
        out.reserveCapacity(r.remaining / 16 + 1)
        if !addPath {
            // Fast path: length 120 = one label + RD + /32, 16 octets; one bounds check per NLRI, no throws.
            let base = r.base
            let end = r.endIndex
            let singleField = maximumLabels == 1
            var i = r.index
            while end - i >= 16, base[i] == 120, singleField || base[i + 3] & 1 == 1 {
                let label = UInt32(base[i + 1]) << 16 | UInt32(base[i + 2]) << 8 | UInt32(base[i + 3])
                let rd = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: i + 4, as: UInt64.self))
                let address = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self))
                out.append(
                    VPNIPv4NLRI(
                        pathID: nil, labels: LabelStack(LabelField(rawValue: label)),
                        routeDistinguisher: RouteDistinguisher(rawValue: rd),
                        prefix: IPv4Prefix(IPv4Address(address), length: 32)))
                i += 16
            }
            r.index = i
        }
        while !r.isAtEnd { out.append(try VPNIPv4NLRI.read(&r, addPath: addPath, maximumLabels: maximumLabels)) }
        return out
    }

    func write(to w: inout ByteWriter) {
        switch self {
        case .ipv4(let l): for n in l { n.write(to: &w) }
        case .ipv6(let l): for n in l { n.write(to: &w) }
        case .labeledIPv4(let l): for n in l { n.write(to: &w) }
        case .labeledIPv6(let l): for n in l { n.write(to: &w) }
        case .vpnIPv4(let l): for n in l { n.write(to: &w) }
        case .vpnIPv6(let l): for n in l { n.write(to: &w) }
        case .evpn(let l): for n in l { n.write(to: &w) }
        case .rtc(let l): for n in l { n.write(to: &w) }
        case .flowspec(let l): for n in l { n.write(to: &w) }
        case .raw(let b): w.write(b)
        }
    }
}

/// One path attribute (RFC 4271 §4.3): flags, type code, and a typed value.
///
///      0                   1
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  Attr. Flags  |Attr. Type Code|  then a 1-octet length, or 2 octets with Extended Length
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The flags are kept as received, so an attribute re-encodes to the same bytes (including an Extended
/// Length bit on a short value, which is legal). The encoder sets Extended Length whenever the value needs it,
/// and the decoder keeps that bit only where it was optional. Unknown attributes keep their raw value.
public struct PathAttribute: Hashable, Sendable {
    public var flags: AttributeFlags
    public var value: Value

    /// An attribute with the flags its definition gives (RFC 4271 §5, and each attribute's RFC).
    public init(_ value: Value) {
        self.value = value
        self.flags = value.typeCode.map(TypeCode.standardFlags(for:)) ?? .optionalTransitive
    }

    public init(flags: AttributeFlags, value: Value) {
        self.flags = flags
        self.value = value
    }

    public var typeCode: UInt8 { value.typeCode ?? value.unknownTypeCode }

    /// The attribute as we would pass it on, or nil if it must not be. RFC 4271 §5: an unrecognized optional
    /// transitive attribute is passed on with the Partial bit set; an unrecognized non-transitive one is
    /// "quietly ignored" and not passed on.
    public var forwarded: PathAttribute? {
        guard case .unknown = value else { return self }
        guard flags.contains(.transitive) else { return nil }
        var a = self
        a.flags.insert(.partial)
        return a
    }

    /// Path attribute values, one case per type code this codec understands.
    public enum Value: Hashable, Sendable {
        case origin(Origin)
        case asPath(ASPath)
        case nextHop(IPv4Address)
        case multiExitDisc(UInt32)
        case localPref(UInt32)
        case atomicAggregate
        case aggregator(Aggregator)
        case communities([Community])
        case originatorID(IPv4Address)
        case clusterList([IPv4Address])
        case mpReachNLRI(MPReachNLRI)
        case mpUnreachNLRI(MPUnreachNLRI)
        case extendedCommunities([ExtendedCommunity])
        case as4Path(ASPath)
        case as4Aggregator(Aggregator)
        case pmsiTunnel(PMSITunnel)
        case tunnelEncapsulation(TunnelEncapsulation)
        case largeCommunities([LargeCommunity])
        case onlyToCustomer(UInt32)
        /// Any other type code, with its value as received.
        case unknown(typeCode: UInt8, value: [UInt8])

        /// The type code, nil for `.unknown` (see ``unknownTypeCode``).
        public var typeCode: UInt8? {
            switch self {
            case .origin: TypeCode.origin
            case .asPath: TypeCode.asPath
            case .nextHop: TypeCode.nextHop
            case .multiExitDisc: TypeCode.multiExitDisc
            case .localPref: TypeCode.localPref
            case .atomicAggregate: TypeCode.atomicAggregate
            case .aggregator: TypeCode.aggregator
            case .communities: TypeCode.communities
            case .originatorID: TypeCode.originatorID
            case .clusterList: TypeCode.clusterList
            case .mpReachNLRI: TypeCode.mpReachNLRI
            case .mpUnreachNLRI: TypeCode.mpUnreachNLRI
            case .extendedCommunities: TypeCode.extendedCommunities
            case .as4Path: TypeCode.as4Path
            case .as4Aggregator: TypeCode.as4Aggregator
            case .pmsiTunnel: TypeCode.pmsiTunnel
            case .tunnelEncapsulation: TypeCode.tunnelEncapsulation
            case .largeCommunities: TypeCode.largeCommunities
            case .onlyToCustomer: TypeCode.onlyToCustomer
            case .unknown: nil
            }
        }

        var unknownTypeCode: UInt8 {
            if case .unknown(let code, _) = self { return code }
            return 0
        }
    }

    /// ORIGIN values (RFC 4271 §4.3).
    public enum Origin: UInt8, Hashable, Sendable, CaseIterable {
        case igp = 0
        case egp = 1
        case incomplete = 2

        public var name: String {
            switch self {
            case .igp: "IGP"
            case .egp: "EGP"
            case .incomplete: "INCOMPLETE"
            }
        }
    }

    /// Attribute type codes (IANA "BGP Path Attributes").
    public enum TypeCode {
        public static let origin: UInt8 = 1
        public static let asPath: UInt8 = 2
        public static let nextHop: UInt8 = 3
        public static let multiExitDisc: UInt8 = 4
        public static let localPref: UInt8 = 5
        public static let atomicAggregate: UInt8 = 6
        public static let aggregator: UInt8 = 7
        public static let communities: UInt8 = 8
        public static let originatorID: UInt8 = 9
        public static let clusterList: UInt8 = 10
        public static let mpReachNLRI: UInt8 = 14
        public static let mpUnreachNLRI: UInt8 = 15
        public static let extendedCommunities: UInt8 = 16
        public static let as4Path: UInt8 = 17
        public static let as4Aggregator: UInt8 = 18
        public static let pmsiTunnel: UInt8 = 22
        public static let tunnelEncapsulation: UInt8 = 23
        public static let largeCommunities: UInt8 = 32
        public static let onlyToCustomer: UInt8 = 35

        /// O/T flags each known attribute is defined with.
        public static func standardFlags(for code: UInt8) -> AttributeFlags {
            switch code {
            case origin, asPath, nextHop, localPref, atomicAggregate: .wellKnown
            case multiExitDisc, originatorID, clusterList, mpReachNLRI, mpUnreachNLRI: .optionalNonTransitive
            default: .optionalTransitive
            }
        }

        /// RFC names for the JSON and logs.
        public static func name(_ code: UInt8) -> String {
            switch code {
            case origin: "ORIGIN"
            case asPath: "AS_PATH"
            case nextHop: "NEXT_HOP"
            case multiExitDisc: "MULTI_EXIT_DISC"
            case localPref: "LOCAL_PREF"
            case atomicAggregate: "ATOMIC_AGGREGATE"
            case aggregator: "AGGREGATOR"
            case communities: "COMMUNITIES"
            case originatorID: "ORIGINATOR_ID"
            case clusterList: "CLUSTER_LIST"
            case mpReachNLRI: "MP_REACH_NLRI"
            case mpUnreachNLRI: "MP_UNREACH_NLRI"
            case extendedCommunities: "EXTENDED_COMMUNITIES"
            case as4Path: "AS4_PATH"
            case as4Aggregator: "AS4_AGGREGATOR"
            case pmsiTunnel: "PMSI_TUNNEL"
            case tunnelEncapsulation: "TUNNEL_ENCAPSULATION"
            case largeCommunities: "LARGE_COMMUNITY"
            case onlyToCustomer: "OTC"
            default: "ATTRIBUTE_\(code)"
            }
        }
    }

    // MARK: - Encoding

    func write(to w: inout ByteWriter, options: EncodingOptions) {
        let start = w.count
        w.write(flags.rawValue)
        w.write(typeCode)
        let lengthAt = w.reserveLength(width: 2)
        writeValue(to: &w, options: options)
        let length = w.count - lengthAt - 2
        if length > 255 || flags.contains(.extendedLength) {
            w.bytes[start] = flags.union(.extendedLength).rawValue
            w.patchLength(at: lengthAt, width: 2)
        } else {
            // A one-octet length: the value moves back by one octet (at most 255 of them).
            w.bytes[lengthAt] = UInt8(length)
            w.bytes.remove(at: lengthAt + 1)
        }
    }

    func writeValue(to w: inout ByteWriter, options: EncodingOptions) {
        switch value {
        case .origin(let o): w.write(o.rawValue)
        case .asPath(let p): p.write(to: &w, width: options.fourOctetAS ? 4 : 2)
        case .nextHop(let a): w.write(a.value)
        case .multiExitDisc(let v), .localPref(let v), .onlyToCustomer(let v): w.write(v)
        case .atomicAggregate: break
        case .aggregator(let a):
            if options.fourOctetAS { w.write(a.asn) } else { w.write(a.asn > 0xFFFF ? UInt16(23456) : UInt16(a.asn)) }
            w.write(a.address.value)
        case .communities(let l): for c in l { w.write(c.rawValue) }
        case .originatorID(let a): w.write(a.value)
        case .clusterList(let l): for a in l { w.write(a.value) }
        case .mpReachNLRI(let m): m.write(to: &w)
        case .mpUnreachNLRI(let m): m.write(to: &w)
        case .extendedCommunities(let l): for c in l { w.write(c.rawValue) }
        case .as4Path(let p): p.write(to: &w, width: 4)
        case .as4Aggregator(let a):
            w.write(a.asn)
            w.write(a.address.value)
        case .pmsiTunnel(let p): p.write(to: &w)
        case .tunnelEncapsulation(let t): t.write(to: &w)
        case .largeCommunities(let l):
            for c in l {
                w.write(c.globalAdministrator)
                w.write(c.localData1)
                w.write(c.localData2)
            }
        case .unknown(_, let bytes): w.write(bytes)
        }
    }
}

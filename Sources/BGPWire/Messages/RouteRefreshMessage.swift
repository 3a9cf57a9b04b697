/// ROUTE-REFRESH message (RFC 2918 §3, RFC 7313 §3 subtypes).
///
///      0       7      15      23      31
///     +-------+-------+-------+-------+
///     |      AFI      | Subtyp| SAFI  |
///     +-------+-------+-------+-------+
public struct RouteRefreshMessage: Hashable, Sendable {
    public var family: AddressFamily
    /// 0 normal route refresh, 1 Beginning of RIB Route Refresh, 2 End of RIB Route Refresh (RFC 7313 §3).
    public var subtype: UInt8
    /// Outbound Route Filtering entries (RFC 5291), kept raw; only with subtype 0.
    public var orfEntries: [UInt8]

    public init(family: AddressFamily, subtype: Subtype = .normal, orfEntries: [UInt8] = []) {
        self.family = family
        self.subtype = subtype.rawValue
        self.orfEntries = orfEntries
    }

    public init(family: AddressFamily, rawSubtype: UInt8, orfEntries: [UInt8] = []) {
        self.family = family
        self.subtype = rawSubtype
        self.orfEntries = orfEntries
    }

    public enum Subtype: UInt8, Sendable {
        case normal = 0
        case beginningOfRIB = 1
        case endOfRIB = 2
    }

    static func decode(body r: inout ByteReader) throws(BGPWireError) -> RouteRefreshMessage {
        guard r.remaining >= 4 else {
            throw .reset(.routeRefreshMessageError, 1, "ROUTE-REFRESH body of \(r.remaining) octets, must be 4")
        }
        do throws(DecodeFailure) {
            let afi = AFI(try r.readUInt16())
            let subtype = try r.readUInt8()
            let safi = SAFI(try r.readUInt8())
            // RFC 7313 §5: BoRR/EoRR must be exactly 4 octets after the header.
            if subtype != 0, !r.isAtEnd {
                throw DecodeFailure("ROUTE-REFRESH subtype \(subtype) with \(r.remaining) extra octet(s)")
            }
            return RouteRefreshMessage(family: AddressFamily(afi, safi), rawSubtype: subtype, orfEntries: r.readRest())
        } catch {
            throw .reset(.routeRefreshMessageError, 1, error.reason)
        }
    }

    func writeBody(to w: inout ByteWriter) {
        w.write(family.afi.rawValue)
        w.write(subtype)
        w.write(family.safi.rawValue)
        w.write(orfEntries)
    }
}

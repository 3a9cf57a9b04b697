/// MP_REACH_NLRI value (RFC 4760 §3), type code 14.
///
///     +---------------------------------------------------------+
///     | Address Family Identifier (2 octets)                    |
///     +---------------------------------------------------------+
///     | Subsequent Address Family Identifier (1 octet)          |
///     +---------------------------------------------------------+
///     | Length of Next Hop Network Address (1 octet)            |
///     +---------------------------------------------------------+
///     | Network Address of Next Hop (variable)                  |
///     +---------------------------------------------------------+
///     | Reserved (1 octet)                                      |
///     +---------------------------------------------------------+
///     | Network Layer Reachability Information (variable)       |
///     +---------------------------------------------------------+
public struct MPReachNLRI: Hashable, Sendable {
    public var family: AddressFamily
    public var nextHop: NextHop
    /// RFC 4760 §3: "MUST be set to 0, and SHOULD be ignored upon receipt"; kept so bytes round-trip.
    public var reserved: UInt8
    public var nlri: NLRIList

    public init(family: AddressFamily, nextHop: NextHop, reserved: UInt8 = 0, nlri: NLRIList) {
        self.family = family
        self.nextHop = nextHop
        self.reserved = reserved
        self.nlri = nlri
    }

    /// Errors name the family when it could be read, so the caller can choose AFI/SAFI disable.
    static func read(_ r: inout ByteReader, options: DecodingOptions) throws(MPAttributeFailure) -> MPReachNLRI {
        let family: AddressFamily
        do throws(DecodeFailure) {
            family = AddressFamily(AFI(try r.readUInt16("AFI")), SAFI(try r.readUInt8("SAFI")))
        } catch {
            throw MPAttributeFailure(family: nil, reason: error.reason)
        }
        do throws(DecodeFailure) {
            let nextHopLength = Int(try r.readUInt8("next hop length"))
            var nh = try r.readSlice(nextHopLength, "next hop")
            let nextHop: NextHop
            if NLRIList.Kind(family) == .raw {
                // A family we do not know: its next hop stays opaque, like its NLRI.
                nextHop = .raw(nh.readRest())
            } else {
                nextHop = try NextHop.read(&nh, length: nextHopLength, family: family)
            }
            let reserved = try r.readUInt8("reserved octet")
            let nlri = try NLRIList.read(&r, family: family, options: options)
            return MPReachNLRI(family: family, nextHop: nextHop, reserved: reserved, nlri: nlri)
        } catch {
            throw MPAttributeFailure(family: family, reason: error.reason)
        }
    }

    func write(to w: inout ByteWriter) {
        w.write(family.afi.rawValue)
        w.write(family.safi.rawValue)
        w.write(UInt8(nextHop.encodedLength))
        nextHop.write(to: &w)
        w.write(reserved)
        nlri.write(to: &w)
    }
}

/// MP_UNREACH_NLRI value (RFC 4760 §4), type code 15. With no NLRI it is the End-of-RIB marker of its
/// family (RFC 4724 §2).
///
///     +---------------------------------------------------------+
///     | Address Family Identifier (2 octets)                    |
///     +---------------------------------------------------------+
///     | Subsequent Address Family Identifier (1 octet)          |
///     +---------------------------------------------------------+
///     | Withdrawn Routes (variable)                             |
///     +---------------------------------------------------------+
public struct MPUnreachNLRI: Hashable, Sendable {
    public var family: AddressFamily
    public var withdrawnRoutes: NLRIList

    public init(family: AddressFamily, withdrawnRoutes: NLRIList) {
        self.family = family
        self.withdrawnRoutes = withdrawnRoutes
    }

    static func read(_ r: inout ByteReader, options: DecodingOptions) throws(MPAttributeFailure) -> MPUnreachNLRI {
        let family: AddressFamily
        do throws(DecodeFailure) {
            family = AddressFamily(AFI(try r.readUInt16("AFI")), SAFI(try r.readUInt8("SAFI")))
        } catch {
            throw MPAttributeFailure(family: nil, reason: error.reason)
        }
        do throws(DecodeFailure) {
            return MPUnreachNLRI(
                family: family,
                withdrawnRoutes: try NLRIList.read(&r, family: family, options: options, withdrawal: true))
        } catch {
            throw MPAttributeFailure(family: family, reason: error.reason)
        }
    }

    func write(to w: inout ByteWriter) {
        w.write(family.afi.rawValue)
        w.write(family.safi.rawValue)
        withdrawnRoutes.write(to: &w)
    }
}

/// A malformed MP_REACH_NLRI / MP_UNREACH_NLRI, with the family if it could be read (RFC 7606 §7.11 chooses
/// between AFI/SAFI disable and session reset on that).
struct MPAttributeFailure: Error {
    var family: AddressFamily?
    var reason: String
}

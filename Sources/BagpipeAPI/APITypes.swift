import BGPWire

/// `vpn_type` (§6.2).
public enum VPNType: String, Hashable, Sendable, CaseIterable {
    /// A VRF (BGP/MPLS IP VPN, RFC 4364).
    case ipvpn
    /// An EVI (BGP MPLS-based Ethernet VPN, RFC 7432).
    case evpn
}

/// `direction` (§4.6): which traffic of the port goes through the VPN instance.
public enum Direction: String, Hashable, Sendable, CaseIterable {
    /// Both ways (the default).
    case both
    /// Only traffic towards the port: routes are advertised.
    case toPort = "to-port"
    /// Only traffic from the port: no route is advertised.
    case fromPort = "from-port"
}

/// `ip_address` of an endpoint: an address and a prefix length (`10.0.0.2` means `10.0.0.2/32`, `2001:db8::1`
/// means `/128`). The address keeps its host bits: `10.0.0.2/24` is the endpoint 10.0.0.2 in a /24, and
/// ``prefix`` gives 10.0.0.0/24 for `advertise_subnet`.
///
/// The original kept the string as the client wrote it, so `10.0.0.2` and `10.0.0.2/32` were two endpoints
/// (§11.3 item 15); this value is canonical (``description`` is always `address/length`).
public struct EndpointAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: UInt8

    public init(address: IPAddress, length: UInt8) {
        self.address = address
        self.length = length
    }

    /// Parses `addr` or `addr/len` (IPv4 or IPv6); nil if malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = IPAddress(parts[0]) else { return nil }
        if parts.count == 2 {
            guard let l = UInt8(parts[1]), Int(l) <= a.bitLength, parts[1].allSatisfy(\.isASCII) else { return nil }
            length = l
        } else {
            length = UInt8(a.bitLength)
        }
        address = a
    }

    /// The network: the address with its host bits cleared.
    public var prefix: IPPrefix {
        switch address {
        case .v4(let a): .v4(IPv4Prefix(a, length: length))
        case .v6(let a): .v6(IPv6Prefix(a, length: length))
        }
    }

    /// True when the length covers the whole address (/32, /128).
    public var isHost: Bool { Int(length) == address.bitLength }

    public var description: String { "\(address)/\(length)" }
}

extension MACAddress {
    /// The MAC notations the original accepted through `netaddr.EUI`: `aa:bb:cc:dd:ee:ff` (also one-digit groups
    /// and `-`), `aabb.ccdd.eeff`, `aabbcc-ddeeff` / `aabbcc:ddeeff` and bare `aabbccddeeff`.
    public init?(apiText text: String) {
        func hex(_ s: Substring, _ widths: ClosedRange<Int>) -> UInt64? {
            guard widths.contains(s.count), s.allSatisfy(\.isHexDigit) else { return nil }
            return UInt64(s, radix: 16)
        }
        let groups: [Substring]
        let bitsPerGroup: UInt64
        let widths: ClosedRange<Int>
        if text.contains(":") || text.contains("-") {
            groups = text.split(separator: text.contains(":") ? ":" : "-", omittingEmptySubsequences: false)
            if groups.count == 6 {
                (bitsPerGroup, widths) = (8, 1...2)
            } else if groups.count == 2 {
                (bitsPerGroup, widths) = (24, 6...6)
            } else {
                return nil
            }
        } else if text.contains(".") {
            groups = text.split(separator: ".", omittingEmptySubsequences: false)
            guard groups.count == 3 else { return nil }
            (bitsPerGroup, widths) = (16, 4...4)
        } else {
            groups = [text[...]]
            (bitsPerGroup, widths) = (48, 12...12)
        }
        var v: UInt64 = 0
        for g in groups {
            guard let n = hex(g, widths) else { return nil }
            v = v << bitsPerGroup | n
        }
        self.init(v)
    }
}

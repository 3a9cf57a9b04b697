#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as netlink carries it: raw network-order bytes.
public enum InetAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes)
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let bytes), .v6(let bytes): bytes
        }
    }

    public var family: UInt8 {
        switch self {
        case .v4: AddressFamily.inet
        case .v6: AddressFamily.inet6
        }
    }

    public var bitLength: UInt8 {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = self.family == AddressFamily.inet ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.family != rhs.family { return lhs.family < rhs.family }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

/// An address with a prefix length (route destinations, interface addresses, rule selectors).
public struct InetPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: InetAddress
    public var length: UInt8

    public init?(address: InetAddress, length: UInt8) {
        guard length <= address.bitLength else { return nil }
        self.address = address
        self.length = length
    }

    /// `10.9.0.0/24`, `2001:db8::/64`; a bare address is a host prefix. `default` is not accepted: the family
    /// would be ambiguous; use `InetPrefix.defaultV4` / `.defaultV6`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = InetAddress(String(parts[0])) else { return nil }
        var length = address.bitLength
        if parts.count == 2 {
            guard let parsed = UInt8(parts[1]), parsed <= address.bitLength else { return nil }
            length = parsed
        }
        self.address = address
        self.length = length
    }

    public static let defaultV4 = InetPrefix(address: .v4([0, 0, 0, 0]), length: 0)!
    public static let defaultV6 = InetPrefix(address: .v6([UInt8](repeating: 0, count: 16)), length: 0)!

    public var family: UInt8 { address.family }

    /// Whether `other` is inside this prefix (same family, the first `length` bits equal).
    public func contains(_ other: InetAddress) -> Bool {
        guard other.family == family, length <= address.bitLength else { return false }
        let a = address.bytes
        let b = other.bytes
        let whole = Int(length) / 8
        guard a.prefix(whole) == b.prefix(whole) else { return false }
        let rest = length % 8
        guard rest != 0 else { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return a[whole] & mask == b[whole] & mask
    }

    public var description: String { length == 0 ? "default" : "\(address)/\(length)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.address == rhs.address ? lhs.length < rhs.length : lhs.address < rhs.address
    }
}

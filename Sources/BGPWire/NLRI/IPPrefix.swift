/// An IPv4 prefix: address and length in bits (0...32). Host bits beyond the length are always zero.
public struct IPv4Prefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: IPv4Address
    public var length: UInt8

    /// Masks the host bits off.
    @inlinable
    public init(_ address: IPv4Address, length: UInt8) {
        precondition(length <= 32, "IPv4 prefix length \(length) > 32")
        self.address = IPv4Address(length == 0 ? 0 : address.value & ~UInt32(0) << (32 - UInt32(length)))
        self.length = length
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv4Address(parts[0]), let l = UInt8(parts[1]), l <= 32 else { return nil }
        self.init(a, length: l)
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (a: Self, b: Self) -> Bool { (a.address, a.length) < (b.address, b.length) }

    /// Reads the prefix bytes for `length` bits (RFC 4271 §4.3).
    @inlinable
    static func read(
        _ r: inout ByteReader, length: Int, _ what: @autoclosure () -> String
    ) throws(DecodeFailure) -> Self {
        guard length <= 32 else { throw DecodeFailure("\(what()): prefix length \(length) > 32") }
        // Fast path for the common whole-address case.
        if length == 32 {
            return IPv4Prefix(IPv4Address(try r.readUInt32(what())), length: 32)
        }
        let (hi, _) = try r.readPrefixBytes(bits: length, maxBytes: 4, what())
        return IPv4Prefix(IPv4Address(UInt32(truncatingIfNeeded: hi >> 32)), length: UInt8(length))
    }

    @inlinable
    func writeAddressBytes(to w: inout ByteWriter) {
        w.writePrefixBytes(UInt64(address.value) << 32, 0, bits: Int(length))
    }
}

/// An IPv6 prefix: address and length in bits (0...128). Host bits beyond the length are always zero.
public struct IPv6Prefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: IPv6Address
    public var length: UInt8

    @inlinable
    public init(_ address: IPv6Address, length: UInt8) {
        precondition(length <= 128, "IPv6 prefix length \(length) > 128")
        let l = UInt64(length)
        let hiMask: UInt64 = l == 0 ? 0 : (l >= 64 ? ~0 : ~UInt64(0) << (64 - l))
        let loMask: UInt64 = l <= 64 ? 0 : (l == 128 ? ~0 : ~UInt64(0) << (128 - l))
        self.address = IPv6Address(high: address.high & hiMask, low: address.low & loMask)
        self.length = length
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv6Address(parts[0]), let l = UInt8(parts[1]), l <= 128 else { return nil }
        self.init(a, length: l)
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (a: Self, b: Self) -> Bool { (a.address, a.length) < (b.address, b.length) }

    @inlinable
    static func read(
        _ r: inout ByteReader, length: Int, _ what: @autoclosure () -> String
    ) throws(DecodeFailure) -> Self {
        guard length <= 128 else { throw DecodeFailure("\(what()): prefix length \(length) > 128") }
        let (hi, lo) = try r.readPrefixBytes(bits: length, maxBytes: 16, what())
        return IPv6Prefix(IPv6Address(high: hi, low: lo), length: UInt8(length))
    }

    @inlinable
    func writeAddressBytes(to w: inout ByteWriter) {
        w.writePrefixBytes(address.high, address.low, bits: Int(length))
    }
}

/// An IPv4 or IPv6 prefix.
public enum IPPrefix: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Prefix)
    case v6(IPv6Prefix)

    public init?(_ text: some StringProtocol) {
        if let p = IPv4Prefix(text) {
            self = .v4(p)
        } else if let p = IPv6Prefix(text) {
            self = .v6(p)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let p): p.description
        case .v6(let p): p.description
        }
    }

    public var length: UInt8 {
        switch self {
        case .v4(let p): p.length
        case .v6(let p): p.length
        }
    }
}

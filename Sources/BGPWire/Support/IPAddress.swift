/// An IPv4 or IPv6 address.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) {
            self = .v4(a)
        } else if let a = IPv6Address(text) {
            self = .v6(a)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    /// Address length in bits: 32 or 128.
    public var bitLength: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    func write(to w: inout ByteWriter) {
        switch self {
        case .v4(let a): w.write(a.value)
        case .v6(let a):
            w.write(a.high)
            w.write(a.low)
        }
    }

    /// Reads a 4- or 16-octet address as `length` says.
    static func read(_ r: inout ByteReader, length: Int, _ what: String) throws(DecodeFailure) -> IPAddress {
        switch length {
        case 4: return .v4(IPv4Address(try r.readUInt32(what)))
        case 16: return .v6(IPv6Address(high: try r.readUInt64(what), low: try r.readUInt64(what)))
        default: throw DecodeFailure("\(what): length \(length) is neither 4 nor 16")
        }
    }
}

/// A 48-bit IEEE MAC address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in the low 48 bits.
    public var value: UInt64

    @inlinable public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    /// Parses `aa:bb:cc:dd:ee:ff` (also with `-`).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        value = v
    }

    public var description: String {
        (0..<6).map { i in
            let b = UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * i))
            return (b < 16 ? "0" : "") + String(b, radix: 16)
        }.joined(separator: ":")
    }

    static func read(_ r: inout ByteReader, _ what: String) throws(DecodeFailure) -> MACAddress {
        let hi = try r.readUInt16(what)
        let lo = try r.readUInt32(what)
        return MACAddress(UInt64(hi) << 32 | UInt64(lo))
    }

    func write(to w: inout ByteWriter) {
        w.write(UInt16(truncatingIfNeeded: value >> 32))
        w.write(UInt32(truncatingIfNeeded: value))
    }
}

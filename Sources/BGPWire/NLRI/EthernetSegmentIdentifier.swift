/// Ethernet Segment Identifier (RFC 7432 §5): a 1-octet type and a 9-octet value.
///
///     +---+---+---+---+---+---+---+---+---+---+
///     | T |          ESI Value                |
///     +---+---+---+---+---+---+---+---+---+---+
///
/// Kept as its 10 raw octets so that every type, including ones defined later, round-trips; ``kind`` is
/// the typed view of the six types RFC 7432 §5 defines.
public struct EthernetSegmentIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// Octets 0 and 1 (the type and the first value octet).
    @usableFromInline var high: UInt16
    /// Octets 2 to 9.
    @usableFromInline var low: UInt64

    @inlinable
    init(high: UInt16, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 10 octets as on the wire; nil unless there are exactly 10.
    public init?(octets: some Collection<UInt8>) {
        guard octets.count == 10 else { return nil }
        var hi: UInt16 = 0
        var lo: UInt64 = 0
        for (i, b) in octets.enumerated() {
            if i < 2 { hi = hi << 8 | UInt16(b) } else { lo = lo << 8 | UInt64(b) }
        }
        self.init(high: hi, low: lo)
    }

    /// RFC 7432 §5: the ESI of a single-homed site is 0.
    public static let zero = EthernetSegmentIdentifier(high: 0, low: 0)

    /// RFC 7432 §5: MAX-ESI, all ones, is reserved.
    public static let max = EthernetSegmentIdentifier(high: 0xFFFF, low: ~0)

    /// The ESI Type octet.
    public var type: UInt8 { UInt8(truncatingIfNeeded: high >> 8) }

    /// The 10 octets as on the wire.
    public var octets: [UInt8] {
        [UInt8(truncatingIfNeeded: high >> 8), UInt8(truncatingIfNeeded: high)]
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * $0)) }
    }

    /// Octet 1, the first octet of the ESI Value.
    var valueHigh: UInt8 { UInt8(truncatingIfNeeded: high) }

    // MARK: - Typed view (RFC 7432 §5)

    /// The ESI read according to its type. Types 1, 2, 4 and 5 end with an octet the RFC sets to 0x00:
    /// the view ignores it, the raw octets keep it.
    public enum Kind: Hashable, Sendable {
        /// Type 0x00: operator configured; the 9 value octets.
        case arbitrary([UInt8])
        /// Type 0x01: from IEEE 802.1AX LACP, the CE's system MAC address and port key.
        case lacp(systemMAC: MACAddress, portKey: UInt16)
        /// Type 0x02: from a layer 2 bridge protocol, the root bridge MAC address and priority.
        case bridgedLAN(rootBridgeMAC: MACAddress, rootBridgePriority: UInt16)
        /// Type 0x03: MAC-based, the system MAC address and a 3-octet local discriminator.
        case macBased(systemMAC: MACAddress, localDiscriminator: UInt32)
        /// Type 0x04: the router ID and a 4-octet local discriminator.
        case routerID(IPv4Address, localDiscriminator: UInt32)
        /// Type 0x05: an AS number (2-octet ASNs in the low bits) and a 4-octet local discriminator.
        case asBased(asn: UInt32, localDiscriminator: UInt32)
        /// Any other type, with its 9 value octets.
        case other(type: UInt8, value: [UInt8])
    }

    /// The typed view of the value.
    public var kind: Kind {
        // Octets 1...6 hold a MAC or the first 6 value octets in types 1 to 3.
        let mac = MACAddress(UInt64(valueHigh) << 40 | low >> 24)
        let afterMAC = UInt16(truncatingIfNeeded: low >> 8)
        let first4 = UInt32(truncatingIfNeeded: UInt64(valueHigh) << 24 | low >> 40)
        let next4 = UInt32(truncatingIfNeeded: low >> 8)
        switch type {
        case 0: return .arbitrary(Array(octets.dropFirst()))
        case 1: return .lacp(systemMAC: mac, portKey: afterMAC)
        case 2: return .bridgedLAN(rootBridgeMAC: mac, rootBridgePriority: afterMAC)
        case 3: return .macBased(systemMAC: mac, localDiscriminator: UInt32(truncatingIfNeeded: low & 0xFF_FFFF))
        case 4: return .routerID(IPv4Address(first4), localDiscriminator: next4)
        case 5: return .asBased(asn: first4, localDiscriminator: next4)
        default: return .other(type: type, value: Array(octets.dropFirst()))
        }
    }

    /// Builds the ESI for a typed value, with the reserved last octet 0x00. The value octets of
    /// `.arbitrary` and `.other` must be exactly 9, and `.macBased`'s discriminator must fit 3 octets.
    public init(_ kind: Kind) {
        var t: UInt8
        var value: [UInt8]
        func bytes(_ v: UInt64, _ count: Int) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * (count - 1 - $0))) }
        }
        switch kind {
        case .arbitrary(let v):
            t = 0
            value = v
        case .lacp(let mac, let key):
            t = 1
            value = bytes(mac.value, 6) + bytes(UInt64(key), 2) + [0]
        case .bridgedLAN(let mac, let priority):
            t = 2
            value = bytes(mac.value, 6) + bytes(UInt64(priority), 2) + [0]
        case .macBased(let mac, let discriminator):
            precondition(discriminator <= 0xFF_FFFF, "ESI type 3 local discriminator is 3 octets")
            t = 3
            value = bytes(mac.value, 6) + bytes(UInt64(discriminator), 3)
        case .routerID(let id, let discriminator):
            t = 4
            value = bytes(UInt64(id.value), 4) + bytes(UInt64(discriminator), 4) + [0]
        case .asBased(let asn, let discriminator):
            t = 5
            value = bytes(UInt64(asn), 4) + bytes(UInt64(discriminator), 4) + [0]
        case .other(let type, let v):
            t = type
            value = v
        }
        precondition(value.count == 9, "an ESI value is 9 octets, not \(value.count)")
        self = EthernetSegmentIdentifier(octets: [t] + value)!
    }

    // MARK: - Text

    /// The 10 octets as lower-case hex pairs joined by colons: `01:aa:bb:cc:dd:ee:01:01:02:00`.
    public var description: String {
        octets.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// Parses the form ``description`` prints (either case).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt8] = []
        for p in parts {
            guard p.count == 2, p.allSatisfy(\.isHexDigit), let b = UInt8(p, radix: 16) else { return nil }
            out.append(b)
        }
        self.init(octets: out)
    }

    // MARK: - Wire

    static func read(_ r: inout ByteReader, _ what: @autoclosure () -> String) throws(DecodeFailure) -> Self {
        try r.require(10, what())
        return EthernetSegmentIdentifier(high: try r.readUInt16(), low: try r.readUInt64())
    }

    func write(to w: inout ByteWriter) {
        w.write(high)
        w.write(low)
    }
}

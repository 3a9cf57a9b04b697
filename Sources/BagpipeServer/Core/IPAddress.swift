/// IPv4/IPv6 addresses as 128-bit integers, for subnet arithmetic and allocation (pure).
///
/// The value is stored as two 64-bit halves: a stored `UInt128` (16-byte alignment) in the frame of an async
/// function crashed on Linux with Swift 6.3.1 (misaligned access), and addresses live in async service code.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let version: Int
    private let high: UInt64
    private let low: UInt64

    public var value: UInt128 { UInt128(high) << 64 | UInt128(low) }

    public init(version: Int, value: UInt128) {
        self.version = version
        self.high = UInt64(truncatingIfNeeded: value >> 64)
        self.low = UInt64(truncatingIfNeeded: value)
    }

    public var bitWidth: Int { version == 4 ? 32 : 128 }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        (a.version, a.value) < (b.version, b.value)
    }

    /// Dotted quad without leading zeros, or RFC 4291 text (with `::` and an optional embedded IPv4 tail).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPAddress.parseV6(text) else { return nil }
            self.init(version: 6, value: v)
        } else {
            guard let v = IPAddress.parseV4(text) else { return nil }
            self.init(version: 4, value: UInt128(v))
        }
    }

    static func parseV4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), p.allSatisfy(\.isNumber),
                p == "0" || !p.hasPrefix("0"), let o = UInt32(p), o <= 255
            else { return nil }
            v = v << 8 | o
        }
        return v
    }

    static func parseV6(_ text: String) -> UInt128? {
        guard text.allSatisfy({ $0.isASCII }), !text.isEmpty else { return nil }
        let halves = splitOnce(text, "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String, allowV4Tail: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if i == parts.count - 1, allowV4Tail, p.contains(".") {
                    guard let v4 = parseV4(String(p)) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(p.count), let g = UInt16(p, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowV4Tail: false), let tail = groups(halves[1], allowV4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let g = groups(halves[0], allowV4Tail: true), g.count == 8 else { return nil }
            all = g
        }
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// Splits on every occurrence of `separator` (more than two parts means an invalid address).
    static func splitOnce(_ s: String, _ separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(s)
        while let r = rest.firstRange(of: separator) {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }

    public var description: String {
        if version == 4 {
            let v = UInt32(truncatingIfNeeded: value)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        let g = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
        // RFC 5952: compress the longest run (≥2) of zero groups, the first one on a tie.
        var bestStart = -1
        var bestLen = 1
        var i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8, g[j] == 0 { j += 1 }
                if j - i > bestLen {
                    bestStart = i
                    bestLen = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        let hex = g.map { String($0, radix: 16) }
        if bestStart < 0 { return hex.joined(separator: ":") }
        return hex[0..<bestStart].joined(separator: ":") + "::"
            + hex[(bestStart + bestLen)...].joined(separator: ":")
    }

    public func adding(_ n: UInt128) -> IPAddress { IPAddress(version: version, value: value &+ n) }
}

/// A network prefix `address/length`. `init(parsing:)` keeps host bits (Neutron accepts `10.0.0.1/24` in
/// port-association routes, §3.2); `network` is the masked form.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPAddress(String(parts[0])), !parts[1].isEmpty, parts[1].count <= 3,
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let len = Int(parts[1]), len <= a.bitWidth
        else { return nil }
        address = a
        prefixLength = len
    }

    public init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    var hostBits: Int { address.bitWidth - prefixLength }
    var hostMask: UInt128 { hostBits >= 128 ? UInt128.max : (UInt128(1) << hostBits) - 1 }

    public var first: IPAddress { IPAddress(version: address.version, value: address.value & ~hostMask) }
    public var last: IPAddress { IPAddress(version: address.version, value: first.value | hostMask) }
    public var network: IPNetwork { IPNetwork(address: first, prefixLength: prefixLength) }
    public var hasHostBits: Bool { address != first }

    public func contains(_ ip: IPAddress) -> Bool {
        ip.version == address.version && ip.value >= first.value && ip.value <= last.value
    }
    public func overlaps(_ other: IPNetwork) -> Bool {
        address.version == other.address.version && first.value <= other.last.value
            && other.first.value <= last.value
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

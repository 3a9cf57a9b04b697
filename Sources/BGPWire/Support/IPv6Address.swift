/// An IPv6 address, kept as two 64-bit halves in host order.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses RFC 4291 text (with `::` and an optional trailing dotted quad); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        guard s.count >= 2, s.allSatisfy({ $0.isASCII }) else { return nil }
        var groups: [UInt16] = []
        var tailGroups: [UInt16] = []
        let halves = s.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func parse(_ part: Substring, into out: inout [UInt16], allowV4: Bool) -> Bool {
            if part.isEmpty { return true }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, field) in fields.enumerated() {
                if allowV4, i == fields.count - 1, field.contains(".") {
                    guard let v4 = IPv4Address(field) else { return false }
                    out.append(UInt16(v4.value >> 16))
                    out.append(UInt16(v4.value & 0xFFFF))
                } else {
                    guard (1...4).contains(field.count), let n = UInt16(field, radix: 16) else { return false }
                    out.append(n)
                }
            }
            return true
        }
        if halves.count == 1 {
            guard parse(halves[0], into: &groups, allowV4: true), groups.count == 8 else { return nil }
        } else {
            guard parse(halves[0], into: &groups, allowV4: false), parse(halves[1], into: &tailGroups, allowV4: true),
                groups.count + tailGroups.count <= 7
            else { return nil }
            groups += Array(repeating: 0, count: 8 - groups.count - tailGroups.count) + tailGroups
        }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(groups[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(groups[i]) }
        self.init(high: hi, low: lo)
    }

    var groups: [UInt16] {
        (0..<8).map { i in UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i % 4))) }
    }

    /// RFC 5952 text: lower case, the longest run (>1) of zero groups as `::`.
    public var description: String {
        let g = groups
        var bestStart = -1
        var bestLen = 0
        var i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen && j - i > 1 {
                    bestStart = i
                    bestLen = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String { range.map { String(g[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }

    public static let zero = IPv6Address(high: 0, low: 0)
}

extension String {
    /// Splits at the first "::" (IPv6 zero compression); more than one "::" gives three parts.
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var parts: [Substring] = []
        var rest = self[...]
        while let r = rest.firstRange(of: "::") {
            parts.append(rest[rest.startIndex..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}

/// The tenant route-target space of the route_target type driver (bagpipe-bgp.md §8.5): `as_number` plus the
/// `rt_nn_ranges` ("100:119,500:519"), each 1...65535 with max ≥ min. A network's RT is `<as>:<rt_nn>`.
public struct RouteTargetPool: Sendable, Equatable {
    public var asNumber: UInt32
    public var ranges: [ClosedRange<Int>]

    public init(asNumber: UInt32, ranges: [ClosedRange<Int>]) {
        self.asNumber = asNumber
        self.ranges = ranges
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case badRange(String)
        public var description: String {
            switch self {
            case .badRange(let r): return "invalid rt_nn range '\(r)': expected MIN:MAX with 1 <= MIN <= MAX <= 65535"
            }
        }
    }

    public init(asNumber: UInt32, ranges text: String) throws(ParseError) {
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            let bounds = item.split(separator: ":", omittingEmptySubsequences: false)
            guard bounds.count == 2, let lo = Int(bounds[0]), let hi = Int(bounds[1]), 1 <= lo, lo <= hi, hi <= 65535
            else { throw .badRange(item) }
            ranges.append(lo...hi)
        }
        self.init(asNumber: asNumber, ranges: ranges)
    }

    /// Type-2 RTs (4-byte AS) only have 16 bits of local administrator, which rt_nn always fits in (§2.3).
    public func routeTarget(_ nn: Int) -> String { "\(asNumber):\(nn)" }

    public func contains(_ nn: Int) -> Bool { ranges.contains { $0.contains(nn) } }

    public var capacity: Int { ranges.reduce(0) { $0 + $1.count } }

    /// The lowest free value: deterministic, so tests and operators can predict it.
    public func firstFree(allocated: Set<Int>) -> Int? {
        for r in ranges {
            for nn in r where !allocated.contains(nn) { return nn }
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: CharacterSetLite) -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Spaces and tabs; avoids importing Foundation into the pure core.
enum CharacterSetLite { case whitespaces }

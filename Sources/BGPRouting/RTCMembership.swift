/// The route targets one peer asked for with its RT membership routes (RFC 4684 §4): which VPN routes may be
/// sent to it.
///
/// Built from the membership routes the peer itself sent (its Adj-RIB-In), not from the best paths of the RT
/// membership table: two peers announcing the same membership route both need the VPN routes, and using the
/// best path instead is how a reflector ends up starving one of them (bgp-anchors §4, GoBGP issues 1630, 1647).
/// Counts make removal exact when several membership routes (different origin ASes, say) name the same target.
struct RTCMembership: Equatable, Sendable {
    /// A route target prefix: the RT bits of a membership NLRI (its length minus the 32 bits of origin AS).
    struct Prefix: Hashable, Sendable {
        /// The extended community with the bits past the prefix zero.
        var value: UInt64
        /// 0...64 bits of route target; `UInt8.max` for the default route (length 0).
        var bits: UInt8

        static let everything = Prefix(value: 0, bits: .max)

        init(routeTarget: UInt64, bits: Int) {
            self.bits = UInt8(bits)
            value = bits == 0 ? 0 : routeTarget & Self.mask(bits)
        }

        private init(value: UInt64, bits: UInt8) {
            self.value = value
            self.bits = bits
        }

        static func mask(_ bits: Int) -> UInt64 { bits >= 64 ? ~0 : ~(~UInt64(0) >> UInt64(bits)) }

        /// RFC 4684 §4: a route target matches when its leading bits equal the prefix.
        func matches(_ routeTarget: UInt64) -> Bool {
            if bits == .max { return true }
            return routeTarget & Self.mask(Int(bits)) == value
        }
    }

    private var everything = 0
    private var exact: [UInt64: Int] = [:]
    private var partial: [Prefix: Int] = [:]

    var isEmpty: Bool { everything == 0 && exact.isEmpty && partial.isEmpty }

    mutating func add(_ p: Prefix) {
        if p.bits == .max {
            everything += 1
        } else if p.bits == 64 {
            exact[p.value, default: 0] += 1
        } else {
            partial[p, default: 0] += 1
        }
    }

    mutating func remove(_ p: Prefix) {
        if p.bits == .max {
            everything -= 1
        } else if p.bits == 64 {
            if let n = exact[p.value] { exact[p.value] = n > 1 ? n - 1 : nil }
        } else {
            if let n = partial[p] { partial[p] = n > 1 ? n - 1 : nil }
        }
    }

    /// Whether a VPN route with these route targets may be sent. The default membership admits every route, even
    /// one without route targets; any other membership needs a matching target.
    func admits(_ routeTargets: [UInt64]) -> Bool {
        if everything > 0 { return true }
        for rt in routeTargets {
            if exact[rt] != nil { return true }
            for p in partial.keys where p.matches(rt) { return true }
        }
        return false
    }
}

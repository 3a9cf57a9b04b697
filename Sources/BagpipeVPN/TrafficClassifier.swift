public import BGPWire

/// `attract_traffic.classifier` (bagpipe-bgp.md §6.2): which traffic a Flowspec redirect route matches.
public struct TrafficClassifier: Hashable, Sendable {
    public var sourcePrefix: IPPrefix?
    public var destinationPrefix: IPPrefix?
    public var sourcePort: PortRange?
    public var destinationPort: PortRange?
    /// IP protocol number; the original's default is TCP.
    public var ipProtocol: UInt8?

    public init(
        sourcePrefix: IPPrefix? = nil, destinationPrefix: IPPrefix? = nil, sourcePort: PortRange? = nil,
        destinationPort: PortRange? = nil, ipProtocol: UInt8? = 6
    ) {
        self.sourcePrefix = sourcePrefix
        self.destinationPrefix = destinationPrefix
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.ipProtocol = ipProtocol
    }

    /// The Flowspec components (RFC 8955 §4.2.2), in type order as the RFC requires.
    public var components: [FlowspecComponent] {
        var out: [FlowspecComponent] = []
        if case .v4(let p)? = destinationPrefix { out.append(.destinationPrefix(.ipv4(p))) }
        if case .v4(let p)? = sourcePrefix { out.append(.sourcePrefix(.ipv4(p))) }
        if let ipProtocol { out.append(.ipProtocol([NumericOperator(equal: true, value: UInt64(ipProtocol))])) }
        if let destinationPort { out.append(.destinationPort(destinationPort.operators)) }
        if let sourcePort { out.append(.sourcePort(sourcePort.operators)) }
        return out
    }

    /// The classifier a received Flowspec route describes, for the redirecting dataplane; nil when it has a
    /// component the classifier cannot express.
    public init?(components: [FlowspecComponent]) {
        self.init(ipProtocol: nil)
        for c in components {
            switch c {
            case .destinationPrefix(.ipv4(let p)): destinationPrefix = .v4(p)
            case .sourcePrefix(.ipv4(let p)): sourcePrefix = .v4(p)
            case .ipProtocol(let ops):
                guard ops.count == 1, ops[0].equal, !ops[0].lessThan, !ops[0].greaterThan else { return nil }
                ipProtocol = UInt8(truncatingIfNeeded: ops[0].value)
            case .destinationPort(let ops): guard let r = PortRange(ops) else { return nil }; destinationPort = r
            case .sourcePort(let ops): guard let r = PortRange(ops) else { return nil }; sourcePort = r
            default: return nil
            }
        }
    }
}

/// A port or an inclusive range of ports (`"80"`, `"1000:2000"`).
public struct PortRange: Hashable, Sendable, CustomStringConvertible {
    public var lower: UInt16
    public var upper: UInt16

    public init(_ lower: UInt16, _ upper: UInt16? = nil) {
        self.lower = lower
        self.upper = upper ?? lower
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let lo = UInt16(parts[0]) else { return nil }
        let hi = parts.count == 2 ? UInt16(parts[1]) : lo
        guard let hi, lo <= hi else { return nil }
        self.init(lo, hi)
    }

    /// RFC 8955 §4.2.2.3 operators: `=p`, `<=hi`, `>=lo`, or `>=lo && <=hi`. (The original wrote `<hi` and `>lo`
    /// for the open ranges, leaving out the bounds themselves.)
    var operators: [NumericOperator] {
        if lower == upper { return [NumericOperator(equal: true, value: UInt64(lower))] }
        if lower == 0 { return [NumericOperator(lessThan: true, equal: true, value: UInt64(upper))] }
        if upper == .max { return [NumericOperator(greaterThan: true, equal: true, value: UInt64(lower))] }
        return [
            NumericOperator(greaterThan: true, equal: true, value: UInt64(lower)),
            NumericOperator(and: true, lessThan: true, equal: true, value: UInt64(upper)),
        ]
    }

    /// The range a list of operators covers, when it is one of the forms above.
    init?(_ ops: [NumericOperator]) {
        func v(_ o: NumericOperator) -> UInt16? { o.value <= UInt64(UInt16.max) ? UInt16(o.value) : nil }
        switch ops.count {
        case 1:
            let o = ops[0]
            guard let value = v(o) else { return nil }
            switch (o.lessThan, o.greaterThan, o.equal) {
            case (false, false, true): self.init(value)
            case (true, false, _): self.init(0, o.equal ? value : value &- 1)
            case (false, true, _): self.init(o.equal ? value : value &+ 1, .max)
            default: return nil
            }
        case 2:
            guard ops[1].and, ops[0].greaterThan, ops[1].lessThan, let lo = v(ops[0]), let hi = v(ops[1]) else {
                return nil
            }
            self.init(ops[0].equal ? lo : lo &+ 1, ops[1].equal ? hi : hi &- 1)
        default:
            return nil
        }
    }

    public var description: String { lower == upper ? "\(lower)" : "\(lower):\(upper)" }
}

/// `attract_traffic` (bagpipe-bgp.md §4.3): instead of leaking routes, a VRF attracts the traffic to them through
/// its ports: a default route per port towards `to`, and a Flowspec route per attracted prefix that redirects the
/// classified traffic to the VRF importing `to` (RFC 8955 §7.4 redirect).
public struct AttractTraffic: Hashable, Sendable {
    /// Route targets of the Flowspec routes (who applies the redirection).
    public var redirectRouteTargets: [RouteTarget]
    public var classifier: TrafficClassifier
    /// The redirect target; with no `readvertise`, it is the `to` of the VRF, and `staticDestinationPrefixes`
    /// are attracted.
    public var to: RouteTarget?
    public var staticDestinationPrefixes: [IPPrefix]

    public init(
        redirectRouteTargets: [RouteTarget], classifier: TrafficClassifier, to: RouteTarget? = nil,
        staticDestinationPrefixes: [IPPrefix] = []
    ) {
        self.redirectRouteTargets = redirectRouteTargets
        self.classifier = classifier
        self.to = to
        self.staticDestinationPrefixes = staticDestinationPrefixes
    }
}

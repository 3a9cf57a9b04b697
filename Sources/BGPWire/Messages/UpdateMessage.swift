/// UPDATE message (RFC 4271 §4.3).
///
///     +-----------------------------------------------------+
///     |   Withdrawn Routes Length (2 octets)                |
///     +-----------------------------------------------------+
///     |   Withdrawn Routes (variable)                       |
///     +-----------------------------------------------------+
///     |   Total Path Attribute Length (2 octets)            |
///     +-----------------------------------------------------+
///     |   Path Attributes (variable)                        |
///     +-----------------------------------------------------+
///     |   Network Layer Reachability Information (variable) |
///     +-----------------------------------------------------+
public struct UpdateMessage: Hashable, Sendable {
    /// IPv4 unicast prefixes withdrawn.
    public var withdrawnRoutes: [IPv4PrefixNLRI]
    public var pathAttributes: [PathAttribute]
    /// IPv4 unicast prefixes announced.
    public var nlri: [IPv4PrefixNLRI]

    public init(
        withdrawnRoutes: [IPv4PrefixNLRI] = [], pathAttributes: [PathAttribute] = [], nlri: [IPv4PrefixNLRI] = []
    ) {
        self.withdrawnRoutes = withdrawnRoutes
        self.pathAttributes = pathAttributes
        self.nlri = nlri
    }

    /// The End-of-RIB marker for `family` (RFC 4724 §2): an empty UPDATE for IPv4 unicast, otherwise an UPDATE
    /// holding only an empty MP_UNREACH_NLRI.
    public static func endOfRIB(_ family: AddressFamily) -> UpdateMessage {
        if family == .ipv4Unicast { return UpdateMessage() }
        return UpdateMessage(
            pathAttributes: [
                PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: family, withdrawnRoutes: .empty(for: family))))
            ])
    }

    /// The family this UPDATE ends, if it is an End-of-RIB marker.
    public var endOfRIB: AddressFamily? {
        if withdrawnRoutes.isEmpty, nlri.isEmpty {
            if pathAttributes.isEmpty { return .ipv4Unicast }
            if pathAttributes.count == 1, case .mpUnreachNLRI(let m) = pathAttributes[0].value,
                m.withdrawnRoutes.isEmpty
            {
                return m.family
            }
        }
        return nil
    }

    public func attribute(_ typeCode: UInt8) -> PathAttribute? { pathAttributes.first { $0.typeCode == typeCode } }

    public var mpReach: MPReachNLRI? {
        for a in pathAttributes { if case .mpReachNLRI(let m) = a.value { return m } }
        return nil
    }

    public var mpUnreach: MPUnreachNLRI? {
        for a in pathAttributes { if case .mpUnreachNLRI(let m) = a.value { return m } }
        return nil
    }

    /// RFC 7606 §2 treat-as-withdraw: the same UPDATE with every announced route turned into a withdrawal and
    /// no other attributes.
    public func asWithdrawal() -> UpdateMessage {
        var out = UpdateMessage(withdrawnRoutes: withdrawnRoutes + nlri)
        var unreach: [AddressFamily: NLRIList] = [:]
        var order: [AddressFamily] = []
        func add(_ family: AddressFamily, _ list: NLRIList) {
            if let existing = unreach[family] {
                unreach[family] = existing.appending(list) ?? existing
            } else {
                unreach[family] = list
                order.append(family)
            }
        }
        if let m = mpUnreach { add(m.family, m.withdrawnRoutes) }
        if let m = mpReach { add(m.family, m.nlri) }
        for f in order {
            out.pathAttributes.append(
                PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: f, withdrawnRoutes: unreach[f]!))))
        }
        return out
    }

    /// The message body (no header).
    func writeBody(to w: inout ByteWriter, options: EncodingOptions) {
        let withdrawnAt = w.reserveLength(width: 2)
        for n in withdrawnRoutes { n.write(to: &w) }
        w.patchLength(at: withdrawnAt, width: 2)
        let attributesAt = w.reserveLength(width: 2)
        for a in pathAttributes { a.write(to: &w, options: options) }
        w.patchLength(at: attributesAt, width: 2)
        for n in nlri { n.write(to: &w) }
    }
}

extension NLRIList {
    /// This list followed by `other`, or nil when they are not the same kind of NLRI. NLRI encodings delimit
    /// themselves, so raw lists concatenate too.
    public func appending(_ other: NLRIList) -> NLRIList? {
        switch (self, other) {
        case (.ipv4(let a), .ipv4(let b)): .ipv4(a + b)
        case (.ipv6(let a), .ipv6(let b)): .ipv6(a + b)
        case (.labeledIPv4(let a), .labeledIPv4(let b)): .labeledIPv4(a + b)
        case (.labeledIPv6(let a), .labeledIPv6(let b)): .labeledIPv6(a + b)
        case (.vpnIPv4(let a), .vpnIPv4(let b)): .vpnIPv4(a + b)
        case (.vpnIPv6(let a), .vpnIPv6(let b)): .vpnIPv6(a + b)
        case (.evpn(let a), .evpn(let b)): .evpn(a + b)
        case (.rtc(let a), .rtc(let b)): .rtc(a + b)
        case (.flowspec(let a), .flowspec(let b)): .flowspec(a + b)
        case (.raw(let a), .raw(let b)): .raw(a + b)
        default: nil
        }
    }
}

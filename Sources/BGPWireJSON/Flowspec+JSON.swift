import BGPWire

// Flow specification NLRI as JSON (RFC 8955, RFC 8956), holding every bit needed to re-encode it identically:
//
//     {"pathId": 7, "routeDistinguisher": "65000:1", "extendedLength": true,   (each only when present / set)
//      "components": [
//        {"type": 1, "name": "destination-prefix", "prefix": "10.0.0.0/24"},
//        {"type": 2, "name": "source-prefix", "prefix": "::1234:5678:9a00:0/104", "offset": 64},   (IPv6)
//        {"type": 5, "name": "destination-port", "operators": [
//          {"op": ">=", "value": 80, "and": false, "endOfList": false, "length": 1},
//          {"op": "<=", "value": 90, "and": true, "endOfList": true, "length": 1}]},
//        {"type": 9, "name": "tcp-flags", "operators": [
//          {"match": true, "not": false, "value": 2, "and": false, "endOfList": true, "length": 1}]}]}
//
// Operators carry "reservedBits" (the operator-octet bits, 0x08 numeric / 0x0C bitmask) only when set. On input
// "type" or "name" may be given alone, "length" defaults to the shortest that holds the value, "and" to false, and
// "endOfList", when given, must be true exactly on the last operator.

extension FlowspecNLRI {
    public var json: JSON {
        var members: [(String, JSON)] = []
        if let pathID { members.append(("pathId", JSON(pathID))) }
        if let routeDistinguisher { members.append(("routeDistinguisher", .string(routeDistinguisher.description))) }
        if usesExtendedLength { members.append(("extendedLength", .bool(true))) }
        members.append(("components", .array(components.map(\.json))))
        return .object(members)
    }

    /// Reads the form ``json`` writes for an NLRI of `family` (ipv4/ipv6 × flowspec/flowspec-vpn).
    public init(json: JSON, family: AddressFamily, path: String) throws(JSONError) {
        guard family.afi == .ipv4 || family.afi == .ipv6, family.safi == .flowspec || family.safi == .flowspecVPN
        else { throw JSONError(path, "\(family) is not a flowspec family") }
        let o = try JSONReader(json, path: path)
        var rd: RouteDistinguisher? = nil
        if family.safi == .flowspecVPN {
            rd = try o.parsed("routeDistinguisher", "a route distinguisher") { RouteDistinguisher($0) }
        } else if o.optional("routeDistinguisher") != nil {
            throw JSONError(o.childPath("routeDistinguisher"), "only flowspec-vpn (SAFI 134) carries one")
        }
        let afi = family.afi
        let components = try o.map("components") { (c, p) throws(JSONError) in
            try FlowspecComponent(json: c, afi: afi, path: p)
        }
        let listPath = o.childPath("components")
        guard !components.isEmpty else { throw JSONError(listPath, "a flow specification needs a component") }
        for i in components.indices.dropFirst() where components[i].type <= components[i - 1].type {
            throw JSONError(
                "\(listPath)[\(i)]",
                "type \(components[i].type) after type \(components[i - 1].type): types must strictly increase "
                    + "(RFC 8955 §4.2)")
        }
        self.init(
            pathID: try o.optionalInteger("pathId"), routeDistinguisher: rd, components: components,
            usesExtendedLength: try o.bool("extendedLength"))
        guard valueLength <= FlowspecNLRI.maxLength else {
            throw JSONError(path, "encodes to \(valueLength) octets, more than the 4095 the length field holds")
        }
    }
}

extension FlowspecComponent {
    public var json: JSON {
        var members: [(String, JSON)] = [("type", JSON(type)), ("name", .string(name))]
        switch self {
        case .destinationPrefix(let p), .sourcePrefix(let p):
            switch p {
            case .ipv4(let v4): members.append(("prefix", .string(v4.description)))
            case .ipv6(let v6):
                members.append(("prefix", .string("\(v6.address)/\(v6.length)")))
                members.append(("offset", JSON(v6.offset)))
            }
        case .ipProtocol(let o), .port(let o), .destinationPort(let o), .sourcePort(let o), .icmpType(let o),
            .icmpCode(let o), .packetLength(let o), .dscp(let o), .flowLabel(let o):
            members.append(("operators", .array(o.enumerated().map { $1.json(last: $0 == o.count - 1) })))
        case .tcpFlags(let o), .fragment(let o):
            members.append(("operators", .array(o.enumerated().map { $1.json(last: $0 == o.count - 1) })))
        }
        return .object(members)
    }

    /// Reads one component of an `afi` flow specification.
    public init(json: JSON, afi: AFI, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let type = try Self.type(o)
        if type == 13 && afi != .ipv6 {
            throw JSONError(o.childPath("type"), "flow label (type 13) is defined for IPv6 only (RFC 8956 §3.7)")
        }
        switch type {
        case 1: self = .destinationPrefix(try Self.prefix(o, afi: afi))
        case 2: self = .sourcePrefix(try Self.prefix(o, afi: afi))
        case 9: self = .tcpFlags(try Self.operators(o, maxLength: .two, "RFC 8955 §4.2.2.9 allows 1 or 2 octets"))
        case 12: self = .fragment(try Self.operators(o, maxLength: .one, "RFC 8955 §4.2.2.12 requires 1 octet"))
        default:
            // Only DSCP (type 11) narrows the numeric value length with a MUST.
            let ops: [NumericOperator] =
                type == 11
                ? try Self.operators(o, maxLength: .one, "RFC 8955 §4.2.2.11 requires 1 octet")
                : try Self.operators(o, maxLength: .eight, "")
            switch type {
            case 3: self = .ipProtocol(ops)
            case 4: self = .port(ops)
            case 5: self = .destinationPort(ops)
            case 6: self = .sourcePort(ops)
            case 7: self = .icmpType(ops)
            case 8: self = .icmpCode(ops)
            case 10: self = .packetLength(ops)
            case 11: self = .dscp(ops)
            default: self = .flowLabel(ops)
            }
        }
    }

    /// From "type", "name" or both (which must agree).
    private static func type(_ o: JSONReader) throws(JSONError) -> UInt8 {
        let number = try o.optionalInteger("type", as: UInt8.self)
        if let number, !(1...13).contains(number) {
            throw JSONError(o.childPath("type"), "unknown flowspec component type \(number) (1-13 are defined)")
        }
        guard let name = try o.optionalString("name") else {
            guard let number else { throw JSONError(o.childPath("type"), "missing (give \"type\" or \"name\")") }
            return number
        }
        guard let index = names.firstIndex(of: name), index > 0 else {
            throw JSONError(o.childPath("name"), "unknown flowspec component name \"\(name)\"")
        }
        if let number, number != index {
            throw JSONError(o.childPath("name"), "\"\(name)\" is type \(index), not \(number)")
        }
        return UInt8(index)
    }

    private static func prefix(_ o: JSONReader, afi: AFI) throws(JSONError) -> FlowspecPrefix {
        let offset = try o.optionalInteger("offset", as: UInt8.self) ?? 0
        if afi == .ipv4 {
            if offset != 0 { throw JSONError(o.childPath("offset"), "IPv4 prefixes have no offset") }
            return .ipv4(try o.parsed("prefix", "an IPv4 prefix") { IPv4Prefix($0) })
        }
        let p = try o.parsed("prefix", "an IPv6 prefix") { IPv6Prefix($0) }
        guard let v6 = FlowspecIPv6Prefix(p.address, length: p.length, offset: offset) else {
            throw JSONError(
                o.childPath("offset"), "offset \(offset) must be below the length \(p.length) (RFC 8956 §3.1)")
        }
        return .ipv6(v6)
    }

    private static func operators<Op: FlowspecOperatorJSON>(
        _ o: JSONReader, maxLength: FlowspecValueLength, _ rule: String
    ) throws(JSONError) -> [Op] {
        let items = try o.array("operators")
        guard !items.isEmpty else { throw JSONError(o.childPath("operators"), "at least one operator is required") }
        var ops: [Op] = []
        for (i, item) in items.enumerated() {
            let op = try JSONReader(item, path: "\(o.childPath("operators"))[\(i)]")
            if let end = op.optional("endOfList"), end != .bool(i == items.count - 1) {
                throw JSONError(op.childPath("endOfList"), "must be true on the last operator only")
            }
            let value = try op.integer("value", as: UInt64.self)
            var length = FlowspecValueLength(fitting: value)
            if let octets = try op.optionalInteger("length", as: Int.self) {
                guard let l = FlowspecValueLength(octets: octets) else {
                    throw JSONError(op.childPath("length"), "\(octets) is not 1, 2, 4 or 8")
                }
                guard value <= l.maxValue else {
                    throw JSONError(op.childPath("value"), "\(value) does not fit in \(octets) octets")
                }
                length = l
            }
            guard length.rawValue <= maxLength.rawValue else {
                throw JSONError(op.childPath("length"), "\(length.octets) octets, but \(rule)")
            }
            let reserved = try op.optionalInteger("reservedBits", as: UInt8.self) ?? 0
            guard reserved & ~Op.reservedMask == 0 else {
                throw JSONError(op.childPath("reservedBits"), "only the bits of \(Op.reservedMask) are reserved")
            }
            ops.append(try Op(op, value: value, length: length, and: try op.bool("and"), reservedBits: reserved))
        }
        return ops
    }
}

/// Operator types as JSON members.
protocol FlowspecOperatorJSON {
    static var reservedMask: UInt8 { get }
    init(_ o: JSONReader, value: UInt64, length: FlowspecValueLength, and: Bool, reservedBits: UInt8) throws(JSONError)
}

extension NumericOperator: FlowspecOperatorJSON {
    init(
        _ o: JSONReader, value: UInt64, length: FlowspecValueLength, and: Bool, reservedBits: UInt8
    )
        throws(JSONError)
    {
        self.init(and: and, value: value, length: length, reservedBits: reservedBits)
        let text = try o.string("op")
        guard setComparison(text) else {
            throw JSONError(o.childPath("op"), "\"\(text)\" is not one of = > >= < <= != true false")
        }
    }

    func json(last: Bool) -> JSON {
        var m: [(String, JSON)] = [
            ("op", .string(comparison)), ("value", JSON(value)), ("and", .bool(and)), ("endOfList", .bool(last)),
            ("length", JSON(length.octets)),
        ]
        if reservedBits != 0 { m.append(("reservedBits", JSON(reservedBits))) }
        return .object(m)
    }
}

extension BitmaskOperator: FlowspecOperatorJSON {
    init(
        _ o: JSONReader, value: UInt64, length: FlowspecValueLength, and: Bool, reservedBits: UInt8
    )
        throws(JSONError)
    {
        self.init(
            and: and, not: try o.bool("not"), match: try o.bool("match"), value: value, length: length,
            reservedBits: reservedBits)
    }

    func json(last: Bool) -> JSON {
        var m: [(String, JSON)] = [
            ("match", .bool(match)), ("not", .bool(not)), ("value", JSON(value)), ("and", .bool(and)),
            ("endOfList", .bool(last)), ("length", JSON(length.octets)),
        ]
        if reservedBits != 0 { m.append(("reservedBits", JSON(reservedBits))) }
        return .object(m)
    }
}

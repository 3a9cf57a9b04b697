public import BGPWire

/// The JSON form of every message: RFC field names in lower camel case, addresses and prefixes as text,
/// and enough detail (flags, raw values) that JSON → message gives back the very same bytes.
extension BGPMessage {
    public var json: JSON {
        var o: [(String, JSON)] = [("type", .string(type.description))]
        switch self {
        case .open(let m): o += m.jsonMembers
        case .update(let m): o += m.jsonMembers
        case .notification(let m): o += m.jsonMembers
        case .keepalive: break
        case .routeRefresh(let m): o += m.jsonMembers
        }
        return .object(o)
    }

    public init(json: JSON) throws(JSONError) {
        let o = try JSONReader(json)
        let type = try o.string("type")
        switch type.uppercased() {
        case "OPEN": self = .open(try OpenMessage(o))
        case "UPDATE": self = .update(try UpdateMessage(o))
        case "NOTIFICATION": self = .notification(try NotificationMessage(o))
        case "KEEPALIVE": self = .keepalive
        case "ROUTE-REFRESH", "ROUTE_REFRESH": self = .routeRefresh(try RouteRefreshMessage(o))
        default: throw JSONError("type", "\"\(type)\" is not OPEN, UPDATE, NOTIFICATION, KEEPALIVE or ROUTE-REFRESH")
        }
    }
}

// MARK: - OPEN

extension OpenMessage {
    var jsonMembers: [(String, JSON)] {
        var o: [(String, JSON)] = [
            ("version", JSON(version)), ("myAutonomousSystem", JSON(myAutonomousSystem)), ("holdTime", JSON(holdTime)),
            ("bgpIdentifier", .string(bgpIdentifier.description)),
        ]
        if extendedParameters { o.append(("extendedOptionalParameters", .bool(true))) }
        o.append(
            (
                "optionalParameters",
                .array(
                    optionalParameters.map { p in
                        switch p {
                        case .capabilities(let caps):
                            return .object([("type", .int(2)), ("capabilities", .array(caps.map(\.json)))])
                        case .unknown(let type, let value):
                            return .object([("type", JSON(type)), ("value", .string(Hex.encode(value)))])
                        }
                    })
            ))
        return o
    }

    init(_ o: JSONReader) throws(JSONError) {
        self.init(
            version: try o.optionalInteger("version") ?? 4, myAutonomousSystem: try o.integer("myAutonomousSystem"),
            holdTime: try o.integer("holdTime"),
            bgpIdentifier: try o.parsed("bgpIdentifier", "an IPv4 address") { IPv4Address($0) },
            optionalParameters: try o.map("optionalParameters") { (j, path) throws(JSONError) in
                let p = try JSONReader(j, path: path)
                let type: UInt8 = try p.integer("type")
                if type == 2 {
                    return .capabilities(
                        try p.map("capabilities") { (c, path) throws(JSONError) in try Capability(json: c, path: path) }
                    )
                }
                return .unknown(type: type, value: try p.hex("value"))
            }, extendedParameters: try o.bool("extendedOptionalParameters"))
    }
}

extension Capability {
    public var json: JSON {
        var o: [(String, JSON)] = [("code", JSON(code)), ("name", .string(Code.name(code)))]
        switch self {
        case .multiprotocol(let f): o += familyMembers(f)
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh: break
        case .extendedNextHop(let l):
            o.append(
                (
                    "entries",
                    .array(
                        l.map {
                            .object([
                                ("nlriAfi", JSON($0.nlriAFI.rawValue)), ("nlriSafi", JSON($0.nlriSAFI)),
                                ("nextHopAfi", JSON($0.nextHopAFI.rawValue)),
                            ])
                        })
                ))
        case .role(let r): o.append(("role", JSON(r)))
        case .gracefulRestart(let g):
            o += [
                ("restartFlags", JSON(g.restartFlags)), ("restartState", .bool(g.restartState)),
                ("notification", .bool(g.notification)), ("restartTime", JSON(g.restartTime)),
                (
                    "families",
                    .array(
                        g.families.map {
                            .object(familyMembers($0.family) + [("flags", JSON($0.flags))])
                        })
                ),
            ]
        case .fourOctetAS(let asn): o.append(("asn", JSON(asn)))
        case .addPath(let l):
            o.append(
                (
                    "families",
                    .array(
                        l.map {
                            .object(
                                familyMembers($0.family) + [
                                    ("sendReceive", JSON($0.sendReceive)),
                                    ("mode", .string($0.send && $0.receive ? "both" : $0.send ? "send" : "receive")),
                                ])
                        })
                ))
        case .longLivedGracefulRestart(let l):
            o.append(
                (
                    "families",
                    .array(
                        l.map {
                            .object(
                                familyMembers($0.family) + [
                                    ("flags", JSON($0.flags)), ("staleTime", JSON($0.staleTime)),
                                ])
                        })
                ))
        case .fqdn(let f):
            o += [
                ("hostName", .string(f.hostNameString)), ("domainName", .string(f.domainNameString)),
                ("hostNameHex", .string(Hex.encode(f.hostName))), ("domainNameHex", .string(Hex.encode(f.domainName))),
            ]
        case .unknown(_, let v): o.append(("value", .string(Hex.encode(v))))
        }
        return .object(o)
    }

    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let code: UInt8 = try o.integer("code")
        switch code {
        case Code.multiprotocol: self = .multiprotocol(try AddressFamily(o))
        case Code.routeRefresh: self = .routeRefresh
        case Code.extendedMessage: self = .extendedMessage
        case Code.enhancedRouteRefresh: self = .enhancedRouteRefresh
        case Code.extendedNextHop:
            self = .extendedNextHop(
                try o.map("entries") { (j, path) throws(JSONError) in
                    let e = try JSONReader(j, path: path)
                    return ExtendedNextHopEntry(
                        nlriAFI: AFI(try e.integer("nlriAfi")), nlriSAFI: try e.integer("nlriSafi"),
                        nextHopAFI: AFI(try e.integer("nextHopAfi")))
                })
        case Code.role: self = .role(try o.integer("role"))
        case Code.gracefulRestart:
            let flags: UInt8 = try o.integer("restartFlags")
            let time: UInt16 = try o.integer("restartTime")
            guard flags <= 15 else { throw JSONError(o.childPath("restartFlags"), "must be 0...15") }
            guard time <= 4095 else { throw JSONError(o.childPath("restartTime"), "must be 0...4095") }
            self = .gracefulRestart(
                GracefulRestart(
                    restartFlags: flags, restartTime: time,
                    families: try o.map("families") { (j, path) throws(JSONError) in
                        let f = try JSONReader(j, path: path)
                        return GracefulRestart.Family(try AddressFamily(f), flags: try f.integer("flags"))
                    }))
        case Code.fourOctetAS: self = .fourOctetAS(try o.integer("asn"))
        case Code.addPath:
            self = .addPath(
                try o.map("families") { (j, path) throws(JSONError) in
                    let f = try JSONReader(j, path: path)
                    let mode: UInt8 = try f.integer("sendReceive")
                    guard (1...3).contains(mode) else {
                        throw JSONError(f.childPath("sendReceive"), "must be 1, 2 or 3")
                    }
                    return AddPathEntry(try AddressFamily(f), sendReceive: mode)
                })
        case Code.longLivedGracefulRestart:
            self = .longLivedGracefulRestart(
                try o.map("families") { (j, path) throws(JSONError) in
                    let f = try JSONReader(j, path: path)
                    let stale: UInt32 = try f.integer("staleTime")
                    guard stale <= 0xFF_FFFF else { throw JSONError(f.childPath("staleTime"), "must fit in 24 bits") }
                    return LongLivedGracefulRestartEntry(
                        try AddressFamily(f), flags: try f.integer("flags"), staleTime: stale)
                })
        case Code.fqdn:
            let host =
                o.optional("hostNameHex") != nil ? try o.hex("hostNameHex") : Array(try o.string("hostName").utf8)
            let domain =
                o.optional("domainNameHex") != nil
                ? try o.hex("domainNameHex") : Array((try o.optionalString("domainName") ?? "").utf8)
            guard host.count <= 255, domain.count <= 255 else {
                throw JSONError(path, "names are limited to 255 octets")
            }
            self = .fqdn(FQDN(hostNameBytes: host, domainNameBytes: domain))
        default: self = .unknown(code: code, value: try o.hex("value"))
        }
    }
}

/// `afi`, `safi` and the readable `family`.
func familyMembers(_ f: AddressFamily) -> [(String, JSON)] {
    [("afi", JSON(f.afi.rawValue)), ("safi", JSON(f.safi.rawValue)), ("family", .string(f.description))]
}

extension AddressFamily {
    /// From `afi` + `safi` numbers, or a `family` text such as `ipv4/mpls-vpn`.
    init(_ o: JSONReader) throws(JSONError) {
        if o.optional("afi") != nil || o.optional("safi") != nil {
            self.init(AFI(try o.integer("afi")), SAFI(try o.integer("safi")))
        } else {
            self = try o.parsed("family", "an address family (like ipv4/mpls-vpn or 1/128)") { AddressFamily($0) }
        }
    }
}

// MARK: - NOTIFICATION, ROUTE-REFRESH

extension NotificationMessage {
    var jsonMembers: [(String, JSON)] {
        var o: [(String, JSON)] = [
            ("errorCode", JSON(errorCode)), ("errorSubcode", JSON(errorSubcode)), ("errorName", .string(codeName)),
            ("subcodeName", .string(subcodeName)), ("data", .string(Hex.encode(data))),
        ]
        if let text = shutdownCommunication { o.append(("shutdownCommunication", .string(text))) }
        return o
    }

    init(_ o: JSONReader) throws(JSONError) {
        let code: UInt8 = try o.integer("errorCode")
        let subcode: UInt8 = try o.integer("errorSubcode")
        if o.optional("data") != nil {
            self.init(errorCode: code, errorSubcode: subcode, data: try o.hex("data"))
        } else if let text = try o.optionalString("shutdownCommunication") {
            let utf8 = Array(text.utf8)
            guard utf8.count <= 255 else {
                throw JSONError(o.childPath("shutdownCommunication"), "longer than 255 octets")
            }
            self.init(errorCode: code, errorSubcode: subcode, data: [UInt8(utf8.count)] + utf8)
        } else {
            self.init(errorCode: code, errorSubcode: subcode)
        }
    }
}

extension RouteRefreshMessage {
    var jsonMembers: [(String, JSON)] {
        let names = ["normal", "BoRR", "EoRR"]
        return familyMembers(family) + [
            ("subtype", JSON(subtype)),
            ("subtypeName", .string(subtype < 3 ? names[Int(subtype)] : "subtype-\(subtype)")),
        ] + (orfEntries.isEmpty ? [] : [("orfEntries", .string(Hex.encode(orfEntries)))])
    }

    init(_ o: JSONReader) throws(JSONError) {
        self.init(
            family: try AddressFamily(o), rawSubtype: try o.optionalInteger("subtype") ?? 0,
            orfEntries: o.optional("orfEntries") != nil ? try o.hex("orfEntries") : [])
    }
}

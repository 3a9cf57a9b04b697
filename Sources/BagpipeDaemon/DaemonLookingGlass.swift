import BGPRouting
import BGPSession
public import BGPSpeaker
import BGPWire
public import BagpipeAPI
import BagpipeVPN

/// The `bgp` and `vpns` branches of the looking glass (bagpipe-bgp.md §6.5), read from the speaker and the VPN
/// service when queried.
public struct BGPLookingGlass: LookingGlassNode {
    let speaker: BGPSpeaker
    let localAS: UInt32
    let rtcEnabled: Bool

    public init(speaker: BGPSpeaker, localAS: UInt32, rtcEnabled: Bool) {
        self.speaker = speaker
        self.localAS = localAS
        self.rtcEnabled = rtcEnabled
    }

    /// The families shown under `routes`, keyed as the original (`<afi/safi,*>`).
    static let families: [AddressFamily] = [.vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint, .vpnIPv4Flowspec]

    public func entries() async throws -> [LookingGlassEntry] {
        let (speaker, localAS, rtc) = (self.speaker, self.localAS, self.rtcEnabled)
        return [
            .collection(
                "peers",
                list: {
                    await speaker.peers().map { ["id": .string("\($0.address)"), "state": .string("\($0.state)")] }
                },
                item: { id in
                    guard let address = IPAddress(id), await speaker.peer(address) != nil else { return nil }
                    return PeerLookingGlass(speaker: speaker, address: address, localAS: localAS, rtcEnabled: rtc)
                }),
            .subtree("routes") { _ in
                var o = JSONObject()
                for f in Self.families {
                    o["<\(f),*>"] = .array(await speaker.bestPaths(family: f).map(Self.json))
                }
                return .object(o)
            },
            .collection(
                "workers",
                list: {
                    // The original's workers: BGP peers, then VPN instances (the engine's subscribers).
                    await speaker.peers().map { ["id": .string("BGP-\($0.address)")] }
                },
                item: { id in
                    guard id.hasPrefix("BGP-"), let address = IPAddress(String(id.dropFirst(4))),
                        await speaker.peer(address) != nil
                    else { return nil }
                    return PeerLookingGlass(speaker: speaker, address: address, localAS: localAS, rtcEnabled: rtc)
                }),
            .subitem("route_counts") {
                var local = 0
                var received = 0
                for f in Self.families {
                    for b in await speaker.bestPaths(family: f) {
                        if case .peer = b.source { received += 1 } else { local += 1 }
                    }
                }
                return [
                    "local_routes_count": .int(Int64(local)), "received_routes_count": .int(Int64(received)),
                ]
            },
        ]
    }

    static func json(_ b: BestPathEntry) -> JSONValue {
        var o = json(b.route)
        o["source"] = .string("\(b.source)")
        o["best_path_reason"] = .string(b.reason.rawValue)
        return .object(o)
    }

    static func json(_ r: RouteEntry) -> JSONObject {
        var o = JSONObject()
        o["afi-safi"] = .string("\(r.family)")
        o["nlri"] = .array(r.nlri.routeStrings.map { .string($0) })
        if let hop = r.nextHop { o["next_hop"] = .string("\(hop)") }
        var attributes = JSONObject()
        for a in r.attributes {
            switch a.value {
            case .mpReachNLRI, .mpUnreachNLRI: continue
            default: attributes[Self.attributeName(a)] = .string(Self.attributeText(a))
            }
        }
        o["attributes"] = .object(attributes)
        if r.isStale { o["stale"] = .bool(true) }
        return o
    }

    static func attributeName(_ a: PathAttribute) -> String {
        switch a.value {
        case .origin: "origin"
        case .asPath: "as-path"
        case .nextHop: "next-hop"
        case .multiExitDisc: "med"
        case .localPref: "local-preference"
        case .communities: "community"
        case .originatorID: "originator-id"
        case .clusterList: "cluster-list"
        case .extendedCommunities: "extended-community"
        case .pmsiTunnel: "pmsi-tunnel"
        default: "attribute-\(a.typeCode)"
        }
    }

    static func attributeText(_ a: PathAttribute) -> String {
        switch a.value {
        case .extendedCommunities(let list): list.map { "\($0.typed)" }.joined(separator: " ")
        case .localPref(let v): "\(v)"
        case .origin(let o): "\(o)"
        case .asPath(let p): "\(p)"
        case .multiExitDisc(let v): "\(v)"
        default: "\(a.value)"
        }
    }
}

extension NLRIList {
    fileprivate var routeStrings: [String] {
        RouteNLRI.routes(in: self)?.map(\.description) ?? []
    }
}

/// One peer: `bgp/peers/<address>`.
struct PeerLookingGlass: LookingGlassNode {
    let speaker: BGPSpeaker
    let address: IPAddress
    let localAS: UInt32
    let rtcEnabled: Bool

    func localInfo(prefix: String) async throws -> JSONObject {
        guard let s = await speaker.peer(address) else {
            throw LookingGlassNotFound(path: "\(address)", prefix: prefix)
        }
        let families = s.negotiated?.families ?? []
        var o = JSONObject()
        o["peeringAddresses"] = [
            "peer_address": .string("\(address)"), "local_address": .string(s.localEndpoint ?? ""),
        ]
        o["as_info"] = ["local": .int(Int64(localAS)), "peer": .int(Int64(s.peerAS))]
        o["rtc"] = [
            "active": .bool(families.contains(.routeTargetConstraint)), "enabled": .bool(rtcEnabled),
        ]
        o["active_families"] = .array(families.map { .string("\($0)") })
        var proto: JSONObject = ["state": .string("\(s.state)")]
        if let down = s.lastDownReason { proto["last_down_reason"] = .string("\(down)") }
        if let uptime = s.uptime { proto["uptime_seconds"] = .int(uptime.components.seconds) }
        if let hold = s.negotiated?.holdTime { proto["hold_time"] = .string("\(hold)") }
        o["protocol"] = .object(proto)
        o["name"] = .string("BGP-\(address)")
        var received = JSONObject()
        for (f, n) in s.prefixesReceived.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            received["\(f)"] = .int(Int64(n))
        }
        o["prefixes_received"] = .object(received)
        return o
    }

    func entries() async throws -> [LookingGlassEntry] {
        let (speaker, address) = (self.speaker, self.address)
        return [
            .subtree("adv_routes") { _ in
                .array(await speaker.adjRIBOut(peer: address).map { .object(BGPLookingGlass.json($0)) })
            },
            .subtree("received_routes") { _ in
                .array(await speaker.adjRIBIn(peer: address).map { .object(BGPLookingGlass.json($0)) })
            },
        ]
    }
}

/// `vpns`: the instances, the dataplane drivers, the label allocator.
public struct VPNLookingGlass: LookingGlassNode {
    let vpn: VPNService

    public init(vpn: VPNService) { self.vpn = vpn }

    public func entries() async throws -> [LookingGlassEntry] {
        let vpn = self.vpn
        return [
            .collection(
                "instances",
                list: {
                    await vpn.state.instances.values.sorted { $0.id < $1.id }.map { i in
                        var o: JSONObject = ["id": .string(i.externalID), "name": .string(i.name)]
                        if let d = i.description { o["description"] = .string(d) }
                        return o
                    }
                },
                item: { id in await vpn.state.instances[id].map { InstanceLookingGlass(vpn: vpn, instance: $0) } }),
            .subitem("dataplane") {
                let drivers = await vpn.driverSummaries()
                let labels = await vpn.state.labels.allocated
                var ids = JSONObject()
                for (label, owner) in labels.sorted(by: { $0.key < $1.key }) { ids["\(label)"] = .string(owner) }
                return ["drivers": .array(drivers.map { .object($0) }), "ids": .object(ids)]
            },
            .subitem("instances_per_vni") {
                let state = await vpn.state
                var o = JSONObject()
                for (vni, id) in state.instanceByLabel.sorted(by: { $0.key < $1.key }) {
                    o["\(vni)"] = [
                        "name": .string(state.instances[id]?.name ?? ""), "external_instance_id": .string(id),
                    ]
                }
                return .object(o)
            },
        ]
    }
}

/// One instance: `vpns/instances/<external id>`.
struct InstanceLookingGlass: LookingGlassNode {
    let vpn: VPNService
    let instance: VPNInstance

    func localInfo(prefix: String) async throws -> JSONObject {
        let i = instance
        var o = JSONObject()
        o["name"] = .string(i.name)
        o["instance_type"] = .string(i.type == .ipvpn ? "ipvpn" : "evpn")
        o["external_instance_id"] = .string(i.externalID)
        o["description"] = i.description.map { .string($0) } ?? .null
        o["gateway_ip"] = i.gatewayIP.map { .string("\($0)") } ?? .null
        o["subnet_prefix_length"] = i.prefixLength.map { .int(Int64($0)) } ?? .null
        o["instance_dataplane_id"] = .int(Int64(i.label))
        o["route_distinguisher"] = .string("\(i.routeDistinguisher)")
        o["route_targets"] = [
            "import": .array(i.importRouteTargets.map { .string("\($0)") }),
            "export": .array(i.exportRouteTargets.map { .string("\($0)") }),
        ]
        if let r = i.readvertise {
            o["readvertise"] = [
                "from": .array(r.from.map { .string("\($0)") }), "to": .array(r.to.map { .string("\($0)") }),
            ]
        }
        if let a = i.attractTraffic {
            o["attract_traffic"] = [
                "redirect_rts": .array(a.redirectRouteTargets.map { .string("\($0)") }),
                "to": a.to.map { .string("\($0)") } ?? .null,
                "static_destination_prefixes": .array(a.staticDestinationPrefixes.map { .string("\($0)") }),
            ]
        }
        if let gw = i.gatewayPort {
            o["gateway_port"] = [
                "interface": .string(gw.interface), "ipvpn": ["external_instance_id": .string(gw.instance)],
            ]
        }
        return o
    }

    func entries() async throws -> [LookingGlassEntry] {
        let (vpn, i) = (self.vpn, self.instance)
        return [
            .subtree("ports") { _ in
                var ports = JSONObject()
                let byPort = Dictionary(grouping: i.endpoints.values, by: \.port.linuxInterface)
                for (port, endpoints) in byPort.sorted(by: { $0.key < $1.key }) {
                    ports[port] = [
                        "endpoints": .array(
                            endpoints.sorted { $0.key < $1.key }.map { e in
                                [
                                    "label": .int(Int64(e.label)), "mac_address": .string("\(e.key.mac)"),
                                    "ip_address": e.ip.map { .string("\($0)") } ?? .null,
                                    "local_pref": e.localPreference.map { .int(Int64($0)) } ?? .null,
                                    "rd": e.routeDistinguisher.map { .string("\($0)") } ?? .null,
                                    "description": e.description.map { .string($0) } ?? .null,
                                    "direction": .string(e.direction.rawValue),
                                ]
                            })
                    ]
                }
                return .object(ports)
            },
            .subtree("dataplane") { _ in
                var o = JSONObject()
                for (k, v) in await vpn.dataplaneState(of: i.dataplane).sorted(by: { $0.key < $1.key }) {
                    o[k] = .string(v)
                }
                return .object(o)
            },
            .subtree("best_routes") { _ in
                var o = JSONObject()
                for (entry, endpoints) in i.installed.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                    o["\(entry)"] = .array(
                        endpoints.map { e in
                            [
                                "next_hop": .string("\(e.nextHop)"), "label": .int(Int64(e.label)),
                                "encapsulations": .array(e.encapsulations.map { .string("\($0)") }),
                            ]
                        })
                }
                for (key, e) in i.flood.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                    o["\(key)"] = ["flood_to": .string("\(e.nextHop)"), "label": .int(Int64(e.label))]
                }
                return .object(o)
            },
            .subtree("received_routes") { _ in
                // Every route received per tracked entry, whatever its RD (the election's candidates).
                var o = JSONObject()
                for (entry, endpoints) in i.receivedRoutes.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                    o["\(entry)"] = .array(
                        endpoints.map { e in
                            ["next_hop": .string("\(e.nextHop)"), "label": .int(Int64(e.label))]
                        })
                }
                return .object(o)
            },
            .subtree("readvertised") { _ in
                .array(i.readvertised.keys.map { .string("\($0)") }.sorted { "\($0)" < "\($1)" })
            },
        ]
    }
}

extension VPNService {
    /// `vpns/dataplane/drivers`: what each driver says of itself.
    public func driverSummaries() -> [JSONObject] {
        drivers.sorted { $0.key.rawValue > $1.key.rawValue }.map { type, driver in
            [
                "id": .string(type.rawValue), "name": .string(driver.name),
                "local_address": .string("\(driver.localAddress)"),
                "supported_encaps": .array(driver.supportedEncapsulations.map { .string("\($0)") }),
                "ecmp_support": .bool(driver.supportsECMP),
            ]
        }
    }
}

import Foundation

/// What compute-node agents consume: the desired state of the ports bound to a host, and a resumable change
/// stream. The revision returned with a snapshot is read in the same transaction, and writes are serialised, so
/// an agent that resumes from its last revision misses no change.
extension NeutronService {
    public struct HostState: Sendable {
        public var revision: Int64
        public var ports: [JSON]
    }

    public func hostState(_ host: String, _ caller: Caller) async throws -> HostState {
        guard caller.isAdmin else { throw NeutronError.policy("rule:get_host_state") }
        let pool = config.routeTargets
        return try await read { repo in
            let revision = try await repo.latestRevision()
            var out: [JSON] = []
            for port in try await repo.list(.ports, [("host_id", .text(host))]) {
                out.append(.object(try await Self.portState(repo, port, pool: pool)))
            }
            return HostState(revision: revision, ports: out)
        }
    }

    static func union(_ lists: [[String]]) -> [String] {
        var seen = Set<String>()
        return lists.flatMap { $0 }.filter { seen.insert($0).inserted }
    }

    static func importTargets(_ vpn: JSONObject) -> [String] {
        union([vpn.strings("route_targets"), vpn.strings("import_targets")])
    }
    static func exportTargets(_ vpn: JSONObject) -> [String] {
        union([vpn.strings("route_targets"), vpn.strings("export_targets")])
    }

    /// One port: its network's own route target (route_target type driver) and the bagpipe-bgp attachments that
    /// its BGPVPN associations imply (bgpvpn-api.md §5.2, §5.3).
    static func portState(_ repo: Repository, _ port: JSONObject, pool: RouteTargetPool) async throws -> JSONObject {
        let portID = port.string("id")!
        let networkID = port.string("network_id")!
        let net = try await repo.get(.networks, networkID)
        let subnets = try await repo.list(.subnets, [("network_id", .text(networkID))])
        let netPorts = try await repo.list(.ports, [("network_id", .text(networkID))])
        var subnetStates: [JSON] = []
        for s in subnets {
            let gw = s.string("gateway_ip")
            let gwPort = netPorts.first { p in
                (p.array("fixed_ips") ?? []).contains {
                    $0["ip_address"]?.stringValue == gw && $0["subnet_id"] == s["id"]
                }
            }
            subnetStates.append([
                "id": s["id"]!, "cidr": s["cidr"]!, "ip_version": s["ip_version"]!,
                "gateway_ip": s["gateway_ip"] ?? .null,
                "gateway_mac": gwPort?["mac_address"] ?? .null,
            ])
        }
        let fixedIPs = port.array("fixed_ips") ?? []
        let ipv4 = fixedIPs.compactMap { $0["ip_address"]?.stringValue }.first { !$0.contains(":") }
        let gatewayIP = subnets.first { $0.int("ip_version") == 4 }?.string("gateway_ip")
        let nn = net?.int("provider:segmentation_id")

        // Associations reaching this port: its network's, its network's routers', its own.
        var networkLevel: [(assoc: JSONObject, vpn: JSONObject)] = []
        for a in try await repo.list(.networkAssociations, [("network_id", .text(networkID))]) {
            if let v = try await repo.get(.bgpvpns, a.string("bgpvpn_id")!) { networkLevel.append((a, v)) }
        }
        let routerIDs = Set(
            netPorts.filter { $0.string("device_owner") == routerInterfaceOwner }.compactMap { $0.string("device_id") })
        for r in routerIDs.sorted() {
            for a in try await repo.list(.routerAssociations, [("router_id", .text(r))]) {
                if let v = try await repo.get(.bgpvpns, a.string("bgpvpn_id")!) { networkLevel.append((a, v)) }
            }
        }
        var portLevel: [(assoc: JSONObject, vpn: JSONObject)] = []
        for a in try await repo.list(.portAssociations, [("port_id", .text(portID))]) {
            if let v = try await repo.get(.bgpvpns, a.string("bgpvpn_id")!) { portLevel.append((a, v)) }
        }

        var attachments: [JSON] = []
        let plugged = port.bool("admin_state_up") != false && !(port.string("device_owner") ?? "").hasPrefix("network:")
        // EVPN before IPVPN (§5.3).
        for (bgpvpnType, vpnType) in [("l2", "evpn"), ("l3", "ipvpn")] where plugged {
            let nl = networkLevel.filter { $0.vpn.string("type") == bgpvpnType }
            let pl = portLevel.filter { $0.vpn.string("type") == bgpvpnType }
            if nl.isEmpty && pl.isEmpty { continue }
            let all = nl + pl
            let base = JSONObject([
                ("vpn_type", .string(vpnType)), ("mac_address", port["mac_address"]!),
                ("gateway_ip", .optional(gatewayIP)), ("description", ["port": .string(portID)]),
            ])
            func prefs(_ vpns: [JSONObject]) -> JSON {
                vpns.compactMap { $0.int("local_pref") }.max().map { .int($0) } ?? .null
            }
            if !nl.isEmpty || pl.contains(where: { $0.assoc.bool("advertise_fixed_ips") != false }) {
                var a = base
                a["vpn_instance_id"] = .string("\(vpnType)_\(networkID)")
                a["ip_address"] = .optional(ipv4)
                a["import_rt"] = .strings(union(all.map { importTargets($0.vpn) }))
                a["export_rt"] = .strings(union(all.map { exportTargets($0.vpn) }))
                a["local_pref"] = prefs(all.map(\.vpn))
                a["bgpvpns"] = .strings(union([all.map { $0.vpn.string("id")! }]))
                if vpnType == "evpn" {
                    a["vni"] =
                        all.compactMap { $0.vpn["vni"]?.intValue }.first.map { .int($0) } ?? nn.map { .int($0) }
                        ?? .null
                }
                attachments.append(.object(a))
            }
            for (assoc, vpn) in pl {
                let assocID = assoc.string("id")!
                for route in assoc.array("routes") ?? [] {
                    var a = base
                    a["direction"] = "to-port"
                    a["import_rt"] = .strings(importTargets(vpn))
                    a["export_rt"] = .strings(exportTargets(vpn))
                    a["local_pref"] = route["local_pref"].flatMap { $0.isNull ? nil : $0 } ?? vpn["local_pref"] ?? .null
                    if let prefix = route["prefix"]?.stringValue {
                        let tag = prefix.map { ".:/".contains($0) ? "_" : String($0) }.joined()
                        a["vpn_instance_id"] = .string("\(vpnType)_portassoc_\(assocID)_prefix_\(tag)")
                        a["ip_address"] = .string(prefix)
                        a["advertise_subnet"] = true
                    } else if let leaked = route["bgpvpn_id"]?.stringValue {
                        a["vpn_instance_id"] = .string("\(vpnType)_portassoc_\(assocID)_bgpvpn_\(leaked)")
                        a["ip_address"] = .optional(ipv4)
                        let from = try await repo.get(.bgpvpns, leaked)
                        a["readvertise"] = [
                            "from_rt": .strings(from.map(importTargets) ?? []), "to_rt": .strings(exportTargets(vpn)),
                        ]
                    }
                    attachments.append(.object(a))
                }
            }
        }
        return JSONObject([
            ("id", .string(portID)), ("network_id", .string(networkID)), ("mac_address", port["mac_address"]!),
            ("fixed_ips", .array(fixedIPs)), ("admin_state_up", port["admin_state_up"] ?? true),
            ("device_owner", port["device_owner"] ?? ""), ("device_id", port["device_id"] ?? ""),
            ("status", port["status"] ?? "DOWN"),
            (
                "network",
                [
                    "id": .string(networkID), "network_type": .string(NetworkType.routeTarget),
                    "segmentation_id": nn.map { .int($0) } ?? .null,
                    "route_target": nn.map { .string(pool.routeTarget(Int($0))) } ?? .null,
                ]
            ),
            ("subnets", .array(subnetStates)), ("attachments", .array(attachments)),
        ])
    }

    public struct ChangeBatch: Sendable {
        /// Resume from here next time.
        public var revision: Int64
        public var changes: [Change]
    }

    /// Long-poll: changes after `since` that concern `host`, waiting up to `timeout` for one. A cursor ahead of the
    /// database (it was reset) answers 410 so the agent takes a fresh snapshot.
    public func changes(
        since: Int64, host: String?, timeout: Duration, _ caller: Caller, limit: Int = 1000
    ) async throws
        -> ChangeBatch
    {
        guard caller.isAdmin else { throw NeutronError.policy("rule:get_changes") }
        let deadline = ContinuousClock.now + timeout
        var cursor = since
        // Another server process may write to a shared PostgreSQL database: re-read at least every second.
        let pollCap: Duration = store.dialect == .postgres ? .seconds(1) : .seconds(30)
        while true {
            let generation = await feed.currentGeneration
            let start = cursor
            let (latest, batch) = try await read { repo in
                (try await repo.latestRevision(), try await repo.changes(after: start, host: host, limit: limit))
            }
            if since > latest {
                throw NeutronError(
                    status: 410, type: "ChangeFeedResyncRequired",
                    message: "Revision \(since) is ahead of the server (\(latest)); fetch the host state again.")
            }
            if !batch.isEmpty {
                return ChangeBatch(revision: batch.count == limit ? batch.last!.revision : latest, changes: batch)
            }
            cursor = latest
            let now = ContinuousClock.now
            if now >= deadline { return ChangeBatch(revision: cursor, changes: []) }
            await feed.wait(after: generation, timeout: min(deadline - now, pollCap))
        }
    }
}

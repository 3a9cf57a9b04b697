import Foundation

/// The address families the lab's daemons are configured and inspected for.
enum LabFamily: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case ipv4
    case vpnv4
    case evpn
    case rtc
    case flowspec
    case vpnFlowspec

    var description: String { rawValue }
}

/// A route in a simple, daemon-independent form, so that what one side announced can be compared with what the
/// other side shows. `key` identifies the NLRI (see the factory functions for its format); the other fields are
/// compared only when the expected route sets them (`matches`).
struct LabRoute: Hashable, Sendable, Comparable, CustomStringConvertible {
    var family: LabFamily
    /// The NLRI in canonical text, e.g. "64512:10 192.168.10.0/24" (VPN-IPv4) or "2 10.0.0.1:5 0 52:54:00:00:01:01
    /// 192.168.1.1" (EVPN type 2).
    var key: String
    var nextHop: String?
    /// VPN-IPv4: the MPLS label (20 bits). EVPN: the label field as the daemon shows it (the VNI for VXLAN).
    var label: UInt32?
    /// "asn:value" or "a.b.c.d:value".
    var routeTargets: Set<String>?
    /// EVPN router's MAC extended community (lower-case).
    var routerMAC: String?
    /// EVPN type 3: the PMSI tunnel's label (the VNI for ingress replication) and endpoint.
    var pmsi: String?
    /// The AS_PATH as the peer shows it ("" when empty), when known.
    var asPath: String?
    /// The receiving side marks it stale (graceful restart), when known.
    var stale: Bool?
    /// ORIGINATOR_ID (RFC 4456), as the receiving side shows it.
    var originatorID: String?
    /// CLUSTER_LIST (RFC 4456), first cluster first ([] when absent), when known.
    var clusterList: [String]?

    var description: String {
        var text = "\(family) \(key)"
        if let nextHop { text += " nh \(nextHop)" }
        if let label { text += " label \(label)" }
        if let routeTargets { text += " rt [\(routeTargets.sorted().joined(separator: " "))]" }
        if let routerMAC { text += " rmac \(routerMAC)" }
        if let pmsi { text += " pmsi \(pmsi)" }
        if let asPath { text += " aspath [\(asPath)]" }
        if stale == true { text += " stale" }
        if let originatorID { text += " originator \(originatorID)" }
        if let clusterList, !clusterList.isEmpty { text += " clusters [\(clusterList.joined(separator: " "))]" }
        return text
    }

    static func < (lhs: LabRoute, rhs: LabRoute) -> Bool { lhs.description < rhs.description }

    /// Same family and NLRI, and every optional field that `expected` sets is equal.
    func matches(_ expected: LabRoute) -> Bool {
        guard family == expected.family, key == expected.key else { return false }
        if let value = expected.nextHop, value != nextHop { return false }
        if let value = expected.label, value != label { return false }
        if let value = expected.routeTargets, value != routeTargets { return false }
        if let value = expected.routerMAC, value != routerMAC { return false }
        if let value = expected.pmsi, value != pmsi { return false }
        if let value = expected.asPath, value != asPath { return false }
        if let value = expected.stale, value != stale { return false }
        if let value = expected.originatorID, value != originatorID { return false }
        if let value = expected.clusterList, value != clusterList { return false }
        return true
    }

    // MARK: - Factories (these define the key formats every driver produces)

    /// An IPv4 unicast route: key "192.168.1.0/24".
    static func ipv4(_ prefix: String, nextHop: String? = nil) -> LabRoute {
        LabRoute(family: .ipv4, key: prefix, nextHop: nextHop)
    }

    /// A VPN-IPv4 route: key "<rd> <prefix>".
    static func vpnv4(
        rd: String, prefix: String, label: UInt32? = nil, nextHop: String? = nil, routeTargets: Set<String>? = nil
    ) -> LabRoute {
        LabRoute(family: .vpnv4, key: "\(rd) \(prefix)", nextHop: nextHop, label: label, routeTargets: routeTargets)
    }

    /// EVPN type 2: key "2 <rd> <etag> <mac> <ip or ->".
    static func evpnMAC(
        rd: String, mac: String, ip: String? = nil, ethernetTag: UInt32 = 0, label: UInt32? = nil,
        nextHop: String? = nil, routeTargets: Set<String>? = nil
    ) -> LabRoute {
        LabRoute(
            family: .evpn, key: "2 \(rd) \(ethernetTag) \(mac.lowercased()) \(ip ?? "-")", nextHop: nextHop,
            label: label, routeTargets: routeTargets)
    }

    /// EVPN type 3: key "3 <rd> <etag> <originating ip>"; `pmsi` is "<label> <endpoint>" for ingress replication.
    static func evpnMulticast(
        rd: String, originator: String, ethernetTag: UInt32 = 0, pmsi: String? = nil, nextHop: String? = nil,
        routeTargets: Set<String>? = nil
    ) -> LabRoute {
        LabRoute(
            family: .evpn, key: "3 \(rd) \(ethernetTag) \(originator)", nextHop: nextHop, routeTargets: routeTargets,
            pmsi: pmsi)
    }

    /// EVPN type 5: key "5 <rd> <etag> <prefix> <gateway>".
    static func evpnPrefix(
        rd: String, prefix: String, gateway: String = "0.0.0.0", ethernetTag: UInt32 = 0, label: UInt32? = nil,
        routerMAC: String? = nil, nextHop: String? = nil, routeTargets: Set<String>? = nil
    ) -> LabRoute {
        LabRoute(
            family: .evpn, key: "5 \(rd) \(ethernetTag) \(prefix) \(gateway)", nextHop: nextHop, label: label,
            routeTargets: routeTargets, routerMAC: routerMAC?.lowercased())
    }

    /// RT constraint: key "<origin AS> <route target>", or "default".
    static func rtc(originAS: UInt32, routeTarget: String, nextHop: String? = nil) -> LabRoute {
        LabRoute(family: .rtc, key: "\(originAS) \(routeTarget)", nextHop: nextHop)
    }

    /// IPv4 flowspec matching only a destination (and optionally a source) prefix: key "dst <p>[ src <p>]".
    static func flowspec(destination: String, source: String? = nil, routeTargets: Set<String>? = nil) -> LabRoute {
        LabRoute(family: .flowspec, key: flowKey(destination: destination, source: source), routeTargets: routeTargets)
    }

    /// VPN flowspec: key "<rd> dst <p>[ src <p>]".
    static func vpnFlowspec(
        rd: String, destination: String, source: String? = nil, routeTargets: Set<String>? = nil
    )
        -> LabRoute
    {
        LabRoute(
            family: .vpnFlowspec, key: "\(rd) " + flowKey(destination: destination, source: source),
            routeTargets: routeTargets)
    }

    static func flowKey(destination: String?, source: String?) -> String {
        var parts: [String] = []
        if let destination { parts.append("dst \(destination)") }
        if let source { parts.append("src \(source)") }
        return parts.joined(separator: " ")
    }

    // MARK: - Reading the key back (for drivers that announce)

    /// The key split at spaces.
    var keyFields: [String] { key.split(separator: " ").map(String.init) }
}

extension Collection<LabRoute> {
    /// Whether some route matches `expected`.
    func containsMatch(_ expected: LabRoute) -> Bool { contains { $0.matches(expected) } }

    /// The routes of `family`.
    func of(_ family: LabFamily) -> [LabRoute] { filter { $0.family == family } }
}

/// Loosely typed JSON (what the daemons print), read with `JSONSerialization`.
enum JSON {
    static func parse(_ text: String) throws -> Any {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "null" { return [String: Any]() }
        guard let data = trimmed.data(using: .utf8) else { throw LabError.parse("not UTF-8") }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw LabError.parse("JSON: \(error): \(trimmed.prefix(300))")
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? {
        switch self[key] {
        case let value as String: value
        case let value as NSNumber: value.stringValue
        default: nil
        }
    }

    func int(_ key: String) -> Int? {
        switch self[key] {
        case let value as NSNumber: value.intValue
        case let value as String: Int(value)
        default: nil
        }
    }

    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func array(_ key: String) -> [Any]? { self[key] as? [Any] }
    func objects(_ key: String) -> [[String: Any]] { (self[key] as? [Any])?.compactMap { $0 as? [String: Any] } ?? [] }
}

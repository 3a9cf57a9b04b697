/// What identifies one attachment on bagpipe-bgp: the fields of a detach body (bagpipe-bgp.md §6.3). Two attach
/// bodies with the same key are the same endpoint; the second one updates it.
public struct AttachmentKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var vpnInstanceID: String
    public var macAddress: String
    /// Empty when the attachment has no IP (an E-VPN MAC-only endpoint).
    public var ipAddress: String
    /// `local_port.linuxif`, or `evpn:<instance>` for a VRF plugged into an E-VPN instance.
    public var localPort: String

    public init(vpnInstanceID: String, macAddress: String, ipAddress: String, localPort: String) {
        self.vpnInstanceID = vpnInstanceID
        self.macAddress = macAddress
        self.ipAddress = ipAddress
        self.localPort = localPort
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.vpnInstanceID, a.macAddress, a.ipAddress, a.localPort)
            < (b.vpnInstanceID, b.macAddress, b.ipAddress, b.localPort)
    }

    public var description: String {
        "\(vpnInstanceID) \(macAddress)" + (ipAddress.isEmpty ? "" : " \(ipAddress)") + " on \(localPort)"
    }
}

/// One `attach_localport` body (bagpipe-bgp.md §6.2) as the agent wants it or as it was accepted.
public struct LocalAttachment: Hashable, Sendable {
    public enum VPNType: String, Sendable, Comparable {
        case evpn
        case ipvpn

        /// E-VPN is attached before IP VPN and detached after it (bagpipe-bgp.md §8.2).
        public static func < (a: Self, b: Self) -> Bool { a == .evpn && b == .ipvpn }
    }

    public let key: AttachmentKey
    public let vpnType: VPNType
    /// The whole attach body, `local_port` included.
    public private(set) var body: [String: JSON]

    /// The fields bagpipe-bgp applies again when the same endpoint is re-attached. A change in any other field
    /// (gateway, readvertise, vni, direction...) is only taken at instance or endpoint creation, so it needs a
    /// detach first.
    static let updatableFields: Set<String> = [
        "import_rt", "export_rt", "local_pref", "description", "instance_description",
    ]

    public enum BodyError: Error, Equatable, CustomStringConvertible {
        case missing(String)
        case badVPNType(String)

        public var description: String {
            switch self {
            case .missing(let k): "attachment has no '\(k)'"
            case .badVPNType(let t): "attachment has an unknown vpn_type '\(t)'"
            }
        }
    }

    /// Checks the fields that make the key; bagpipe-bgp validates the rest.
    public init(body: [String: JSON]) throws(BodyError) {
        guard let t = body["vpn_type"]?.stringValue else { throw .missing("vpn_type") }
        guard let type = VPNType(rawValue: t) else { throw .badVPNType(t) }
        guard let instance = body["vpn_instance_id"]?.stringValue else { throw .missing("vpn_instance_id") }
        guard let mac = body["mac_address"]?.stringValue else { throw .missing("mac_address") }
        // `local_port` is a Linux interface, or an E-VPN instance the VRF is plugged into (bagpipe-bgp.md §4.5).
        let port: String
        if let linuxif = body["local_port"]?["linuxif"]?.stringValue {
            port = linuxif
        } else if let evi = body["local_port"]?["evpn"]?["id"]?.stringValue {
            port = "evpn:" + evi
        } else {
            throw .missing("local_port.linuxif")
        }
        vpnType = type
        key = AttachmentKey(
            vpnInstanceID: instance, macAddress: mac.lowercased(), ipAddress: body["ip_address"]?.stringValue ?? "",
            localPort: port)
        self.body = body
    }

    public var importRT: [String] { body["import_rt"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    public var exportRT: [String] { body["export_rt"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    mutating func setRouteTargets(import imports: [String], export exports: [String]) {
        body["import_rt"] = .array(imports.map(JSON.string))
        body["export_rt"] = .array(exports.map(JSON.string))
    }

    /// Another service's attachment for the same endpoint: its fields win (a BGPVPN's `vni` over the network's
    /// segmentation id, bgpvpn-api.md §5.3), route targets are the union.
    mutating func merge(_ other: LocalAttachment) {
        let imports = union([importRT, other.importRT])
        let exports = union([exportRT, other.exportRT])
        body.merge(other.body) { $1 }
        setRouteTargets(import: imports, export: exports)
    }

    /// True when re-attaching `self` over `old` is enough to update bagpipe-bgp.
    func isUpdate(of old: LocalAttachment) -> Bool {
        let keys = Set(body.keys).union(old.body.keys).subtracting(Self.updatableFields)
        return keys.allSatisfy { body[$0] == old.body[$0] }
    }

    public var attachBody: JSON { .object(body) }

    /// The `detach_localport` body (bagpipe-bgp.md §6.3).
    public var detachBody: JSON {
        var d: [String: JSON] = [
            "vpn_instance_id": .string(key.vpnInstanceID), "vpn_type": .string(vpnType.rawValue),
            "mac_address": body["mac_address"] ?? .string(key.macAddress),
            "local_port": body["local_port"] ?? .null,
        ]
        if let ip = body["ip_address"] { d["ip_address"] = ip }
        return .object(d)
    }
}

/// Order-preserving union (the original used Python sets; a stable order keeps bodies comparable).
func union(_ lists: [[String]]) -> [String] {
    var seen = Set<String>()
    return lists.flatMap { $0 }.filter { seen.insert($0).inserted }
}

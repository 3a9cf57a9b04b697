import BGPWire

/// A usage error of `bagpipe-rest-attach` (exit status 2, like optparse's `parser.error`).
public struct RestAttachUsageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The options of `bagpipe-rest-attach` (§7.3) and the JSON body they produce, in the original's member order.
/// The netns and OVS side effects are the executable's; this is the pure part.
public struct RestAttachOptions: Sendable {
    public enum Operation: String, Sendable { case attach, detach }

    public static let defaultVPNInstanceID = "bagpipe-test"

    public var operation: Operation
    public var networkType: VPNType
    public var vpnInstanceID = RestAttachOptions.defaultVPNInstanceID
    public var port: String
    public var direction: Direction = .both
    public var routeTargets: [String] = []
    public var importOnlyRTs: [String] = []
    public var exportOnlyRTs: [String] = []
    public var ip: String
    public var gatewayIP: String?
    public var mac: String?
    public var advertiseSubnet = false
    public var ovsPreplug = false
    public var ovsBridge = "br-int"
    public var ovsVLAN: Int?
    public var netns: String?
    public var if2vpn = "tovpn"
    public var readvFromRTs: [String] = []
    public var readvToRTs: [String] = []
    public var redirectRTs: [String] = []
    /// Classifier options in the order given (`sourcePrefix`, `destinationPrefix`, `sourcePort`,
    /// `destinationPort`, `protocol`); a repeated option keeps its first position and its last value.
    public var classifier: [(key: String, value: String)] = []
    public var attractToRTs: [String] = []
    public var staticDestinationPrefixes: [String] = []
    public var lbConsistentHashOrder = 0
    public var vni = 0
    public var localPref: Int?

    public init(operation: Operation, networkType: VPNType, port: String, ip: String) {
        self.operation = operation
        self.networkType = networkType
        self.port = port
        self.ip = ip
    }

    public mutating func setClassifier(_ key: String, _ value: String) {
        if let i = classifier.firstIndex(where: { $0.key == key }) {
            classifier[i].value = value
        } else {
            classifier.append((key, value))
        }
    }

    /// `--port netns[:if]`: a namespace holding one end of a veth pair.
    public struct Netns: Hashable, Sendable {
        public var name: String
        /// The host end, which is the attached port: `if` or `ns-<name>` cut to 15 characters.
        public var hostInterface: String
        /// The end inside the namespace (`--if2vpn`).
        public var innerInterface: String
    }

    /// The options after the original's defaulting steps: RTs, `/24`, gateway, instance id, netns names.
    public struct Resolved: Hashable, Sendable {
        public var importRTs: [String]
        public var exportRTs: [String]
        public var ip: String
        public var gatewayIP: String
        public var vpnInstanceID: String
        /// For `--port netns[:if]`.
        public var netns: Netns?
        /// The local port name once netns is resolved.
        public var port: String
        /// Printed by the original when it chose the gateway.
        public var gatewayNotice: String?
    }

    public func resolve() throws(RestAttachUsageError) -> Resolved {
        var rts = routeTargets
        if rts.isEmpty && importOnlyRTs.isEmpty && exportOnlyRTs.isEmpty {
            rts = [networkType == .ipvpn ? "64512:512" : "64512:513"]
        }
        var ip = self.ip
        if !(ip.split(separator: "/", omittingEmptySubsequences: false).last.map {
            ip.contains("/") && !$0.isEmpty && $0.allSatisfy(\.isNumber)
        } ?? false) {
            ip += "/24"
        }
        guard let endpoint = EndpointAddress(ip) else { throw RestAttachUsageError("invalid --ip: \(self.ip)") }
        var notice: String?
        let gateway: String
        if let g = gatewayIP {
            gateway = g
        } else {
            gateway = try Self.defaultGateway(endpoint)
            notice = "using \(gateway) as gateway address"
        }
        let vpnID =
            vpnInstanceID == Self.defaultVPNInstanceID ? "\(networkType.rawValue)-\(vpnInstanceID)" : vpnInstanceID
        var r = Resolved(
            importRTs: rts + importOnlyRTs, exportRTs: rts + exportOnlyRTs, ip: ip, gatewayIP: gateway,
            vpnInstanceID: vpnID, port: port, gatewayNotice: notice)
        if port.hasPrefix("netns") {
            let ns = netns ?? vpnID
            let parts = port.split(separator: ":", omittingEmptySubsequences: false)
            // Linux interface names are at most 15 characters.
            let hostIf = parts.count == 2 ? String(parts[1]) : String(("ns-" + ns).prefix(15))
            r.netns = Netns(name: ns, hostInterface: hostIf, innerInterface: if2vpn)
            r.port = hostIf
        }
        return r
    }

    /// The last usable address of the subnet (the original's `net[-2]`), the other address of a /31; a /32 has
    /// none (the original failed with an IndexError) and IPv6 is not guessed.
    static func defaultGateway(_ e: EndpointAddress) throws(RestAttachUsageError) -> String {
        guard case .v4(let a) = e.address else {
            throw RestAttachUsageError("Need to specify --gateway-ip for an IPv6 address")
        }
        switch e.length {
        case 32: throw RestAttachUsageError("Need to specify --gateway-ip for a /32 address")
        case 31: return IPv4Address(a.value ^ 1).description
        default:
            let hostMask = UInt32.max >> UInt32(e.length)
            return IPv4Address((a.value | hostMask) - 1).description
        }
    }

    /// The body, members in the original's order. `mac` is the MAC found for a netns port, if any; `ovs` the
    /// `local_port.ovs` object after an OVS pre-plug.
    public func body(
        _ r: Resolved, mac: String? = nil, ovs: JSONObject? = nil
    ) throws(RestAttachUsageError)
        -> JSONObject
    {
        var localPort = JSONObject()
        if r.port.hasPrefix("evpn:") {
            guard networkType == .ipvpn else { throw RestAttachUsageError("Can only plug an evpn into an ipvpn") }
            localPort["evpn"] = ["id": .string(String(r.port.dropFirst(5)))]
        } else {
            localPort["linuxif"] = .string(r.port)
            if networkType == .ipvpn, let ovs { localPort["ovs"] = .object(ovs) }
        }
        guard let mac = self.mac ?? mac ?? (networkType == .ipvpn ? "52:54:00:99:99:22" : nil) else {
            throw RestAttachUsageError("Need to specify --mac for an EVPN network attachment if port is not 'netns'")
        }
        var readvertise = JSONValue.null
        if !readvToRTs.isEmpty {
            readvertise = [
                "from_rt": .array(readvFromRTs.map { .string($0) }), "to_rt": .array(readvToRTs.map { .string($0) }),
            ]
        }
        var attract = JSONObject()
        if !redirectRTs.isEmpty {
            guard !classifier.isEmpty else {
                throw RestAttachUsageError("Need to specify --redirect-rts and at least one traffic classifier option")
            }
            attract["redirect_rts"] = .array(redirectRTs.map { .string($0) })
            attract["classifier"] = .object(JSONObject(classifier.map { ($0.key, JSONValue.string($0.value)) }))
            if !attractToRTs.isEmpty {
                guard !staticDestinationPrefixes.isEmpty else {
                    throw RestAttachUsageError(
                        "Need to specify --attract-to-rt and at least one static destination prefix option")
                }
                // The original sent this as "to", which the server never reads (§11.3 item 12).
                attract["to_rt"] = .array(attractToRTs.map { .string($0) })
                attract["static_destination_prefixes"] = .array(staticDestinationPrefixes.map { .string($0) })
            }
        } else if !attractToRTs.isEmpty {
            throw RestAttachUsageError("--attract-to-rt needs --redirect-rts and a traffic classifier option")
        }
        var data: JSONObject = [
            "import_rt": .array(r.importRTs.map { .string($0) }),
            "export_rt": .array(r.exportRTs.map { .string($0) }),
            "local_port": .object(localPort),
            "vpn_instance_id": .string(r.vpnInstanceID),
            "vpn_type": .string(networkType.rawValue),
            "gateway_ip": .string(r.gatewayIP),
            "mac_address": .string(mac),
            "ip_address": .string(r.ip),
            "advertise_subnet": .bool(advertiseSubnet),
            "readvertise": readvertise,
            "attract_traffic": .object(attract),
            "lb_consistent_hash_order": .int(Int64(lbConsistentHashOrder)),
            "vni": .int(Int64(vni)),
        ]
        // The original dropped --local-pref 0 (`if options.local_pref:`).
        if let localPref { data["local_pref"] = .int(Int64(localPref)) }
        data["direction"] = .string(direction.rawValue)
        return data
    }
}

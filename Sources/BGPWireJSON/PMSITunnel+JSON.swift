import BGPWire

extension PMSITunnel {
    /// `{"flags": 0, "leafInformationRequired": false, "tunnelType": 6, "tunnelTypeName": "ingress-replication",
    /// "label": {"raw": ...}, "tunnelEndpoint": "10.0.0.1"}`; types other than ingress replication give
    /// `"tunnelIdentifier": hex` instead of the endpoint.
    public var json: JSON {
        var m: [(String, JSON)] = [
            ("flags", JSON(flags)), ("leafInformationRequired", .bool(leafInformationRequired)),
            ("tunnelType", JSON(tunnelType.rawValue)),
        ]
        if let name = tunnelType.name { m.append(("tunnelTypeName", .string(name))) }
        m.append(("label", label.labelJSON))
        if let endpoint = tunnelEndpoint {
            m.append(("tunnelEndpoint", .string(endpoint.description)))
        } else {
            m.append(("tunnelIdentifier", .string(Hex.encode(tunnelIdentifier))))
        }
        return .object(m)
    }

    /// Reads the form ``json`` writes. `flags` wins over `leafInformationRequired`; `tunnelType` over
    /// `tunnelTypeName`; `tunnelIdentifier` (hex) over `tunnelEndpoint`, which is only for ingress replication.
    /// Without either, the identifier is empty (fine for type 0, "no tunnel information").
    public init(json: JSON, path: String) throws(JSONError) {
        let o = try JSONReader(json, path: path)
        let leaf = try o.bool("leafInformationRequired")
        let flags: UInt8 = try o.optionalInteger("flags") ?? (leaf ? PMSITunnel.leafInformationRequiredFlag : 0)
        let type: TunnelType
        if let n: UInt8 = try o.optionalInteger("tunnelType") {
            type = TunnelType(n)
        } else {
            type = try o.parsed("tunnelTypeName", "a PMSI tunnel type name or number") { TunnelType($0) }
        }
        let label = try LabelField(labelJSON: try o.value("label"), path: o.childPath("label"))
        let identifier: [UInt8]
        if o.optional("tunnelIdentifier") != nil {
            identifier = try o.hex("tunnelIdentifier")
        } else if o.optional("tunnelEndpoint") != nil {
            guard type == .ingressReplication else {
                throw JSONError(
                    o.childPath("tunnelEndpoint"),
                    "only for ingress-replication (6); give tunnelIdentifier for tunnel type \(type)")
            }
            let endpoint = try o.parsed("tunnelEndpoint", "an IP address") { IPAddress($0) }
            identifier = PMSITunnel.ingressReplication(endpoint: endpoint, label: label).tunnelIdentifier
        } else if type == .ingressReplication {
            throw JSONError(o.childPath("tunnelEndpoint"), "missing (or give tunnelIdentifier)")
        } else {
            identifier = []
        }
        self.init(flags: flags, tunnelType: type, label: label, tunnelIdentifier: identifier)
    }
}

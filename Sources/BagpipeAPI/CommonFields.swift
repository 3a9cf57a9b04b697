import BGPWire

/// The members both request kinds start with (`VPNInstance.validate_convert_params`, §6.2 steps 1-7).
struct CommonFields {
    var vpnType: VPNType
    var vpnInstanceID: String
    var macAddress: MACAddress
    var ipAddress: EndpointAddress?
    var localPort: LocalPort
    var importRTTexts: [String]?
    var exportRTTexts: [String]?

    /// Validates in the original's order: vpn_type, mandatory keys, local_port promotion, RT splitting,
    /// linuxif/evpn, MAC, IP, advertise_subnet.
    init(_ body: JSONObject, alsoMandatory: [String]) throws(APIError) {
        let f = BodyFields(body)
        // VPNManager._check_instance_type runs before the instance class validates anything.
        guard let typeValue = body["vpn_type"] else { throw APIError("missing instance_type") }
        guard case .string(let typeText) = typeValue, let type = VPNType(rawValue: typeText) else {
            throw APIError("unknown vpn_type: \(typeValue.stringValue ?? typeValue.pythonRepr)")
        }
        vpnType = type
        var mandatory = ["vpn_instance_id", "mac_address", "local_port"]
        // The original adds ip_address for ipvpn through a Python set, so its position among these varied.
        if type == .ipvpn { mandatory.append("ip_address") }
        mandatory += alsoMandatory
        for key in mandatory where body[key] == nil { throw APIError.missingParameter(key) }
        vpnInstanceID = try f.requiredString("vpn_instance_id")

        let portFields: BodyFields
        switch body["local_port"] {
        case .string(let s)?: portFields = BodyFields(["linuxif": .string(s)], path: "local_port/")
        case .object(let o)?: portFields = BodyFields(o, path: "local_port/")
        default: throw APIError("'local_port' must be a string or an object")
        }
        importRTTexts = try f.stringList("import_rt")
        exportRTTexts = try f.stringList("export_rt")
        guard portFields.value("linuxif") != nil || portFields.value("evpn") != nil else {
            throw APIError("Mandatory key is missing in local_port parameter (linuxif, or evpn)")
        }
        localPort = try Self.localPort(portFields, type: type)

        guard let mac = try f.mac("mac_address") else { throw APIError.malformedMACAddress("None") }
        macAddress = mac

        switch body["ip_address"] {
        case nil:
            ipAddress = nil
        case .null? where type == .evpn:
            ipAddress = nil
        case .string(let s)?:
            guard let a = EndpointAddress(s.trimmingSpaces) else { throw APIError.malformedIPAddress(s) }
            ipAddress = a
        case let v?:
            throw APIError.malformedIPAddress(v.pythonRepr)
        }
        if let v = body["advertise_subnet"], case .bool = v {
        } else if body["advertise_subnet"] != nil {
            throw APIError("'advertise_subnet' must be a boolean")
        }
    }

    static func localPort(_ f: BodyFields, type: VPNType) throws(APIError) -> LocalPort {
        var port = LocalPort()
        port.linuxif = try f.string("linuxif")
        if let o = try f.object("ovs") {
            port.ovs = LocalPort.OVS(
                plugged: try o.bool("plugged") ?? false,
                portName: try o.string("port_name"),
                portNumber: try o.integer("port_number", in: 0...0xFFFF_FFFF).map { Int($0) },
                vlan: try o.integer("vlan", in: 0...4095).map { Int($0) },
                toVMPortNumber: try o.integer("to_vm_port_number", in: 0...0xFFFF_FFFF).map { Int($0) },
                toVMPortName: try o.string("to_vm_port_name"))
        }
        port.vlan = try f.integer("vlan", in: 0...4095).map { Int($0) }
        if let e = try f.object("evpn") {
            // An EVI can only be stitched into a VRF (§4.5); the original failed later with a KeyError (500).
            guard type == .ipvpn else { throw APIError("'local_port/evpn' is only valid for an ipvpn attachment") }
            port.evpn = LocalPort.EVPNLink(id: try e.requiredString("id"), ovsPortName: try e.string("ovs_port_name"))
        }
        return port
    }
}

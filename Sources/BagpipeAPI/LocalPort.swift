/// `local_port` (§6.2): the port to plug. A bare string in the body is `{"linuxif": <string>}`. At least one of
/// ``linuxif`` and ``evpn`` is present (checked when parsing).
public struct LocalPort: Hashable, Sendable {
    /// OVS details for the ipvpn `ovs` driver.
    public struct OVS: Hashable, Sendable {
        /// The port is already on the OVS bridge.
        public var plugged: Bool
        public var portName: String?
        /// Used when ``plugged``.
        public var portNumber: Int?
        /// VLAN of this port's traffic; identical for all ports of a VRF.
        public var vlan: Int?
        /// Documented by the original, unused by its drivers; kept so they round-trip.
        public var toVMPortNumber: Int?
        public var toVMPortName: String?

        public init(
            plugged: Bool = false, portName: String? = nil, portNumber: Int? = nil, vlan: Int? = nil,
            toVMPortNumber: Int? = nil, toVMPortName: String? = nil
        ) {
            self.plugged = plugged
            self.portName = portName
            self.portNumber = portNumber
            self.vlan = vlan
            self.toVMPortNumber = toVMPortNumber
            self.toVMPortName = toVMPortName
        }
    }

    /// An EVI to stitch into an ipvpn attachment (§4.5).
    public struct EVPNLink: Hashable, Sendable {
        /// `vpn_instance_id` of the EVI.
        public var id: String
        /// An interface already plugged into the EVI.
        public var ovsPortName: String?

        public init(id: String, ovsPortName: String? = nil) {
            self.id = id
            self.ovsPortName = ovsPortName
        }
    }

    public var linuxif: String?
    public var ovs: OVS?
    /// The Neutron local VLAN, for the evpn `ovs` driver.
    public var vlan: Int?
    public var evpn: EVPNLink?

    public init(linuxif: String? = nil, ovs: OVS? = nil, vlan: Int? = nil, evpn: EVPNLink? = nil) {
        self.linuxif = linuxif
        self.ovs = ovs
        self.vlan = vlan
        self.evpn = evpn
    }

    /// The object form, keys as in the API (for the looking glass and error messages).
    public var json: JSONValue {
        var o = JSONObject()
        if let linuxif { o["linuxif"] = .string(linuxif) }
        if let ovs {
            var p = JSONObject()
            p["plugged"] = .bool(ovs.plugged)
            if let v = ovs.portName { p["port_name"] = .string(v) }
            if let v = ovs.portNumber { p["port_number"] = .int(Int64(v)) }
            if let v = ovs.vlan { p["vlan"] = .int(Int64(v)) }
            if let v = ovs.toVMPortNumber { p["to_vm_port_number"] = .int(Int64(v)) }
            if let v = ovs.toVMPortName { p["to_vm_port_name"] = .string(v) }
            o["ovs"] = .object(p)
        }
        if let vlan { o["vlan"] = .int(Int64(vlan)) }
        if let evpn {
            var e: JSONObject = ["id": .string(evpn.id)]
            if let n = evpn.ovsPortName { e["ovs_port_name"] = .string(n) }
            o["evpn"] = .object(e)
        }
        return .object(o)
    }
}

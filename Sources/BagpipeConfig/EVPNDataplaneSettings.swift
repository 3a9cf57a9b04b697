/// The `[DATAPLANE_DRIVER_EVPN]` section (bagpipe-bgp.md §5.1, §5.5, §5.6, §7.2).
public struct EVPNDataplaneSettings: Hashable, Sendable {
    /// `dataplane_driver`, with the typed options of that driver.
    public enum Driver: Hashable, Sendable {
        /// No dataplane (the default).
        case dummy
        /// The Neutron OVS agent's tunnel bridge (`OVSDataplaneDriver`, §5.5).
        case ovs(OVSEVPNOptions)
        /// VXLAN and Linux bridges (`LinuxVXLANDataplaneDriver`, §5.6; removed from the original at HEAD).
        case linux(LinuxVXLANOptions)

        /// `dummy`, `ovs` or `linux`.
        public var name: String {
            switch self {
            case .dummy: "dummy"
            case .ovs: "ovs"
            case .linux: "linux"
            }
        }
    }

    public var driver: Driver
    /// `dataplane_local_address`; `nil` means `[BGP] local_address`.
    public var localAddress: LocalAddress?
    /// Options the chosen driver has no typed setting for, as written, for the driver.
    public var options: [String: String]

    public init(driver: Driver = .dummy, localAddress: LocalAddress? = nil, options: [String: String] = [:]) {
        self.driver = driver
        self.localAddress = localAddress
        self.options = options
    }

    static let sectionName = "DATAPLANE_DRIVER_EVPN"
    static let classes = [
        "DummyDataplaneDriver": "dummy", "OVSDataplaneDriver": "ovs", "LinuxVXLANDataplaneDriver": "linux",
    ]

    static func read(_ file: INIFile, _ diagnostics: inout Diagnostics) -> EVPNDataplaneSettings {
        var r = SectionReader(file, sectionName)
        var settings = EVPNDataplaneSettings()
        let common = DataplaneDriverName.readCommon(
            &r, &diagnostics, names: ["dummy", "ovs", "linux"], classes: classes)
        settings.localAddress = common.localAddress
        switch common.driver {
        case "ovs":
            let bridge = r.read("ovs_bridge", &diagnostics, OptionValue.nonEmpty)
            settings.driver = .ovs(OVSEVPNOptions(ovsBridge: bridge ?? OVSEVPNOptions().ovsBridge))
        case "linux":
            let port = r.read("vxlan_dst_port", &diagnostics, OptionValue.port)
            settings.driver = .linux(LinuxVXLANOptions(vxlanDstPort: port ?? LinuxVXLANOptions().vxlanDstPort))
        default:
            settings.driver = .dummy
        }
        settings.options = DataplaneDriverName.leftovers(
            r, &diagnostics, driverKeys: ["ovs_bridge", "vxlan_dst_port"], type: "evpn")
        return settings
    }
}

/// Options of the E-VPN `ovs` driver (bagpipe-bgp.md §5.5).
public struct OVSEVPNOptions: Hashable, Sendable {
    /// The Neutron tunnel bridge. Default `br-tun`.
    public var ovsBridge: String

    public init(ovsBridge: String = "br-tun") {
        self.ovsBridge = ovsBridge
    }
}

/// Options of the E-VPN `linux` driver (bagpipe-bgp.md §5.6).
public struct LinuxVXLANOptions: Hashable, Sendable {
    /// VXLAN UDP port. Default 4789 (IANA); 8472 is the Linux default, for interoperability.
    public var vxlanDstPort: UInt16

    public init(vxlanDstPort: UInt16 = 4789) {
        self.vxlanDstPort = vxlanDstPort
    }
}

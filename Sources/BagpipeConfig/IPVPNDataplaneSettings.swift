/// The `[DATAPLANE_DRIVER_IPVPN]` section (bagpipe-bgp.md §5.1, §5.3, §5.4, §7.2).
public struct IPVPNDataplaneSettings: Hashable, Sendable {
    /// `dataplane_driver`, with the typed options of that driver.
    public enum Driver: Hashable, Sendable {
        /// No dataplane (the default).
        case dummy
        /// Kernel MPLS and VRF devices (`MPLSLinuxDataplaneDriver`, §5.3).
        case linux(LinuxMPLSOptions)
        /// Open vSwitch (`MPLSOVSDataplaneDriver`, §5.4).
        case ovs(OVSMPLSOptions)
        /// (Bagpipe) Policy routing and VXLAN, for kernels without MPLS routing or VRF devices (docs/dataplane.md).
        case linuxVXLAN(LinuxVXLANOptions)

        /// `dummy`, `linux`, `ovs` or `linux-vxlan`.
        public var name: String {
            switch self {
            case .dummy: "dummy"
            case .linux: "linux"
            case .ovs: "ovs"
            case .linuxVXLAN: "linux-vxlan"
            }
        }
    }

    public var driver: Driver
    /// `dataplane_local_address`; `nil` means `[BGP] local_address`.
    public var localAddress: LocalAddress?
    /// Options the chosen driver has no typed setting for (another driver's, or unknown ones), as written; the
    /// driver gets them as they are. The original's template sets `mpls_interface` and `ovsbr_interfaces_mtu`
    /// even for the `dummy` driver.
    public var options: [String: String]

    public init(driver: Driver = .dummy, localAddress: LocalAddress? = nil, options: [String: String] = [:]) {
        self.driver = driver
        self.localAddress = localAddress
        self.options = options
    }

    static let sectionName = "DATAPLANE_DRIVER_IPVPN"
    static let classes = [
        "DummyDataplaneDriver": "dummy", "MPLSLinuxDataplaneDriver": "linux", "MPLSOVSDataplaneDriver": "ovs",
    ]

    static func read(_ file: INIFile, _ diagnostics: inout Diagnostics) -> IPVPNDataplaneSettings {
        var r = SectionReader(file, sectionName)
        var settings = IPVPNDataplaneSettings()
        let common = DataplaneDriverName.readCommon(
            &r, &diagnostics, names: ["dummy", "linux", "ovs", "linux-vxlan"], classes: classes)
        settings.localAddress = common.localAddress
        switch common.driver {
        case "linux": settings.driver = .linux(LinuxMPLSOptions(mplsInterface: r.optionalString("mpls_interface")))
        case "ovs": settings.driver = .ovs(OVSMPLSOptions.read(&r, &diagnostics))
        case "linux-vxlan":
            let port = r.read("vxlan_dst_port", &diagnostics, OptionValue.port)
            settings.driver = .linuxVXLAN(LinuxVXLANOptions(vxlanDstPort: port ?? LinuxVXLANOptions().vxlanDstPort))
        default: settings.driver = .dummy
        }
        settings.options = DataplaneDriverName.leftovers(
            r, &diagnostics, driverKeys: OVSMPLSOptions.keys + ["vxlan_dst_port"], type: "ipvpn")
        return settings
    }
}

/// Options of the IP VPN `linux` driver (bagpipe-bgp.md §5.3).
public struct LinuxMPLSOptions: Hashable, Sendable {
    /// The MPLS interface; `*gre*` (MPLS over GRE) is refused by that driver.
    public var mplsInterface: String?

    public init(mplsInterface: String? = nil) {
        self.mplsInterface = mplsInterface
    }
}

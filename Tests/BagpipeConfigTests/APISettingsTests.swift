import BagpipeConfig
import Testing

@Suite("[API] section")
struct APISettingsTests {
    @Test("metrics_port (Bagpipe) and port 0 (an ephemeral port) are read; the defaults are 127.0.0.1:8082, no metrics")
    func metricsAndEphemeralPorts() throws {
        let base = "[BGP]\nlocal_address = 192.0.2.1\nmy_as = 64512\n"
        let defaults = try BGPConfiguration(parsing: base)
        #expect(defaults.api.host == "127.0.0.1" && defaults.api.port == 8082 && defaults.api.metricsPort == nil)
        let set = try BGPConfiguration(parsing: base + "[API]\nport = 0\nmetrics_port = 9100\n")
        #expect(set.api.port == 0 && set.api.metricsPort == 9100)
        // It survives the sample file round trip.
        let again = try BGPConfiguration(parsing: set.renderINI())
        #expect(again.api.metricsPort == 9100 && again.api.port == 0)
    }
}

@Suite("[DATAPLANE_DRIVER_IPVPN] linux-vxlan")
struct LinuxVXLANIPVPNSettingsTests {
    @Test("dataplane_driver = linux-vxlan (Bagpipe) with vxlan_dst_port, and back through the sample file")
    func linuxVXLAN() throws {
        let text = """
            [BGP]
            local_address = 192.0.2.1
            my_as = 64512
            [DATAPLANE_DRIVER_IPVPN]
            dataplane_driver = linux-vxlan
            vxlan_dst_port = 8472
            """
        let c = try BGPConfiguration(parsing: text)
        #expect(c.ipvpn.driver == .linuxVXLAN(LinuxVXLANOptions(vxlanDstPort: 8472)))
        #expect(c.ipvpn.options.isEmpty)
        #expect(try BGPConfiguration(parsing: c.renderINI()).ipvpn.driver == c.ipvpn.driver)
    }
}

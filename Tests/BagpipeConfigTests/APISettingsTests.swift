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

/// The `[API]` section: where the REST API listens (bagpipe-bgp.md §6, §7.2).
public struct APISettings: Hashable, Sendable {
    /// Address or host name to bind. Default `127.0.0.1` (the original template says `localhost`, devstack
    /// `0.0.0.0`). The deprecated name `api_host` is accepted, as in the original.
    public var host: String
    /// TCP port. Default 8082; 0 takes an ephemeral port (Bagpipe). The deprecated name `api_port` is accepted, as
    /// in the original.
    public var port: UInt16
    /// (Bagpipe) Port of the Prometheus metrics endpoint (`GET /metrics`, on `host`); nil: no metrics endpoint.
    public var metricsPort: UInt16?

    public init(host: String = "127.0.0.1", port: UInt16 = 8082, metricsPort: UInt16? = nil) {
        self.host = host
        self.port = port
        self.metricsPort = metricsPort
    }

    static let keys = ["host", "port", "metrics_port"]

    static func read(_ file: INIFile, _ diagnostics: inout Diagnostics) -> APISettings {
        var r = SectionReader(file, "API")
        var api = APISettings()
        // oslo.config looks the current name up first: when both are set, the current one wins.
        let hostKey = deprecated("api_host", current: "host", &r, &diagnostics)
        let portKey = deprecated("api_port", current: "port", &r, &diagnostics)
        api.host =
            r.read(hostKey, &diagnostics) { text -> Result<String, ValueProblem> in
                let host = String(text.trimmed())
                guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
                    return .failure(ValueProblem("not an address or a host name"))
                }
                return .success(host)
            } ?? api.host
        api.port = r.read(portKey, &diagnostics, OptionValue.listeningPort) ?? api.port
        api.metricsPort = r.read("metrics_port", &diagnostics, OptionValue.listeningPort)
        r.warnUnknownKeys(&diagnostics, known: keys)
        return api
    }

    /// The key to read for an option with a deprecated name (oslo.config `deprecated_name`), warning about the
    /// old name.
    private static func deprecated(
        _ old: String, current: String, _ r: inout SectionReader, _ diagnostics: inout Diagnostics
    ) -> String {
        guard let entry = r.entry(old) else { return current }
        if r.section?[current] != nil {
            diagnostics.warn(
                section: r.name, key: old, line: entry.line, "deprecated name, ignored: \(current) is also set")
            return current
        }
        diagnostics.warn(section: r.name, key: old, line: entry.line, "deprecated name; use \(current)")
        return old
    }
}

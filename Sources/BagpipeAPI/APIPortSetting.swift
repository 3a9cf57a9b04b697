/// The REST port the CLIs use: `[API] port` (or its deprecated name `api_port`) of bgp.conf, overridden by the
/// environment variable `OS_API__PORT` as oslo.config allows, else 8082 (§7.2-7.4).
public enum APIPortSetting {
    public static let defaultPort = 8082
    public static let defaultConfigFile = "/etc/bagpipe-bgp/bgp.conf"

    /// - Parameters:
    ///   - configText: the configuration file's text, nil when there is none.
    ///   - environment: the process environment.
    public static func port(configText: String?, environment: [String: String]) -> Int {
        if let e = environment["OS_API__PORT"], let p = Int(e), (1...65535).contains(p) { return p }
        guard let configText else { return defaultPort }
        var section = ""
        var found: Int?
        for rawLine in configText.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard section == "API", let eq = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<eq].trimmingSpaces
            let value = line[line.index(after: eq)...].trimmingSpaces
            if key == "port" || (key == "api_port" && found == nil), let p = Int(value), (1...65535).contains(p) {
                found = p
            }
        }
        return found ?? defaultPort
    }
}

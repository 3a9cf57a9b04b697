/// The typed configuration of the daemon, read from bagpipe-bgp's `bgp.conf` (bagpipe-bgp.md §7.2) with Bagpipe's
/// additions.
///
/// Parsing is pure: the caller reads the file and passes its text. Every error and warning is collected:
///
/// ```swift
/// let result = BGPConfiguration.parse(text)
/// for warning in result.warnings { log(warning) }
/// let configuration = try result.get()  // throws every error at once
/// ```
///
/// Sections: `[BGP]` and `[BGP_PEER <address>]` (``BGPSettings``, ``PeerSettings``), `[API]`, `[COMMON]`,
/// `[DATAPLANE_DRIVER_IPVPN]`, `[DATAPLANE_DRIVER_EVPN]`, and the library sections `[DEFAULT]` and `[privsep]`,
/// kept as strings for the daemon's shell. Unknown sections and options are ignored, as oslo.config does, with a
/// warning.
public struct BGPConfiguration: Hashable, Sendable {
    public var bgp: BGPSettings
    public var api: APISettings
    public var common: CommonSettings
    public var ipvpn: IPVPNDataplaneSettings
    public var evpn: EVPNDataplaneSettings
    /// `[DEFAULT]`: options registered without a group, for bagpipe-bgp those of oslo.log (`debug`, `log_file`,
    /// `log_config_append`, …), as written.
    public var defaults: [String: String]
    /// `[privsep]`: oslo.privsep options (bagpipe-bgp.md §7.2), as written.
    public var privsep: [String: String]

    public init(
        bgp: BGPSettings, api: APISettings = APISettings(), common: CommonSettings = CommonSettings(),
        ipvpn: IPVPNDataplaneSettings = IPVPNDataplaneSettings(),
        evpn: EVPNDataplaneSettings = EVPNDataplaneSettings(), defaults: [String: String] = [:],
        privsep: [String: String] = [:]
    ) {
        self.bgp = bgp
        self.api = api
        self.common = common
        self.ipvpn = ipvpn
        self.evpn = evpn
        self.defaults = defaults
        self.privsep = privsep
    }

    /// Parses the text of a configuration file.
    public static func parse(_ text: String) -> ConfigurationResult {
        let file = INIFile(parsing: text)
        var diagnostics = Diagnostics(errors: file.errors, warnings: file.warnings)
        let bgp = BGPSettings.read(file, &diagnostics)
        let api = APISettings.read(file, &diagnostics)
        let common = CommonSettings.read(file, &diagnostics)
        let ipvpn = IPVPNDataplaneSettings.read(file, &diagnostics)
        let evpn = EVPNDataplaneSettings.read(file, &diagnostics)
        let defaults = readDefaults(file, &diagnostics)
        let privsep = file.section("privsep").map(lastValues) ?? [:]
        checkSections(file, &diagnostics)
        let sorted = diagnostics.sorted()
        var configuration: BGPConfiguration?
        if let bgp, sorted.errors.isEmpty {
            configuration = BGPConfiguration(
                bgp: bgp, api: api, common: common, ipvpn: ipvpn, evpn: evpn, defaults: defaults, privsep: privsep)
        }
        return ConfigurationResult(configuration: configuration, errors: sorted.errors, warnings: sorted.warnings)
    }

    /// Parses the text of a configuration file, throwing every error at once.
    public init(parsing text: String) throws(ConfigurationFailure) {
        self = try Self.parse(text).get()
    }

    /// Canonical names of the sections this configuration reads.
    static let knownSections = [
        "DEFAULT", "BGP", "API", "COMMON", IPVPNDataplaneSettings.sectionName, EVPNDataplaneSettings.sectionName,
        "privsep",
    ]

    /// The keys of the sections we type, by section.
    static let typedKeys: [String: [String]] = [
        "BGP": BGPSettings.keys, "API": APISettings.keys, "COMMON": CommonSettings.keys,
    ]

    private static func lastValues(_ section: INIFile.Section) -> [String: String] {
        Dictionary(section.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// `[DEFAULT]` as written; warns about our options put there, since oslo.config never looks for a grouped
    /// option in `[DEFAULT]`.
    private static func readDefaults(_ file: INIFile, _ diagnostics: inout Diagnostics) -> [String: String] {
        guard let section = file.section("DEFAULT") else { return [:] }
        for key in section.keys {
            guard let home = typedKeys.keys.sorted().first(where: { typedKeys[$0]!.contains(key) }) else { continue }
            diagnostics.warn(
                section: section.name, key: key, line: section[key]?.line,
                "ignored: this option belongs in [\(home)] ([DEFAULT] values are not inherited by other sections)")
        }
        return lastValues(section)
    }

    /// Warns about sections nobody reads.
    private static func checkSections(_ file: INIFile, _ diagnostics: inout Diagnostics) {
        let known = Set(knownSections.map(INIFile.normalizedName))
        for section in file.sections {
            let name = INIFile.normalizedName(section.name)
            if known.contains(name) || PeerSettings.isPeerSection(section.name) { continue }
            if name == "dataplane_driver" {
                diagnostics.warn(
                    section: section.name, line: section.line,
                    "obsolete section, ignored: use [DATAPLANE_DRIVER_IPVPN] and [DATAPLANE_DRIVER_EVPN]")
                continue
            }
            var hint = ""
            let trimmed = INIFile.normalizedName(section.name.trimmed())
            if let match = knownSections.first(where: { INIFile.normalizedName($0) == trimmed }) {
                hint = " (did you mean [\(match)]? spaces inside the brackets are part of the name)"
            } else if trimmed.uppercased() == "DEFAULT" {
                hint = " (only [DEFAULT], in upper case, is the default section)"
            } else if let match = SectionReader.suggestion(for: section.name, among: knownSections + ["BGP_PEER"]) {
                hint = " (did you mean [\(match)]?)"
            }
            diagnostics.warn(section: section.name, line: section.line, "unknown section, ignored" + hint)
        }
    }
}

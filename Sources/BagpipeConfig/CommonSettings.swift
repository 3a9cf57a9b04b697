/// The `[COMMON]` section: how dataplane drivers run commands as root (bagpipe-bgp.md §5.1, §7.2).
public struct CommonSettings: Hashable, Sendable {
    /// Prefix of commands run as root. Default `sudo`; empty runs them as they are.
    public var rootHelper: String
    /// A root-helper daemon command (e.g. `sudo neutron-rootwrap-daemon /etc/bagpipe-bgp/rootwrap.conf`), used
    /// instead of `root_helper` when set. Default unset; an empty value is unset.
    public var rootHelperDaemon: String?

    public init(rootHelper: String = "sudo", rootHelperDaemon: String? = nil) {
        self.rootHelper = rootHelper
        self.rootHelperDaemon = rootHelperDaemon
    }

    static let keys = ["root_helper", "root_helper_daemon"]

    static func read(_ file: INIFile, _ diagnostics: inout Diagnostics) -> CommonSettings {
        var r = SectionReader(file, "COMMON")
        var common = CommonSettings()
        if let entry = r.entry("root_helper") { common.rootHelper = entry.value }
        if let entry = r.entry("root_helper_daemon"), !entry.value.isEmpty { common.rootHelperDaemon = entry.value }
        r.warnUnknownKeys(&diagnostics, known: keys)
        return common
    }
}

/// Options of the IP VPN `ovs` driver, `MPLSOVSDataplaneDriver` (bagpipe-bgp.md §5.4), with its defaults.
public struct OVSMPLSOptions: Hashable, Sendable {
    /// `mpls_over_gre`: `auto`, `true` or `false`.
    public enum MPLSOverGRE: String, Hashable, Sendable {
        /// GRE unless `mpls_interface` names a real interface (not `*gre*`).
        case auto
        case `true`
        case `false`
    }

    /// `hash_method`: the OVS select group `selection_method`.
    public enum HashMethod: String, Hashable, Sendable {
        case hash
        case dpHash = "dp_hash"
    }

    /// Interface for bare MPLS (a port of the bridge); unset or `*gre*` means MPLS over GRE.
    public var mplsInterface: String?
    /// Default `auto`. Unlike the original, `false` means false: it forced GRE for any value but `auto`
    /// (bagpipe-bgp.md §11.3 item 7).
    public var mplsOverGRE: MPLSOverGRE
    /// ARP responder answering for any IP. Default false.
    public var proxyARP: Bool
    /// Per-VRF ARP responder for the gateway IP. Default false.
    public var arpResponder: Bool
    /// VPN traffic as VXLAN (non-standard). Default false.
    public var vxlanEncap: Bool
    /// Default `br-mpls` (the template's comment saying `br-int` is stale, bagpipe-bgp.md §7.2).
    public var ovsBridge: String
    /// Table for traffic from ports and tunnels, 0...254. Default 0.
    public var inputTable: UInt8
    /// First of the driver's two tables (encap_in = start, VRF = start + 1), 0...253. Default 1.
    public var ovsTableIDStart: UInt8
    /// GRE port name. Default `mpls_gre`.
    public var greTunnel: String
    /// Extra `key=value` GRE options (e.g. `packet_type=legacy_l3`). Default none.
    public var greTunnelOptions: [String]
    /// Obsolete MTU hack. Default unset.
    public var ovsbrInterfacesMTU: UInt16?
    /// Default `dp_hash`.
    public var hashMethod: HashMethod
    /// `selection_method_param`. Default 0.
    public var hashMethodParam: UInt32
    /// Fields hashed with `hash_method = hash`. Default none.
    public var hashFields: [String]

    public init(
        mplsInterface: String? = nil, mplsOverGRE: MPLSOverGRE = .auto, proxyARP: Bool = false,
        arpResponder: Bool = false, vxlanEncap: Bool = false, ovsBridge: String = "br-mpls", inputTable: UInt8 = 0,
        ovsTableIDStart: UInt8 = 1, greTunnel: String = "mpls_gre", greTunnelOptions: [String] = [],
        ovsbrInterfacesMTU: UInt16? = nil, hashMethod: HashMethod = .dpHash, hashMethodParam: UInt32 = 0,
        hashFields: [String] = []
    ) {
        self.mplsInterface = mplsInterface
        self.mplsOverGRE = mplsOverGRE
        self.proxyARP = proxyARP
        self.arpResponder = arpResponder
        self.vxlanEncap = vxlanEncap
        self.ovsBridge = ovsBridge
        self.inputTable = inputTable
        self.ovsTableIDStart = ovsTableIDStart
        self.greTunnel = greTunnel
        self.greTunnelOptions = greTunnelOptions
        self.ovsbrInterfacesMTU = ovsbrInterfacesMTU
        self.hashMethod = hashMethod
        self.hashMethodParam = hashMethodParam
        self.hashFields = hashFields
    }

    static let keys = [
        "mpls_interface", "mpls_over_gre", "proxy_arp", "arp_responder", "vxlan_encap", "ovs_bridge", "input_table",
        "ovs_table_id_start", "gre_tunnel", "gre_tunnel_options", "ovsbr_interfaces_mtu", "hash_method",
        "hash_method_param", "hash_fields",
    ]

    static func read(_ r: inout SectionReader, _ diagnostics: inout Diagnostics) -> OVSMPLSOptions {
        var o = OVSMPLSOptions()
        o.mplsInterface = r.optionalString("mpls_interface")
        o.mplsOverGRE =
            r.read("mpls_over_gre", &diagnostics) { text in
                if text.trimmed().lowercased() == "auto" { return .success(.auto) }
                return OptionValue.boolean(text).map { $0 ? .true : .false }
                    .mapError { _ in ValueProblem("not auto, true or false") }
            } ?? o.mplsOverGRE
        o.proxyARP = r.read("proxy_arp", &diagnostics, OptionValue.boolean) ?? o.proxyARP
        o.arpResponder = r.read("arp_responder", &diagnostics, OptionValue.boolean) ?? o.arpResponder
        o.vxlanEncap = r.read("vxlan_encap", &diagnostics, OptionValue.boolean) ?? o.vxlanEncap
        o.ovsBridge = r.read("ovs_bridge", &diagnostics, OptionValue.nonEmpty) ?? o.ovsBridge
        o.inputTable = r.read("input_table", &diagnostics) { OptionValue.integer($0, in: UInt8(0)...254) } ?? 0
        o.ovsTableIDStart =
            r.read("ovs_table_id_start", &diagnostics) { OptionValue.integer($0, in: UInt8(0)...253) } ?? 1
        o.greTunnel = r.read("gre_tunnel", &diagnostics, OptionValue.nonEmpty) ?? o.greTunnel
        o.greTunnelOptions =
            r.readList("gre_tunnel_options", &diagnostics) { item in
                item.contains("=") ? .success(item) : .failure(ValueProblem("\"\(item)\" is not key=value"))
            } ?? []
        o.ovsbrInterfacesMTU =
            r.readOptional("ovsbr_interfaces_mtu", &diagnostics) {
                OptionValue.integer($0, in: UInt16(68)...UInt16.max)
            }
        o.hashMethod =
            r.read("hash_method", &diagnostics) { text in
                HashMethod(rawValue: String(text.trimmed())).map { .success($0) }
                    ?? .failure(ValueProblem("not hash or dp_hash"))
            } ?? o.hashMethod
        o.hashMethodParam =
            r.read("hash_method_param", &diagnostics) { OptionValue.integer($0, in: UInt32.min...UInt32.max) } ?? 0
        o.hashFields = r.readList("hash_fields", &diagnostics) { .success($0) } ?? []
        let tablesKnown = !r.failed.contains("input_table") && !r.failed.contains("ovs_table_id_start")
        if tablesKnown, o.inputTable == o.ovsTableIDStart || o.inputTable == o.ovsTableIDStart + 1,
            let entry = r.section?["ovs_table_id_start"] ?? r.section?["input_table"]
        {
            diagnostics.error(
                r.conflict(
                    entry,
                    "the driver's tables \(o.ovsTableIDStart) and \(o.ovsTableIDStart + 1) must differ from "
                        + "input_table \(o.inputTable)"))
        }
        return o
    }
}

import BGPWire

/// Names accepted in `families` lists, and the name each family is written with.
///
/// Accepted, case-insensitively:
/// * the short names `ipv4-vpn`, `ipv6-vpn`, `evpn`, `rtc`, `ipv4-flowspec-vpn`, `ipv6-flowspec-vpn` (and
///   `vpnv4`, `vpnv6`);
/// * GoBGP's names, as in bagpipe's `samples/gobgp.conf` (bagpipe-bgp.md §7.7): `l2vpn-evpn`,
///   `l3vpn-ipv4-unicast`, `l3vpn-ipv6-unicast`, `l3vpn-ipv4-flowspec`, `l3vpn-ipv6-flowspec`;
/// * `AFI-SAFI` and `AFI/SAFI` with the names or numbers of `AddressFamily.init?(_:)`: `ipv4-unicast`,
///   `ipv4/mpls-vpn`, `1/128`, `l2vpn/evpn`.
///
/// Only families the codec knows (`AddressFamily.known`) are accepted.
enum FamilyName {
    static let aliases: [String: AddressFamily] = [
        "ipv4-vpn": .vpnIPv4, "vpnv4": .vpnIPv4, "l3vpn-ipv4-unicast": .vpnIPv4,
        "ipv6-vpn": .vpnIPv6, "vpnv6": .vpnIPv6, "l3vpn-ipv6-unicast": .vpnIPv6,
        "evpn": .evpn, "rtc": .routeTargetConstraint,
        "ipv4-flowspec-vpn": .vpnIPv4Flowspec, "l3vpn-ipv4-flowspec": .vpnIPv4Flowspec,
        "ipv6-flowspec-vpn": .vpnIPv6Flowspec, "l3vpn-ipv6-flowspec": .vpnIPv6Flowspec,
    ]

    /// The names written by ``name(of:)`` for the families bagpipe uses.
    static let shortNames: [AddressFamily: String] = [
        .vpnIPv4: "ipv4-vpn", .vpnIPv6: "ipv6-vpn", .evpn: "evpn", .routeTargetConstraint: "rtc",
        .vpnIPv4Flowspec: "ipv4-flowspec-vpn", .vpnIPv6Flowspec: "ipv6-flowspec-vpn",
    ]

    static func parse(_ raw: String) -> Result<AddressFamily, ValueProblem> {
        let text = raw.trimmed().lowercased()
        var family = aliases[text] ?? AddressFamily(text)
        if family == nil, let dash = text.firstIndex(of: "-") {
            family = AddressFamily("\(text[..<dash])/\(text[text.index(after: dash)...])")
        }
        guard let family else {
            return .failure(
                ValueProblem(
                    "\"\(raw)\" is not an address family (use ipv4-vpn, ipv6-vpn, evpn, rtc, ipv4-flowspec-vpn, "
                        + "ipv6-flowspec-vpn, or AFI/SAFI like ipv4/mpls-vpn)"))
        }
        guard AddressFamily.known.contains(family) else {
            return .failure(ValueProblem("\"\(raw)\" (\(family)) is not an address family this speaker supports"))
        }
        return .success(family)
    }

    /// `ipv4-vpn`, `evpn`, …, or `AFI-SAFI` (`ipv4-unicast`).
    static func name(of family: AddressFamily) -> String {
        shortNames[family] ?? "\(family.afi)-\(family.safi)"
    }

    /// The families as a `families` value.
    static func list(_ families: [AddressFamily]) -> String {
        families.map(name).joined(separator: ", ")
    }
}

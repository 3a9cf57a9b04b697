/// `/v2.0/extensions` entries (bgpvpn-api.md §4.2, exact strings). SFC aliases are not advertised: the SFC API
/// is not served.
enum Extensions {
    static let all: [JSON] = [
        ext("bgpvpn", "BGPVPN Extension", "Provides support for BGP VPN interconnections", "2014-06-10T17:00:00-00:00"),
        ext(
            "bgpvpn-routes-control", "BGPVPN Routes Control Extension",
            "Provides support for controlling routes advertised to a BGPVPN", "2017-05-20T00:00:00-00:00"),
        ext("bgpvpn-vni", "BGPVPN VXLAN VNI extension", "BGPVPN VXLAN VNI extension", "2017-09-12T10:00:00-00:00"),
        ext(
            "router", "Neutron L3 Router",
            "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.",
            "2012-07-20T10:00:00-00:00"),
        ext(
            "extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router", "2013-02-01T10:00:00-00:00"
        ),
        ext(
            "binding", "Port Binding", "Expose port bindings of a virtual port to external application",
            "2014-02-03T10:00:00-00:00"),
        ext(
            "external-net", "Neutron external network", "Adds external network attribute to network resource.",
            "2013-01-14T10:00:00-00:00"),
        ext(
            "project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled.",
            "2016-09-09T09:09:09-09:09"),
        ext(
            "pagination", "Pagination support", "Extension that indicates that pagination is enabled.",
            "2016-06-12T00:00:00-00:00"),
        ext(
            "sorting", "Sorting support", "Extension that indicates that sorting is enabled.",
            "2016-06-12T00:00:00-00:00"),
        ext(
            "provider", "Provider Network", "Expose mapping of virtual networks to physical networks",
            "2012-09-07T10:00:00-00:00"),
        ext(
            "standard-attr-description", "standard-attr-description",
            "Extension to add descriptions to standard attributes", "2016-02-10T10:00:00-00:00"),
        ext("port-security", "Port Security", "Provides port security", "2012-07-23T10:00:00-00:00"),
        ext("net-mtu", "Network MTU", "Provides MTU attribute for a network resource.", "2015-03-25T10:00:00-00:00"),
    ]

    static func ext(_ alias: String, _ name: String, _ description: String, _ updated: String) -> JSON {
        [
            "alias": .string(alias), "name": .string(name), "description": .string(description),
            "updated": .string(updated), "links": [],
        ]
    }
}

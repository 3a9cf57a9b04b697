/// The attribute maps of the resources we serve (neutron-lib definitions, bgpvpn-api.md §2.2, §3.2, §7.4).
public enum Schemas {
    static let id = Attribute("id", post: false, validate: Validators.uuid)
    static let description = Attribute(
        "description", put: true, default: "", validate: Validators.string(maxLength: 255))
    static let adminStateUp = Attribute(
        "admin_state_up", put: true, default: true, convert: Validators.convertBoolean, validate: Validators.boolean)
    static let status = Attribute("status", post: false)

    static func boolean(_ name: String, default d: Bool, write: Rule = .allowed, read: Rule = .allowed) -> Attribute {
        Attribute(
            name, put: true, default: .bool(d), convert: Validators.convertBoolean, validate: Validators.boolean,
            enforcePolicy: write != .allowed, write: write, read: read)
    }

    /// Lenient integer normalisation: `"100"` is stored as 100 (§2.2 local_pref); anything else is left for the
    /// range validator to reject with the reference's text.
    static let integerIfPossible: @Sendable (JSON) throws(NeutronError) -> JSON = { v in
        if case .string(let s) = v, let i = Int64(s) { return .int(i) }
        return v
    }

    public static let network = ResourceSchema(
        resource: "network", collection: "networks", policyName: "network",
        attributes: [
            id,
            Attribute("name", put: true, default: "", validate: Validators.string(maxLength: 255)),
            adminStateUp, status,
            Attribute("subnets", post: false),
            boolean("shared", default: false, write: .adminOnly),
            boolean("router:external", default: false, write: .adminOnly),
            boolean("port_security_enabled", default: true),
            Attribute(
                "mtu", put: true, default: 1450, convert: integerIfPossible,
                validate: Validators.range(68, 9000, orNone: false)),
            // The route-target type driver (bagpipe-bgp.md §8.5): tenant networks get `<as>:<rt_nn>`.
            Attribute(
                "provider:network_type", validate: Validators.values([NetworkType.routeTarget]), enforcePolicy: true,
                write: .adminOnly, read: .adminOnly),
            Attribute(
                "provider:segmentation_id", convert: Validators.convertIntOrNone,
                validate: Validators.range(1, 65535, orNone: true), enforcePolicy: true, write: .adminOnly,
                read: .adminOnly),
            Attribute(
                "provider:physical_network",
                validate: { $0.isNull ? nil : "physical networks are not supported by the route_target type" },
                enforcePolicy: true, write: .adminOnly, read: .adminOnly),
            description,
        ] + ResourceSchema.projectAttributes,
        notFound: { .notFound("NetworkNotFound", "Network \($0) could not be found.") })

    public static let subnet = ResourceSchema(
        resource: "subnet", collection: "subnets", policyName: "subnet",
        attributes: [
            id,
            Attribute("name", put: true, default: "", validate: Validators.string(maxLength: 255)),
            Attribute("network_id", required: true, validate: Validators.uuid),
            Attribute(
                "ip_version", required: true, convert: Validators.convertIntOrNone,
                validate: { v in
                    v == .int(4) || v == .int(6) ? nil : "\(Validators.plain(v)) is not in valid_values"
                }),
            Attribute("cidr", required: true, validate: Validators.subnet),
            Attribute("gateway_ip", put: true, validate: Validators.ipAddressOrNone),
            Attribute("allocation_pools", validate: Validators.allocationPools),
            boolean("enable_dhcp", default: true),
            Attribute(
                "dns_nameservers", put: true, default: [], convert: { v throws(NeutronError) in Validators.toList(v) },
                validate: Validators.nameservers),
            Attribute(
                "host_routes", put: true, default: [], convert: { v throws(NeutronError) in Validators.toList(v) },
                validate: Validators.hostRoutes),
            Attribute(
                "ipv6_ra_mode", default: JSON.null,
                validate: { v in
                    v.isNull ? nil : Validators.values(["slaac", "dhcpv6-stateful", "dhcpv6-stateless"])(v)
                }),
            Attribute(
                "ipv6_address_mode", default: JSON.null,
                validate: { v in
                    v.isNull ? nil : Validators.values(["slaac", "dhcpv6-stateful", "dhcpv6-stateless"])(v)
                }),
            Attribute(
                "subnetpool_id", default: JSON.null, validate: { $0.isNull ? nil : "subnet pools are not supported" }),
            description,
        ] + ResourceSchema.projectAttributes,
        notFound: { .notFound("SubnetNotFound", "Subnet \($0) could not be found.") })

    public static let port = ResourceSchema(
        resource: "port", collection: "ports", policyName: "port",
        attributes: [
            id,
            Attribute("name", put: true, default: "", validate: Validators.string(maxLength: 255)),
            Attribute("network_id", required: true, validate: Validators.uuid),
            adminStateUp,
            Attribute("mac_address", validate: Validators.macAddress, enforcePolicy: true),
            Attribute(
                "fixed_ips", put: true, convert: { v throws(NeutronError) in Validators.toList(v) },
                validate: Validators.fixedIPs, enforcePolicy: true),
            Attribute("device_id", put: true, default: "", validate: Validators.string(maxLength: 255)),
            Attribute("device_owner", put: true, default: "", validate: Validators.string(maxLength: 255)),
            status,
            Attribute(
                "security_groups", put: true, default: [], convert: { v throws(NeutronError) in Validators.toList(v) },
                validate: Validators.uuidList),
            Attribute("allowed_address_pairs", put: true, default: [], validate: Validators.addressPairs),
            boolean("port_security_enabled", default: true),
            Attribute(
                "binding:host_id", put: true, default: "", validate: Validators.string(maxLength: 255),
                enforcePolicy: true, write: .adminOnly, read: .adminOnly),
            Attribute(
                "binding:vnic_type", put: true, default: "normal",
                validate: Validators.values([
                    "normal", "direct", "macvtap", "baremetal", "direct-physical", "virtio-forwarder", "smart-nic",
                    "remote-managed",
                ])),
            Attribute(
                "binding:profile", put: true, default: .object(JSONObject()), validate: Validators.dict,
                enforcePolicy: true, write: .adminOnly, read: .adminOnly),
            Attribute("binding:vif_type", post: false, read: .adminOnly),
            Attribute("binding:vif_details", post: false, read: .adminOnly),
            description,
        ] + ResourceSchema.projectAttributes,
        notFound: { .notFound("PortNotFound", "Port \($0) could not be found.") })

    public static let router = ResourceSchema(
        resource: "router", collection: "routers", policyName: "router",
        attributes: [
            id,
            Attribute("name", put: true, default: "", validate: Validators.string(maxLength: 255)),
            adminStateUp, status,
            Attribute(
                "external_gateway_info", put: true, default: JSON.null, validate: Validators.gatewayInfo,
                enforcePolicy: true),
            // extraroute: routes are set with PUT only.
            Attribute(
                "routes", post: false, put: true, convert: { v throws(NeutronError) in Validators.toList(v) },
                validate: Validators.hostRoutes),
            description,
        ] + ResourceSchema.projectAttributes,
        notFound: { .notFound("RouterNotFound", "Router \($0) could not be found") })

    static let routeTargets: [Attribute] = [
        "route_targets", "import_targets", "export_targets", "route_distinguishers",
    ]
    .map {
        Attribute(
            $0, put: true, default: [], convert: { v throws(NeutronError) in Validators.toList(v) },
            validate: Validators.routeTargetList, enforcePolicy: true, write: .adminOnly, read: .adminOnly)
    }

    public static let bgpvpn: ResourceSchema = {
        var s = ResourceSchema(
            resource: "bgpvpn", collection: "bgpvpns", policyName: "bgpvpn",
            attributes: [
                id,
                Attribute("name", put: true, default: "", validate: Validators.nameString),
                Attribute("type", default: "l3", validate: Validators.values(["l2", "l3"])),
            ] + routeTargets + [
                Attribute(
                    "vni", default: JSON.null, convert: Validators.convertIntOrNone,
                    validate: Validators.range(1, 16_777_215, orNone: true), enforcePolicy: true, write: .adminOnly,
                    read: .adminOnly),
                Attribute(
                    "local_pref", put: true, default: JSON.null, convert: integerIfPossible,
                    validate: Validators.range(0, 4_294_967_295, orNone: true)),
                Attribute("networks", post: false),
                Attribute("routers", post: false),
                Attribute("ports", post: false),
                // standard-attr-description: accepted and dropped on bgpvpns (§2.2); the service never stores it.
                Attribute("description", put: true, validate: Validators.string(maxLength: 255)),
            ] + ResourceSchema.projectAttributes,
            notFound: { .notFound("BGPVPNNotFound", "BGPVPN \($0) could not be found") })
        s.createRule = .adminOnly
        s.deleteRule = .adminOnly
        s.projectReadRule = .adminOnly
        return s
    }()

    static func association(
        _ resource: String, key: String, extra: [Attribute], notFound: @escaping @Sendable (String) -> NeutronError
    ) -> ResourceSchema {
        var s = ResourceSchema(
            resource: resource, collection: resource + "s", policyName: "bgpvpn_" + resource,
            attributes: [id, Attribute(key, required: true, validate: Validators.uuid)] + extra
                + ResourceSchema.projectAttributes,
            notFound: notFound)
        s.projectReadRule = .adminOnly
        return s
    }

    public static let networkAssociation = association(
        "network_association", key: "network_id", extra: [],
        notFound: { .notFound("BGPVPNNetAssocNotFound", "BGPVPN network association \($0) could not be found") })
    public static let routerAssociation = association(
        "router_association", key: "router_id", extra: [boolean("advertise_extra_routes", default: true)],
        notFound: { .notFound("BGPVPNRouterAssocNotFound", "BGPVPN router association \($0) could not be found") })
    public static let portAssociation = association(
        "port_association", key: "port_id",
        extra: [
            Attribute("routes", put: true, default: [], convert: Validators.convertRoutes),
            boolean("advertise_fixed_ips", default: true),
        ],
        notFound: { .notFound("BGPVPNPortAssocNotFound", "BGPVPN port association \($0) could not be found") })
}

public enum NetworkType {
    public static let routeTarget = "route_target"
}

import BGPRouting
import BGPWire

/// Readvertisement and attract-traffic (bagpipe-bgp.md §4.3), as a desired set of routes recomputed on every change
/// and diffed against what was advertised: copies through every port in the normal mode; in attract mode a default
/// route through every port and one Flowspec redirect route per attracted prefix. The consumer side applies
/// received Flowspec redirections.
extension VPNManager {
    /// Advertises what changed in the instance's readvertised routes, withdraws what is gone.
    func syncLeaks(_ instance: inout VPNInstance, _ traits: DriverTraits, _ out: inout [VPNEffect]) {
        let desired = leakedRoutes(instance, traits)
        for (key, route) in desired.sorted(by: { "\($0.key)" < "\($1.key)" }) where instance.leaked[key] != route {
            out.append(.advertise(route, instance.subscriber))
        }
        for key in instance.leaked.keys.sorted(by: { "\($0)" < "\($1)" }) where desired[key] == nil {
            out.append(.withdraw(key, instance.subscriber))
        }
        instance.leaked = desired
    }

    /// The prefixes attracted or leaked: readvertised routes, plus the static ones in attract mode.
    private func attractedPrefixes(_ instance: VPNInstance) -> [IPPrefix] {
        var prefixes = Set(instance.readvertised.keys)
        if let attract = instance.attractTraffic { prefixes.formUnion(attract.staticDestinationPrefixes) }
        return prefixes.sorted { "\($0)" < "\($1)" }
    }

    private func leakedRoutes(_ instance: VPNInstance, _ traits: DriverTraits) -> [RouteKey: LocalRoute] {
        guard instance.readvertise != nil else { return [:] }
        var out: [RouteKey: LocalRoute] = [:]
        func add(_ r: LocalRoute?) { if let r { out[r.nlri.key(family: r.family)] = r } }
        let prefixes = attractedPrefixes(instance)
        let endpoints = instance.endpoints.values.sorted { $0.key < $1.key }
        if let attract = instance.attractTraffic {
            guard !prefixes.isEmpty else { return [:] }
            for e in endpoints {
                add(leakRoute(.v4(IPv4Prefix(IPv4Address(0), length: 0)), via: e, in: instance, traits))
            }
            for p in prefixes { add(redirectRoute(p, attract, in: instance)) }
        } else {
            for p in prefixes {
                for e in endpoints { add(leakRoute(p, via: e, in: instance, traits)) }
            }
        }
        return out
    }

    /// A readvertised copy of `prefix` through endpoint `e` (§4.3, "route leaking"): the endpoint's label and own
    /// RD, our next hop, the readvertise `to` route targets, and RT-Records of the route targets the received
    /// routes carried, so that the copy is not leaked back (draft-ietf-bess-service-chaining). Nil for an
    /// endpoint that takes no traffic (from-port). In attract mode, the default route through the endpoint.
    func leakRoute(_ prefix: IPPrefix, via e: Endpoint, in instance: VPNInstance, _ traits: DriverTraits) -> LocalRoute?
    {
        guard let to = instance.readvertise?.to, e.direction.forwardsToPort, let n = e.ownRD else { return nil }
        let rd = RouteDistinguisher.ipv4(configuration.bgpLocalAddress, UInt16(n))
        let records = Set((instance.readvertised[prefix] ?? [:]).values.flatMap { $0 }).sorted()
        var communities = traits.encapsulations.map { ExtendedCommunity(TypedExtendedCommunity.encapsulation($0)) }
        communities += records.map { ExtendedCommunity(TypedExtendedCommunity.routeTargetRecord($0)) }
        communities.append(ExtendedCommunity(TypedExtendedCommunity.consistentHashSortOrder(e.consistentHashOrder)))
        // VPN routes keep the RFC 8277 label form (20 bits and bottom of stack) even over VXLAN, where the 20 bits
        // are the VNI: a raw 24-bit VNI would leave the bottom-of-stack bit to chance, and peers would read on.
        let field = LabelField(label: e.label)
        let attributes = [PathAttribute(.extendedCommunities(communities))]
        switch prefix {
        case .v4(let p):
            return LocalRoute(
                family: .vpnIPv4,
                nlri: .vpnIPv4(VPNIPv4NLRI(labels: LabelStack(field), routeDistinguisher: rd, prefix: p)),
                nextHop: vpnNextHop(traits.localAddress, v6: false), attributes: attributes, routeTargets: to)
        case .v6(let p):
            return LocalRoute(
                family: .vpnIPv6,
                nlri: .vpnIPv6(VPNIPv6NLRI(labels: LabelStack(field), routeDistinguisher: rd, prefix: p)),
                nextHop: vpnNextHop(traits.localAddress, v6: true), attributes: attributes, routeTargets: to)
        }
    }

    /// The Flowspec route that redirects the classified traffic to `prefix` towards the VRF importing `to`
    /// (§2.1): VPN Flowspec (RFC 8955 §8) in the instance RD, a redirect community (§7.4), the `redirect_rts`.
    /// IPv4 only, as in the original.
    func redirectRoute(_ prefix: IPPrefix, _ attract: AttractTraffic, in instance: VPNInstance) -> LocalRoute? {
        guard case .v4 = prefix, let to = instance.readvertise?.to.first else { return nil }
        var classifier = attract.classifier
        classifier.destinationPrefix = prefix
        let nlri = FlowspecNLRI(routeDistinguisher: instance.routeDistinguisher, components: classifier.components)
        return LocalRoute(
            family: .vpnIPv4Flowspec, nlri: .flowspec(nlri), nextHop: nil,
            attributes: [PathAttribute(.extendedCommunities([ExtendedCommunity(TypedExtendedCommunity.redirect(to))]))],
            routeTargets: attract.redirectRouteTargets)
    }

    // MARK: - Consumer side

    /// A received Flowspec route with exactly one redirect-to-VRF action (§4.3 "Redirect consumption"): the
    /// traffic it classifies goes to a redirect VRF importing the redirect route target, created on first use.
    mutating func importRedirect(
        _ key: RouteKey, _ nlri: FlowspecNLRI, _ route: Route, into instance: inout VPNInstance,
        _ out: inout [VPNEffect]
    ) {
        let targets = route.attributes.routeTargets
        let redirects = extendedCommunities(of: route).compactMap { c -> RouteTarget? in
            if case .redirect(let rt) = c.typed { return rt }
            return nil
        }
        guard targets.contains(where: { instance.importRouteTargets.contains($0) }), redirects.count == 1,
            let classifier = TrafficClassifier(components: nlri.components)
        else { return removeRedirect(key, from: &instance, &out) }
        let rt = redirects[0]
        // Traffic of this VRF redirected to the VRF of the route target: never to itself (it is already there).
        guard Self.redirectInstanceID(rt) != instance.externalID else {
            return removeRedirect(key, from: &instance, &out)
        }
        if let current = instance.redirects[key], current.classifier == classifier, current.routeTarget == rt { return }
        removeRedirect(key, from: &instance, &out)
        guard let target = redirectInstance(for: rt, user: instance.externalID, &out) else { return }
        instance.redirects[key] = Redirect(classifier: classifier, routeTarget: rt, instance: target.externalID)
        out.append(.dataplane(instance.dataplane, .addTrafficClassifier(classifier, redirectTo: target.dataplane)))
    }

    mutating func removeRedirect(_ key: RouteKey, from instance: inout VPNInstance, _ out: inout [VPNEffect]) {
        guard let r = instance.redirects.removeValue(forKey: key) else { return }
        // The classifier stays while another redirection of the instance uses it.
        if !instance.redirects.values.contains(where: { $0.classifier == r.classifier }) {
            out.append(.dataplane(instance.dataplane, .removeTrafficClassifier(r.classifier)))
        }
        if !instance.redirects.values.contains(where: { $0.routeTarget == r.routeTarget }) {
            releaseRedirectInstance(r.instance, user: instance.externalID, &out)
        }
    }

    /// The VRF that imports `rt` for redirected traffic: `redirect-to-ipvpn-<asn>_<nn>`, no port, no export.
    private mutating func redirectInstance(for rt: RouteTarget, user: String, _ out: inout [VPNEffect]) -> VPNInstance?
    {
        let id = Self.redirectInstanceID(rt)
        if var existing = instances[id] {
            existing.redirectUsers.insert(user)
            instances[id] = existing
            return existing
        }
        guard let traits = configuration.drivers[.ipvpn] else { return nil }
        let a = Attachment(
            instanceID: id, type: .ipvpn, mac: MACAddress(0), gatewayIP: .v4(IPv4Address(127, 0, 0, 1)),
            port: PortSpec(linuxInterface: nil), importRouteTargets: [rt], exportRouteTargets: [])
        guard var created = try? create(a, traits, &out) else { return nil }
        created.redirectUsers = [user]
        updateRouteTargets(&created, [rt], [], traits, isNew: true, &out)
        instances[id] = created
        return created
    }

    static func redirectInstanceID(_ rt: RouteTarget) -> String {
        "redirect-to-ipvpn-" + String(rt.description.map { $0 == ":" ? "_" : $0 })
    }

    private mutating func releaseRedirectInstance(_ id: String, user: String, _ out: inout [VPNEffect]) {
        guard var target = instances[id] else { return }
        target.redirectUsers.remove(user)
        if target.redirectUsers.isEmpty, target.endpoints.isEmpty {
            stop(target, &out)
        } else {
            instances[id] = target
        }
    }

    func extendedCommunities(of route: Route) -> [ExtendedCommunity] {
        guard let a = route.attributes.attribute(PathAttribute.TypeCode.extendedCommunities),
            case .extendedCommunities(let list) = a.value
        else { return [] }
        return list
    }
}

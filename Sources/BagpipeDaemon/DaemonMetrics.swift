public import BGPSpeaker
import BGPWire
import BagpipeVPN
import Prometheus

/// bagpipe-bgp's metrics in the Prometheus text format (issue 5): sessions, routes per family, VPN instances and
/// attachments, API and dataplane errors. Counters count as things happen; gauges are read from the speaker and the
/// VPN service when scraped, so they cost nothing in between.
public final class DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let attaches: Counter
    let detaches: Counter
    let attachErrors: Counter
    let detachErrors: Counter

    public init() {
        attaches = registry.makeCounter(
            descriptor: Self.name(nil, "attachments", "total", "attach_localport requests that succeeded"))
        detaches = registry.makeCounter(
            descriptor: Self.name(nil, "detachments", "total", "detach_localport requests that succeeded"))
        attachErrors = registry.makeCounter(
            descriptor: Self.name(nil, "attach_errors", "total", "attach_localport requests refused or failed"))
        detachErrors = registry.makeCounter(
            descriptor: Self.name(nil, "detach_errors", "total", "detach_localport requests refused or failed"))
    }

    /// `bagpipe_<subsystem>_<name>_<unit>`.
    static func name(_ subsystem: String?, _ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "bagpipe", subsystem: subsystem, metricName: name, unitName: unit, helpText: help)
    }

    public func attached(ok: Bool) { ok ? attaches.increment() : attachErrors.increment() }
    public func detached(ok: Bool) { ok ? detaches.increment() : detachErrors.increment() }

    /// The families whose route counts are exported.
    static let families: [AddressFamily] = [
        .vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint, .vpnIPv4Flowspec,
    ]

    /// Reads the gauges, then renders everything.
    public func scrape(speaker: BGPSpeaker, vpn: VPNService?) async -> String {
        let peers = await speaker.peers()
        let established = peers.filter { $0.state == .established }.count
        registry.makeGauge(descriptor: Self.name("bgp", "peers", "", "configured and dynamic BGP peers")).set(
            Double(peers.count))
        registry.makeGauge(descriptor: Self.name("bgp", "sessions_established", "", "BGP sessions in Established"))
            .set(Double(established))
        for family in Self.families {
            let best = await speaker.routeCount(family: family)
            registry.makeGauge(
                descriptor: Self.name("bgp", "routes", "", "routes (keys with a best path) per address family"),
                labels: [("afi_safi", "\(family)")]
            ).set(Double(best))
            let received = peers.reduce(0) { $0 + ($1.prefixesReceived[family] ?? 0) }
            registry.makeGauge(
                descriptor: Self.name("bgp", "routes_received", "", "routes received from peers per address family"),
                labels: [("afi_safi", "\(family)")]
            ).set(Double(received))
        }
        if let vpn {
            let state = await vpn.state
            let errors = await vpn.dataplaneErrors.count
            for type in VPNType.allCases {
                let instances = state.instances.values.filter { $0.type == type }
                registry.makeGauge(
                    descriptor: Self.name("vpn", "instances", "", "VPN instances"),
                    labels: [("vpn_type", type.rawValue)]
                ).set(Double(instances.count))
                registry.makeGauge(
                    descriptor: Self.name("vpn", "endpoints", "", "attached endpoints (MAC, IP) over all instances"),
                    labels: [("vpn_type", type.rawValue)]
                ).set(Double(instances.reduce(0) { $0 + $1.endpoints.count }))
            }
            registry.makeGauge(
                descriptor: Self.name("dataplane", "errors", "", "dataplane calls that failed (last 100 kept)")
            ).set(Double(errors))
        }
        return registry.emitToString()
    }
}

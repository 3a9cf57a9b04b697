import ArgumentParser
import AsyncHTTPClient
import BagpipeAPI
import Foundation
import NIOCore
import NIOHTTP1

/// `bagpipe-rest-attach` (§7.3): attach or detach a local port through bagpipe-bgp's REST API, optionally
/// creating a network namespace and veth pair for it.
@main
struct RestAttach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-rest-attach",
        abstract: "Attach or detach a local port to/from a VPN instance through the bagpipe-bgp REST API.",
        discussion: """
            usage: bagpipe-rest-attach [--attach|--detach] --network-type (ipvpn|evpn) \
            --port (<port>|netns[:if]|evpn:<id>) --ip <ip>[/<mask>] [options]
            The REST port is [API] port of --config-file (default \(APIPortSetting.defaultConfigFile)), or \
            OS_API__PORT, or 8082.
            """)

    @Flag(name: .customLong("attach"), help: "attach local port") var attach = false
    @Flag(name: .customLong("detach"), help: "detach local port") var detach = false
    @Option(name: .customLong("network-type"), help: "network type (ipvpn or evpn)") var networkType: String?
    @Option(name: .customLong("vpn-instance-id"), help: "id of the VPN instance (default: <type>-bagpipe-test)")
    var vpnInstanceID = RestAttachOptions.defaultVPNInstanceID
    @Option(name: .customLong("port"), help: "local port: an interface, 'netns[:if]' or 'evpn:<id>'") var port: String?
    @Option(name: .customLong("direction"), help: "to-port, from-port or both (default: both)") var direction = "both"
    @Option(name: .customLong("rt"), help: "route target, import and export (repeatable)") var rt: [String] = []
    @Option(name: .customLong("import-rt"), help: "import-only route target (repeatable)") var importRT: [String] = []
    @Option(name: .customLong("export-rt"), help: "export-only route target (repeatable)") var exportRT: [String] = []
    @Option(name: .customLong("ip"), help: "IP prefix / mask (mask defaults to /24)") var ip: String?
    @Option(name: .customLong("gateway-ip"), help: "gateway address (default: last address of the subnet)")
    var gatewayIP: String?
    @Option(name: .customLong("mac"), help: "MAC address (required for evpn unless the port is netns)") var mac: String?
    @Flag(name: .customLong("advertise-singleton"), help: "advertise the IP address as a /32 (default)")
    var advertiseSingleton = false
    @Flag(name: .customLong("advertise-subnet"), help: "advertise the whole IP subnet") var advertiseSubnet = false
    @Flag(name: .customLong("ovs-preplug"), help: "plug the port into an OVS bridge first (ipvpn)") var ovsPreplug =
        false
    @Option(name: .customLong("ovs-bridge"), help: "OVS bridge for --ovs-preplug (default: br-int)") var ovsBridge =
        "br-int"
    @Option(name: .customLong("ovs-vlan"), help: "VLAN of the port (with --ovs-preplug; with netns, a VLAN interface)")
    var ovsVLAN: Int?
    @Option(name: .customLong("netns"), help: "network namespace for --port netns (default: the VPN instance id)")
    var netns: String?
    @Option(name: .customLong("if2vpn"), help: "interface in the namespace (default: tovpn)") var if2vpn = "tovpn"
    @Option(name: .customLong("readv-from-rt"), help: "readvertise routes with these RTs (repeatable)")
    var readvFromRT: [String] = []
    @Option(name: .customLong("readv-to-rt"), help: "readvertise to these RTs (repeatable)") var readvToRT: [String] =
        []
    @Option(name: .customLong("redirect-rts"), help: "attract traffic: RTs of the Flowspec routes (repeatable)")
    var redirectRTs: [String] = []
    @Option(name: .customLong("source-prefix"), help: "traffic classifier source prefix") var sourcePrefix: String?
    @Option(name: .customLong("destination-prefix"), help: "traffic classifier destination prefix")
    var destinationPrefix: String?
    @Option(name: .customLong("source-port"), help: "traffic classifier source port or range") var sourcePort: String?
    @Option(name: .customLong("destination-port"), help: "traffic classifier destination port or range")
    var destinationPort: String?
    @Option(name: .customLong("protocol"), help: "traffic classifier IP protocol") var ipProtocol: String?
    @Option(name: .customLong("attract-to-rt"), help: "redirect-to-VRF RT, with --static-destination-prefix")
    var attractToRT: [String] = []
    @Option(name: .customLong("static-destination-prefix"), help: "static destination prefix (repeatable)")
    var staticDestinationPrefix: [String] = []
    @Option(name: .customLong("lb-consistent-hash-order"), help: "load-balancing consistent hash sort order")
    var lbConsistentHashOrder = 0
    @Option(name: .customLong("vni"), help: "VXLAN VNI of the VPN instance") var vni = 0
    @Option(name: .customLong("local-pref"), help: "BGP LOCAL_PREF") var localPref: Int?
    @Option(name: .customLong("config-file"), help: "bagpipe-bgp configuration file, for [API] port")
    var configFile = APIPortSetting.defaultConfigFile

    func options() throws -> RestAttachOptions {
        guard attach || detach else { throw ValidationError("Need to specify --attach or --detach") }
        guard let port else { throw ValidationError("Need to specify --port <localport>") }
        guard let networkType else { throw ValidationError("Need to specify --network-type") }
        guard let type = VPNType(rawValue: networkType) else {
            throw ValidationError("--network-type must be ipvpn or evpn")
        }
        guard let ip else { throw ValidationError("Need to specify --ip") }
        guard let dir = Direction(rawValue: direction) else {
            throw ValidationError("--direction must be to-port, from-port or both")
        }
        var o = RestAttachOptions(operation: detach ? .detach : .attach, networkType: type, port: port, ip: ip)
        o.vpnInstanceID = vpnInstanceID
        o.direction = dir
        o.routeTargets = rt
        o.importOnlyRTs = importRT
        o.exportOnlyRTs = exportRT
        o.gatewayIP = gatewayIP
        o.mac = mac
        // optparse semantics: the last of the two flags wins; only one can be given here.
        o.advertiseSubnet = advertiseSubnet && !advertiseSingleton
        o.ovsPreplug = ovsPreplug
        o.ovsBridge = ovsBridge
        o.ovsVLAN = ovsVLAN
        o.netns = netns
        o.if2vpn = if2vpn
        o.readvFromRTs = readvFromRT
        o.readvToRTs = readvToRT
        o.redirectRTs = redirectRTs
        for (k, v) in [
            ("sourcePrefix", sourcePrefix), ("destinationPrefix", destinationPrefix), ("sourcePort", sourcePort),
            ("destinationPort", destinationPort), ("protocol", ipProtocol),
        ] {
            if let v { o.setClassifier(k, v) }
        }
        o.attractToRTs = attractToRT
        o.staticDestinationPrefixes = staticDestinationPrefix
        o.lbConsistentHashOrder = lbConsistentHashOrder
        o.vni = vni
        o.localPref = localPref
        return o
    }

    func run() async throws {
        let o = try options()
        let r: RestAttachOptions.Resolved
        do { r = try o.resolve() } catch { throw ValidationError(error.message) }
        if let notice = r.gatewayNotice { print(notice) }
        var netnsMAC: String?
        if let ns = r.netns {
            if o.operation == .attach { try NetnsPort.create(o, r, ns) }
            netnsMAC = o.mac == nil ? try NetnsPort.mac(interface: ns.innerInterface, namespace: ns.name) : nil
            print("Local port: \(r.port) (\(o.mac ?? netnsMAC ?? ""))")
            try Shell.run(["ip", "link", "show", r.port])
        }
        var ovs: JSONObject?
        if o.ovsPreplug, o.networkType == .ipvpn, !r.port.hasPrefix("evpn:") {
            print("pre-plugging \(r.port) into \(o.ovsBridge)")
            _ = try? Shell.run(["ovs-vsctl", "del-port", o.ovsBridge, r.port])
            try Shell.run(["ovs-vsctl", "add-port", o.ovsBridge, r.port])
            ovs = ["port_name": .string(r.port), "plugged": true]
            if let v = o.ovsVLAN, v != 0 { ovs?["vlan"] = .int(Int64(v)) }
        }
        let body: JSONObject
        do { body = try o.body(r, mac: netnsMAC, ovs: ovs) } catch { throw ValidationError(error.message) }
        if r.port.hasPrefix("evpn:") { print("will plug evpn \(r.port.dropFirst(5)) into the IPVPN") }
        let json = JSONValue.object(body).jsonText
        print("request: \(json)")
        let configText = try? String(contentsOfFile: configFile, encoding: .utf8)
        let apiPort = APIPortSetting.port(configText: configText, environment: ProcessInfo.processInfo.environment)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(apiPort)/\(o.operation.rawValue)_localport")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let content = String(buffer: try await response.body.collect(upTo: 16 << 20))
        if response.status.code == 200 {
            print("response: \(response.status.code) \(content)")
        } else {
            print("   \(content)")
            FileHandle.standardError.write(
                Data("error \(response.status.code), reason: \(response.status.reasonPhrase)\n".utf8))
            throw ExitCode(1)
        }
    }
}

import BGPRouting
import BGPWire
import BlasterKit

#if canImport(Glibc)
import Glibc
#endif

// engine-bench: BGPRouting.RoutingEngine alone, no sockets, on one thread.
//
//   engine-bench [--routes 1M,10M] [--family vpnv4|evpn] [--per-message 250] [--group 1000]
//                [--mode all|in|out|wire] [--senders 1] [--max-out 4096] [--tsv FILE]
//
// A route reflector engine (cluster ID set) with one client that sends every route (`sender`) and, in the `out`
// mode, a second client (`monitor`) that every route is reflected to. With `--senders K` (out modes) the routes
// come from K clients, their UPDATEs interleaved, and each is reflected to the K-1 others and the monitor, as in
// the convergence benchmark. The routes are the ones bgp-blaster sends:
// groups of `--group` routes sharing a route distinguisher, a route target and a label, packed `--per-message` to
// an UPDATE (250 fills a 4,096-octet VPN-IPv4 UPDATE). Each UPDATE is one `routesReceived` event.
//
// Modes, each in a fresh engine:
// - in: only the sender is up. Routes/s into the Adj-RIB-In and through best path (nothing to send).
// - out: the monitor is up too. Routes/s through best path into the monitor's Adj-RIB-Out, the packed UPDATEs the
//   engine returns included; then the same UPDATEs encoded to wire bytes (BGPMessage.encode), timed apart.
// - wire (with out): the input UPDATEs decoded from wire bytes first (BGPMessage.decode), so that decode + engine
//   + encode make the whole path of a route through the speaker minus the sockets.
//
// Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that other processes on a shared machine do not
// count; the wall time of the whole run is printed beside. Inputs are built in batches of 100,000 routes outside
// the timed part. Memory: the engine's own count
// (`memoryUsage`), and the process's resident size before and after (VmRSS, VmHWM), per route.

struct Result {
    var mode: String
    var routes: Int
    var senders: Int
    var seconds: Double
    var wallSeconds: Double
    var decodeSeconds = 0.0
    var encodeSeconds = 0.0
    var routesOut = 0
    var updatesOut = 0
    var bytesOut = 0
    var memory: MemoryUsage
    var rssDelta: Int
    var peakDelta: Int
}

func peer(_ name: String, _ a: IPv4Address, family: AddressFamily, maximumMessageLength: Int) -> PeerInfo {
    PeerInfo(
        id: PeerID(name), address: .v4(a), routerID: a, asn: 64512, isInternal: true, isRouteReflectorClient: true,
        families: [family], maximumMessageLength: maximumMessageLength)
}

func run(
    mode: String, routes: Int, senders k: Int, family: BenchFamily, perMessage: Int, group: Int, wire: Bool,
    maximumOut: Int
) -> Result {
    let before = ProcessMemory.current()
    let wallStart = monotonicNanoseconds()
    var engine = RoutingEngine(
        configuration: EngineConfiguration(
            localAS: 64512, routerID: IPv4Address(10, 0, 0, 1), clusterID: IPv4Address(10, 0, 0, 1)))
    let af = family.addressFamily
    let senders = mode == "out" ? k : 1
    let ids = (0..<senders).map { PeerID("sender\($0)") }
    let plans = (0..<senders).map { s in
        RoutePlan(
            family: family, sender: s, routes: routes / senders, groupSize: group,
            nextHop: IPv4Address(10, 0, 0, UInt8(11 + s)))
    }
    for s in 0..<senders {
        _ = engine.process(.peerUp(peer(ids[s].rawValue, plans[s].nextHop, family: af, maximumMessageLength: 4096)))
    }
    if mode == "out" {
        _ = engine.process(
            .peerUp(peer("monitor", IPv4Address(10, 0, 0, 2), family: af, maximumMessageLength: maximumOut)))
    }
    let options = DecodingOptions(fourOctetAS: true, extendedMessage: false, peer: .internal)
    var engineNanos: UInt64 = 0
    var decodeNanos: UInt64 = 0
    var encodeNanos: UInt64 = 0
    var routesOut = 0
    var updatesOut = 0
    var bytesOut = 0
    var writer = ByteWriter(capacity: 1 << 20)
    let batch = 100_000
    var positions = Array(repeating: 0, count: senders)
    var inputs: [(Int, UpdateMessage)] = []
    var wireInputs: [(Int, [UInt8])] = []

    func output(_ effects: [EngineEffect]) {
        for case .sendUpdates(_, let messages) in effects {
            let t3 = threadCPUNanoseconds()
            for m in messages {
                writer.bytes.removeAll(keepingCapacity: true)
                BGPMessage.update(m).encode(into: &writer)
                bytesOut += writer.count
            }
            encodeNanos += threadCPUNanoseconds() - t3
            updatesOut += messages.count
            for m in messages { routesOut += m.mpReach?.nlri.count ?? 0 }
        }
    }

    while positions.enumerated().contains(where: { $0.element < plans[$0.offset].routes }) {
        // The next batch, the senders' UPDATEs interleaved as they would arrive (not timed).
        inputs.removeAll(keepingCapacity: true)
        wireInputs.removeAll(keepingCapacity: true)
        var built = 0
        while built < batch, positions.enumerated().contains(where: { $0.element < plans[$0.offset].routes }) {
            for s in 0..<senders where positions[s] < plans[s].routes {
                let i = positions[s]
                let g = i / group
                let end = min(plans[s].routes, (g + 1) * group, i + perMessage)
                let u = plans[s].update(i..<end, group: g)
                if wire { wireInputs.append((s, BGPMessage.update(u).encode())) } else { inputs.append((s, u)) }
                built += end - i
                positions[s] = end
            }
        }
        if wire {
            for (s, bytes) in wireInputs {
                let t0 = threadCPUNanoseconds()
                guard case .update(let u)? = try? BGPMessage.decode(bytes, options: options).message else {
                    fatalError("input does not decode")
                }
                let t1 = threadCPUNanoseconds()
                let effects = engine.process(.routesReceived(ids[s], u))
                let t2 = threadCPUNanoseconds()
                decodeNanos += t1 - t0
                engineNanos += t2 - t1
                output(effects)
            }
        } else {
            for (s, u) in inputs {
                let t1 = threadCPUNanoseconds()
                let effects = engine.process(.routesReceived(ids[s], u))
                engineNanos += threadCPUNanoseconds() - t1
                output(effects)
            }
        }
    }
    inputs = []
    wireInputs = []
    let memory = engine.memoryUsage
    let after = ProcessMemory.current()
    let total = plans.reduce(0) { $0 + $1.routes }
    let count = engine.pathCount(family: af)
    precondition(count == total, "engine holds \(count) paths, expected \(total)")
    if mode == "out" {
        precondition(routesOut == total * senders, "sent \(routesOut) routes, expected \(total * senders)")
    }
    withExtendedLifetime(engine) {}
    return Result(
        mode: mode + (wire ? "+wire" : ""), routes: total, senders: senders, seconds: Double(engineNanos) / 1e9,
        wallSeconds: Double(monotonicNanoseconds() - wallStart) / 1e9,
        decodeSeconds: Double(decodeNanos) / 1e9, encodeSeconds: Double(encodeNanos) / 1e9, routesOut: routesOut,
        updatesOut: updatesOut, bytesOut: bytesOut, memory: memory, rssDelta: after.rss - before.rss,
        peakDelta: after.peak - before.peak)
}

func millions(_ x: Double) -> String {
    let v = (x / 1e4).rounded() / 100
    return "\(v) M"
}

func fixed(_ x: Double, _ digits: Int = 1) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    return "\((x * p).rounded() / p)"
}

do {
    var a = try Arguments(Array(CommandLine.arguments.dropFirst()), flagNames: [])
    let sizes = try a.string("routes", default: "1M,10M").split(separator: ",").map { text -> Int in
        guard let n = Arguments.count(String(text)) else { throw SystemError(message: "--routes: \(text)") }
        return n
    }
    guard let family = BenchFamily(rawValue: a.string("family", default: "vpnv4")) else {
        throw SystemError(message: "--family vpnv4|evpn")
    }
    let perMessage = try a.int("per-message", default: family == .vpnv4 ? 250 : 103)
    let group = try a.int("group", default: 1000)
    let modes = a.string("mode", default: "all")
    let maximumOut = try a.int("max-out", default: 4096)
    let tsv = a.string("tsv")
    let senders = try a.int("senders", default: 1)
    try a.checkAllUsed()

    var runs: [(String, Bool)] = []
    if modes == "all" || modes == "in" { runs.append(("in", false)) }
    if modes == "all" || modes == "out" { runs.append(("out", false)) }
    if modes == "all" || modes == "wire" { runs.append(("out", true)) }

    print(
        "family \(family.rawValue), \(perMessage) routes per UPDATE in, groups of \(group), out messages up to "
            + "\(maximumOut) octets")
    let header = [
        "mode", "routes", "senders", "engine s", "engine routes/s", "decode s", "encode s", "end-to-end routes/s",
        "routes out",
        "UPDATEs out", "engine B/route", "RSS B/route", "peak B/route", "run wall s",
    ]
    print(header.joined(separator: "\t"))
    var lines = [header.joined(separator: "\t")]
    for size in sizes {
        for (mode, wire) in runs {
            let r = run(
                mode: mode, routes: size, senders: senders, family: family, perMessage: perMessage, group: group,
                wire: wire,
                maximumOut: maximumOut)
            let total = r.seconds + r.decodeSeconds + r.encodeSeconds
            let row = [
                r.mode, "\(r.routes)", "\(r.senders)", fixed(r.seconds, 3), millions(Double(r.routes) / r.seconds),
                fixed(r.decodeSeconds, 3), fixed(r.encodeSeconds, 3), millions(Double(r.routes) / total),
                "\(r.routesOut)", "\(r.updatesOut)", fixed(r.memory.bytesPerPath),
                fixed(Double(r.rssDelta) / Double(r.routes)), fixed(Double(r.peakDelta) / Double(r.routes)),
                fixed(r.wallSeconds, 2),
            ]
            print(row.joined(separator: "\t"))
            lines.append(row.joined(separator: "\t"))
        }
    }
    if let tsv { try writeFileAtomically(tsv, lines.joined(separator: "\n") + "\n") }
} catch {
    log("\(error)")
    exit(1)
}

import BGPWire
import BlasterKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// bgp-blaster: the load generator and the route counter of the convergence benchmark.
//
//   bgp-blaster send    --connect A [--port P] --local A1,A2,... --routes N --family vpnv4|evpn [--group G]
//                       [--as 64512] [--hold 180] [--no-extended] --out FILE
//   bgp-blaster monitor (--connect A --local L | --listen L --sessions K) --senders K --routes N
//                       --family vpnv4|evpn [--port P] [--as 64512] [--hold 180] [--no-extended]
//                       --ready FILE --out FILE [--progress FILE]
//
// send: one session per local address, all opened first; then every sender's routes are encoded as packed UPDATEs
// (the largest messages the session allows, one route group per message run), and written by one thread per
// session as fast as the socket takes them, then End-of-RIB. Whatever the peer sends is read and dropped. When all
// are written, FILE gets the timings (monotonic nanoseconds) and the sessions are kept up with KEEPALIVEs until
// the process is stopped.
//
// monitor: one session to the device under test (or K accepted sessions from the senders directly, to measure the
// load generator alone). Every UPDATE is decoded (BGPMessage.decode) and its routes marked in a bitmap of the
// K×N routes; FILE gets the time the last one arrived. The session stays up until the process is stopped.

let usage = """
    usage: bgp-blaster send --connect ADDRESS --local A1,A2,... --routes N --family vpnv4|evpn --out FILE
           bgp-blaster monitor (--connect ADDRESS --local ADDRESS | --listen ADDRESS --sessions K)
                               --senders K --routes N --family vpnv4|evpn --ready FILE --out FILE
           common: [--port 179] [--as 64512] [--hold 180] [--no-extended] [--group 1000] [--progress FILE]
    """

struct Common {
    var port: UInt16
    var asn: UInt32
    var hold: UInt16
    var extended: Bool
    var family: BenchFamily
    var routes: Int

    init(_ a: inout Arguments) throws {
        port = UInt16(try a.int("port", default: 179))
        asn = UInt32(try a.int("as", default: 64512))
        hold = UInt16(try a.int("hold", default: 180))
        extended = !a.flag("no-extended")
        guard let f = BenchFamily(rawValue: a.string("family", default: "vpnv4")) else {
            throw SystemError(message: "--family: vpnv4 or evpn")
        }
        family = f
        routes = try a.int("routes", default: 10_000)
    }

    func settings(routerID: IPv4Address) -> SessionSettings {
        SessionSettings(
            asn: asn, routerID: routerID, holdTime: hold, families: [family.addressFamily], extendedMessage: extended)
    }

    /// Seconds between KEEPALIVEs: a third of the hold time (RFC 4271 §10); never with hold time 0.
    func keepaliveInterval(_ n: Negotiated) -> Double? { n.holdTime == 0 ? nil : Double(n.holdTime) / 3 }
}

func address(_ text: String?, _ option: String) throws -> IPv4Address {
    guard let text, let a = IPv4Address(text) else { throw SystemError(message: "--\(option): an IPv4 address") }
    return a
}

// MARK: - Sender

final class Sender: @unchecked Sendable {
    let index: Int
    let local: IPv4Address
    var connection: TCPConnection?
    var stream: MessageStream?
    var negotiated: Negotiated?
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var routesPerMessage = 0
    var firstWrite: UInt64 = 0
    var lastWrite: UInt64 = 0
    var keepalivesSent = 0
    let received = Atomic<Int>(0)
    let receivedBytes = Atomic<Int>(0)

    init(index: Int, local: IPv4Address) {
        self.index = index
        self.local = local
    }
}

func runSender(_ a: inout Arguments) throws {
    let common = try Common(&a)
    let dut = try address(a.string("connect"), "connect")
    let locals = try (a.string("local") ?? "").split(separator: ",").map { try address(String($0), "local") }
    guard !locals.isEmpty else { throw SystemError(message: "--local: one address per sender") }
    let group = try a.int("group", default: 1000)
    guard let out = a.string("out") else { throw SystemError(message: "--out FILE") }
    try a.checkAllUsed()

    let senders = locals.enumerated().map { Sender(index: $0.offset, local: $0.element) }
    let established = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    for s in senders {
        WorkerThread.start {
            do {
                let c = try TCPConnection.connect(to: dut, port: common.port, from: s.local, timeout: 60)
                let stream = MessageStream(c)
                let n = try openSession(c, stream, common.settings(routerID: s.local))
                s.connection = c
                s.stream = stream
                s.negotiated = n
                established.add(1, ordering: .sequentiallyConsistent)
            } catch {
                log("sender \(s.index) (\(s.local)): \(error)")
                failed.add(1, ordering: .sequentiallyConsistent)
                return
            }
            // Everything the peer sends (the other senders' routes, reflected) is read and dropped.
            let stream = s.stream!
            do {
                while let m = try stream.next() {
                    s.received.add(1, ordering: .relaxed)
                    s.receivedBytes.store(stream.bytesRead, ordering: .relaxed)
                    if m[18] == BGPMessage.MessageType.notification.rawValue {
                        log("sender \(s.index): NOTIFICATION \(m[19])/\(m[20]) from \(dut)")
                    }
                }
                log("sender \(s.index): \(dut) closed the session")
            } catch {
                log("sender \(s.index): \(error)")
            }
        }
    }
    while established.load(ordering: .sequentiallyConsistent) + failed.load(ordering: .sequentiallyConsistent)
        < senders.count
    {
        sleep(seconds: 0.005)
    }
    guard failed.load(ordering: .sequentiallyConsistent) == 0 else { exit(1) }
    let establishedAt = monotonicNanoseconds()

    // Encoded after the sessions are up: the message size depends on what each negotiated.
    let encodeStart = monotonicNanoseconds()
    for s in senders {
        let n = s.negotiated!
        let plan = RoutePlan(
            family: common.family, sender: s.index, routes: common.routes, groupSize: group, nextHop: s.local)
        let options = EncodingOptions(fourOctetAS: n.fourOctetAS)
        s.routesPerMessage = plan.routesPerMessage(limit: n.maximumMessageLength, options: options)
        (s.bytes, s.ends) = plan.encode(limit: n.maximumMessageLength, options: options)
    }
    let encodeSeconds = Double(monotonicNanoseconds() - encodeStart) / 1e9
    let endOfRIB = BGPMessage.update(.endOfRIB(common.family.addressFamily)).encode()

    let start = monotonicNanoseconds()
    let writers = senders.map { s in
        WorkerThread.start {
            let c = s.connection!
            let interval = common.keepaliveInterval(s.negotiated!).map { UInt64($0 * 1e9) }
            var lastKeepalive = monotonicNanoseconds()
            do {
                try s.bytes.withUnsafeBytes { all in
                    var offset = 0
                    var e = 0
                    s.firstWrite = monotonicNanoseconds()
                    while offset < all.count {
                        // Up to 1 MiB per write, ending on a message boundary, so a KEEPALIVE can go in between.
                        var chunkEnd = offset
                        while e < s.ends.count, s.ends[e] - offset <= 1 << 20 || chunkEnd == offset {
                            chunkEnd = s.ends[e]
                            e += 1
                        }
                        try c.writeAll(UnsafeRawBufferPointer(rebasing: all[offset..<chunkEnd]))
                        offset = chunkEnd
                        if let interval, monotonicNanoseconds() - lastKeepalive > interval {
                            try c.writeAll(keepaliveBytes)
                            lastKeepalive = monotonicNanoseconds()
                        }
                    }
                    s.lastWrite = monotonicNanoseconds()
                }
                try c.writeAll(endOfRIB)
            } catch {
                log("sender \(s.index): \(error)")
                exit(1)
            }
        }
    }
    for w in writers { w.join() }
    let cpu = ProcessMemory.cpuSeconds()

    var j = JSONObject()
    j.set("senders", senders.count)
    j.set("routes_per_sender", common.routes)
    j.set("family", common.family.rawValue)
    j.set("established_ns", establishedAt)
    j.set("encode_seconds", encodeSeconds)
    j.set("start_ns", start)
    j.set("first_write_ns", senders.map(\.firstWrite).min()!)
    j.set("last_write_ns", senders.map(\.lastWrite).max()!)
    j.set("bytes", senders.reduce(0) { $0 + $1.bytes.count })
    j.set("messages", senders.reduce(0) { $0 + $1.ends.count })
    j.set("routes_per_message", senders[0].routesPerMessage)
    j.set("max_message", senders[0].negotiated!.maximumMessageLength)
    j.set("peer_hold", Int(senders[0].negotiated!.peerOpen.holdTime))
    j.set("cpu_seconds", cpu)
    try writeFileAtomically(out, j.text)
    let seconds = Double(senders.map(\.lastWrite).max()! - senders.map(\.firstWrite).min()!) / 1e9
    let total = senders.count * common.routes
    log(
        "sent \(total) routes in \(senders.reduce(0) { $0 + $1.ends.count }) UPDATEs "
            + "(\(senders[0].routesPerMessage)/message, max \(senders[0].negotiated!.maximumMessageLength) octets) "
            + "in \(seconds) s: \(Int(Double(total) / max(seconds, 1e-9))) routes/s")
    for s in senders { s.bytes = [] }

    // Sessions kept up until the process is stopped.
    let interval = common.keepaliveInterval(senders[0].negotiated!) ?? 60
    while true {
        sleep(seconds: interval)
        for s in senders { try? s.connection!.writeAll(keepaliveBytes) }
    }
}

// MARK: - Monitor

final class MonitorState: @unchecked Sendable {
    let target: Int
    let total = Atomic<Int>(0)
    let doneReported = Atomic<Bool>(false)
    let firstRoute = Atomic<UInt64>(0)
    let out: String
    let progress: String?
    let progressLock = Mutex<UInt64>(0)

    init(target: Int, out: String, progress: String?) {
        self.target = target
        self.out = out
        self.progress = progress
    }
}

final class MonitorSession: @unchecked Sendable {
    let connection: TCPConnection
    let stream: MessageStream
    let negotiated: Negotiated
    var tally: RouteTally
    var messages = 0
    var updates = 0
    var decodeErrors = 0

    init(_ c: TCPConnection, _ s: MessageStream, _ n: Negotiated, _ t: RouteTally) {
        connection = c
        stream = s
        negotiated = n
        tally = t
    }
}

func monitorLoop(_ m: MonitorSession, _ state: MonitorState, sessions: [MonitorSession]) {
    let options = m.negotiated.decodingOptions
    var reportedUnique = 0
    do {
        while let bytes = try m.stream.next() {
            m.messages += 1
            guard bytes[18] == BGPMessage.MessageType.update.rawValue else {
                if bytes[18] == BGPMessage.MessageType.notification.rawValue {
                    log("monitor: NOTIFICATION \(bytes[19])/\(bytes[20]) from \(m.connection.peer)")
                }
                continue
            }
            m.updates += 1
            let decoded: DecodedMessage
            do throws(BGPWireError) {
                decoded = try BGPMessage.decode(bytes, options: options)
            } catch {
                m.decodeErrors += 1
                log("monitor: undecodable UPDATE: \(error)")
                continue
            }
            guard case .update(let update) = decoded.message else { continue }
            m.tally.count(update)
            let added = m.tally.unique - reportedUnique
            guard added > 0 else { continue }
            reportedUnique = m.tally.unique
            let now = monotonicNanoseconds()
            _ = state.firstRoute.compareExchange(expected: 0, desired: now, ordering: .relaxed)
            let total = state.total.add(added, ordering: .sequentiallyConsistent).newValue
            if total >= state.target,
                state.doneReported.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent)
                    .exchanged
            {
                report(state, sessions: sessions, done: now)
            } else if let progress = state.progress {
                let due = state.progressLock.withLock { last -> Bool in
                    guard now - last > 250_000_000 else { return false }
                    last = now
                    return true
                }
                if due { try? writeFileAtomically(progress, "\(now) \(total)\n") }
            }
        }
        log("monitor: \(m.connection.peer) closed the session")
    } catch {
        log("monitor: \(error)")
    }
}

func report(_ state: MonitorState, sessions: [MonitorSession], done: UInt64) {
    var j = JSONObject()
    j.set("done_ns", done)
    j.set("first_route_ns", state.firstRoute.load(ordering: .relaxed))
    j.set("unique", state.total.load(ordering: .sequentiallyConsistent))
    // Read from other threads without a lock: these figures are informative, the unique total is exact.
    j.set("announced", sessions.reduce(0) { $0 + $1.tally.announced })
    j.set("repeated", sessions.reduce(0) { $0 + $1.tally.repeated })
    j.set("foreign", sessions.reduce(0) { $0 + $1.tally.foreign })
    j.set("withdrawn", sessions.reduce(0) { $0 + $1.tally.withdrawn })
    j.set("updates", sessions.reduce(0) { $0 + $1.updates })
    j.set("bytes", sessions.reduce(0) { $0 + $1.stream.bytesRead })
    j.set("decode_errors", sessions.reduce(0) { $0 + $1.decodeErrors })
    j.set("max_message", sessions[0].negotiated.maximumMessageLength)
    j.set("cpu_seconds", ProcessMemory.cpuSeconds())
    do {
        try writeFileAtomically(state.out, j.text)
    } catch {
        log("monitor: \(error)")
    }
    if let progress = state.progress { try? writeFileAtomically(progress, "\(done) \(state.target)\n") }
    let seconds = Double(done - state.firstRoute.load(ordering: .relaxed)) / 1e9
    log("monitor: all \(state.target) routes, \(seconds) s after the first")
}

func runMonitor(_ a: inout Arguments) throws {
    let common = try Common(&a)
    let senders = try a.int("senders", default: 1)
    guard let out = a.string("out"), let ready = a.string("ready") else {
        throw SystemError(message: "--out FILE and --ready FILE")
    }
    let progress = a.string("progress")
    let connect = a.string("connect")
    let listen = a.string("listen")
    let local = a.string("local")
    let sessionCount = try a.int("sessions", default: 1)
    try a.checkAllUsed()

    let state = MonitorState(target: senders * common.routes, out: out, progress: progress)
    var sessions: [MonitorSession] = []
    func open(_ c: TCPConnection, routerID: IPv4Address) throws {
        let stream = MessageStream(c, capacity: 4 << 20)
        let n = try openSession(c, stream, common.settings(routerID: routerID))
        sessions.append(
            MonitorSession(c, stream, n, RouteTally(senders: senders, routesPerSender: common.routes)))
    }
    if let connect {
        let from = try address(local, "local")
        let c = try TCPConnection.connect(
            to: try address(connect, "connect"), port: common.port, from: from, timeout: 60)
        try open(c, routerID: from)
    } else {
        let at = try address(listen, "listen")
        let listener = try TCPListener(address: at, port: common.port)
        for _ in 0..<sessionCount { try open(try listener.accept(), routerID: at) }
    }
    try writeFileAtomically(ready, "\(monotonicNanoseconds())\n")
    log("monitor: \(sessions.count) session(s) established, waiting for \(state.target) routes")
    let all = sessions
    for m in sessions { WorkerThread.start { monitorLoop(m, state, sessions: all) } }
    let interval = common.keepaliveInterval(sessions[0].negotiated) ?? 60
    while true {
        sleep(seconds: interval)
        for m in sessions { try? m.connection.writeAll(keepaliveBytes) }
    }
}

// MARK: - Main

do {
    var a = try Arguments(Array(CommandLine.arguments.dropFirst()), flagNames: ["no-extended"])
    switch a.command {
    case "send": try runSender(&a)
    case "monitor": try runMonitor(&a)
    default:
        print(usage)
        exit(2)
    }
} catch {
    log("\(error)")
    exit(1)
}

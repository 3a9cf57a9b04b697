import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The namespaces, veth pairs and daemons of one test, and their cleanup.
///
/// Names are unique on the machine: namespaces are `bpi<pid>-<lab>-<tag>`, host-side veths `b<pid>-<link>`, and
/// addresses come from 10.<r>.0.0/16 where r is derived from the PID and skipped if the root namespace already
/// uses it. Everything a lab made is removed by `tearDown` (which `Lab.with` always calls): its daemons are stopped
/// by PID (SIGTERM, then SIGKILL), anything still running inside its namespaces is killed by PID, and the
/// namespaces are deleted, which also deletes their veth pairs. The first lab of a process also removes what
/// earlier test processes left behind after a crash: namespaces and /tmp directories with our prefix whose PID no
/// longer exists (namespaces only when older than 10 minutes, in case they belong to another PID namespace).
///
/// Requirements: root, `ip netns`, python3, and the daemons FRR 8.4, GoBGP 3, BIRD 2 and ExaBGP 4.2
/// (scripts/install-deps installs them all). When something is missing the interop tests fail with the reason;
/// they are skipped only when asked to.
///
/// Environment:
/// * `BAGPIPE_SKIP_INTEROP=1`: skip the interop suites (for a machine that is not root). CI runs as root and
///   does not set it, so the suites run there and fail loudly if the lab cannot work.
/// * `BAGPIPE_INTEROP_KEEP=1`: keep every lab's directory (configs, daemon logs, `bgp.conf`); a lab whose body
///   threw always keeps its directory and the error names it.
/// * `BAGPIPE_INTEROP_PARALLEL=n`: at most n labs at once (default 4).
///
/// The pieces: `Command`/`ChildProcess` (posix_spawn, reaped by a thread each, no polling), `Netns` (commands
/// inside a namespace), `Daemon` (a background process by PID with its log), one `PeerDriver` per
/// implementation (`GoBGPPeer`, `FRRPeer`, `BIRDPeer`, `ExaBGPPeer`), `RawBGPPeer` (hand-made bytes over TCP),
/// `LabSpeaker` (our `BGPSpeaker` in-process) and `LabRoute` (the common form routes are compared in).
final class Lab: Sendable {
    static let prefix = "bpi"

    let id: Int
    /// Configs, logs, sockets and pid files of this lab's daemons (world-traversable: FRR runs as user frr).
    let directory: String
    private let state = Mutex(Resources())

    private struct Resources {
        var namespaces: [Netns] = []
        var daemons: [Daemon] = []
        var cleanups: [@Sendable () async -> Void] = []
        var interfaceCount: [String: Int] = [:]
    }

    private static let labCounter = Atomic<Int>(0)
    private static let linkCounter = Atomic<Int>(0)

    private init(id: Int, directory: String) {
        self.id = id
        self.directory = directory
    }

    // MARK: - Availability

    /// `BAGPIPE_SKIP_INTEROP=1`: the interop tests are skipped (they need root and the daemons).
    static var skipRequested: Bool { ProcessInfo.processInfo.environment["BAGPIPE_SKIP_INTEROP"] == "1" }

    /// Why the lab cannot run here, or nil if it can (checked once per process).
    static func unavailabilityReason() async -> String? { await availability.value }

    /// Whether the lab can run here: root, `ip netns` works, and the daemons are installed.
    static var isAvailable: Bool {
        get async { await unavailabilityReason() == nil }
    }

    /// Throws a clear error unless the lab can run here.
    static func requireAvailable() async throws {
        if let reason = await unavailabilityReason() {
            throw LabError.unavailable(
                "\(reason). The interop tests need root, iproute2 and the packages frr, gobgpd, bird2 and exabgp "
                    + "(scripts/install-deps installs them). Set BAGPIPE_SKIP_INTEROP=1 to skip them.")
        }
    }

    private static let availability = Task<String?, Never> {
        guard geteuid() == 0 else { return "not running as root (uid \(geteuid()))" }
        let missing = Tools.required.filter { Tools.path($0) == nil }
        guard missing.isEmpty else { return "missing programs: \(missing.joined(separator: ", "))" }
        let probe = "\(prefix)\(getpid())-probe"
        do {
            try await Command.check(["ip", "netns", "add", probe])
            try await Command.check(["ip", "netns", "exec", probe, "true"])
            try await Command.check(["ip", "netns", "del", probe])
        } catch {
            _ = try? await Command.run(["ip", "netns", "del", probe])
            return "`ip netns` does not work: \(error)"
        }
        return nil
    }

    // MARK: - Lifetime

    /// Runs `body` with a new lab, and always tears the lab down afterwards. At most `Lab.slots.limit` labs run
    /// at once (`BAGPIPE_INTEROP_PARALLEL`, default 4): tests run in parallel and the machine may have 2 cores.
    static func with<T>(_ label: String, _ body: (Lab) async throws -> T) async throws -> T {
        try await requireAvailable()
        await sweep.value
        await slots.acquire()
        let lab: Lab
        do {
            lab = try await Lab.make(label)
        } catch {
            await slots.release()
            throw error
        }
        do {
            let result = try await body(lab)
            let keep = ProcessInfo.processInfo.environment["BAGPIPE_INTEROP_KEEP"] == "1"
            // In a task of its own: a cancelled test (time limit) must still clean up completely.
            await Task { await lab.tearDown(keepDirectory: keep) }.value
            await slots.release()
            return result
        } catch {
            let logs = lab.logTails()
            await Task { await lab.tearDown(keepDirectory: true) }.value
            await slots.release()
            throw LabFailure(error: error, directory: lab.directory, logs: logs)
        }
    }

    private static func make(_ label: String) async throws -> Lab {
        let id = labCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let slug = label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40)
        let directory = "/tmp/\(prefix)\(getpid())-\(id)-\(String(slug))"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return Lab(id: id, directory: directory)
    }

    /// Stops the daemons, kills what is left in the namespaces, deletes the namespaces (and with them the veths).
    func tearDown(keepDirectory: Bool = false) async {
        let (namespaces, daemons, cleanups) = state.withLock { state in
            defer {
                state.namespaces = []
                state.daemons = []
                state.cleanups = []
            }
            return (state.namespaces, state.daemons, state.cleanups)
        }
        for cleanup in cleanups.reversed() { await cleanup() }
        await withTaskGroup(of: Void.self) { group in
            for daemon in daemons { group.addTask { await daemon.stop(grace: .seconds(2)) } }
        }
        for netns in namespaces {
            for pid in await netns.pids() where pid != getpid() { kill(pid, SIGKILL) }
            _ = try? await Command.run(["ip", "netns", "del", netns.name])
        }
        if !keepDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Runs `cleanup` first on tear-down (last registered first), before the daemons are stopped.
    func onTearDown(_ cleanup: @escaping @Sendable () async -> Void) {
        state.withLock { $0.cleanups.append(cleanup) }
    }

    /// The last lines of every daemon's output, for a failure report.
    func logTails(lines: Int = 15) -> String {
        state.withLock { $0.daemons }.map { "== \($0.name) (\($0.netns)) ==\n\($0.logTail(lines))" }
            .joined(separator: "\n")
    }

    // MARK: - Namespaces and links

    /// A new namespace, with `lo` up and IPv6 disabled (IPv4-only links keep FRR from using link-local next hops).
    func makeNamespace(_ tag: String) async throws -> Netns {
        let netns = Netns(name: "\(Lab.prefix)\(getpid())-\(id)-\(tag)")
        try await Command.check(["ip", "netns", "add", netns.name])
        state.withLock { $0.namespaces.append(netns) }
        try await netns.check([
            "sh", "-c",
            "ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
        ])
        return netns
    }

    /// A veth pair between the root namespace (`a`, address .1) and `netns` (`b`, address .2) in a fresh /30.
    func connectToHost(_ netns: Netns) async throws -> Link {
        let (index, subnet) = await Lab.nextSubnet()
        let hostInterface = "b\(getpid())-\(index)"
        let inner = nextInterface(in: netns)
        let link = Link(
            a: LinkEnd(netns: nil, interface: hostInterface, address: subnet(1)),
            b: LinkEnd(netns: netns, interface: inner, address: subnet(2)))
        try await Command.check([
            "ip", "link", "add", hostInterface, "type", "veth", "peer", "name", inner, "netns", netns.name,
        ])
        try? "1".write(
            toFile: "/proc/sys/net/ipv6/conf/\(hostInterface)/disable_ipv6", atomically: false, encoding: .utf8)
        try await Command.check(["ip", "addr", "add", "\(link.a.address)/30", "dev", hostInterface])
        try await Command.check(["ip", "link", "set", hostInterface, "up"])
        try await netns.ip("addr", "add", "\(link.b.address)/30", "dev", inner)
        try await netns.ip("link", "set", inner, "up")
        return link
    }

    /// A veth pair between two of this lab's namespaces (`a` gets .1, `b` gets .2) in a fresh /30.
    func connect(_ first: Netns, _ second: Netns) async throws -> Link {
        let (_, subnet) = await Lab.nextSubnet()
        let link = Link(
            a: LinkEnd(netns: first, interface: nextInterface(in: first), address: subnet(1)),
            b: LinkEnd(netns: second, interface: nextInterface(in: second), address: subnet(2)))
        try await Command.check([
            "ip", "link", "add", link.a.interface, "netns", first.name, "type", "veth", "peer", "name",
            link.b.interface,
            "netns", second.name,
        ])
        for end in [link.a, link.b] {
            let netns = end.netns!
            try await netns.ip("addr", "add", "\(end.address)/30", "dev", end.interface)
            try await netns.ip("link", "set", end.interface, "up")
        }
        return link
    }

    private func nextInterface(in netns: Netns) -> String {
        state.withLock { state in
            let n = state.interfaceCount[netns.name, default: 0]
            state.interfaceCount[netns.name] = n + 1
            return "eth\(n)"
        }
    }

    /// The second octet of our addresses (10.<r>.x.y), chosen once per process.
    private static let secondOctet = Task<Int, Never> {
        let used = (try? await Command.check(["ip", "-o", "-4", "addr", "show"])) ?? ""
        let base = Int(getpid()) % 100
        for step in 0..<100 {
            let r = 100 + (base + step) % 100
            if !used.contains(" 10.\(r).") { return r }
        }
        return 100 + base
    }

    /// A fresh /30 in 10.<r>.0.0/16: its index and a function from host number (1 or 2) to address.
    private static func nextSubnet() async -> (Int, @Sendable (Int) -> String) {
        let r = await secondOctet.value
        let index = linkCounter.wrappingAdd(1, ordering: .relaxed).newValue % 16384
        let third = index / 64
        let fourth = (index % 64) * 4
        return (index, { host in "10.\(r).\(third).\(fourth + host)" })
    }

    // MARK: - Daemons

    /// A daemon of this lab (not started yet): the lab stops it on tear-down.
    func daemon(_ name: String, in netns: Netns, _ argv: [String]) -> Daemon {
        let daemon = Daemon(name: name, netns: netns, argv: argv, logPath: "\(directory)/\(name).out")
        state.withLock { $0.daemons.append(daemon) }
        return daemon
    }

    /// A subdirectory of the lab directory (created, mode 0755).
    func subdirectory(_ name: String) throws -> String {
        let path = "\(directory)/\(name)"
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return path
    }

    // MARK: - Leftovers of crashed runs

    private static let sweep = Task<Void, Never> {
        let me = getpid()
        let listing = (try? await Command.check(["ip", "netns", "list"])) ?? ""
        for line in listing.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard let owner = ownerPID(of: name), owner != me, !isAlive(owner) else { continue }
            var info = stat()
            guard stat("/run/netns/\(name)", &info) == 0, time(nil) - info.st_mtim.tv_sec > 600 else { continue }
            let netns = Netns(name: name)
            for pid in await netns.pids() where pid != me { kill(pid, SIGKILL) }
            _ = try? await Command.run(["ip", "netns", "del", name])
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] {
            guard let owner = ownerPID(of: entry), owner != me, !isAlive(owner) else { continue }
            try? FileManager.default.removeItem(atPath: "/tmp/\(entry)")
        }
    }

    /// The PID in a name of ours (`bpi<pid>-...`), or nil for any other name.
    private static func ownerPID(of name: String) -> pid_t? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
        guard !digits.isEmpty, name.dropFirst(prefix.count + digits.count).first == "-" else { return nil }
        return pid_t(digits)
    }

    private static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }
}

/// A counting semaphore for labs.
actor LabSlots {
    let limit: Int
    private var used = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        if used < limit {
            used += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            used -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

extension Lab {
    static let slots = LabSlots(
        limit: ProcessInfo.processInfo.environment["BAGPIPE_INTEROP_PARALLEL"].flatMap { Int($0) } ?? 4)
}

extension Trait where Self == ConditionTrait {
    /// For every interop suite: skipped when `BAGPIPE_SKIP_INTEROP=1`; otherwise the tests run, and fail with a
    /// clear message when the lab cannot run here (not root, no `ip netns`, daemons missing).
    static var interopLab: Self { .disabled(if: Lab.skipRequested, "BAGPIPE_SKIP_INTEROP=1") }
}

/// A lab body's error, with where the lab's files were kept and the daemons' last output.
struct LabFailure: Error, CustomStringConvertible {
    var error: any Error
    var directory: String
    var logs: String

    var description: String { "\(error)\n(lab files kept in \(directory))\n\(logs)" }
}

/// The external programs, found in the usual directories (a test's PATH may lack the sbin ones).
enum Tools {
    static let required = [
        "ip", "gobgpd", "gobgp", "/usr/lib/frr/zebra", "/usr/lib/frr/bgpd", "vtysh", "bird", "birdc", "exabgp",
        "python3",
    ]

    static func path(_ name: String) -> String? {
        if name.hasPrefix("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

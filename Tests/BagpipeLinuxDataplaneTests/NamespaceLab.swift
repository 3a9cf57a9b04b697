import Foundation
import LinuxNetlink

/// Two "compute nodes" (network namespaces) joined by a bridge in an underlay namespace, each with "VM"
/// namespaces plugged through a veth whose node end is the port. Names carry the PID; `teardown` deletes all.
final class NamespaceLab {
    let prefix: String
    private(set) var namespaces: [String] = []

    init(_ label: String) throws {
        prefix = "dp\(getpid())\(label)"
        try add(underlay)
        try ip("-n", underlay, "link", "add", "br0", "type", "bridge")
        try ip("-n", underlay, "link", "set", "br0", "up")
        for node in 1...2 {
            let ns = self.node(node)
            try add(ns)
            try ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", "up\(node)", "netns", underlay)
            try ip("-n", underlay, "link", "set", "up\(node)", "master", "br0", "up")
            try ip("-n", ns, "addr", "add", "\(underlayAddress(node))/24", "dev", "eth0")
            try ip("-n", ns, "link", "set", "eth0", "up")
        }
    }

    var underlay: String { prefix + "u" }
    func node(_ n: Int) -> String { prefix + "n\(n)" }
    func underlayAddress(_ n: Int) -> String { "10.0.0.1\(n)" }

    /// A VM namespace `vm` with eth0 (MAC, address, default route), plugged into `node` as `port`.
    /// Without `ipv6` the VM link has no IPv6: its router solicitations and MLD reports would blur the packet
    /// counters. With it, `address` is IPv6 and usable at once (no Duplicate Address Detection).
    func addVM(
        _ vm: String, node: Int, port: String, mac: String, address: String, gateway: String? = nil, mtu: Int = 1450,
        ipv6: Bool = false
    ) throws {
        let ns = prefix + vm
        try add(ns)
        try ip("link", "add", port, "netns", self.node(node), "type", "veth", "peer", "name", "eth0", "netns", ns)
        if ipv6 {
            try ip("netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
        } else {
            try ip("netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1")
            try ip("netns", "exec", self.node(node), "sysctl", "-qw", "net.ipv6.conf.\(port).disable_ipv6=1")
        }
        try ip("-n", ns, "link", "set", "eth0", "address", mac, "mtu", "\(mtu)", "up")
        try ip("-n", ns, "addr", "add", address, "dev", "eth0")
        if let gateway { try ip("-n", ns, ipv6 ? "-6" : "-4", "route", "add", "default", "via", gateway) }
    }

    /// `sysctl -w net.ipv6.conf.all.forwarding=<on>` in a node's namespace.
    func setIPv6Forwarding(node: Int, _ on: Bool) throws {
        try ip("netns", "exec", self.node(node), "sysctl", "-qw", "net.ipv6.conf.all.forwarding=\(on ? 1 : 0)")
    }

    func vm(_ name: String) -> String { prefix + name }

    /// One ICMP echo, one second: did it come back?
    func ping(from vm: String, _ address: String) -> Bool {
        (try? run(["ip", "netns", "exec", prefix + vm, "ping", "-c1", "-W1", address]).status) == 0
    }

    /// One broadcast ICMP echo: did any host answer?
    func broadcastPing(from vm: String, _ address: String) -> Bool {
        (try? run(["ip", "netns", "exec", prefix + vm, "ping", "-b", "-c1", "-W1", address]).status) == 0
    }

    func rxPackets(_ vm: String) throws -> Int {
        let out = try run(["ip", "netns", "exec", prefix + vm, "cat", "/sys/class/net/eth0/statistics/rx_packets"])
        return Int(out.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @discardableResult
    func ip(_ arguments: String...) throws -> String {
        let result = try run(["ip"] + arguments)
        guard result.status == 0 else {
            throw LabError(command: "ip " + arguments.joined(separator: " "), output: result.output)
        }
        return result.output
    }

    func teardown() {
        for ns in namespaces.reversed() { _ = try? run(["ip", "netns", "del", ns]) }
        namespaces = []
    }

    private func add(_ ns: String) throws {
        try ip("netns", "add", ns)
        namespaces.append(ns)
        try ip("-n", ns, "link", "set", "lo", "up")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    struct LabError: Error, CustomStringConvertible {
        var command: String
        var output: String
        var description: String { "\(command): \(output)" }
    }
}

import BagpipeAPI
import Foundation

/// Runs commands for the netns and OVS helpers (they need root, as in the original).
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        var command: [String]
        var status: Int32
        var output: String
        var description: String { "\(command.joined(separator: " ")) failed (\(status)): \(output)" }
    }

    /// Runs `argv` (looked up in PATH) and returns its standard output; throws on a non-zero exit.
    @discardableResult
    static func run(_ argv: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw Failure(command: argv, status: p.terminationStatus, output: text) }
        return text
    }
}

/// `--port netns[:if]` (§7.3 "netns helper"): a namespace holding one end of a veth pair.
enum NetnsPort {
    static let hostMTU = 9000

    static func create(
        _ o: RestAttachOptions, _ r: RestAttachOptions.Resolved, _ ns: RestAttachOptions.Netns
    ) throws {
        print("Will plug local namespace \(ns.name) into network")
        _ = try? Shell.run(["ip", "netns", "add", ns.name])
        let inNS = ["ip", "netns", "exec", ns.name]
        let vethInner = o.ovsVLAN != nil ? "ns2vpn-raw" : ns.innerInterface
        _ = try? Shell.run(inNS + ["ip", "link", "delete", vethInner])
        // A port left on OVS would be taken back by OVS when the interface is re-created.
        _ = try? Shell.run(["ovs-vsctl", "del-port", ns.hostInterface])
        _ = try? Shell.run(["ip", "link", "delete", ns.hostInterface])
        _ = try? Shell.run([
            "ip", "link", "add", ns.hostInterface, "type", "veth", "peer", "name", vethInner, "netns", ns.name, "mtu",
            "65535",
        ])
        try Shell.run(["ip", "link", "set", "dev", ns.hostInterface, "up"])
        try Shell.run(["ip", "link", "set", "dev", ns.hostInterface, "mtu", "\(hostMTU)"])
        try Shell.run(inNS + ["ip", "link", "set", "dev", vethInner, "up"])
        if let vlan = o.ovsVLAN {
            try Shell.run(
                inNS + [
                    "ip", "link", "add", "link", vethInner, "name", ns.innerInterface, "type", "vlan", "id", "\(vlan)",
                ])
            try Shell.run(inNS + ["ip", "link", "set", ns.innerInterface, "up"])
        }
        if let mac = o.mac { try Shell.run(inNS + ["ip", "link", "set", ns.innerInterface, "address", mac]) }
        _ = try? Shell.run(inNS + ["ip", "addr", "add", r.ip, "dev", ns.innerInterface])
        _ = try? Shell.run(inNS + ["ip", "route", "add", "default", "dev", ns.innerInterface, "via", r.gatewayIP])
        _ = try? Shell.run(inNS + ["ip", "link", "set", ns.innerInterface, "mtu", "1420"])
    }

    /// The MAC of `interface` inside `namespace`.
    static func mac(interface: String, namespace: String) throws -> String {
        try Shell.run(["ip", "netns", "exec", namespace, "cat", "/sys/class/net/\(interface)/address"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

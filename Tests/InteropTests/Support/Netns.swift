import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A network namespace made by a `Lab` (the lab deletes it). Commands run in it through `ip netns exec`.
struct Netns: Hashable, Sendable, CustomStringConvertible {
    let name: String

    var description: String { name }

    /// `argv` prefixed so that it runs inside this namespace.
    func wrap(_ argv: [String]) -> [String] { ["ip", "netns", "exec", name] + argv }

    func run(_ argv: [String], input: String? = nil, timeout: Duration = .seconds(30)) async throws -> CommandResult {
        try await Command.run(wrap(argv), input: input, timeout: timeout)
    }

    @discardableResult
    func check(_ argv: [String], input: String? = nil, timeout: Duration = .seconds(30)) async throws -> String {
        try await Command.check(wrap(argv), input: input, timeout: timeout)
    }

    /// `ip -n <name> <arguments>`.
    @discardableResult
    func ip(_ arguments: String...) async throws -> String {
        try await Command.check(["ip", "-n", name] + arguments)
    }

    /// PIDs of the processes whose network namespace is this one.
    func pids() async -> [pid_t] {
        guard let result = try? await Command.run(["ip", "netns", "pids", name]), result.succeeded else { return [] }
        return result.output.split(whereSeparator: \.isNewline).compactMap {
            pid_t($0.trimmingCharacters(in: .whitespaces))
        }
    }
}

/// One end of a veth pair with its IPv4 address (a /30).
struct LinkEnd: Hashable, Sendable {
    /// nil: the root namespace (where the in-process speaker runs).
    var netns: Netns?
    var interface: String
    var address: String
}

/// A veth pair: `a` is the host side for `Lab.connectToHost`, `b` the namespace side.
struct Link: Hashable, Sendable {
    var a: LinkEnd
    var b: LinkEnd
    var prefixLength: Int { 30 }
}

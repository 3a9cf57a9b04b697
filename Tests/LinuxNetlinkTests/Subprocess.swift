import LinuxNetlink

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program (posix_spawn, no shell) and returns its exit status and standard output. Used to check what
/// we programmed with the tools an operator would use (`bridge fdb show`, `ip neigh`), and by the benchmark.
enum Subprocess {
    struct Result {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String], input: String? = nil, captureOutput: Bool = true) -> Result {
        var outputPipe: [Int32] = [-1, -1]
        var inputPipe: [Int32] = [-1, -1]
        if captureOutput { _ = pipe(&outputPipe) }
        if input != nil { _ = pipe(&inputPipe) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
            posix_spawn_file_actions_addclose(&actions, outputPipe[0])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
            posix_spawn_file_actions_addclose(&actions, inputPipe[1])
        }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        if captureOutput { close(outputPipe[1]) }
        if input != nil { close(inputPipe[0]) }
        guard spawned == 0 else {
            if captureOutput { close(outputPipe[0]) }
            if input != nil { close(inputPipe[1]) }
            return Result(status: -1, output: "")
        }
        if let input {
            // Write on another thread would be needed for huge outputs; `-batch` input here produces no output.
            var bytes = Array(input.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes {
                    write(inputPipe[1], $0.baseAddress! + offset, $0.count - offset)
                }
                if written <= 0 { break }
                offset += written
            }
            bytes.removeAll()
            close(inputPipe[1])
        }
        var output: [UInt8] = []
        if captureOutput {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(outputPipe[0], $0.baseAddress, $0.count) }
                if count <= 0 { break }
                output.append(contentsOf: buffer[0..<count])
            }
            close(outputPipe[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitCode, output: String(decoding: output, as: UTF8.self))
    }
}

/// A network namespace for one test: unique name (PID + label), deleted with everything in it at the end.
final class TestNamespace {
    let name: String
    let namespace: NetworkNamespace

    init(_ label: String) throws {
        name = "nltest-\(getpid())-\(label)"
        if access("/run/netns/\(name)", F_OK) == 0 { _ = Subprocess.run(["ip", "netns", "del", name]) }
        let result = Subprocess.run(["ip", "netns", "add", name])
        guard result.status == 0 else { throw NetlinkError.invalidArgument("ip netns add \(name) failed") }
        namespace = try NetworkNamespace(named: name)
        _ = Subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    func netlink() throws -> Netlink { try Netlink(namespace: namespace) }

    /// Runs a command inside the namespace (`ip netns exec`).
    func exec(_ arguments: [String]) -> Subprocess.Result {
        Subprocess.run(["ip", "netns", "exec", name] + arguments)
    }

    deinit { _ = Subprocess.run(["ip", "netns", "del", name]) }
}

/// The namespace tests need root (CI runs as root) and the `ip` tool.
let canManageNamespaces = getuid() == 0 && (access("/usr/sbin/ip", X_OK) == 0 || access("/sbin/ip", X_OK) == 0)

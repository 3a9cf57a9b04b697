import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
enum Termination: Hashable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(status & 0x7f)
        }
    }

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}

/// A process started with `posix_spawn`, in a session of its own (so that a signal to `-pid` reaches everything it
/// started). A dedicated thread blocks in `waitpid` for it, so the process is reaped as soon as it ends and
/// `wait` wakes up at once, without polling and without `Foundation.Process.waitUntilExit` (which polls every
/// 50 ms on Linux) and without blocking a thread of the cooperative pool.
final class ChildProcess: Sendable {
    let pid: pid_t
    let argv: [String]
    private let state = Mutex(State())

    private struct State {
        var termination: Termination?
        var waiters: [Int: CheckedContinuation<Termination?, Never>] = [:]
        var nextWaiter = 0
    }

    private init(pid: pid_t, argv: [String]) {
        self.pid = pid
        self.argv = argv
    }

    /// Starts `argv` (looked up in `PATH`), with standard input from `stdin` (default `/dev/null`) and standard output
    /// and error appended to `output` (default `/dev/null`). Signal mask and dispositions are reset to the defaults.
    static func spawn(_ argv: [String], stdin: String? = nil, output: String? = nil) throws -> ChildProcess {
        precondition(!argv.isEmpty)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        // POSIX_SPAWN_SETSID (glibc 2.26+, 0x80) is not imported into Swift.
        let setsid: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setsid))

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let cEnvironment = childEnvironment.map { strdup($0) } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else {
            throw LabError.command("cannot start \(argv.joined(separator: " ")): \(String(cString: strerror(result)))")
        }
        let child = ChildProcess(pid: pid, argv: argv)
        Thread.detachNewThread { child.reap() }
        return child
    }

    /// Our environment, with the sbin directories in `PATH` (a test's `PATH` may lack them; `ip netns exec` and
    /// `posix_spawnp` look programs up in it).
    private static let childEnvironment: [String] = {
        var environment = ProcessInfo.processInfo.environment
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        let extra = ["/usr/local/sbin", "/usr/sbin", "/sbin"].filter {
            !path.split(separator: ":").contains(Substring($0))
        }
        environment["PATH"] = (extra + [path]).joined(separator: ":")
        return environment.map { "\($0.key)=\($0.value)" }
    }()

    private func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR {
                status = 0x7f  // unknown: report as killed by "signal 127"
                break
            }
        }
        let waiters = state.withLock { state in
            state.termination = Termination(waitStatus: status)
            defer { state.waiters = [:] }
            return state.waiters
        }
        let termination = Termination(waitStatus: status)
        for waiter in waiters.values { waiter.resume(returning: termination) }
    }

    /// How it ended, or nil while it runs (zombies do not exist here: the reaper collects it at once).
    var termination: Termination? { state.withLock { $0.termination } }
    var isRunning: Bool { termination == nil }

    /// Waits until it ends, or until `timeout` (then nil; the process is left alone).
    func wait(timeout: Duration) async -> Termination? {
        await withTaskGroup(of: Termination?.self) { group in
            group.addTask { await self.waitUntilCancelled() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Waits until it ends; returns nil if the task is cancelled first.
    private func waitUntilCancelled() async -> Termination? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Termination?, Never>) in
                let done = state.withLock { state -> Termination?? in
                    if let termination = state.termination { return .some(termination) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Sends `signal` to the process (`group`: to its whole session's process group). Nothing once it has ended.
    func signal(_ signal: Int32, group: Bool = false) {
        // The reaper sets `termination` right after waitpid, so a pid that is still ours cannot have been reused.
        state.withLock { state in
            guard state.termination == nil else { return }
            _ = kill(group ? -pid : pid, signal)
        }
    }

    /// SIGTERM (to the process), then after `grace` SIGKILL (to its process group); waits until it has ended.
    func terminate(grace: Duration = .seconds(3)) async {
        signal(SIGTERM)
        if await wait(timeout: grace) != nil {
            signal(SIGKILL, group: true)
            return
        }
        signal(SIGKILL, group: true)
        _ = await wait(timeout: .seconds(10))
    }
}

/// What a finished command printed.
struct CommandResult: Sendable, CustomStringConvertible {
    var command: [String]
    var termination: Termination
    /// Standard output and standard error, interleaved as written.
    var output: String

    var succeeded: Bool { termination == .exited(0) }

    var description: String {
        "`\(command.joined(separator: " "))` (\(termination)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }
}

/// Short-lived commands.
enum Command {
    private static let counter = Atomic<Int>(0)

    /// The prefix of the commands' temporary input and output files (each removed once read).
    static let scratch = "/tmp/bpi\(getpid())-cmd"

    /// Runs `argv` to completion (killing it after `timeout`), with `input` on its standard input.
    static func run(
        _ argv: [String], input: String? = nil, timeout: Duration = .seconds(30)
    ) async throws
        -> CommandResult
    {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let outputPath = "\(scratch)-\(n).out"
        let inputPath = input.map { _ in "\(scratch)-\(n).in" }
        defer {
            unlink(outputPath)
            if let inputPath { unlink(inputPath) }
        }
        if let input, let inputPath {
            try input.write(toFile: inputPath, atomically: false, encoding: .utf8)
        }
        let child = try ChildProcess.spawn(argv, stdin: inputPath, output: outputPath)
        guard let termination = await child.wait(timeout: timeout) else {
            child.signal(SIGKILL, group: true)
            _ = await child.wait(timeout: .seconds(5))
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw LabError.timeout(
                "`\(argv.joined(separator: " "))` still running after \(timeout): \(output.suffix(2000))")
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return CommandResult(command: argv, termination: termination, output: output)
    }

    /// Runs `argv` and returns its output; throws with the output if it does not exit with 0.
    @discardableResult
    static func check(_ argv: [String], input: String? = nil, timeout: Duration = .seconds(30)) async throws -> String {
        let result = try await run(argv, input: input, timeout: timeout)
        guard result.succeeded else { throw LabError.command(result.description) }
        return result.output
    }
}

/// Errors of the lab itself (not of the code under test).
enum LabError: Error, CustomStringConvertible {
    case unavailable(String)
    case command(String)
    case timeout(String)
    case unsupported(String)
    case parse(String)

    var description: String {
        switch self {
        case .unavailable(let text): "interop lab unavailable: \(text)"
        case .command(let text): "command failed: \(text)"
        case .timeout(let text): "timeout: \(text)"
        case .unsupported(let text): "unsupported: \(text)"
        case .parse(let text): "cannot parse: \(text)"
        }
    }
}

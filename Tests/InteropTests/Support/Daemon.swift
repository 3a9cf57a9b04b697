import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A long-running process inside a namespace, started in the background with its standard output and error in
/// `logPath`, known and stopped only by its PID.
final class Daemon: Sendable, CustomStringConvertible {
    let name: String
    let netns: Netns
    let argv: [String]
    /// Standard output and error of every run (appended).
    let logPath: String
    private let child = Mutex<ChildProcess?>(nil)

    init(name: String, netns: Netns, argv: [String], logPath: String) {
        self.name = name
        self.netns = netns
        self.argv = argv
        self.logPath = logPath
    }

    var description: String { "\(name) in \(netns) (pid \(pid.map(String.init) ?? "-"))" }

    /// Starts it (again); `argv` replaces the command line for this run.
    func start(argv override: [String]? = nil) throws {
        try child.withLock { child in
            if let child, child.isRunning { throw LabError.command("\(name) is already running (pid \(child.pid))") }
            child = try ChildProcess.spawn(netns.wrap(override ?? argv), output: logPath)
        }
    }

    var pid: pid_t? { child.withLock { $0?.pid } }
    var isRunning: Bool { child.withLock { $0?.isRunning ?? false } }
    var termination: Termination? { child.withLock { $0?.termination } }

    /// SIGTERM, then SIGKILL after `grace`; returns once it has ended.
    func stop(grace: Duration = .seconds(3)) async {
        guard let process = child.withLock({ $0 }) else { return }
        process.signal(SIGCONT)  // a stopped process would not act on SIGTERM
        await process.terminate(grace: grace)
    }

    /// SIGKILL (a crash: no NOTIFICATION, no cleanup); returns once it has ended.
    func kill() async {
        guard let process = child.withLock({ $0 }) else { return }
        process.signal(SIGKILL, group: true)
        _ = await process.wait(timeout: .seconds(10))
    }

    /// SIGSTOP: the process stops answering (its sockets stay open), as a hung peer does.
    func pause() { child.withLock { $0?.signal(SIGSTOP) } }

    /// SIGCONT after `pause`.
    func resume() { child.withLock { $0?.signal(SIGCONT) } }

    /// Waits up to `timeout` for it to end by itself.
    func waitForExit(timeout: Duration) async -> Termination? {
        guard let process = child.withLock({ $0 }) else { return nil }
        return await process.wait(timeout: timeout)
    }

    /// The last `lines` lines of its output.
    func logTail(_ lines: Int = 30) -> String { tail(of: logPath, lines: lines) }
}

/// The last `lines` lines of a text file ("" if it cannot be read).
func tail(of path: String, lines: Int = 30) -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
}

/// Calls `probe` every `interval` until it returns a value, for at most `timeout`. On timeout, throws with `what`
/// and the last error `probe` threw (if any), and `context()` (a log tail, typically).
func poll<T>(
    _ what: @autoclosure () -> String, timeout: Duration, interval: Duration = .milliseconds(100),
    context: () -> String = { "" }, _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    var lastError: (any Error)?
    while true {
        do {
            if let value = try await probe() { return value }
            lastError = nil
        } catch {
            lastError = error
        }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: interval)
    }
    var message = "\(what()) (after \(timeout))"
    if let lastError { message += "; last error: \(lastError)" }
    let extra = context()
    if !extra.isEmpty { message += "\n--- context ---\n\(extra)" }
    throw LabError.timeout(message)
}

import Foundation

/// One step of a `RawBGPPeer` script.
enum RawStep: Sendable {
    /// Write these bytes (any bytes: a message, a broken one, or several).
    case send([UInt8])
    case sleep(Double)
    /// Wait until `count` messages of `type` have been received (at most `timeout` seconds).
    case wait(type: UInt8, count: Int, timeout: Double)
}

/// A BGP peer that sends exactly the bytes a test gives it, over a plain TCP socket from inside a namespace: a
/// small Python program (python3 comes with exabgp) that connects, plays the script, then keeps reading (and the
/// session open) for `linger` seconds, logging every message it receives (`recv <type> <hex>`) and the end of the
/// connection (`eof`). It answers nothing by itself: with hold time 90 the speaker sends its first KEEPALIVE after
/// 30 s, longer than any script here.
final class RawBGPPeer: Sendable {
    let netns: Netns
    let directory: String
    private let daemon: Daemon

    init(lab: Lab, netns: Netns, name: String = "raw") throws {
        self.netns = netns
        directory = try lab.subdirectory(name)
        daemon = lab.daemon(name, in: netns, ["python3", "\(directory)/rawpeer.py"])
    }

    var outputPath: String { "\(directory)/received.log" }

    /// Starts the script: connects from `source` to `host`:`port`.
    func run(
        connectTo host: String, port: Int = 179, from source: String, steps: [RawStep], linger: Double = 3
    )
        throws
    {
        try Self.program.write(toFile: "\(directory)/rawpeer.py", atomically: true, encoding: .utf8)
        let script = steps.map { step -> String in
            switch step {
            case .send(let bytes): "send " + bytes.map { String(format: "%02x", $0) }.joined()
            case .sleep(let seconds): "sleep \(seconds)"
            case .wait(let type, let count, let timeout): "wait \(type) \(count) \(timeout)"
            }
        }.joined(separator: "\n")
        try (script + "\n").write(toFile: "\(directory)/steps", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: outputPath)
        try daemon.start(argv: [
            "python3", "\(directory)/rawpeer.py", host, "\(port)", source, "\(directory)/steps", outputPath,
            "\(linger)",
        ])
    }

    /// Waits until the script has finished.
    func waitUntilDone(timeout: Duration = .seconds(40)) async throws {
        guard await daemon.waitForExit(timeout: timeout) != nil else {
            throw LabError.timeout("raw peer still running after \(timeout)\n\(logTail())")
        }
    }

    private var lines: [String] {
        ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The messages received, as (type, whole message).
    var received: [(type: UInt8, bytes: [UInt8])] {
        lines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "recv", let type = UInt8(parts[1]) else { return nil }
            var bytes: [UInt8] = []
            var index = parts[2].startIndex
            while index < parts[2].endIndex {
                let next = parts[2].index(index, offsetBy: 2)
                bytes.append(UInt8(parts[2][index..<next], radix: 16) ?? 0)
                index = next
            }
            return (type, bytes)
        }
    }

    /// NOTIFICATIONs received: (code, subcode).
    var notifications: [(code: UInt8, subcode: UInt8)] {
        received.filter { $0.type == 3 && $0.bytes.count >= 21 }.map { ($0.bytes[19], $0.bytes[20]) }
    }

    /// Whether the speaker closed the connection.
    var sawEOF: Bool { lines.contains("eof") }

    func logTail() -> String {
        ["-- received --", lines.suffix(10).joined(separator: "\n"), "-- output --", daemon.logTail(10)]
            .joined(separator: "\n")
    }

    static let program = """
        import select, socket, sys, time

        host, port, source, steps_path, out_path, linger = sys.argv[1:7]
        out = open(out_path, "a", buffering=1)
        sock = socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0))
        sock.setblocking(False)
        pending = b""
        counts = {}
        closed = False


        def pump(seconds):
            global pending, closed
            deadline = time.monotonic() + seconds
            while not closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                readable, _, _ = select.select([sock], [], [], left)
                if not readable:
                    return
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    closed = True
                    out.write("eof\\n")
                    return
                pending += data
                while len(pending) >= 19:
                    length = int.from_bytes(pending[16:18], "big")
                    if length < 19 or len(pending) < length:
                        break
                    message, pending = pending[:length], pending[length:]
                    counts[message[18]] = counts.get(message[18], 0) + 1
                    out.write("recv %d %s\\n" % (message[18], message.hex()))


        for line in open(steps_path):
            words = line.split()
            if not words:
                continue
            if words[0] == "send":
                if not closed:
                    try:
                        sock.sendall(bytes.fromhex(words[1]))
                    except OSError:
                        closed = True
                        out.write("eof\\n")
            elif words[0] == "sleep":
                pump(float(words[1]))
            elif words[0] == "wait":
                kind, count, deadline = int(words[1]), int(words[2]), time.monotonic() + float(words[3])
                while not closed and counts.get(kind, 0) < count and time.monotonic() < deadline:
                    pump(0.05)
        pump(float(linger))
        sock.close()

        """
}

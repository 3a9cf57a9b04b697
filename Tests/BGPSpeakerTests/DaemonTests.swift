import BGPWire
import Foundation
import Testing

/// The `bagpipe-bgp` executable, run as a process.
@Suite("bagpipe-bgp daemon", .timeLimit(.minutes(1)))
struct DaemonTests {
    /// The built executable, next to the test bundle.
    static var executable: String? {
        // The test binary (`swift test` may run it through a helper) sits in the build products directory.
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        var directories = [binary, binary.deletingLastPathComponent(), bundle, bundle.deletingLastPathComponent()]
        for argument in CommandLine.arguments where argument.contains(".xctest") {
            let url = URL(fileURLWithPath: argument)
            directories += [
                url.deletingLastPathComponent(), url.deletingLastPathComponent().deletingLastPathComponent(),
            ]
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("bagpipe-bgp").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func writeTemporaryFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bgp-\(UUID().uuidString).conf")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Starts the daemon; its standard error is collected into the returned pipe.
    static func launch(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(executable, "bagpipe-bgp is not built"))
        process.arguments = arguments
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, stderr)
    }

    /// Waits for the process to exit, at most `timeout`.
    static func waitForExit(_ process: Process, timeout: Duration = .seconds(15)) async -> Bool {
        await eventually(timeout) { !process.isRunning }
    }

    @Test("A bad configuration file is reported error by error, with section, key and line, and exit status 2")
    func badConfiguration() async throws {
        let file = try Self.writeTemporaryFile(
            """
            [BGP]
            my_as = 70000x
            peers = 192.0.2.1, 10.0.0.300
            hold_time = 2

            [BGP_PEER 192.0.2.9]
            passive = maybe
            """)
        defer { try? FileManager.default.removeItem(at: file) }
        let (process, stderr) = try Self.launch(["--config-file", file.path])
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(await Self.waitForExit(process))
        #expect(process.terminationStatus == 2)
        let lines = output.split(separator: "\n").map(String.init)
        let path = file.path
        #expect(
            lines.contains(
                "bagpipe-bgp: error: \(path): [BGP] my_as = 70000x (line 2): not an integer in 1...4294967295"))
        #expect(
            lines.contains {
                $0.hasPrefix("bagpipe-bgp: error: \(path): [BGP] peers") && $0.contains("(line 3)")
                    && $0.contains("10.0.0.300")
            })
        #expect(lines.contains { $0.hasPrefix("bagpipe-bgp: error: \(path): [BGP] hold_time = 2 (line 4)") })
        #expect(
            lines.contains {
                $0.hasPrefix("bagpipe-bgp: error: \(path): [BGP_PEER 192.0.2.9] passive = maybe (line 7)")
            })
        #expect(lines.contains("bagpipe-bgp: error: \(path): [BGP] local_address missing (required)"))
        #expect(lines.last == "bagpipe-bgp: error: \(path): 5 errors, not starting")
    }

    @Test("A missing configuration file is an error with exit status 2")
    func missingConfiguration() async throws {
        let (process, stderr) = try Self.launch(["--config-file", "/nonexistent/bgp.conf"])
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(await Self.waitForExit(process))
        #expect(process.terminationStatus == 2)
        #expect(output.contains("bagpipe-bgp: error: /nonexistent/bgp.conf: No such file or directory"))
    }

    @Test("SIGTERM stops every session with Cease 6/2 \"bagpipe-bgp shutting down\" and exits 0")
    func sigtermSendsCease() async throws {
        let remote = try await RawListener.listen(on: "127.0.0.1")
        let file = try Self.writeTemporaryFile(
            """
            [BGP]
            local_address = 127.0.0.2
            my_as = 64512
            peers = 127.0.0.1
            bgp_port = \(remote.port)
            enable_rtc = false
            families = ipv4-vpn

            [API]
            port = 0
            """)
        defer { try? FileManager.default.removeItem(at: file) }
        let (process, _) = try Self.launch(["--config-file", file.path, "--log-level", "debug"])

        #expect(await eventually { remote.connections.count == 1 })
        let peer = try #require(remote.connections.first)
        #expect(await peer.waitFor { if case .open = $0 { true } else { false } } != nil)
        try await peer.sendOpen(identifier: "127.0.0.1", families: [.vpnIPv4])
        try await peer.send(.keepalive)
        // The daemon's KEEPALIVE answering our OPEN, then its End-of-RIB once Established.
        #expect(await peer.waitFor { if case .update(let u) = $0 { u.endOfRIB == .vpnIPv4 } else { false } } != nil)

        process.terminate()
        let notification = await peer.waitForNotification()
        #expect(notification?.errorCode == 6)
        #expect(notification?.errorSubcode == 2)
        #expect(notification?.shutdownCommunication == "bagpipe-bgp shutting down")
        #expect(await Self.waitForExit(process))
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        await remote.close()
    }

    @Test("--originate: the UPDATEs of a JSON file are advertised to the peer")
    func originateFile() async throws {
        let remote = try await RawListener.listen(on: "127.0.0.1")
        let file = try Self.writeTemporaryFile(
            """
            [BGP]
            local_address = 127.0.0.2
            my_as = 64512
            peers = 127.0.0.1
            bgp_port = \(remote.port)
            enable_rtc = false
            families = ipv4-vpn

            [API]
            port = 0
            """)
        // One VPN-IPv4 route in bagpipe-wire's JSON form, with a comment and a blank line around it.
        let routes = try Self.writeTemporaryFile(
            """
            # a port of VRF 65000:1
            {"type":"UPDATE","pathAttributes":[{"name":"MP_REACH_NLRI","value":{"family":"ipv4/mpls-vpn","nextHop":"127.0.0.2","nlri":[{"labels":[{"label":100}],"routeDistinguisher":"65000:1","prefix":"10.1.2.3/32"}]}},{"name":"EXTENDED_COMMUNITIES","value":[{"raw":"0002FDE800000001"}]}]}

            """)
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: routes)
        }
        let (process, _) = try Self.launch(["--config-file", file.path, "--originate", routes.path])
        #expect(await eventually { remote.connections.count == 1 })
        let peer = try #require(remote.connections.first)
        #expect(await peer.waitFor { if case .open = $0 { true } else { false } } != nil)
        try await peer.sendOpen(identifier: "127.0.0.1", families: [.vpnIPv4])
        try await peer.send(.keepalive)
        let announced = await peer.waitFor { message in
            guard case .update(let u) = message, case .vpnIPv4(let nlri)? = u.mpReach?.nlri else { return false }
            return nlri.contains {
                $0.prefix.description == "10.1.2.3/32" && $0.routeDistinguisher.description == "65000:1"
            }
        }
        #expect(announced != nil)
        if case .update(let u)? = announced {
            #expect(u.attribute(PathAttribute.TypeCode.extendedCommunities) != nil)
            #expect(u.attribute(PathAttribute.TypeCode.origin) != nil)
        }
        process.terminate()
        #expect(await Self.waitForExit(process))
        await remote.close()
    }

    @Test("A bad --originate file names the line and the member at fault, with exit status 2")
    func badOriginateFile() async throws {
        let file = try Self.writeTemporaryFile(
            """
            [BGP]
            local_address = 127.0.0.2
            my_as = 64512
            """)
        let routes = try Self.writeTemporaryFile(
            """
            {"type":"KEEPALIVE"}
            """)
        let bad = try Self.writeTemporaryFile(
            """

            {"type":"UPDATE","nlri":[{"prefix":"10.0.0.0/40"}]}
            """)
        defer {
            for url in [file, routes, bad] { try? FileManager.default.removeItem(at: url) }
        }
        let (notUpdate, notUpdateErrors) = try Self.launch(["--config-file", file.path, "--originate", routes.path])
        #expect(await Self.waitForExit(notUpdate))
        #expect(notUpdate.terminationStatus == 2)
        let first = String(decoding: notUpdateErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(first.contains("line 1: type: KEEPALIVE is not an UPDATE"), "\(first)")

        let (process, stderr) = try Self.launch(["--config-file", file.path, "--originate", bad.path])
        #expect(await Self.waitForExit(process))
        #expect(process.terminationStatus == 2)
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("line 2: nlri[0].prefix: \"10.0.0.0/40\" is not an IPv4 prefix"), "\(text)")
    }
}

import ArgumentParser
import BGPSpeaker
import BGPWire
import BagpipeAPI
import BagpipeConfig
import BagpipeDaemon
import BagpipeLinuxDataplane
import BagpipeREST
import BagpipeVPN
import Dispatch
import LinuxNetlink
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `bagpipe-bgp`: the BGP VPN speaker daemon (bagpipe-bgp.md §7.1).
///
/// Reads `bgp.conf`, reports every configuration error at once (exit status 2), starts the speaker, and on
/// SIGTERM or SIGINT stops every session with a Cease / Administrative Shutdown (RFC 4486) carrying a shutdown
/// communication (RFC 9003) before exiting.
@main
struct BagpipeBGP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-bgp", abstract: "BGP VPN speaker (BGP/MPLS IP VPN and E-VPN) for bagpipe.")

    @Option(name: .customLong("config-file"), help: "The configuration file.")
    var configFile = "/etc/bagpipe-bgp/bgp.conf"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(
        name: .customLong("originate"),
        help: "A file of UPDATE messages in bagpipe-wire's JSON form, one per line, to originate at start-up.")
    var originateFile: String?

    /// RFC 9003 shutdown communication sent to every peer on SIGTERM/SIGINT.
    static let shutdownCommunication = "bagpipe-bgp shutting down"

    func run() async throws {
        let level = logLevel
        // Warnings and errors also go to the looking glass (`/looking-glass/logs`, summary.warnings_and_errors).
        let logs = LookingGlassLogRing()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            var ring = LookingGlassLogHandler(label: label, ring: logs)
            ring.logLevel = min(level, .warning)
            return MultiplexLogHandler([handler, ring])
        }
        let logger = Logger(label: "bagpipe.bgp")

        var configuration = try Self.readConfiguration(configFile, logger: logger)
        do {
            configuration.bgp.localAddress = .ipv4(try InterfaceAddress.resolve(configuration.bgp.localAddress))
        } catch {
            Self.printError("[BGP] local_address = \(configuration.bgp.localAddress): \(error)")
            throw ExitCode(2)
        }
        let routes: [UpdateMessage]
        do {
            routes = try originateFile.map { try OriginateFile.read($0) } ?? []
        } catch {
            Self.printError("--originate: \(error)")
            throw ExitCode(2)
        }

        // Signals are taken over before start-up, so that an early SIGTERM still stops the sessions cleanly.
        let signals = SignalWaiter(signals: [SIGTERM, SIGINT])
        let speaker = BGPSpeaker(configuration: configuration, logger: logger)
        // Local routes of the routing engine from the start, so that every session's initial table has them.
        for update in routes { await speaker.originate(update) }
        do {
            try await speaker.start()
        } catch {
            logger.critical("cannot start: \(error)")
            Self.printError("\(error)")
            throw ExitCode(1)
        }

        let services: DaemonServices
        do {
            let local = try InterfaceAddress.resolve(configuration.bgp.localAddress)
            let drivers = try Self.drivers(configuration, bgpLocalAddress: local)
            services = try await DaemonServices.start(
                configuration: configuration, speaker: speaker, bgpLocalAddress: local, drivers: drivers, logs: logs,
                version: Self.version, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            Self.printError("\(error)")
            await speaker.shutdown(communication: Self.shutdownCommunication, timeout: .seconds(1))
            throw ExitCode(1)
        }

        let signal = await signals.next()
        logger.notice("signal \(signal) received, stopping")
        await services.stop()
        await speaker.shutdown(communication: Self.shutdownCommunication, timeout: .seconds(5))
    }

    static let version = "bagpipe-bgp (Swift) 0.1"

    struct DriverError: Error, CustomStringConvertible {
        var description: String
    }

    /// The dataplane drivers `[DATAPLANE_DRIVER_IPVPN]` and `[DATAPLANE_DRIVER_EVPN]` name (bagpipe-bgp.md §5.1).
    static func drivers(
        _ c: BGPConfiguration, bgpLocalAddress: IPv4Address
    ) throws -> [BagpipeVPN.VPNType: any DataplaneDriver] {
        func address(_ a: LocalAddress?) throws -> IPAddress {
            .v4(try a.map { try InterfaceAddress.resolve($0) } ?? bgpLocalAddress)
        }
        var out: [BagpipeVPN.VPNType: any DataplaneDriver] = [:]
        let logger = Logger(label: "bagpipe.dataplane")
        switch c.ipvpn.driver {
        case .dummy: out[.ipvpn] = RecordingDataplane(type: .ipvpn, localAddress: try address(c.ipvpn.localAddress))
        case .linux(let o):
            // Refuses, naming what is missing, on a kernel without MPLS routing or VRF devices.
            out[.ipvpn] = try LinuxMPLSIPVPNDriver(
                netlink: try Netlink(), localAddress: try address(c.ipvpn.localAddress),
                mplsInterface: o.mplsInterface ?? "eth0", logger: logger)
        case .linuxVXLAN(let o):
            out[.ipvpn] = try LinuxIPVPNDriver(
                netlink: try Netlink(), localAddress: try address(c.ipvpn.localAddress), vxlanPort: o.vxlanDstPort,
                logger: logger)
        case .ovs:
            throw DriverError(
                description: "[DATAPLANE_DRIVER_IPVPN] dataplane_driver = ovs: not available in this build (no OVS)")
        }
        switch c.evpn.driver {
        case .dummy: out[.evpn] = RecordingDataplane(type: .evpn, localAddress: try address(c.evpn.localAddress))
        case .linux(let o):
            let driver = LinuxEVPNDriver(
                netlink: try Netlink(), localAddress: try address(c.evpn.localAddress), vxlanPort: o.vxlanDstPort,
                logger: logger)
            // What an earlier run left (evpn---*, vxlan--* devices) goes before the first instance (§5.6).
            try driver.resetState()
            out[.evpn] = driver
        case .ovs:
            throw DriverError(
                description: "[DATAPLANE_DRIVER_EVPN] dataplane_driver = ovs: not available in this build (no OVS)")
        }
        return out
    }

    /// The configuration, or every error printed (section, key, line) and exit status 2.
    static func readConfiguration(_ path: String, logger: Logger) throws -> BGPConfiguration {
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            printError("\(path): \(error)")
            throw ExitCode(2)
        }
        let result = BGPConfiguration.parse(text)
        for warning in result.warnings { logger.warning("\(path): \(warning)") }
        guard let configuration = result.configuration, result.errors.isEmpty else {
            for error in result.errors { printError("\(path): \(error)") }
            let count = result.errors.count
            printError("\(path): \(count) error\(count == 1 ? "" : "s"), not starting")
            throw ExitCode(2)
        }
        return configuration
    }

    static func printError(_ text: String) {
        var line = "bagpipe-bgp: error: \(text)\n"
        line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

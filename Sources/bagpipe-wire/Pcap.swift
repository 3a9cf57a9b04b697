import ArgumentParser
import BGPWire
import BGPWireJSON

struct Pcap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode every BGP message in a packet capture (pcap or pcapng), both directions, as JSON lines.",
        discussion: """
            TCP port 179 in both directions is reassembled; each session's OPEN messages set how the rest is \
            decoded (4-octet AS, ADD-PATH, Extended Message). Malformed messages are reported on standard error and \
            make the exit status 1.
            """)

    @Argument(help: "The capture file (tcpdump -w, tshark -w, ...).")
    var file: String

    @Option(help: "TCP port of the BGP sessions.")
    var port: UInt16 = 179

    @Flag(help: "Indent the JSON.")
    var pretty = false

    func run() throws {
        guard let bytes = readFile(file) else { throw ValidationError("cannot read \(file)") }
        let capture: PcapFile
        do { capture = try PcapFile(bytes: bytes) } catch { throw ValidationError("\(file): \(error)") }
        var streams = TCPStreams(port: port)
        for p in capture.packets { streams.add(p) }

        var buffers: [TCPStreams.Direction: [UInt8]] = [:]
        var opens: [TCPStreams.Direction: OpenMessage] = [:]
        var failed = false
        var count = 0
        for chunk in streams.chunks {
            let d = chunk.direction
            var buffer = (buffers[d] ?? []) + chunk.bytes
            var options = Self.options(sender: opens[d], receiver: opens[d.reversed])
            while true {
                let length: Int?
                do { length = try BGPFraming.frameLength(buffer, maximumLength: options.maximumMessageLength) } catch {
                    printError("malformed: \(error) (\(d.source) -> \(d.destination)); rest of this direction skipped")
                    failed = true
                    buffer = []
                    break
                }
                guard let length, buffer.count >= length else { break }
                let message = Array(buffer[..<length])
                buffer.removeFirst(length)
                count += 1
                let outcome = DecodeOutcome(bytes: message, options: options)
                var members: [(String, JSON)] = [
                    ("time", .string(String(chunk.seconds))), ("source", .string(d.source.description)),
                    ("destination", .string(d.destination.description)),
                ]
                if let json = outcome.json { members.append(("message", json)) }
                members.append(("hex", .string(Hex.encode(message))))
                print(JSON.object(members).text(pretty: pretty))
                if let problem = outcome.problem {
                    printError("malformed: \(problem) (message \(count), \(d.source) -> \(d.destination))")
                    failed = true
                }
                if case .open(let open)? = (try? BGPMessage.decode(message))?.message {
                    opens[d] = open
                    options = Self.options(sender: opens[d], receiver: opens[d.reversed])
                }
            }
            buffers[d] = buffer
        }
        if failed { throw ExitCode(1) }
    }

    /// Decoding options for what `sender` sends to `receiver`, from their OPENs (RFC 6793, 7911, 8654).
    static func options(sender: OpenMessage?, receiver: OpenMessage?) -> DecodingOptions {
        guard let sender, let receiver else { return .default }
        func caps(_ o: OpenMessage) -> [Capability] { o.capabilities }
        let as4 =
            caps(sender).contains { $0.code == Capability.Code.fourOctetAS }
            && caps(receiver).contains { $0.code == Capability.Code.fourOctetAS }
        let ext = caps(sender).contains(.extendedMessage) && caps(receiver).contains(.extendedMessage)
        func addPath(_ o: OpenMessage) -> [AddressFamily: UInt8] {
            var m: [AddressFamily: UInt8] = [:]
            for c in caps(o) { if case .addPath(let l) = c { for e in l { m[e.family] = e.sendReceive } } }
            return m
        }
        let sends = addPath(sender)
        let receives = addPath(receiver)
        var families: Set<AddressFamily> = []
        for (f, mode) in sends where mode & 2 != 0 && (receives[f] ?? 0) & 1 != 0 { families.insert(f) }
        return DecodingOptions(fourOctetAS: as4, addPathReceive: families, extendedMessage: ext)
    }
}

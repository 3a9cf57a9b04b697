import ArgumentParser
import BGPWire
import BGPWireJSON

/// `bagpipe-wire`: decode, encode and inspect BGP messages.
@main
struct BagpipeWire: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-wire",
        abstract: "Decode and encode BGP messages (hex <-> JSON), and read BGP out of packet captures.",
        subcommands: [Decode.self, Encode.self, Pcap.self, Demo.self])
}

/// What the session negotiated, as far as decoding depends on it.
struct SessionOptions: ParsableArguments {
    @Flag(name: .customLong("as2"), help: "The session did not negotiate 4-octet AS numbers (RFC 6793).")
    var twoOctetAS = false

    @Option(
        name: .customLong("add-path"),
        help: ArgumentHelp(
            "ADD-PATH receive is on for this family (repeatable), e.g. ipv4/unicast or 1/128.", valueName: "family"))
    var addPath: [String] = []

    @Flag(help: "RFC 8654 Extended Message was negotiated (messages up to 65535 octets).")
    var extendedMessage = false

    @Option(help: "internal or external: some RFC 7606 actions depend on the peer type.")
    var peer: String?

    func decodingOptions() throws -> DecodingOptions {
        var families: Set<AddressFamily> = []
        for text in addPath {
            guard let family = AddressFamily(text) else {
                throw ValidationError("--add-path \(text): not an address family (like ipv4/unicast or 25/70)")
            }
            families.insert(family)
        }
        let peerType: DecodingOptions.PeerType
        switch peer {
        case nil: peerType = .unknown
        case "internal", "ibgp": peerType = .internal
        case "external", "ebgp": peerType = .external
        case let other?: throw ValidationError("--peer \(other): must be internal or external")
        }
        return DecodingOptions(
            fourOctetAS: !twoOctetAS, addPathReceive: families, extendedMessage: extendedMessage, peer: peerType)
    }
}

/// Reads standard input to the end.
func readStandardInput() -> String {
    var lines: [String] = []
    while let line = readLine(strippingNewline: true) { lines.append(line) }
    return lines.joined(separator: "\n")
}

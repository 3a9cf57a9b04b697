// Shared by every fuzz target (compiled into the same module as BGPWire's sources).

/// Stops the fuzzer with a message when a property does not hold.
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property violated: \(message())") }
}

let fuzzOptionSets: [DecodingOptions] = [
    DecodingOptions(),
    DecodingOptions(fourOctetAS: false, peer: .external),
    DecodingOptions(addPathReceive: Set(AddressFamily.known), extendedMessage: true, peer: .internal, maximumLabels: 3),
    DecodingOptions(fourOctetAS: false, addPathReceive: [.ipv4Unicast, .vpnIPv4, .evpn], extendedMessage: true),
]

/// decode(encode(m)) == m for a message decoded without error.
func checkRoundTrip(_ message: BGPMessage, _ options: DecodingOptions) {
    let bytes = message.encode(options: EncodingOptions(options))
    guard bytes.count <= 65535 else { return }
    var wide = options
    wide.extendedMessage = true
    do {
        let again = try BGPMessage.decode(bytes, options: wide)
        check(again.errors.isEmpty, "re-encoded message has errors: \(again.errors)")
        check(again.message == message, "re-decoded message differs:\n\(message)\n\(again.message)")
    } catch {
        fatalError("re-encoded message does not decode: \(error)")
    }
}

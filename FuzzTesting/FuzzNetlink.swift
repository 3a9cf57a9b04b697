// Fuzz target for the rtnetlink decoders (Sources/LinuxNetlink), built on its own by `scripts/fuzz netlink`:
// the kernel's replies are trusted less than they look (a newer kernel adds attributes, a dump can be cut), so
// arbitrary bytes must give a decoding error, never a crash or a hang.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetlink(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // One stream of messages, as a receive buffer holds them.
    if let messages = try? NetlinkMessage.parseAll(bytes[...]) {
        for message in messages { decodeEveryWay(message) }
    }
    // And the bytes as the payload of one message of each type the decoders read.
    for type in [
        NetlinkMessageType.newLink, NetlinkMessageType.newAddr, NetlinkMessageType.newRoute,
        NetlinkMessageType.newNeigh, NetlinkMessageType.newRule, NetlinkMessageType.newNetconf,
        NetlinkMessageType.error,
    ] {
        let header = NetlinkMessageHeader(length: UInt32(16 + size), type: type, flags: [], sequence: 1)
        decodeEveryWay(NetlinkMessage(header: header, payload: bytes))
    }
    return 0
}

private func decodeEveryWay(_ message: NetlinkMessage) {
    _ = try? Link(decoding: message)
    _ = try? InterfaceAddress(decoding: message)
    _ = try? Route(decoding: message)
    _ = try? Neighbor(decoding: message)
    _ = try? FDBEntry(decoding: message)
    _ = try? Rule(decoding: message)
    _ = try? Netconf(decoding: message)
    _ = try? NetlinkAcknowledgement(decoding: message)
    if let attributes = try? NetlinkAttribute.parse(message.payload[...]) {
        for attribute in attributes { _ = (attribute.u32, attribute.type) }
    }
}

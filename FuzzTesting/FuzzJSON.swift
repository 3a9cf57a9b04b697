@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let json = try? JSON.parse(text), let message = try? BGPMessage(json: json) else { return 0 }
    let bytes = message.encode()
    guard bytes.count <= 65535 else { return 0 }
    // A message built from JSON may hold values the wire cannot say (e.g. an oversized field); it must then
    // fail to decode cleanly, never crash. When it decodes, it must be the same message.
    if let decoded = try? BGPMessage.decode(bytes, options: DecodingOptions(extendedMessage: true)),
        decoded.errors.isEmpty
    {
        _ = decoded.message.json.text()
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for options in fuzzOptionSets {
        guard let decoded = try? BGPMessage.decode(bytes, options: options) else { continue }
        _ = decoded.effectiveMessage
        if decoded.errors.isEmpty {
            checkRoundTrip(decoded.message, options)
            let json = decoded.message.json.text()
            do {
                let back = try BGPMessage(json: try JSON.parse(json))
                check(back == decoded.message, "JSON round trip differs: \(json)")
            } catch {
                fatalError("JSON of a decoded message is refused: \(error)\n\(json)")
            }
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpen(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size <= 4077 else { return 0 }
    var message = [UInt8](repeating: 0xFF, count: 16) + [UInt8((size + 19) >> 8), UInt8((size + 19) & 0xFF), 1]
    message += UnsafeBufferPointer(start: data, count: size)
    guard let decoded = try? BGPMessage.decode(message) else { return 0 }
    checkRoundTrip(decoded.message, .default)
    return 0
}

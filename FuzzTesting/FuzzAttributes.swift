@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAttributes(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let options = fuzzOptionSets[Int(data[0]) % fuzzOptionSets.count]
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var r = ByteReader(bytes)
    var parser = AttributeParser(options: options, hasTraditionalNLRI: data[0] & 0x80 != 0)
    do {
        try parser.parse(&r)
        // Every kept attribute must re-encode to something that parses to the same value.
        var w = ByteWriter()
        for a in parser.attributes { a.write(to: &w, options: EncodingOptions(options)) }
        let again: [PathAttribute]? = w.bytes.withUnsafeBytes { raw in
            var r2 = ByteReader(raw)
            var p2 = AttributeParser(options: options, hasTraditionalNLRI: data[0] & 0x80 != 0)
            guard (try? p2.parse(&r2)) != nil, p2.errors.isEmpty else { return nil }
            return p2.attributes
        }
        if parser.errors.isEmpty {
            check(again == parser.attributes, "attributes re-decode differs")
        }
    } catch {
        guard case .sessionReset(let n) = error.action else {
            fatalError("thrown error is not a session reset: \(error)")
        }
        check(n.errorCode == 3, "UPDATE attribute error with NOTIFICATION code \(n.errorCode)")
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNLRI(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let family = AddressFamily.known[Int(data[0]) % AddressFamily.known.count]
    let addPath = data[1] & 1 != 0
    let options = DecodingOptions(
        addPathReceive: addPath ? [family] : [], maximumLabels: 1 + Int(data[1] >> 1 & 3) % LabelStack.capacity)
    let bytes = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    var r = ByteReader(bytes)
    guard let list = try? NLRIList.read(&r, family: family, options: options) else { return 0 }
    var w = ByteWriter()
    list.write(to: &w)
    let again: NLRIList? = w.bytes.withUnsafeBytes { raw in
        var r2 = ByteReader(raw)
        return try? NLRIList.read(&r2, family: family, options: options)
    }
    check(again == list, "\(family) NLRI re-decode differs: \(list) vs \(String(describing: again))")
    let json = list.json
    check(
        (try? NLRIList(json: json, family: family, path: "")) == list, "\(family) NLRI JSON round trip: \(json.text())")
    return 0
}

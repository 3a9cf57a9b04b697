/// The shared JSON parser (BagpipeJSON) on arbitrary bytes, under the option sets its users parse with.
let jsonParseOptionSets: [JSONParseOptions] = [
    JSONParseOptions(),
    JSONParseOptions(maxDepth: 64, replacesLoneSurrogates: false, skipsByteOrderMark: false),
    JSONParseOptions(
        maxDepth: 200, integersOnly: true, unsignedIntegers: true, replacesLoneSurrogates: false,
        skipsByteOrderMark: false, keepsFirstDuplicate: true),
]

let jsonFormats: [JSONFormat] = [
    .compact, JSONFormat(indent: 2), JSONFormat(spaced: true, sortedKeys: true),
    JSONFormat(spaced: true, asciiOnly: true),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONValue(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for options in jsonParseOptionSets {
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try JSONValue(parsing: bytes, options: options)
        } catch {
            check(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside 0...\(size)")
            continue
        }
        // Whatever parses is written back in every layout and parses to the same value (non-finite numbers,
        // from overflowing literals such as 1e999, are written as null and are skipped).
        guard !containsNonFinite(value) else { continue }
        for format in jsonFormats {
            let text = value.text(format)
            var wide = options
            wide.maxDepth = Int.max
            wide.unsignedIntegers = true
            let again = try? JSONValue(parsing: text, options: wide)
            check(again == value, "\(format) text does not parse back: \(text)")
        }
    }
    return 0
}

func containsNonFinite(_ value: JSONValue) -> Bool {
    switch value {
    case .double(let d): !d.isFinite
    case .array(let a): a.contains(where: containsNonFinite)
    case .object(let o): o.contains { containsNonFinite($0.value) }
    default: false
    }
}

import BGPWireJSON

/// Compares tshark field values with our JSON: every value Wireshark shows must appear among the values of our
/// decoding, after normalizing notation (hex vs decimal numbers, case, prefix vs address).
enum TsharkComparison {
    /// Every leaf of our JSON in several notations.
    static func values(of json: JSON) -> Set<String> {
        var out: Set<String> = []
        func add(_ s: String) {
            for n in normalize(s) { out.insert(n) }
        }
        func walk(_ j: JSON) {
            switch j {
            case .null: break
            case .bool(let b): add(b ? "1" : "0")
            case .int(let i): add(String(i))
            case .uint(let u): add(String(u))
            case .string(let s): add(s)
            case .array(let a): a.forEach(walk)
            case .object(let o): o.forEach { walk($0.1) }
            }
        }
        walk(json)
        return out
    }

    /// Forms a value may take: lower case; `0x` hex as decimal; a prefix also as its address and length;
    /// `a:b` route-target-like text also with its parts; a hex string also as decimal.
    static func normalize(_ raw: String) -> [String] {
        let s = raw.trimmingCharacters().lowercased()
        var out = [s]
        if s.hasPrefix("0x"), let v = UInt64(s.dropFirst(2), radix: 16) { out.append(String(v)) }
        if let slash = s.firstIndex(of: "/") {
            out.append(String(s[..<slash]))
            out.append(String(s[s.index(after: slash)...]))
        }
        if s.count <= 16, s.allSatisfy(\.isHexDigit), let v = UInt64(s, radix: 16) { out.append(String(v)) }
        return out
    }

    /// Fields that are about framing or Wireshark's own presentation, not values we decode.
    static func ignored(_ field: String) -> Bool {
        let skip = [
            "bgp.marker", "bgp.length", "bgp.type", "bgp.update.path_attribute.length",
            "bgp.update.path_attributes.length",
            "bgp.update.withdrawn_routes.length", "bgp.update.path_attribute.flags", "bgp.mp_reach_nlri_next_hop_len",
        ]
        return skip.contains(field)
    }
}

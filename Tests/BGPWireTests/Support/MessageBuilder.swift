import BGPWire

/// Hand-made wire messages for malformed-input tests.
enum Wire {
    static func message(
        type: UInt8, body: [UInt8], length: Int? = nil, marker: [UInt8] = Array(repeating: 0xFF, count: 16)
    )
        -> [UInt8]
    {
        let total = length ?? 19 + body.count
        return marker + [UInt8(total >> 8), UInt8(total & 0xFF), type] + body
    }

    static func update(
        withdrawn: [UInt8] = [], attributes: [UInt8] = [], nlri: [UInt8] = [], attributesLength: Int? = nil
    )
        -> [UInt8]
    {
        let a = attributesLength ?? attributes.count
        return message(
            type: 2,
            body: [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xFF)] + withdrawn + [
                UInt8(a >> 8), UInt8(a & 0xFF),
            ]
                + attributes + nlri)
    }

    static func attribute(_ flags: UInt8, _ code: UInt8, _ value: [UInt8], length: Int? = nil) -> [UInt8] {
        let l = length ?? value.count
        if flags & 0x10 != 0 { return [flags, code, UInt8(l >> 8), UInt8(l & 0xFF)] + value }
        return [flags, code, UInt8(l & 0xFF)] + value
    }

    static let origin = attribute(0x40, 1, [0])
    static let emptyASPath = attribute(0x40, 2, [])
    static let asPath65001 = attribute(0x40, 2, [2, 1, 0, 0, 0xFD, 0xE9])
    static let nextHop = attribute(0x40, 3, [192, 0, 2, 1])
    static let localPref = attribute(0x40, 5, [0, 0, 0, 100])
    /// ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF.
    static let mandatory = origin + asPath65001 + nextHop + localPref
    /// 10.0.0.0/24.
    static let nlri24: [UInt8] = [24, 10, 0, 0]

    /// MP_REACH_NLRI for VPN-IPv4 with one /32 route (label 100, RD 65000:1).
    static func vpnReach(nextHopLength: Int = 12, nlri: [UInt8]? = nil) -> [UInt8] {
        let nh = Array(repeating: UInt8(0), count: 8) + [192, 0, 2, 1]
        let route: [UInt8] = nlri ?? [120, 0x00, 0x06, 0x41, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 10, 0, 0, 1]
        let value = [0, 1, 128, UInt8(nextHopLength)] + Array(nh.prefix(nextHopLength)) + [0] + route
        return attribute(0x90, 14, value)
    }

    static func open(
        version: UInt8 = 4, asn: UInt16 = 65001, holdTime: UInt16 = 90, id: [UInt8] = [192, 0, 2, 1],
        parameters: [UInt8]
    ) -> [UInt8] {
        message(
            type: 1,
            body: [version, UInt8(asn >> 8), UInt8(asn & 0xFF), UInt8(holdTime >> 8), UInt8(holdTime & 0xFF)] + id
                + [UInt8(parameters.count)] + parameters)
    }

    /// One capabilities optional parameter.
    static func capabilities(_ caps: [UInt8]) -> [UInt8] { [2, UInt8(caps.count)] + caps }
}

/// OPEN message (RFC 4271 §4.2), with RFC 9072 extended optional parameters.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+
///     |    Version    |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |     My Autonomous System      |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |           Hold Time           |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                         BGP Identifier                        |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     | Opt Parm Len  |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |             Optional Parameters (variable)                    |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public struct OpenMessage: Hashable, Sendable {
    public var version: UInt8
    /// 2-octet AS; AS_TRANS (23456) when the real AS needs 4 octets (RFC 6793 §4.2.1).
    public var myAutonomousSystem: UInt16
    public var holdTime: UInt16
    public var bgpIdentifier: IPv4Address
    public var optionalParameters: [OptionalParameter]
    /// RFC 9072: the parameters use the extended (2-octet length) encoding. Set automatically when they
    /// do not fit the classic one.
    public var extendedParameters: Bool

    public static let asTrans: UInt16 = 23456

    public init(
        version: UInt8 = 4, myAutonomousSystem: UInt16, holdTime: UInt16, bgpIdentifier: IPv4Address,
        optionalParameters: [OptionalParameter], extendedParameters: Bool = false
    ) {
        self.version = version
        self.myAutonomousSystem = myAutonomousSystem
        self.holdTime = holdTime
        self.bgpIdentifier = bgpIdentifier
        self.optionalParameters = optionalParameters
        self.extendedParameters = extendedParameters
    }

    /// An OPEN for `asn` with all capabilities in one Capabilities parameter. A 4-octet AS capability is added
    /// when missing, and My Autonomous System is AS_TRANS when `asn` does not fit in 2 octets.
    public init(asn: UInt32, holdTime: UInt16, bgpIdentifier: IPv4Address, capabilities: [Capability]) {
        var caps = capabilities
        if !caps.contains(where: { $0.code == Capability.Code.fourOctetAS }) { caps.append(.fourOctetAS(asn)) }
        self.init(
            myAutonomousSystem: asn > 0xFFFF ? Self.asTrans : UInt16(asn), holdTime: holdTime,
            bgpIdentifier: bgpIdentifier, optionalParameters: [.capabilities(caps)])
    }

    /// Every capability, in order, whichever parameter carried it.
    public var capabilities: [Capability] {
        optionalParameters.flatMap { p -> [Capability] in
            if case .capabilities(let c) = p { return c }
            return []
        }
    }

    /// The speaker's AS: from the 4-octet AS capability if present (RFC 6793 §4.1), else My Autonomous System.
    public var autonomousSystem: UInt32 {
        for c in capabilities { if case .fourOctetAS(let asn) = c { return asn } }
        return UInt32(myAutonomousSystem)
    }

    /// One optional parameter (RFC 4271 §4.2, RFC 5492 §4).
    public enum OptionalParameter: Hashable, Sendable {
        /// Type 2: capabilities.
        case capabilities([Capability])
        /// Any other type (e.g. the deprecated type 1), kept as it came.
        case unknown(type: UInt8, value: [UInt8])
    }

    // MARK: - Wire

    static func decode(body r: inout ByteReader) throws(BGPWireError) -> OpenMessage {
        var open: OpenMessage
        do throws(DecodeFailure) {
            open = OpenMessage(
                version: try r.readUInt8("version"), myAutonomousSystem: try r.readUInt16("my autonomous system"),
                holdTime: try r.readUInt16("hold time"), bgpIdentifier: IPv4Address(try r.readUInt32("BGP identifier")),
                optionalParameters: [])
        } catch {
            throw .header(.badMessageLength, error.reason)
        }
        // RFC 4271 §6.2 checks that need nothing from the session.
        guard open.version == 4 else {
            throw .open(.unsupportedVersionNumber, data: [0, 4], "version \(open.version); only 4 is supported")
        }
        guard open.holdTime == 0 || open.holdTime >= 3 else {
            throw .open(.unacceptableHoldTime, "hold time \(open.holdTime) s (must be 0 or at least 3)")
        }
        guard open.bgpIdentifier.value != 0 else {
            throw .open(.badBGPIdentifier, "BGP identifier 0.0.0.0 (RFC 6286 requires non-zero)")
        }
        do throws(DecodeFailure) {
            try open.readParameters(&r)
        } catch {
            throw .open(.unspecific, "optional parameters: \(error.reason)")
        }
        for c in open.capabilities {
            if case .fourOctetAS(let asn) = c, asn == 0 || asn == UInt32(Self.asTrans) {
                // RFC 6793 §4.1/§9: AS_TRANS is never a speaker's AS, and AS 0 is reserved (RFC 7607).
                throw .open(.badPeerAS, "4-octet AS capability carries AS \(asn)")
            }
        }
        if open.myAutonomousSystem == 0 { throw .open(.badPeerAS, "My Autonomous System is 0 (RFC 7607)") }
        return open
    }

    private mutating func readParameters(_ r: inout ByteReader) throws(DecodeFailure) {
        var length = Int(try r.readUInt8("optional parameters length"))
        var wide = false
        // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 marks the extended form.
        if length == 255, r.peekUInt8() == 255 {
            _ = try r.readUInt8()
            length = Int(try r.readUInt16("extended optional parameters length"))
            wide = true
            extendedParameters = true
        }
        guard length == r.remaining else {
            throw DecodeFailure("length \(length) does not match the \(r.remaining) octets that follow")
        }
        while !r.isAtEnd {
            let type = try r.readUInt8("parameter type")
            let paramLength =
                wide ? Int(try r.readUInt16("parameter length")) : Int(try r.readUInt8("parameter length"))
            var value = try r.readSlice(paramLength, "parameter \(type)")
            if type == 2 {
                var caps: [Capability] = []
                while !value.isAtEnd { caps.append(try Capability.read(&value)) }
                optionalParameters.append(.capabilities(caps))
            } else {
                optionalParameters.append(.unknown(type: type, value: value.readRest()))
            }
        }
    }

    func writeBody(to w: inout ByteWriter) {
        w.write(version)
        w.write(myAutonomousSystem)
        w.write(holdTime)
        w.write(bgpIdentifier.value)
        var params = ByteWriter()
        func encode(wide: Bool) {
            params = ByteWriter()
            for p in optionalParameters {
                switch p {
                case .capabilities(let caps):
                    params.write(UInt8(2))
                    let at = params.reserveLength(width: wide ? 2 : 1)
                    for c in caps { c.write(to: &params) }
                    params.patchLength(at: at, width: wide ? 2 : 1)
                case .unknown(let type, let value):
                    params.write(type)
                    if wide {
                        params.write(UInt16(truncatingIfNeeded: value.count))
                    } else {
                        params.write(UInt8(truncatingIfNeeded: value.count))
                    }
                    params.write(value)
                }
            }
        }
        encode(wide: extendedParameters)
        // RFC 9072 §2: use the extended form when the parameters do not fit in 255 octets.
        if !extendedParameters, params.count > 255 || optionalParameters.contains(where: \.isOversized) {
            encode(wide: true)
        }
        if extendedParameters || params.count > 255 || optionalParameters.contains(where: \.isOversized) {
            w.write(UInt8(255))
            w.write(UInt8(255))
            w.write(UInt16(truncatingIfNeeded: params.count))
        } else {
            w.write(UInt8(params.count))
        }
        w.write(params.bytes)
    }
}

extension OpenMessage.OptionalParameter {
    /// A parameter whose value needs a 2-octet length.
    var isOversized: Bool {
        switch self {
        case .capabilities(let caps):
            var w = ByteWriter()
            for c in caps { c.write(to: &w) }
            return w.count > 255
        case .unknown(_, let v): return v.count > 255
        }
    }
}

/// A BGP capability (RFC 5492 §4): code, length, value.
///
///     +------------------------------+
///     | Capability Code (1 octet)    |
///     +------------------------------+
///     | Capability Length (1 octet)  |
///     +------------------------------+
///     | Capability Value (variable)  |
///     +------------------------------+
///
/// Unknown capabilities are kept with their value and re-encoded as they came (RFC 5492 §3: a speaker
/// ignores capabilities it does not understand).
public enum Capability: Hashable, Sendable {
    /// 1: Multiprotocol Extensions (RFC 4760 §8).
    case multiprotocol(AddressFamily)
    /// 2: Route Refresh (RFC 2918).
    case routeRefresh
    /// 5: Extended Next Hop Encoding (RFC 8950 §3).
    case extendedNextHop([ExtendedNextHopEntry])
    /// 6: Extended Message (RFC 8654).
    case extendedMessage
    /// 9: BGP Role (RFC 9234).
    case role(UInt8)
    /// 64: Graceful Restart (RFC 4724 §3).
    case gracefulRestart(GracefulRestart)
    /// 65: Support for 4-octet AS number space (RFC 6793).
    case fourOctetAS(UInt32)
    /// 69: ADD-PATH (RFC 7911 §4).
    case addPath([AddPathEntry])
    /// 70: Enhanced Route Refresh (RFC 7313).
    case enhancedRouteRefresh
    /// 71: Long-Lived Graceful Restart (RFC 9494).
    case longLivedGracefulRestart([LongLivedGracefulRestartEntry])
    /// 73: FQDN (draft-walton-bgp-hostname-capability).
    case fqdn(FQDN)
    /// Any other code, with its value.
    case unknown(code: UInt8, value: [UInt8])

    public enum Code {
        public static let multiprotocol: UInt8 = 1
        public static let routeRefresh: UInt8 = 2
        public static let extendedNextHop: UInt8 = 5
        public static let extendedMessage: UInt8 = 6
        public static let role: UInt8 = 9
        public static let gracefulRestart: UInt8 = 64
        public static let fourOctetAS: UInt8 = 65
        public static let addPath: UInt8 = 69
        public static let enhancedRouteRefresh: UInt8 = 70
        public static let longLivedGracefulRestart: UInt8 = 71
        public static let fqdn: UInt8 = 73

        public static func name(_ code: UInt8) -> String {
            switch code {
            case multiprotocol: "multiprotocol"
            case routeRefresh: "route-refresh"
            case extendedNextHop: "extended-next-hop"
            case extendedMessage: "extended-message"
            case role: "role"
            case gracefulRestart: "graceful-restart"
            case fourOctetAS: "four-octet-as"
            case addPath: "add-path"
            case enhancedRouteRefresh: "enhanced-route-refresh"
            case longLivedGracefulRestart: "long-lived-graceful-restart"
            case fqdn: "fqdn"
            default: "capability-\(code)"
            }
        }
    }

    public var code: UInt8 {
        switch self {
        case .multiprotocol: Code.multiprotocol
        case .routeRefresh: Code.routeRefresh
        case .extendedNextHop: Code.extendedNextHop
        case .extendedMessage: Code.extendedMessage
        case .role: Code.role
        case .gracefulRestart: Code.gracefulRestart
        case .fourOctetAS: Code.fourOctetAS
        case .addPath: Code.addPath
        case .enhancedRouteRefresh: Code.enhancedRouteRefresh
        case .longLivedGracefulRestart: Code.longLivedGracefulRestart
        case .fqdn: Code.fqdn
        case .unknown(let code, _): code
        }
    }

    /// RFC 8950 §3 entry: NLRI AFI, NLRI SAFI (2 octets here), next hop AFI.
    public struct ExtendedNextHopEntry: Hashable, Sendable {
        public var nlriAFI: AFI
        public var nlriSAFI: UInt16
        public var nextHopAFI: AFI
        public init(nlriAFI: AFI, nlriSAFI: UInt16, nextHopAFI: AFI) {
            self.nlriAFI = nlriAFI
            self.nlriSAFI = nlriSAFI
            self.nextHopAFI = nextHopAFI
        }
    }

    /// RFC 4724 §3: restart flags (R = 0x8, N = 0x4 per RFC 8538), 12-bit restart time, and per-family
    /// forwarding-state flags (F = 0x80).
    public struct GracefulRestart: Hashable, Sendable {
        /// The 4 flag bits (high nibble of the first octet), as a value 0...15.
        public var restartFlags: UInt8
        /// Seconds, 0...4095.
        public var restartTime: UInt16
        public var families: [Family]

        public init(restartFlags: UInt8 = 0, restartTime: UInt16, families: [Family] = []) {
            self.restartFlags = restartFlags & 0xF
            self.restartTime = restartTime & 0xFFF
            self.families = families
        }

        public var restartState: Bool { restartFlags & 0x8 != 0 }
        public var notification: Bool { restartFlags & 0x4 != 0 }

        public struct Family: Hashable, Sendable {
            public var family: AddressFamily
            public var flags: UInt8
            public init(_ family: AddressFamily, flags: UInt8 = 0) {
                self.family = family
                self.flags = flags
            }
            public var forwardingStatePreserved: Bool { flags & 0x80 != 0 }
        }
    }

    /// RFC 7911 §4 entry: AFI, SAFI, send/receive (1 receive, 2 send, 3 both).
    public struct AddPathEntry: Hashable, Sendable {
        public var family: AddressFamily
        public var sendReceive: UInt8
        public init(_ family: AddressFamily, sendReceive: UInt8) {
            self.family = family
            self.sendReceive = sendReceive
        }
        public var receive: Bool { sendReceive & 1 != 0 }
        public var send: Bool { sendReceive & 2 != 0 }
    }

    /// RFC 9494 §2 entry: AFI, SAFI, flags (F = 0x80), 24-bit long-lived stale time in seconds.
    public struct LongLivedGracefulRestartEntry: Hashable, Sendable {
        public var family: AddressFamily
        public var flags: UInt8
        public var staleTime: UInt32
        public init(_ family: AddressFamily, flags: UInt8 = 0, staleTime: UInt32) {
            self.family = family
            self.flags = flags
            self.staleTime = staleTime & 0xFF_FFFF
        }
    }

    /// Host and domain name, each a length octet and bytes (kept as bytes: not guaranteed UTF-8).
    public struct FQDN: Hashable, Sendable {
        public var hostName: [UInt8]
        public var domainName: [UInt8]
        public init(hostName: String, domainName: String = "") {
            self.hostName = Array(hostName.utf8.prefix(255))
            self.domainName = Array(domainName.utf8.prefix(255))
        }
        public init(hostNameBytes: [UInt8], domainNameBytes: [UInt8]) {
            hostName = hostNameBytes
            domainName = domainNameBytes
        }
        public var hostNameString: String { String(decoding: hostName, as: UTF8.self) }
        public var domainNameString: String { String(decoding: domainName, as: UTF8.self) }
    }

    // MARK: - Wire

    /// Reads one capability; `r` is positioned at its code. Errors are OPEN Message Errors.
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> Capability {
        let code = try r.readUInt8("capability code")
        let length = Int(try r.readUInt8("capability length"))
        var v = try r.readSlice(length, "\(Code.name(code)) capability value")
        func exactly(_ n: Int) throws(DecodeFailure) {
            if length != n { throw DecodeFailure("\(Code.name(code)) capability length \(length), must be \(n)") }
        }
        func multiple(of n: Int, plus base: Int = 0) throws(DecodeFailure) {
            if length < base || (length - base) % n != 0 {
                throw DecodeFailure(
                    "\(Code.name(code)) capability length \(length) is not \(base == 0 ? "" : "\(base) + ")a multiple of \(n)"
                )
            }
        }
        switch code {
        case Code.multiprotocol:
            try exactly(4)
            let afi = AFI(try v.readUInt16())
            _ = try v.readUInt8()  // reserved
            return .multiprotocol(AddressFamily(afi, SAFI(try v.readUInt8())))
        case Code.routeRefresh:
            try exactly(0)
            return .routeRefresh
        case Code.extendedNextHop:
            try multiple(of: 6)
            var l: [ExtendedNextHopEntry] = []
            while !v.isAtEnd {
                l.append(
                    ExtendedNextHopEntry(
                        nlriAFI: AFI(try v.readUInt16()), nlriSAFI: try v.readUInt16(),
                        nextHopAFI: AFI(try v.readUInt16())))
            }
            return .extendedNextHop(l)
        case Code.extendedMessage:
            try exactly(0)
            return .extendedMessage
        case Code.role:
            try exactly(1)
            return .role(try v.readUInt8())
        case Code.gracefulRestart:
            try multiple(of: 4, plus: 2)
            let head = try v.readUInt16()
            var families: [GracefulRestart.Family] = []
            while !v.isAtEnd {
                let afi = AFI(try v.readUInt16())
                let safi = SAFI(try v.readUInt8())
                families.append(GracefulRestart.Family(AddressFamily(afi, safi), flags: try v.readUInt8()))
            }
            return .gracefulRestart(
                GracefulRestart(restartFlags: UInt8(head >> 12), restartTime: head & 0xFFF, families: families))
        case Code.fourOctetAS:
            try exactly(4)
            return .fourOctetAS(try v.readUInt32())
        case Code.addPath:
            try multiple(of: 4)
            var l: [AddPathEntry] = []
            while !v.isAtEnd {
                let afi = AFI(try v.readUInt16())
                let safi = SAFI(try v.readUInt8())
                let mode = try v.readUInt8()
                guard (1...3).contains(mode) else { throw DecodeFailure("add-path send/receive value \(mode)") }
                l.append(AddPathEntry(AddressFamily(afi, safi), sendReceive: mode))
            }
            return .addPath(l)
        case Code.enhancedRouteRefresh:
            try exactly(0)
            return .enhancedRouteRefresh
        case Code.longLivedGracefulRestart:
            try multiple(of: 7)
            var l: [LongLivedGracefulRestartEntry] = []
            while !v.isAtEnd {
                let afi = AFI(try v.readUInt16())
                let safi = SAFI(try v.readUInt8())
                l.append(
                    LongLivedGracefulRestartEntry(
                        AddressFamily(afi, safi), flags: try v.readUInt8(), staleTime: try v.readUInt24()))
            }
            return .longLivedGracefulRestart(l)
        case Code.fqdn:
            // Both names must fit exactly in the capability (CVE-2023-41361 class: never read past it).
            let hostLength = Int(try v.readUInt8("FQDN host name length"))
            let host = try v.readBytes(hostLength, "FQDN host name")
            let domainLength = Int(try v.readUInt8("FQDN domain name length"))
            let domain = try v.readBytes(domainLength, "FQDN domain name")
            guard v.isAtEnd else { throw DecodeFailure("FQDN capability has \(v.remaining) extra octet(s)") }
            return .fqdn(FQDN(hostNameBytes: host, domainNameBytes: domain))
        default:
            return .unknown(code: code, value: v.readRest())
        }
    }

    func write(to w: inout ByteWriter) {
        w.write(code)
        let at = w.reserveLength(width: 1)
        switch self {
        case .multiprotocol(let f):
            w.write(f.afi.rawValue)
            w.write(UInt8(0))
            w.write(f.safi.rawValue)
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh: break
        case .extendedNextHop(let l):
            for e in l {
                w.write(e.nlriAFI.rawValue)
                w.write(e.nlriSAFI)
                w.write(e.nextHopAFI.rawValue)
            }
        case .role(let r): w.write(r)
        case .gracefulRestart(let g):
            w.write(UInt16(g.restartFlags & 0xF) << 12 | g.restartTime & 0xFFF)
            for f in g.families {
                w.write(f.family.afi.rawValue)
                w.write(f.family.safi.rawValue)
                w.write(f.flags)
            }
        case .fourOctetAS(let asn): w.write(asn)
        case .addPath(let l):
            for e in l {
                w.write(e.family.afi.rawValue)
                w.write(e.family.safi.rawValue)
                w.write(e.sendReceive)
            }
        case .longLivedGracefulRestart(let l):
            for e in l {
                w.write(e.family.afi.rawValue)
                w.write(e.family.safi.rawValue)
                w.write(e.flags)
                w.writeUInt24(e.staleTime)
            }
        case .fqdn(let f):
            w.write(UInt8(truncatingIfNeeded: f.hostName.count))
            w.write(f.hostName)
            w.write(UInt8(truncatingIfNeeded: f.domainName.count))
            w.write(f.domainName)
        case .unknown(_, let v): w.write(v)
        }
        w.patchLength(at: at, width: 1)
    }
}

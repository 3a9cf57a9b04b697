import BGPWire

/// Why a value was refused, in words (becomes ``ConfigurationError/problem``).
struct ValueProblem: Error, Hashable, Sendable {
    var text: String
    init(_ text: String) { self.text = text }
}

/// Conversions from option text to typed values, following oslo.config's `types` module where the original
/// option used one.
enum OptionValue {
    /// oslo.config `types.Boolean`: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, in any case.
    static func boolean(_ text: String) -> Result<Bool, ValueProblem> {
        switch text.trimmed().lowercased() {
        case "true", "yes", "on", "1": .success(true)
        case "false", "no", "off", "0": .success(false)
        default: .failure(ValueProblem("not a boolean (true/false, yes/no, on/off, 1/0)"))
        }
    }

    /// oslo.config `types.Integer`: Python's `int()` of the trimmed text (an optional sign, ASCII digits, single
    /// `_` between digits), then the range check.
    static func integer<T: FixedWidthInteger>(_ text: String, in range: ClosedRange<T>) -> Result<T, ValueProblem> {
        let problem = ValueProblem("not an integer in \(range.lowerBound)...\(range.upperBound)")
        guard let n = pythonInteger(text), let value = T(exactly: n), range.contains(value) else {
            return .failure(problem)
        }
        return .success(value)
    }

    /// A TCP port. oslo.config's `PortOpt` also takes 0; no bagpipe port can sensibly be 0.
    static func port(_ text: String) -> Result<UInt16, ValueProblem> {
        integer(text, in: 1...65535).mapError { _ in ValueProblem("not a port number in 1...65535") }
    }

    /// A TCP port to listen on, where 0 asks for an ephemeral one (the daemon logs the port it got).
    static func listeningPort(_ text: String) -> Result<UInt16, ValueProblem> {
        integer(text, in: 0...65535).mapError { _ in ValueProblem("not a port number in 0...65535") }
    }

    /// A 4-octet AS number, 1...4294967295 (RFC 6793). The original allowed 1...65535 only (bagpipe-bgp.md §1.2).
    static func asNumber(_ text: String) -> Result<UInt32, ValueProblem> {
        integer(text, in: 1...UInt32.max)
    }

    /// Hold time in seconds: 0 (no keepalives) or 3...65535 (RFC 4271 §4.2).
    static func holdTime(_ text: String) -> Result<UInt16, ValueProblem> {
        guard case .success(let n) = integer(text, in: UInt16.min...UInt16.max), n == 0 || n >= 3 else {
            return .failure(ValueProblem("not 0 or an integer in 3...65535"))
        }
        return .success(n)
    }

    /// oslo.config `types.List`: the trimmed text without trailing commas, split at commas, each item trimmed;
    /// empty text is the empty list.
    static func list(_ text: String) -> [String] {
        var body = text.trimmed()
        while body.last == "," { body = body.dropLast() }
        guard !body.isEmpty else { return [] }
        return body.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmed()) }
    }

    /// Any text but the empty one (bridge and port names).
    static func nonEmpty(_ text: String) -> Result<String, ValueProblem> {
        text.isEmpty ? .failure(ValueProblem("empty value")) : .success(text)
    }

    /// An IPv4 or IPv6 address.
    static func ipAddress(_ text: String) -> Result<IPAddress, ValueProblem> {
        guard let address = IPAddress(text.trimmed()) else {
            return .failure(ValueProblem("\"\(text)\" is not an IPv4 or IPv6 address"))
        }
        return .success(address)
    }

    /// An IPv4 address in dotted-quad notation.
    static func ipv4Address(_ text: String) -> Result<IPv4Address, ValueProblem> {
        guard let address = IPv4Address(text.trimmed()) else {
            return .failure(ValueProblem("not an IPv4 address"))
        }
        return .success(address)
    }

    /// A BGP Identifier: a non-zero IPv4 address (RFC 6286 §2.1).
    static func routerID(_ text: String) -> Result<IPv4Address, ValueProblem> {
        ipv4Address(text).flatMap { address in
            address == .zero ? .failure(ValueProblem("0.0.0.0 is not a valid BGP identifier")) : .success(address)
        }
    }

    /// A cluster ID (RFC 4456 §7): dotted quad, or a 32-bit integer as FRR and GoBGP also accept.
    static func clusterID(_ text: String) -> Result<IPv4Address, ValueProblem> {
        if let address = IPv4Address(text.trimmed()) { return .success(address) }
        if let n = pythonInteger(text), let value = UInt32(exactly: n) { return .success(IPv4Address(value)) }
        return .failure(ValueProblem("not an IPv4 address or an integer in 0...4294967295"))
    }

    /// A TCP-MD5 key (RFC 2385): at most 80 bytes (Linux `TCP_MD5SIG_MAXKEYLEN`), no control characters.
    static func md5Password(_ text: String) -> Result<String, ValueProblem> {
        if text.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            return .failure(ValueProblem("contains a line break or another control character"))
        }
        if text.utf8.count > 80 {
            return .failure(ValueProblem("\(text.utf8.count) bytes long; TCP-MD5 keys are at most 80 bytes"))
        }
        return .success(text)
    }

    /// Python `int(text)` for decimal text: surrounding whitespace, an optional sign, digits with single
    /// underscores between them. `nil` for anything else or beyond 64 bits.
    static func pythonInteger(_ text: String) -> Int64? {
        var body = text.trimmed()
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, let last = body.last, first.isASCIIDigit, last.isASCIIDigit else { return nil }
        var value: Int64 = 0
        var previousUnderscore = false
        for c in body {
            if c == "_" {
                guard !previousUnderscore else { return nil }
                previousUnderscore = true
                continue
            }
            guard c.isASCIIDigit, let digit = c.wholeNumberValue else { return nil }
            previousUnderscore = false
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// UPDATE decoding with RFC 7606 error handling.
///
/// Structural errors that leave the NLRI unlocatable reset the session (thrown). Errors in one attribute
/// get that attribute's RFC 7606 §7 action and are returned beside the message, so the caller can withdraw
/// (treat-as-withdraw), drop the attribute (attribute discard) or stop the family (AFI/SAFI disable)
/// without losing the rest of the UPDATE.
extension UpdateMessage {
    static func decode(
        body r: inout ByteReader, options: DecodingOptions
    ) throws(BGPWireError) -> (
        UpdateMessage, [BGPWireError]
    ) {
        // RFC 4271 §6.3: lengths that exceed the message are a Malformed Attribute List.
        let withdrawnLength: Int
        var withdrawnReader: ByteReader
        var attributesReader: ByteReader
        do throws(DecodeFailure) {
            withdrawnLength = Int(try r.readUInt16("withdrawn routes length"))
            guard withdrawnLength + 2 <= r.remaining else {
                throw DecodeFailure(
                    "withdrawn routes length \(withdrawnLength) overruns the message (\(r.remaining) octets left)")
            }
            withdrawnReader = try r.readSlice(withdrawnLength)
            let attributesLength = Int(try r.readUInt16("total path attribute length"))
            guard attributesLength <= r.remaining else {
                throw DecodeFailure(
                    "total path attribute length \(attributesLength) overruns the message (\(r.remaining) octets left)")
            }
            attributesReader = try r.readSlice(attributesLength)
        } catch {
            throw .update(.malformedAttributeList, error.reason)
        }

        // RFC 7606 §5.3: a syntactically incorrect NLRI or withdrawn routes field cannot be handled by
        // treat-as-withdraw (the routes are unknown), so the session is reset (RFC 4271: Invalid Network Field).
        let addPath = options.addPathReceive.contains(.ipv4Unicast)
        var update = UpdateMessage()
        do throws(DecodeFailure) {
            update.withdrawnRoutes = try NLRIList.readAll(&withdrawnReader) { (r) throws(DecodeFailure) in
                try IPv4PrefixNLRI.read(&r, addPath: addPath)
            }
        } catch {
            throw .update(.invalidNetworkField, "withdrawn routes: \(error.reason)")
        }
        do throws(DecodeFailure) {
            update.nlri = try NLRIList.readAll(&r) { (r) throws(DecodeFailure) in
                try IPv4PrefixNLRI.read(&r, addPath: addPath)
            }
        } catch {
            throw .update(.invalidNetworkField, "NLRI: \(error.reason)")
        }

        var parser = AttributeParser(options: options, hasTraditionalNLRI: !update.nlri.isEmpty)
        try parser.parse(&attributesReader)
        update.pathAttributes = parser.attributes
        var errors = parser.errors

        // RFC 7606 §3.d: a missing well-known mandatory attribute is treat-as-withdraw. They are required only
        // when routes are announced; NEXT_HOP only for the traditional NLRI field (RFC 4760 §3).
        let announces = !update.nlri.isEmpty || parser.seen(PathAttribute.TypeCode.mpReachNLRI)
        if announces {
            func require(_ code: UInt8) {
                if !parser.seen(code) {
                    errors.append(
                        BGPWireError(
                            .treatAsWithdraw, "missing well-known attribute \(PathAttribute.TypeCode.name(code))",
                            attributeType: code))
                }
            }
            require(PathAttribute.TypeCode.origin)
            require(PathAttribute.TypeCode.asPath)
            if !update.nlri.isEmpty { require(PathAttribute.TypeCode.nextHop) }
            if options.peer == .internal { require(PathAttribute.TypeCode.localPref) }
        }
        return (update, errors)
    }
}

/// Walks the path attributes, keeping the good ones and recording an RFC 7606 action for each bad one.
struct AttributeParser {
    let options: DecodingOptions
    let hasTraditionalNLRI: Bool
    var attributes: [PathAttribute] = []
    var errors: [BGPWireError] = []
    /// Type codes met so far (256 bits), including malformed ones, for duplicate detection.
    var seenCodes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var parsedMP = false

    init(options: DecodingOptions, hasTraditionalNLRI: Bool) {
        self.options = options
        self.hasTraditionalNLRI = hasTraditionalNLRI
        attributes.reserveCapacity(8)
    }

    func seen(_ code: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: return seenCodes.0 & bit != 0
        case 1: return seenCodes.1 & bit != 0
        case 2: return seenCodes.2 & bit != 0
        default: return seenCodes.3 & bit != 0
        }
    }

    mutating func markSeen(_ code: UInt8) {
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: seenCodes.0 |= bit
        case 1: seenCodes.1 |= bit
        case 2: seenCodes.2 |= bit
        default: seenCodes.3 |= bit
        }
    }

    mutating func parse(_ r: inout ByteReader) throws(BGPWireError) {
        while !r.isAtEnd {
            let start = r.index
            // RFC 7606 §4: fewer octets than an attribute header, or a length running past the attribute
            // block, is treat-as-withdraw, the NLRI being found from the Total Path Attribute Length.
            guard r.remaining >= 3 else {
                try framingError("\(r.remaining) trailing octet(s) cannot hold an attribute header")
                return
            }
            let flags = AttributeFlags(rawValue: r.base[r.index])
            let code = r.base[r.index + 1]
            let lengthWidth = flags.contains(.extendedLength) ? 2 : 1
            guard r.remaining >= 2 + lengthWidth else {
                try framingError("\(r.remaining) trailing octet(s) cannot hold an extended-length attribute header")
                return
            }
            r.index += 2
            let length =
                lengthWidth == 2
                ? Int(UInt16(r.base[r.index]) << 8 | UInt16(r.base[r.index + 1])) : Int(r.base[r.index])
            r.index += lengthWidth
            guard length <= r.remaining else {
                try framingError(
                    "\(PathAttribute.TypeCode.name(code)) length \(length) overruns the attribute block (\(r.remaining) left)"
                )
                return
            }
            var value = ByteReader(base: r.base, index: r.index, endIndex: r.index + length)
            r.index += length
            // The Extended Length bit is kept only where it was a choice (a value under 256 octets): above that
            // the encoder sets it anyway, so the decoded value has one canonical form.
            let kept = length > 255 ? flags.subtracting(.extendedLength) : flags
            try parseOne(flags: kept, code: code, value: &value, rawStart: start, rawEnd: r.index)
        }
    }

    /// RFC 7606 §4 treat-as-withdraw, if the routes to withdraw can be located: the traditional NLRI always
    /// can; MP_REACH_NLRI / MP_UNREACH_NLRI only if already parsed (RFC 7606 §5.1 asks senders to put them
    /// first). Otherwise routes might be left installed, so the session is reset.
    mutating func framingError(_ reason: String) throws(BGPWireError) {
        if hasTraditionalNLRI || parsedMP {
            errors.append(BGPWireError(.treatAsWithdraw, reason))
        } else {
            throw .update(.malformedAttributeList, reason)
        }
    }

    mutating func parseOne(
        flags: AttributeFlags, code: UInt8, value r: inout ByteReader, rawStart: Int, rawEnd: Int
    )
        throws(BGPWireError)
    {
        typealias T = PathAttribute.TypeCode
        let base = r.base
        let raw = { Array(UnsafeRawBufferPointer(rebasing: base[rawStart..<rawEnd])) }
        let name = T.name(code)

        // RFC 7606 §3.g: a second MP_REACH_NLRI or MP_UNREACH_NLRI resets the session; other repeats are
        // discarded, the first occurrence kept.
        if seen(code) {
            if code == T.mpReachNLRI || code == T.mpUnreachNLRI {
                throw .update(.malformedAttributeList, "\(name) appears twice", attributeType: code)
            }
            errors.append(BGPWireError(.attributeDiscard, "repeated \(name) discarded", attributeType: code))
            return
        }
        markSeen(code)

        guard let action = malformedAction(code) else {
            // Not an attribute we know.
            if !flags.contains(.optional) {
                // RFC 4271 §6.3: an unrecognized well-known attribute is an error.
                throw .update(.unrecognizedWellKnownAttribute, data: raw(), "unrecognized well-known attribute \(code)")
            }
            attributes.append(PathAttribute(flags: flags, value: .unknown(typeCode: code, value: r.readRest())))
            return
        }

        // RFC 7606 §3.c: O/T bits in conflict with the definition make the attribute malformed; so does a
        // Partial bit on a well-known or optional non-transitive attribute (RFC 4271 §4.3).
        let expected = T.standardFlags(for: code)
        if flags.category != expected || (flags.contains(.partial) && expected != .optionalTransitive) {
            try report(
                action, code: code,
                "\(name) flags 0x\(String(flags.rawValue, radix: 16)) conflict with its definition", data: raw(),
                subcode: .attributeFlagsError)
            return
        }

        do throws(DecodeFailure) {
            let value = try decodeValue(code: code, &r)
            attributes.append(PathAttribute(flags: flags, value: value))
        } catch {
            if error.reason == Self.alreadyReported { return }
            let isMP = code == T.mpReachNLRI || code == T.mpUnreachNLRI
            try report(
                action, code: code, "\(name): \(error.reason)", data: raw(),
                subcode: isMP ? .optionalAttributeError : .attributeLengthError)
        }
    }

    /// Adds an error with `action`, or throws when that action is a session reset.
    mutating func report(
        _ action: BGPWireError.Action, code: UInt8, _ reason: String, data: [UInt8],
        subcode: NotificationMessage.UpdateSubcode
    ) throws(BGPWireError) {
        if case .sessionReset = action {
            throw .update(subcode, data: data, reason, attributeType: code)
        }
        errors.append(BGPWireError(action, reason, attributeType: code))
    }

    /// RFC 7606 §7 (and RFC 6793 §6, RFC 8092 §6, RFC 9012 §13, RFC 9234 §5): what a malformed instance of
    /// each known attribute calls for; nil for unknown type codes.
    func malformedAction(_ code: UInt8) -> BGPWireError.Action? {
        typealias T = PathAttribute.TypeCode
        switch code {
        case T.origin, T.asPath, T.multiExitDisc, T.communities, T.extendedCommunities, T.largeCommunities,
            T.pmsiTunnel, T.tunnelEncapsulation, T.onlyToCustomer:
            return .treatAsWithdraw
        case T.nextHop:
            // RFC 7606 §7.3 via RFC 4760: NEXT_HOP matters only for the traditional NLRI field.
            return hasTraditionalNLRI ? .treatAsWithdraw : .attributeDiscard
        case T.localPref:
            // RFC 7606 §7.5: LOCAL_PREF from an external peer is discarded anyway.
            return options.peer == .external ? .attributeDiscard : .treatAsWithdraw
        case T.originatorID, T.clusterList:
            // RFC 7606 §7.9, §7.10: discarded when from an external peer.
            return options.peer == .external ? .attributeDiscard : .treatAsWithdraw
        case T.atomicAggregate, T.aggregator, T.as4Path, T.as4Aggregator:
            return .attributeDiscard
        case T.mpReachNLRI, T.mpUnreachNLRI:
            // Refined to AFI/SAFI disable in decodeValue's caller when the family is readable.
            return .sessionReset(NotificationMessage(.updateMessageError, subcode: 9))
        default:
            return nil
        }
    }

    mutating func decodeValue(code: UInt8, _ r: inout ByteReader) throws(DecodeFailure) -> PathAttribute.Value {
        typealias T = PathAttribute.TypeCode
        func exactly(_ n: Int) throws(DecodeFailure) {
            if r.remaining != n { throw DecodeFailure("length \(r.remaining), must be \(n)") }
        }
        func nonZeroMultiple(of n: Int) throws(DecodeFailure) {
            if r.remaining == 0 || r.remaining % n != 0 {
                throw DecodeFailure("length \(r.remaining) is not a non-zero multiple of \(n)")
            }
        }
        switch code {
        case T.origin:
            try exactly(1)
            let v = try r.readUInt8()
            guard let o = PathAttribute.Origin(rawValue: v) else { throw DecodeFailure("value \(v) is not 0, 1 or 2") }
            return .origin(o)
        case T.asPath:
            let path = try ASPath.read(&r, width: options.fourOctetAS ? 4 : 2)
            // RFC 7607: AS 0 in AS_PATH makes the attribute malformed.
            if path.segments.contains(where: { $0.asns.contains(0) }) { throw DecodeFailure("contains AS 0") }
            return .asPath(path)
        case T.nextHop:
            try exactly(4)
            let a = IPv4Address(try r.readUInt32())
            // RFC 4271 §6.3 semantic check: 0/8, loopback and class D/E are never a next hop.
            let first = a.value >> 24
            if first == 0 || first == 127 || first >= 224 { throw DecodeFailure("\(a) is not a usable address") }
            return .nextHop(a)
        case T.multiExitDisc:
            try exactly(4)
            return .multiExitDisc(try r.readUInt32())
        case T.localPref:
            try exactly(4)
            return .localPref(try r.readUInt32())
        case T.atomicAggregate:
            try exactly(0)
            return .atomicAggregate
        case T.aggregator:
            let wide = options.fourOctetAS
            try exactly(wide ? 8 : 6)
            let asn = wide ? try r.readUInt32() : UInt32(try r.readUInt16())
            if asn == 0 { throw DecodeFailure("AS 0") }
            return .aggregator(Aggregator(asn: asn, address: IPv4Address(try r.readUInt32())))
        case T.communities:
            try nonZeroMultiple(of: 4)
            var l: [Community] = []
            l.reserveCapacity(r.remaining / 4)
            while !r.isAtEnd { l.append(Community(rawValue: try r.readUInt32())) }
            return .communities(l)
        case T.originatorID:
            try exactly(4)
            return .originatorID(IPv4Address(try r.readUInt32()))
        case T.clusterList:
            try nonZeroMultiple(of: 4)
            var l: [IPv4Address] = []
            l.reserveCapacity(r.remaining / 4)
            while !r.isAtEnd { l.append(IPv4Address(try r.readUInt32())) }
            return .clusterList(l)
        case T.mpReachNLRI, T.mpUnreachNLRI:
            do throws(MPAttributeFailure) {
                let value: PathAttribute.Value =
                    code == T.mpReachNLRI
                    ? .mpReachNLRI(try MPReachNLRI.read(&r, options: options))
                    : .mpUnreachNLRI(try MPUnreachNLRI.read(&r, options: options))
                parsedMP = true
                return value
            } catch {
                // RFC 7606 §7.11: AFI/SAFI disable when the family is known, else session reset. The
                // disable is reported here; the thrown failure tells the caller nothing more is to be done.
                if let family = error.family {
                    errors.append(
                        BGPWireError(
                            .afiSafiDisable(family), "\(T.name(code)) \(family): \(error.reason)", attributeType: code))
                    parsedMP = true
                    throw DecodeFailure(Self.alreadyReported)
                }
                throw DecodeFailure(error.reason)
            }
        case T.extendedCommunities:
            try nonZeroMultiple(of: 8)
            var l: [ExtendedCommunity] = []
            l.reserveCapacity(r.remaining / 8)
            while !r.isAtEnd { l.append(ExtendedCommunity(rawValue: try r.readUInt64())) }
            return .extendedCommunities(l)
        case T.as4Path:
            let path = try ASPath.read(&r, width: 4)
            if path.segments.contains(where: { $0.asns.contains(0) }) { throw DecodeFailure("contains AS 0") }
            return .as4Path(path)
        case T.as4Aggregator:
            try exactly(8)
            let asn = try r.readUInt32()
            if asn == 0 { throw DecodeFailure("AS 0") }
            return .as4Aggregator(Aggregator(asn: asn, address: IPv4Address(try r.readUInt32())))
        case T.pmsiTunnel: return .pmsiTunnel(try PMSITunnel.read(&r))
        case T.tunnelEncapsulation: return .tunnelEncapsulation(try TunnelEncapsulation.read(&r))
        case T.largeCommunities:
            try nonZeroMultiple(of: 12)
            var l: [LargeCommunity] = []
            l.reserveCapacity(r.remaining / 12)
            while !r.isAtEnd { l.append(LargeCommunity(try r.readUInt32(), try r.readUInt32(), try r.readUInt32())) }
            return .largeCommunities(l)
        case T.onlyToCustomer:
            try exactly(4)
            return .onlyToCustomer(try r.readUInt32())
        default:
            return .unknown(typeCode: code, value: r.readRest())
        }
    }

    static let alreadyReported = "\u{0}reported"
}
